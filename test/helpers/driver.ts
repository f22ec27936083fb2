import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  CheckTxType,
  ExecTxResult,
  Misbehavior,
  MisbehaviorType,
  ResponseCheckTx,
  ResponseFinalizeBlock,
  ValidatorUpdate,
  VoteInfo,
} from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { VALIDATOR_OPERATOR_PREFIX, decodeAddress, encodeAddress } from "../../src/types/address";
import { BlockaiApp, SnapshotOptions } from "../../src/app/app";
import { parseDecCoins } from "../../src/types/coins";
import { createLogger } from "../../src/app/logger";
import { consAddressOf, hex } from "../../src/modules/staking";
import { addGenesisValidator } from "../../src/node/genesis-validators";
import { defaultAppState, Genesis } from "../../src/node/home";
import { applyParams, ParamsOverride } from "../../src/node/network";
import type { UpgradeHandler } from "../../src/modules/upgrade";
import { TestKey, signTx } from "./keys";

function stateCacheBytes(options: DriverOptions): number | undefined {
  return options.stateCacheBytes ?? (process.env.BLOCKAI_TEST_STATE_CACHE_BYTES ? Number(process.env.BLOCKAI_TEST_STATE_CACHE_BYTES) : undefined);
}

/** A genesis validator of the driver: deterministic ed25519 consensus key and operator account. */
export class TestValidator {
  readonly consPrivKey: Uint8Array;
  readonly consPubKey: Uint8Array;
  /** 20-byte CometBFT address (SHA-256(pubkey)[:20]), as in votes and evidence. */
  readonly consAddress: Uint8Array;
  readonly operator: TestKey;
  readonly valoper: string;

  constructor(readonly index: number) {
    this.consPrivKey = sha256(new TextEncoder().encode(`blockai-test-validator-${index}`));
    this.consPubKey = ed25519.getPublicKey(this.consPrivKey);
    this.consAddress = consAddressOf(this.consPubKey);
    this.operator = new TestKey(`validator-operator-${index}`);
    this.valoper = encodeAddress(this.operator.addressBytes, VALIDATOR_OPERATOR_PREFIX);
  }
}

/** One validator of a CometBFT validator set as the driver tracks it. */
export interface SetMember {
  address: Uint8Array;
  pubKey: Uint8Array;
  power: bigint;
}

export interface BlockOptions {
  /** Seconds since the previous block (default 1). */
  advance?: bigint;
  /** Consensus addresses whose vote in decided_last_commit is ABSENT (default: everyone signed). */
  absent?: Uint8Array[];
  /** Evidence CometBFT reports in this block. */
  misbehavior?: Misbehavior[];
  /** Replaces the decided_last_commit votes entirely. */
  votes?: VoteInfo[];
}

export interface DriverOptions {
  accounts?: number;
  balance?: bigint;
  minGasPrices?: string;
  chainId?: string;
  dir?: string;
  /** Worker threads for signature verification (BlockaiApp verifyThreads). */
  verifyThreads?: number;
  /** Extra genesis edits. */
  appState?: (state: Record<string, any>) => void;
  /** Genesis validators (TestValidator 0..n-1), each self-delegating `selfDelegation` (default 100 SOA). */
  validators?: number;
  selfDelegation?: bigint | ((index: number) => bigint);
  /** Module parameter overrides, as for test networks (e.g. { staking: { unbonding_time: "10s" } }). */
  params?: ParamsOverride;
  /** Upgrade handlers the app carries (as a binary built with them), by plan name. */
  upgradeHandlers?: ReadonlyMap<string, UpgradeHandler>;
  /** The app's own per-block invariant checks (BlockaiApp checkInvariants), with this full_every. */
  appInvariantsFullEvery?: number;
  /** State-sync snapshots the app takes (BlockaiApp snapshots). */
  snapshots?: SnapshotOptions;
  /**
   * Bounded-cache mode with this many bytes of value cache (BlockaiApp stateCacheBytes). Default:
   * BLOCKAI_TEST_STATE_CACHE_BYTES from the environment, so a whole suite can run in that mode.
   */
  stateCacheBytes?: number;
}

/**
 * Drives a BlockaiApp in-process the way CometBFT does (InitChain, CheckTx, FinalizeBlock,
 * Commit), with no network, and checks every invariant after every block.
 */
export class Driver {
  height = 0;
  timeSeconds = 1_700_000_000n;
  readonly keys: TestKey[];
  readonly validators: TestValidator[] = [];
  /**
   * CometBFT's validator set per height, as CometBFT keeps it: updates returned by FinalizeBlock
   * at H apply from H+2; decided_last_commit at H carries the votes of the set at H-1.
   */
  private readonly valsets = new Map<number, Map<string, SetMember>>();
  private readonly pendingSequences = new Map<string, bigint>();
  /**
   * The supply identity checked after every block: supply = genesis supply + minted since genesis
   * - burned (from the blocks' burn events). Unknown for a driver reopened on an existing state.
   */
  private supplyLedger: { genesis: bigint; mintedAtGenesis: bigint; burned: bigint } | undefined;
  /**
   * Every module's full invariants run after every `invariantsEvery`-th block (1: every block).
   * Long simulations raise it: a full check walks the whole state.
   */
  invariantsEvery = 1;

  private constructor(
    public app: BlockaiApp,
    readonly dir: string,
    readonly chainId: string,
    keys: TestKey[],
    private readonly options: DriverOptions,
  ) {
    this.keys = keys;
  }

  static async create(options: DriverOptions = {}): Promise<Driver> {
    const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "blockai-driver-"));
    const chainId = options.chainId ?? "blockai-test";
    const keys = Array.from({ length: options.accounts ?? 4 }, (_, i) => new TestKey(i));
    const app = await BlockaiApp.open({
      dataDir: path.join(dir, "state"),
      minGasPrices: parseDecCoins(options.minGasPrices ?? "0.025usoa"),
      logger: createLogger("none"),
      verifyThreads: options.verifyThreads,
      upgradeHandlers: options.upgradeHandlers,
      checkInvariants: options.appInvariantsFullEvery !== undefined,
      invariantsFullEvery: options.appInvariantsFullEvery,
      snapshots: options.snapshots,
      stateCacheBytes: stateCacheBytes(options),
    });
    const driver = new Driver(app, dir, chainId, keys, options);
    if (app.lastHeight === 0) {
      const appState = defaultAppState() as Record<string, any>;
      appState.bank.balances = keys.map((k) => ({ address: k.address, coins: [{ denom: "usoa", amount: String(options.balance ?? 10n ** 12n) }] }));
      const genesis: Genesis = {
        genesis_time: new Date(Number(driver.timeSeconds) * 1000).toISOString(),
        chain_id: chainId,
        initial_height: "1",
        consensus_params: {},
        validators: [],
        app_hash: "",
        app_state: appState,
      };
      applyParams(genesis, options.params);
      for (let i = 0; i < (options.validators ?? 0); i++) {
        const v = new TestValidator(i);
        driver.validators.push(v);
        const self = typeof options.selfDelegation === "function" ? options.selfDelegation(i) : options.selfDelegation ?? 100_000_000n;
        appState.bank.balances.push({ address: v.operator.address, coins: [{ denom: "usoa", amount: String(self + (options.balance ?? 10n ** 12n)) }] });
        addGenesisValidator(genesis, {
          moniker: `validator${i}`,
          consensusAddress: Buffer.from(v.consAddress).toString("hex").toUpperCase(),
          consensusPubKey: { type: "tendermint/PubKeyEd25519", value: Buffer.from(v.consPubKey).toString("base64") },
          operatorAddress: v.operator.address,
          selfDelegation: self,
        });
      }
      options.appState?.(appState);
      let genesisSupply = 0n;
      for (const bal of appState.bank.balances) for (const c of bal.coins) if (c.denom === "usoa") genesisSupply += BigInt(c.amount);
      driver.supplyLedger = { genesis: genesisSupply, mintedAtGenesis: BigInt(appState.mint?.minted ?? "0"), burned: 0n };
      const requested: ValidatorUpdate[] = genesis.validators.map((gv) => ({
        pubKey: { ed25519: new Uint8Array(Buffer.from(gv.pub_key.value, "base64")) },
        power: BigInt(gv.power),
      }));
      try {
        const res = app.initChain({
          time: { seconds: driver.timeSeconds, nanos: 0 },
          chainId,
          consensusParams: undefined,
          validators: requested,
          appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
          initialHeight: 1n,
        });
        const initial = res.validators.length > 0 ? res.validators : requested;
        const set = new Map<string, SetMember>();
        for (const u of initial) applyUpdate(set, u);
        driver.valsets.set(1, set);
        driver.valsets.set(2, set);
      } catch (e) {
        await app.close();
        if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    } else {
      driver.height = app.lastHeight;
    }
    return driver;
  }

  /**
   * Closes and reopens the app on the same database (a clean restart), optionally as another
   * binary (other upgrade handlers).
   */
  async restart(opts: { upgradeHandlers?: ReadonlyMap<string, UpgradeHandler> } = {}): Promise<void> {
    await this.app.close();
    this.app = await BlockaiApp.open({
      dataDir: path.join(this.dir, "state"),
      minGasPrices: parseDecCoins(this.options.minGasPrices ?? "0.025usoa"),
      logger: createLogger("none"),
      upgradeHandlers: opts.upgradeHandlers ?? this.options.upgradeHandlers,
      snapshots: this.options.snapshots,
      stateCacheBytes: stateCacheBytes(this.options),
    });
  }

  checkTx(tx: Uint8Array, recheck = false): ResponseCheckTx {
    return this.app.runCheckTx({ tx, type: recheck ? CheckTxType.RECHECK : CheckTxType.NEW });
  }

  /** FinalizeBlock + Commit of one block; fails the test if an invariant breaks. */
  async block(txs: Uint8Array[] = [], opts: BlockOptions = {}): Promise<{ results: ExecTxResult[]; response: ResponseFinalizeBlock }> {
    this.height++;
    this.timeSeconds += opts.advance ?? 1n;
    const h = this.height;
    const absent = new Set((opts.absent ?? []).map(hex));
    const lastSet = h > 1 ? this.validatorSet(h - 1) : new Map<string, SetMember>();
    const votes: VoteInfo[] =
      opts.votes ??
      [...lastSet.values()].map((m) => ({
        validator: { address: m.address, power: m.power },
        blockIdFlag: absent.has(hex(m.address)) ? BlockIDFlag.BLOCK_ID_FLAG_ABSENT : BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
      }));
    const request = {
      txs,
      decidedLastCommit: { round: 0, votes },
      misbehavior: opts.misbehavior ?? [],
      hash: new Uint8Array(32).fill(this.height & 0xff),
      height: BigInt(this.height),
      time: { seconds: this.timeSeconds, nanos: 0 },
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    };
    // The ABCI entry point, as CometBFT calls it (prefetch lets a worker pool verify signatures).
    this.app.prefetch([{ finalizeBlock: request }]);
    const response = await this.app.finalizeBlock(request);
    if (response.txResults.length !== txs.length) throw new Error("FinalizeBlock returned a wrong number of results");
    // CometBFT: updates returned at H take effect at H+2.
    const next = new Map(this.validatorSet(h + 1));
    for (const u of response.validatorUpdates) applyUpdate(next, u);
    this.valsets.set(h + 2, next);
    this.valsets.delete(h - 3);
    await this.app.commit();
    this.pendingSequences.clear();
    if (this.height % this.invariantsEvery === 0) {
      const broken = this.app.checkInvariants();
      if (broken.length > 0) throw new Error(`invariant broken after height ${this.height}: ${broken.join("; ")}`);
    }
    this.checkSupply(response);
    return { results: response.txResults, response };
  }

  private checkSupply(response: ResponseFinalizeBlock): void {
    const ledger = this.supplyLedger;
    if (!ledger) return;
    for (const e of [...response.events, ...response.txResults.flatMap((r) => r.events)]) {
      if (e.type !== "burn") continue;
      const m = /^([0-9]+)usoa$/.exec(e.attributes.find((a) => a.key === "amount")?.value ?? "");
      if (m) ledger.burned += BigInt(m[1]);
    }
    const store = this.store;
    const supply = this.app.keepers.bank.getSupply(store, "usoa");
    const minted = this.app.keepers.mint.getMinted(store) - ledger.mintedAtGenesis;
    if (supply !== ledger.genesis + minted - ledger.burned) {
      throw new Error(`supply after height ${this.height}: ${supply} != genesis ${ledger.genesis} + minted ${minted} - burned ${ledger.burned}`);
    }
  }

  /** Runs `n` empty blocks (options apply to each). */
  async blocks(n: number, opts: BlockOptions = {}): Promise<void> {
    for (let i = 0; i < n; i++) await this.block([], opts);
  }

  /** The CometBFT validator set at `height` (as tracked from InitChain and the updates). */
  validatorSet(height: number): Map<string, SetMember> {
    for (let h = height; h >= 1; h--) {
      const set = this.valsets.get(h);
      if (set) return set;
    }
    return new Map();
  }

  /** Power of a consensus address in CometBFT's set at `height` (0 = not in the set). */
  powerAt(height: number, consAddress: Uint8Array): bigint {
    return this.validatorSet(height).get(hex(consAddress))?.power ?? 0n;
  }

  /** Duplicate-vote evidence against a validator, as CometBFT reports it. */
  evidence(v: TestValidator, infractionHeight: number): Misbehavior {
    const power = this.powerAt(infractionHeight, v.consAddress);
    let total = 0n;
    for (const m of this.validatorSet(infractionHeight).values()) total += m.power;
    return {
      type: MisbehaviorType.DUPLICATE_VOTE,
      validator: { address: v.consAddress, power },
      height: BigInt(infractionHeight),
      time: { seconds: this.timeSeconds, nanos: 0 },
      totalVotingPower: total,
    };
  }

  /** Signs msgs with the account's committed number and sequence (plus txs signed since the last block). */
  sign(key: TestKey, msgs: Any[], opts: { fee?: Array<{ denom: string; amount: string }>; gas?: bigint; memo?: string } = {}): Uint8Array {
    if (this.height === 0) throw new Error("driver.sign: the genesis state is committed with the first block; run d.block() first");
    const account = this.account(key.address);
    if (!account) throw new Error(`account ${key.address} does not exist`);
    const sequence = this.pendingSequences.get(key.address) ?? account.sequence;
    this.pendingSequences.set(key.address, sequence + 1n);
    return signTx({ key, msgs, accountNumber: account.accountNumber, sequence, chainId: this.chainId, fee: opts.fee ?? [{ denom: "usoa", amount: "25000" }], gas: opts.gas ?? 1_000_000n, memo: opts.memo });
  }

  /** Signs and runs msgs in a block of their own; returns the tx result. */
  async exec(key: TestKey, msgs: Any[], opts: BlockOptions & { fee?: Array<{ denom: string; amount: string }>; gas?: bigint } = {}): Promise<ExecTxResult> {
    if (this.height === 0) await this.block();
    const { results } = await this.block([this.sign(key, msgs, opts)], opts);
    return results[0];
  }

  balance(address: string, denom = "usoa"): bigint {
    return this.app.keepers.bank.getBalance(this.app.committedStore()!, decodeAddress(address), denom);
  }

  account(address: string) {
    return this.app.keepers.auth.getAccount(this.app.committedStore()!, decodeAddress(address));
  }

  /** The committed state (read-only by convention). */
  get store() {
    return this.app.committedStore()!;
  }

  async close(): Promise<void> {
    await this.app.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function applyUpdate(set: Map<string, SetMember>, u: ValidatorUpdate): void {
  const pubKey = u.pubKey.ed25519;
  if (!pubKey) throw new Error("driver: only ed25519 validator keys are supported");
  const address = consAddressOf(pubKey);
  if (u.power === 0n) set.delete(hex(address));
  else set.set(hex(address), { address, pubKey, power: u.power });
}

/**
 * Parameters for tests of exact fee amounts: emission off, so distribution, the community pool
 * and balances move by fees alone (emission reaches the same paths; test/integration/rewards.test.ts).
 */
export const FEES_ONLY: ParamsOverride = { mint: { initial_block_reward: "0" } };
