import type { Event, ValidatorUpdate, Misbehavior, CommitInfo } from "cosmjs-types/tendermint/abci/types";
import type { KVStore } from "../store/kv";
import type { AminoTable } from "../types/amino";
import type { EventManager } from "./events";
import type { GasMeter } from "./gas";

/** How a transaction is being run; some checks differ by mode, exactly as in the Cosmos SDK. */
export type ExecMode = "check" | "recheck" | "simulate" | "deliver" | "genesis";

export interface BlockInfo {
  readonly height: number;
  /** Block time in unix nanoseconds, from the header (deterministic; never the local clock). */
  readonly timeNs: bigint;
  readonly chainId: string;
  readonly proposerAddress: Uint8Array;
  readonly hash: Uint8Array;
}

/** What a message handler or block hook sees: the state, gas, events, and the block it runs in. */
export interface Context {
  readonly store: KVStore;
  readonly gasMeter: GasMeter;
  readonly events: EventManager;
  readonly block: BlockInfo;
  readonly mode: ExecMode;
}

/** The Any a message handler answers with; it goes into TxMsgData.msg_responses. */
export interface MsgResponse {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

export interface ProtoCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

export interface MsgHandler<T = unknown> {
  readonly typeUrl: string;
  readonly codec: ProtoCodec<T>;
  /** Bech32 addresses that must sign, in order (the first is the fee payer by default). */
  signers(msg: T): string[];
  /** Stateless checks (SDK ValidateBasic); throws a ChainError. */
  validateBasic(msg: T): void;
  /** Executes against ctx.store; throws a ChainError to fail (the whole tx is then reverted). */
  execute(ctx: Context, msg: T): MsgResponse;
  /**
   * Messages that carry their own anti-spam cost (PoW certificates). A tx made only of such
   * messages needs no fee and may come from an account that does not exist yet: it is then signed
   * with account_number 0 and sequence 0, and the account is created when the tx passes.
   */
  readonly feeless?: boolean;
  /** Largest tx carrying this feeless message (default: the app's MAX_FEELESS_TX_BYTES). */
  readonly maxFeelessTxBytes?: number;
  /**
   * A cheap state-dependent check run in every mode before fees and signatures (CheckTx included),
   * so invalid work is refused at the cost of this check only. Throws a ChainError.
   */
  precheck?(ctx: Context, msg: T): void;
  /**
   * State-dependent checks of a message carried by a gov proposal, run when the proposal is
   * submitted (its execution checks again): a parameter change that would break an invariant is
   * refused before anyone votes on it. Throws a ChainError.
   */
  checkProposalMsg?(ctx: Context, msg: T): void;
}

export interface QueryContext {
  readonly store: KVStore;
  readonly height: number;
}

/** A gRPC-style query method, served at ABCI Query path "/<service>/<Method>" (and by gRPC). */
export interface QueryHandler {
  readonly path: string;
  handle(ctx: QueryContext, request: Uint8Array): Uint8Array;
}

export interface BeginBlockInfo extends BlockInfo {
  readonly decidedLastCommit?: CommitInfo;
  readonly misbehavior: readonly Misbehavior[];
}

export interface Module {
  readonly name: string;
  readonly msgs?: readonly MsgHandler<any>[];
  readonly queries?: readonly QueryHandler[];
  /** The amino JSON encoding of each of `msgs`, for SIGN_MODE_LEGACY_AMINO_JSON signers. */
  readonly amino?: AminoTable;
  defaultGenesis?(): unknown;
  /**
   * Validates and loads the module's section of the genesis app_state. The staking module
   * returns the initial validator set (InitChain answers CometBFT with it).
   */
  initGenesis?(ctx: Context, genesis: unknown): ValidatorUpdate[] | void;
  exportGenesis?(ctx: Context): unknown;
  beginBlock?(ctx: Context, info: BeginBlockInfo): void;
  endBlock?(ctx: Context): ValidatorUpdate[] | void;
  /** Invariants checked in tests and, if enabled, by validators: return a message if broken. */
  invariants?(store: KVStore): string[];
  /**
   * The same invariants checked on one block's changes only: `before` is the state the block
   * started from, `after` the state it ends with, `changed` the module's keys the block wrote
   * (without the module prefix). Its cost follows the block's writes, not the state's size.
   */
  blockInvariants?(before: KVStore, after: KVStore, changed: readonly Uint8Array[]): string[];
}

export type { Event };
