import type {
  Request,
  RequestApplySnapshotChunk,
  RequestCheckTx,
  RequestCommit,
  RequestEcho,
  RequestExtendVote,
  RequestFinalizeBlock,
  RequestInfo,
  RequestInitChain,
  RequestListSnapshots,
  RequestLoadSnapshotChunk,
  RequestOfferSnapshot,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
  RequestVerifyVoteExtension,
  ResponseApplySnapshotChunk,
  ResponseCheckTx,
  ResponseCommit,
  ResponseEcho,
  ResponseExtendVote,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponseListSnapshots,
  ResponseLoadSnapshotChunk,
  ResponseOfferSnapshot,
  ResponsePrepareProposal,
  ResponseProcessProposal,
  ResponseQuery,
  ResponseVerifyVoteExtension,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciMethod, MaybePromise, RequestOf, ResponseOf } from "./methods";

/**
 * An ABCI 2.0 application as seen by `AbciServer`. Every method is optional; the server answers
 * a missing one with a safe default (see `defaults.ts`). Handlers may be sync or async: the
 * server awaits a returned promise before handling the next request *of the same connection*,
 * while CometBFT's four connections (query, snapshot, mempool, consensus) run concurrently, so
 * e.g. `checkTx` can run while `finalizeBlock` is awaiting. The app must keep its check state,
 * proposal state and committed state apart accordingly.
 *
 * Errors: a handler that throws or rejects never produces a ResponseException (that halts
 * CometBFT). CheckTx/Query answer code 1, proposal/vote-extension checks answer REJECT, other
 * non-consensus methods fall back to their safe default, and Info/InitChain/FinalizeBlock/Commit
 * go to the server's `onFatal` because no answer to those is safe.
 */
export interface AbciApplication {
  /** Query connection. Default: echoes `message`. */
  echo?(request: RequestEcho): MaybePromise<ResponseEcho>;
  /**
   * Query connection; the startup handshake. Must return the height and app hash of the last
   * *committed* block, or CometBFT refuses to start / panics on replay. Default: height 0
   * (which makes CometBFT send InitChain and replay every block).
   */
  info?(request: RequestInfo): MaybePromise<ResponseInfo>;
  /** Consensus connection, only at genesis (app height 0). Default: empty response. */
  initChain?(request: RequestInitChain): MaybePromise<ResponseInitChain>;
  /** Query connection (`/abci_query`). Default: code 1 "unknown query". */
  query?(request: RequestQuery): MaybePromise<ResponseQuery>;
  /** Mempool connection, NEW and RECHECK. Default: code 0 (accept everything). */
  checkTx?(request: RequestCheckTx): MaybePromise<ResponseCheckTx>;
  /** Consensus connection; persist here, never in finalizeBlock. Default: empty response. */
  commit?(request: RequestCommit): MaybePromise<ResponseCommit>;
  /** Snapshot connection. Default: no snapshots. */
  listSnapshots?(request: RequestListSnapshots): MaybePromise<ResponseListSnapshots>;
  /** Snapshot connection. Default: REJECT (state sync unsupported). */
  offerSnapshot?(request: RequestOfferSnapshot): MaybePromise<ResponseOfferSnapshot>;
  /** Snapshot connection. Default: empty chunk. */
  loadSnapshotChunk?(request: RequestLoadSnapshotChunk): MaybePromise<ResponseLoadSnapshotChunk>;
  /** Snapshot connection. Default: ABORT. */
  applySnapshotChunk?(
    request: RequestApplySnapshotChunk,
  ): MaybePromise<ResponseApplySnapshotChunk>;
  /**
   * Consensus connection, on the proposer only. Default: `request.txs` in order while they fit in
   * `max_tx_bytes`. Whatever the app returns is trimmed to that limit (with an error log),
   * because CometBFT crashes on an oversize proposal.
   */
  prepareProposal?(request: RequestPrepareProposal): MaybePromise<ResponsePrepareProposal>;
  /**
   * Consensus connection; must be deterministic. Default: ACCEPT. A returned status other than
   * ACCEPT/REJECT is turned into REJECT (CometBFT panics on UNKNOWN).
   */
  processProposal?(request: RequestProcessProposal): MaybePromise<ResponseProcessProposal>;
  /** Consensus connection, only if vote extensions are enabled. Default: empty extension. */
  extendVote?(request: RequestExtendVote): MaybePromise<ResponseExtendVote>;
  /** Consensus connection; must be deterministic. Default: ACCEPT; UNKNOWN becomes REJECT. */
  verifyVoteExtension?(
    request: RequestVerifyVoteExtension,
  ): MaybePromise<ResponseVerifyVoteExtension>;
  /**
   * Consensus connection. Every real application must implement this: the default only returns
   * one empty (code 0) result per tx and an empty app hash, i.e. executes nothing. The server
   * treats a `tx_results` length different from `txs` as fatal, as CometBFT would.
   */
  finalizeBlock?(request: RequestFinalizeBlock): MaybePromise<ResponseFinalizeBlock>;

  /**
   * Called with every request decoded from one socket read of one connection, before the first
   * of them is handled. Lets an app start expensive, order-independent work early, e.g. verify
   * the signatures of a batch of CheckTx on worker threads in parallel while the handlers still
   * run strictly in order. Must not throw (a throw is logged and ignored) and must not change
   * state the handlers depend on.
   */
  prefetch?(requests: Request[]): void;
}

/** The same contract as a mapped type, which lets the dispatcher index handlers generically. */
export type AbciHandlers = {
  [M in AbciMethod]?: (request: RequestOf<M>) => MaybePromise<ResponseOf<M>>;
};

// Compile-time guards that the readable interface above and the mapped type agree: same method
// names, and each signature assignable to the other.
type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameMethodNames: Equals<Exclude<keyof AbciApplication, "prefetch">, AbciMethod> = true;
const interfaceMatchesHandlers = (app: AbciApplication): AbciHandlers => app;
const handlersMatchInterface = (handlers: AbciHandlers): AbciApplication => handlers;
void sameMethodNames;
void interfaceMatchesHandlers;
void handlersMatchInterface;
