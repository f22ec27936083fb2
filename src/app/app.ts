import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { checkBlockInvariants } from "../framework/invariants";
import {
  CheckTxType,
  ExecTxResult,
  Request,
  RequestApplySnapshotChunk,
  RequestCheckTx,
  RequestFinalizeBlock,
  RequestInfo,
  RequestInitChain,
  RequestLoadSnapshotChunk,
  RequestOfferSnapshot,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
  ResponseApplySnapshotChunk,
  ResponseApplySnapshotChunk_Result,
  ResponseCheckTx,
  ResponseCommit,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponseListSnapshots,
  ResponseLoadSnapshotChunk,
  ResponseOfferSnapshot,
  ResponseOfferSnapshot_Result,
  ResponsePrepareProposal,
  ResponseProcessProposal,
  ResponseProcessProposal_ProposalStatus,
  ResponseQuery,
  ValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import "../proto/proto-fast";
import type { AbciApplication } from "../abci";
import { encodeProof, PROOF_OP_TYPE } from "../types/proof";
import { StoreBranch } from "../store/branch";
import { CommittedVersion, PendingCommit, StateDB } from "../store/state";
import { checkOffer, chunkHash, restorePayload, sha256, SNAPSHOT_FORMAT, SnapshotError, SnapshotInfo, SnapshotStore } from "../store/snapshot";
import { DecCoin } from "../types/coins";
import { ChainError, SdkErrors } from "../types/errors";
import { EventManager } from "../framework/events";
import { GasMeter } from "../framework/gas";
import { indexEventsSet, indexFinalizeBlockEvents } from "./index-events";
import { createLogger, Logger } from "./logger";
import { AppMetrics, secondsSince } from "./metrics";
import type { Event as AbciEvent } from "cosmjs-types/tendermint/abci/types";
import type { BlockInfo, Context, ExecMode, Module, MsgHandler, QueryHandler } from "../framework/module";
import { createModules, Keepers } from "./modules";
import type { UpgradeHandler } from "../modules/upgrade";
import { MSG_SUBMIT_MATMUL_WORK_TYPE_URL, MSG_SUBMIT_WORK_TYPE_URL } from "../modules/pow";
import type { MsgSubmitWork } from "../gen/blockai/pow/v1/tx";
import { SignaturePool } from "./sigverify";
import { aminoResolver, type AminoResolver } from "../types/amino";
import { collectSignatures, DecodedTxCache, PendingSignature, runTx, TxPipelineDeps, TxResult } from "./tx";

/** The module of a tx's first message, from its "message" event (as the SDK emits it), for metrics. */
function txModule(events: readonly AbciEvent[]): string {
  for (const e of events) {
    if (e.type !== "message") continue;
    const m = e.attributes.find((a) => a.key === "module");
    if (m) return m.value;
  }
  return "none";
}

export const APP_NAME = "blockai";
export const APP_VERSION = "0.1.0";
/** Protocol version of the state machine; goes into block headers (version.app). */
export const APP_PROTOCOL_VERSION = 1n;
/** ABCI query path for raw state reads; with prove=true the answer carries a Merkle proof. */
export const STORE_QUERY_PATH = "/store/state/key";
export const SIMULATE_PATH = "/cosmos.tx.v1beta1.Service/Simulate";
/** When the genesis sets no block size, a tx may still not exceed CometBFT's default mempool limit. */
const DEFAULT_MAX_TX_BYTES = 1024 * 1024;

export interface AppOptions {
  /** Directory of the LevelDB state database. */
  dataDir: string;
  /** Node-local minimum gas prices for CheckTx, e.g. parseDecCoins("0.025usoa"). */
  minGasPrices: readonly DecCoin[];
  logger?: Logger;
  /** Check the invariants after each block and halt if one breaks (tests, paranoid validators). */
  checkInvariants?: boolean;
  /**
   * With checkInvariants: every block checks the block's writes (modules' blockInvariants, a cost
   * that does not grow with the state); each module's full walk runs once every this many blocks,
   * one module at a time (1, the default: every full check every block; 0: never).
   */
  invariantsFullEvery?: number;
  /** Committed versions kept in memory for historical queries. */
  keepVersions?: number;
  /**
   * Bounded-cache mode: state values are read from LevelDB through a cache of this many bytes
   * instead of all being held in memory (keys and the Merkle tree stay in memory). 0 or absent:
   * the whole state in memory. App hashes are the same either way.
   */
  stateCacheBytes?: number;
  /**
   * Worker threads verifying signatures of CheckTx batches and of a block's txs ahead of their
   * in-order execution (0 = verify on the main thread only). Results are identical either way.
   */
  verifyThreads?: number;
  /** Their nice value (default VERIFY_THREAD_NICE; 0 = the main thread's priority). */
  verifyThreadsNice?: number;
  /**
   * The SDK's index-events: "{eventType}.{attributeKey}" attributes that CometBFT indexes in
   * FinalizeBlock answers, the others get index=false (empty or absent = all).
   */
  indexEvents?: readonly string[];
  /** Upgrade handlers besides the binary's own (src/app/upgrades.ts), by plan name: for tests. */
  upgradeHandlers?: ReadonlyMap<string, UpgradeHandler>;
  /** Prometheus metrics to update (observation only: nothing in them feeds back into state). */
  metrics?: AppMetrics;
  /** State-sync snapshots served to peers (see docs/state-sync.md); absent = none taken. */
  snapshots?: SnapshotOptions;
  /**
   * What this node's genesis says about the values the app keeps outside the Merkle tree. A
   * state-sync snapshot whose header disagrees is refused: its app hash cannot vouch for them.
   */
  genesis?: { chainId: string; maxBytes: number; maxGas: bigint };
}

export interface SnapshotOptions {
  /** Directory of the snapshot files. */
  dir: string;
  /** A snapshot every this many blocks (0 = none taken; restoring still works). */
  interval: number;
  /** Snapshots kept on disk (the newest). */
  keepRecent: number;
  /** Chunk size in bytes (default 4 MiB). */
  chunkBytes?: number;
}

/** A state-sync restore in progress: the accepted offer and the chunks applied so far. */
interface Restore {
  info: SnapshotInfo;
  trustedAppHash: Uint8Array;
  chunks: Array<Uint8Array | undefined>;
  received: number;
  senders: Set<string>;
}

interface ConsensusLimits {
  maxBytes: number;
  maxGas: bigint;
}

/**
 * Fewer signatures than this are verified inline: with libsecp256k1 a verification costs the main
 * thread about 90 us, no more than handing a small batch to the pool and awaiting it.
 */
const MIN_POOL_BATCH = 8;
/**
 * A block's first verification chunk, doubling up to MAX_CHUNK: execution waits only for the
 * first (about 3 ms of verification), and later chunks are large enough that handing them over
 * costs little.
 */
const FIRST_CHUNK = 32;
const MAX_CHUNK = 512;

/** Signatures of txs [previous chunk's endTx, endTx) of a block, on the pool. */
interface VerificationChunk {
  readonly endTx: number;
  readonly done: Promise<void>;
}

export class BlockaiApp implements AbciApplication {
  readonly keepers: Keepers;
  readonly modules: Module[];
  /** Every module's amino encodings, for SIGN_MODE_LEGACY_AMINO_JSON in the ante handler. */
  private readonly amino: AminoResolver;
  private readonly router = new Map<string, MsgHandler<unknown>>();
  private readonly queryRouter = new Map<string, QueryHandler>();
  private readonly logger: Logger;

  /** State for CheckTx: a branch of the last commit, reset after each Commit. */
  private checkState!: StoreBranch;
  /**
   * The state InitChain wrote, uncommitted until the first block's Commit: each execution of the
   * first block starts from a fork of it.
   */
  private genesisState: StoreBranch | undefined;
  private pending: PendingCommit | undefined;
  private chainId = "";
  private limits: ConsensusLimits = { maxBytes: DEFAULT_MAX_TX_BYTES, maxGas: -1n };
  private readonly decodedTxs = new DecodedTxCache();
  private readonly sigPool: SignaturePool | undefined;
  /** Verification started by prefetch, by the request's tx bytes object. */
  private readonly pendingVerification = new WeakMap<object, Promise<void>>();
  /** A block's verification started by prefetch: chunks in tx order, executed as each arrives. */
  private readonly pendingBlockVerification = new WeakMap<RequestFinalizeBlock, VerificationChunk[]>();
  /** Attributes to index (options.indexEvents), undefined when all are. */
  private readonly indexEvents: ReadonlySet<string> | undefined;
  private readonly snapshots: SnapshotStore | undefined;
  /** Snapshot writes run one after another, off the Commit path. */
  private snapshotting: Promise<void> = Promise.resolve();
  private restore: Restore | undefined;

  private constructor(
    private readonly db: StateDB,
    private readonly options: AppOptions,
  ) {
    this.logger = options.logger ?? createLogger("info");
    const { keepers, modules } = createModules({ upgradeHandlers: options.upgradeHandlers });
    this.keepers = keepers;
    this.modules = modules;
    this.amino = chainAmino(modules);
    for (const m of modules) {
      for (const h of m.msgs ?? []) this.router.set(h.typeUrl, h as MsgHandler<unknown>);
      for (const q of m.queries ?? []) this.queryRouter.set(q.path, q);
    }
    this.chainId = db.getMeta("chain_id") ?? "";
    const limits = db.getMeta("consensus_limits");
    if (limits) {
      const parsed = JSON.parse(limits) as { maxBytes: number; maxGas: string };
      this.limits = { maxBytes: parsed.maxBytes, maxGas: BigInt(parsed.maxGas) };
    }
    this.checkState = db.branch();
    const threads = options.verifyThreads ?? 0;
    this.sigPool = threads > 0 ? new SignaturePool(threads, options.verifyThreadsNice) : undefined;
    this.indexEvents = indexEventsSet(options.indexEvents);
    const snap = options.snapshots;
    this.snapshots = snap ? new SnapshotStore(snap.dir, snap.keepRecent, snap.chunkBytes) : undefined;
  }

  static async open(options: AppOptions): Promise<BlockaiApp> {
    indexEventsSet(options.indexEvents); // refuse an invalid list before the database is opened
    const db = await StateDB.open(options.dataDir, { keepVersions: options.keepVersions, cacheBytes: options.stateCacheBytes });
    return new BlockaiApp(db, options);
  }

  async close(): Promise<void> {
    await this.snapshotting;
    await this.sigPool?.close();
    await this.db.close();
  }

  get lastHeight(): number {
    return this.db.latest.height;
  }

  get lastAppHash(): Uint8Array {
    return this.db.latest.appHash;
  }

  get chain(): string {
    return this.chainId;
  }

  /** The committed store at `height` (latest if 0), read-only by convention. */
  committedStore(height = 0): StoreBranch | undefined {
    const version = height === 0 ? this.db.latest : this.db.version(height);
    return version ? this.db.branchAt(version) : undefined;
  }

  private deps(): TxPipelineDeps {
    return {
      auth: this.keepers.auth,
      bank: this.keepers.bank,
      router: this.router,
      minGasPrices: this.options.minGasPrices,
      maxTxBytes: this.limits.maxBytes,
      maxBlockGas: this.limits.maxGas,
      decoded: this.decodedTxs,
      amino: this.amino,
    };
  }

  /**
   * Called by the ABCI server with every request of one socket read, before any is handled:
   * the signatures of a CheckTx batch, or of a FinalizeBlock's txs, are verified on the worker
   * pool in parallel; the handlers then find the verdicts on the decoded txs.
   */
  prefetch(requests: Request[]): void {
    if (!this.sigPool) return;
    const checks = requests.filter((r) => r.checkTx && r.checkTx.type === CheckTxType.NEW).map((r) => r.checkTx!);
    if (checks.length >= MIN_POOL_BATCH) {
      const deps = this.deps();
      const items = checks.flatMap((c) => collectSignatures(deps, this.checkState, this.chainId, c.tx));
      if (items.length >= MIN_POOL_BATCH) {
        const done = this.verifyIntoCache(items);
        for (const c of checks) this.pendingVerification.set(c, done);
      }
    }
    for (const r of requests) {
      if (!r.finalizeBlock || r.finalizeBlock.txs.length < MIN_POOL_BATCH) continue;
      const deps = this.deps();
      // Signatures are checked against the committed state; txs of accounts created within the
      // block are verified during execution instead.
      const state = this.genesisState ?? this.db.branch();
      const chunks = this.verifyInChunks(r.finalizeBlock.txs, (tx) => collectSignatures(deps, state, this.chainId, tx));
      if (chunks.length > 0) this.pendingBlockVerification.set(r.finalizeBlock, chunks);
    }
  }

  /**
   * Hands a block's signatures to the pool in tx-ordered chunks, small ones first, so execution
   * can start on the first txs while the workers verify the rest: verification and execution
   * overlap instead of running one after the other. Verdicts are the same in any order.
   */
  private verifyInChunks(txs: readonly Uint8Array[], collect: (tx: Uint8Array) => PendingSignature[]): VerificationChunk[] {
    const chunks: VerificationChunk[] = [];
    let size = FIRST_CHUNK;
    let items: PendingSignature[] = [];
    // Each chunk goes to the workers as soon as it is collected (decoding the txs and reading
    // their signers' keys is main-thread work), so they start after the first few txs.
    const flush = (endTx: number) => {
      chunks.push({ endTx, done: this.verifyIntoCache(items) });
      items = [];
      size = Math.min(size * 2, MAX_CHUNK);
    };
    txs.forEach((tx, i) => {
      for (const item of collect(tx)) items.push(item);
      if (items.length >= size) flush(i + 1);
    });
    // A last handful is verified inline during execution rather than sent alone.
    if (items.length >= MIN_POOL_BATCH || (items.length > 0 && chunks.length > 0)) flush(txs.length);
    return chunks;
  }

  private async verifyIntoCache(items: PendingSignature[]): Promise<void> {
    const results = await this.sigPool!.verify(items);
    // Only a check still unanswered takes the pool's verdict (execution may have answered it).
    results.forEach((ok, i) => (items[i].check.verdict ??= ok));
  }

  // ---- ABCI: query connection -------------------------------------------------------------

  info(_req: RequestInfo): ResponseInfo {
    const latest = this.db.latest;
    return {
      data: APP_NAME,
      version: APP_VERSION,
      appVersion: APP_PROTOCOL_VERSION,
      lastBlockHeight: BigInt(latest.height),
      lastBlockAppHash: latest.height === 0 ? new Uint8Array() : latest.appHash,
    };
  }

  query(req: RequestQuery): ResponseQuery {
    const height = Number(req.height);
    const latest = this.db.latest;
    const version = height === 0 || height === latest.height ? latest : this.db.version(height);
    const base: ResponseQuery = {
      code: 0,
      log: "",
      info: "",
      index: 0n,
      key: new Uint8Array(),
      value: new Uint8Array(),
      proofOps: undefined,
      height: BigInt(version?.height ?? 0),
      codespace: "",
    };
    const fail = (err: ChainError): ResponseQuery => ({ ...base, code: err.code, codespace: err.codespace, log: err.message });
    if (!version) {
      return fail(
        SdkErrors.InvalidHeight.wrap(
          height > latest.height
            ? `height ${height} is in the future; latest committed height is ${latest.height}`
            : `height ${height} is no longer kept; oldest available is ${this.db.oldestHeight}`,
        ),
      );
    }
    try {
      if (req.path === STORE_QUERY_PATH) {
        const store = this.db.branchAt(version);
        const value = store.get(req.data);
        const response: ResponseQuery = { ...base, key: req.data, value: value ?? new Uint8Array() };
        if (req.prove) {
          response.proofOps = { ops: [{ type: PROOF_OP_TYPE, key: req.data, data: encodeProof(version.tree.prove(req.data)) }] };
        }
        return response;
      }
      if (req.path === SIMULATE_PATH) return { ...base, value: this.simulate(req.data) };
      const handler = this.queryRouter.get(req.path);
      if (!handler) return fail(SdkErrors.UnknownRequest.wrap(`unknown query path ${req.path}`));
      const store = this.db.branchAt(version);
      return { ...base, value: handler.handle({ store, height: version.height }, req.data) };
    } catch (e) {
      if (e instanceof ChainError) return fail(e);
      // Malformed request bytes end up here (protobuf decode errors).
      return fail(SdkErrors.InvalidRequest.wrap((e as Error).message));
    }
  }

  /** /cosmos.tx.v1beta1.Service/Simulate on a throwaway branch of the last commit. */
  private simulate(data: Uint8Array): Uint8Array {
    const req = SimulateRequest.decode(data);
    if (req.txBytes.length === 0) throw SdkErrors.InvalidRequest.wrap("empty tx_bytes (the deprecated tx field is not supported)");
    const result = runTx(this.deps(), this.db.branch(), this.nextBlockInfo(), "simulate", req.txBytes);
    if (result.code !== 0) throw new ChainError(result.codespace, result.code, result.log);
    return SimulateResponse.encode({
      gasInfo: { gasWanted: result.gasWanted, gasUsed: result.gasUsed },
      result: { data: result.data, log: result.log, events: result.events, msgResponses: result.msgResponses },
    }).finish();
  }

  /** Block info for CheckTx and simulate: the next height, with the last block's time. */
  private nextBlockInfo(): BlockInfo {
    return {
      height: this.db.latest.height + 1,
      timeNs: BigInt(this.db.getMeta("block_time_ns") ?? "0"),
      chainId: this.chainId,
      proposerAddress: new Uint8Array(),
      hash: new Uint8Array(),
    };
  }

  // ---- ABCI: mempool connection -----------------------------------------------------------

  checkTx(req: RequestCheckTx): ResponseCheckTx | Promise<ResponseCheckTx> {
    const pending = this.pendingVerification.get(req);
    return pending ? pending.then(() => this.runCheckTx(req)) : this.runCheckTx(req);
  }

  /** CheckTx on the check state, synchronously (signatures verified here if not cached). */
  runCheckTx(req: RequestCheckTx): ResponseCheckTx {
    const mode: ExecMode = req.type === CheckTxType.RECHECK ? "recheck" : "check";
    const metrics = this.options.metrics;
    const started = metrics ? performance.now() : 0;
    const result = runTx(this.deps(), this.checkState, this.nextBlockInfo(), mode, req.tx);
    if (metrics) {
      metrics.checkTx.observe(secondsSince(started));
      metrics.checkTxResults.inc({ kind: mode === "recheck" ? "recheck" : "new", code: String(result.code) });
      if (mode === "recheck") metrics.rechecks.inc();
    }
    return {
      code: result.code,
      // No data, as the Cosmos SDK's CheckTx: CometBFT returns it hex-encoded from
      // broadcast_tx_sync and CosmJS decodes it as base64, which fails for many message responses
      // (e.g. MsgDelegateResponse, 45 bytes). The tx's real result comes with its block.
      data: new Uint8Array(),
      log: result.log,
      info: "",
      gasWanted: result.gasWanted,
      gasUsed: result.gasUsed,
      events: result.events,
      codespace: result.codespace,
    };
  }

  // ---- ABCI: consensus connection ---------------------------------------------------------

  initChain(req: RequestInitChain): ResponseInitChain {
    this.chainId = req.chainId;
    const block = req.consensusParams?.block;
    if (block && block.maxBytes <= 0n) {
      // CometBFT reads -1 as "no limit": a proposer then reaps its whole mempool (up to 1 GB by
      // default) into one PrepareProposal request, beyond any frame this app accepts, and a node
      // whose app hangs up stops. Anyone could fill the mempool with large txs and stop, in turn,
      // every validator that proposes.
      throw new Error(`consensus_params.block.max_bytes must be a positive number of bytes, got ${block.maxBytes} (-1, no limit, is refused: see docs/cli.md, Run a validator)`);
    }
    if (block) {
      this.limits = {
        maxBytes: Number(block.maxBytes),
        maxGas: block.maxGas,
      };
    }
    const text = new TextDecoder().decode(req.appStateBytes).trim();
    const appState = (text === "" ? {} : JSON.parse(text)) as Record<string, unknown>;
    if (typeof appState !== "object" || appState === null || Array.isArray(appState)) {
      throw new Error("genesis app_state must be a JSON object");
    }
    const known = new Set(this.modules.map((m) => m.name));
    for (const name of Object.keys(appState)) {
      if (!known.has(name)) this.logger.info("genesis: ignoring app_state section of an unknown module", { module: name });
    }
    const state = this.db.branch();
    const initialHeight = Number(req.initialHeight > 0n ? req.initialHeight : 1n);
    const ctx = this.context(state, new GasMeter(undefined), new EventManager(), {
      height: initialHeight - 1,
      timeNs: timestampToNs(req.time),
      chainId: req.chainId,
      proposerAddress: new Uint8Array(),
      hash: new Uint8Array(),
    }, "genesis");
    const validators: ValidatorUpdate[] = [];
    for (const m of this.modules) {
      const updates = m.initGenesis?.(ctx, appState[m.name] ?? m.defaultGenesis?.());
      if (updates) validators.push(...updates);
    }
    checkGenesisValidators(req.validators, validators);
    this.genesisState = state;
    this.pending = undefined;
    this.checkState = state.branch();
    const pending = this.db.prepare(state, initialHeight - 1);
    this.logger.info("genesis loaded", { chain_id: req.chainId, app_hash: Buffer.from(pending.appHash).toString("hex"), validators: validators.length });
    // The bonded set from the staking genesis; CometBFT replaces its genesis validators with it.
    // Empty only when CometBFT's list is empty too (in-process tests without consensus).
    return { consensusParams: undefined, validators, appHash: pending.appHash };
  }

  prepareProposal(req: RequestPrepareProposal): ResponsePrepareProposal {
    const txs: Uint8Array[] = [];
    let total = 0n;
    // Certificates beyond what the block accepts (max_certs_per_block, and per miner) would only
    // fail in it: they stay in the mempool for the next block instead of taking block space.
    const admitCertificates = this.keepers.pow.certificateSelector(this.db.branch());
    for (const tx of req.txs) {
      if (total + BigInt(tx.length) > req.maxTxBytes) break;
      const miners = this.certificateMiners(tx);
      if (miners.length > 0 && !admitCertificates(miners)) continue;
      total += BigInt(tx.length);
      txs.push(tx);
    }
    return { txs };
  }

  /** The miners of a tx's work certificates (none for other txs and for undecodable bytes). */
  private certificateMiners(tx: Uint8Array): string[] {
    let decoded;
    try {
      decoded = this.decodedTxs.decode(tx, this.router);
    } catch {
      return [];
    }
    const miners: string[] = [];
    // Both kinds share the per-block caps.
    for (const m of decoded.msgs) {
      if (m.typeUrl === MSG_SUBMIT_WORK_TYPE_URL || m.typeUrl === MSG_SUBMIT_MATMUL_WORK_TYPE_URL) miners.push((m.msg as MsgSubmitWork).miner);
    }
    return miners;
  }

  processProposal(_req: RequestProcessProposal): ResponseProcessProposal {
    // Invalid txs are harmless in a block (they fail with a code and pay nothing or their fee);
    // rejecting proposals costs liveness, so every well-formed proposal is accepted.
    return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
  }

  finalizeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock | Promise<ResponseFinalizeBlock> {
    const chunks = this.pendingBlockVerification.get(req);
    if (!chunks) return this.executeBlock(req);
    this.pendingBlockVerification.delete(req);
    return this.executeBlockAsVerified(req, chunks);
  }

  /**
   * Executes a block whose signatures the pool is verifying: each tx runs once the chunk holding
   * its signatures is in (a tx whose verdict is missing anyway is verified inline by the ante
   * handler, so the result never depends on timing).
   */
  private async executeBlockAsVerified(req: RequestFinalizeBlock, chunks: VerificationChunk[]): Promise<ResponseFinalizeBlock> {
    const steps = this.blockSteps(req);
    let c = 0;
    let awaited = -1;
    for (let next = steps.next(); ; next = steps.next()) {
      if (next.done) return next.value;
      const txIndex = next.value;
      while (c < chunks.length && chunks[c].endTx <= txIndex) c++;
      if (c < chunks.length && c > awaited) {
        await chunks[c].done;
        awaited = c;
      }
    }
  }

  /** Executes a block synchronously: hooks, every tx in order, app hash. Persists nothing. */
  executeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock {
    const steps = this.blockSteps(req);
    for (let next = steps.next(); ; next = steps.next()) if (next.done) return next.value;
  }

  /** A block's execution, pausing before each tx (it yields the tx's index). */
  private *blockSteps(req: RequestFinalizeBlock): Generator<number, ResponseFinalizeBlock, void> {
    const metrics = this.options.metrics;
    const started = metrics ? performance.now() : 0;
    const height = Number(req.height);
    // Always from the last committed state (or genesis): a FinalizeBlock repeated without a
    // Commit (CometBFT restarted between the two, the app not) must not run on top of the first
    // execution's writes.
    const state = this.genesisState ? this.genesisState.fork() : this.db.branch();
    const block: BlockInfo = {
      height,
      timeNs: timestampToNs(req.time),
      chainId: this.chainId,
      proposerAddress: req.proposerAddress,
      hash: req.hash,
    };
    const blockEvents = new EventManager();
    const hookCtx = this.context(state, new GasMeter(undefined), blockEvents, block, "deliver");
    for (const m of this.modules) {
      m.beginBlock?.(hookCtx, { ...block, decidedLastCommit: req.decidedLastCommit, misbehavior: req.misbehavior });
    }
    const deps = this.deps();
    const txResults: ExecTxResult[] = [];
    for (let i = 0; i < req.txs.length; i++) {
      yield i;
      txResults.push(toExecTxResult(runTx(deps, state, block, "deliver", req.txs[i])));
    }
    const validatorUpdates: ValidatorUpdate[] = [];
    for (const m of this.modules) {
      const updates = m.endBlock?.(hookCtx);
      if (updates) validatorUpdates.push(...updates);
    }
    if (this.options.checkInvariants) {
      const fullEvery = this.options.invariantsFullEvery ?? 1;
      const broken = checkBlockInvariants(this.modules, this.db.branch(), state, state.changes, height, fullEvery);
      if (broken.length > 0) throw new Error(`invariant broken at height ${height}: ${broken.join("; ")}`);
    }
    const hashStarted = metrics ? performance.now() : 0;
    this.pending = this.db.prepare(state, height);
    this.blockTimeNs = block.timeNs;
    if (metrics) {
      metrics.appHash.observe(secondsSince(hashStarted));
      for (const r of txResults) metrics.txs.inc({ code: String(r.code), codespace: r.codespace, module: txModule(r.events) });
      metrics.blockExecution.observe(secondsSince(started));
    }
    return indexFinalizeBlockEvents(this.indexEvents, {
      events: blockEvents.events,
      txResults,
      validatorUpdates,
      consensusParamUpdates: undefined,
      appHash: this.pending.appHash,
    });
  }

  private blockTimeNs = 0n;

  async commit(): Promise<ResponseCommit> {
    const pending = this.pending;
    if (!pending) throw new Error("Commit without FinalizeBlock");
    const metrics = this.options.metrics;
    const started = metrics ? performance.now() : 0;
    await this.db.commit(pending, {
      chain_id: this.chainId,
      consensus_limits: JSON.stringify({ maxBytes: this.limits.maxBytes, maxGas: this.limits.maxGas.toString() }),
      block_time_ns: this.blockTimeNs.toString(),
    });
    if (metrics) {
      metrics.dbCommit.observe(secondsSince(started));
      metrics.blockHeight.set(pending.height);
      metrics.stateKeys.set(this.db.latest.data.size);
      metrics.stateWrites.inc({}, pending.changes.size);
    }
    this.pending = undefined;
    this.genesisState = undefined;
    this.checkState = this.db.branch();
    const interval = this.options.snapshots?.interval ?? 0;
    if (this.snapshots && interval > 0 && pending.height > 0 && pending.height % interval === 0) this.scheduleSnapshot(this.db.latest);
    return { retainHeight: 0n };
  }

  /** The snapshot of a committed version, written after Commit has answered (the version is immutable). */
  private scheduleSnapshot(version: CommittedVersion): void {
    const store = this.snapshots!;
    // Newer blocks may commit before this snapshot's turn comes; its values must stay readable.
    const release = this.db.hold(version);
    const header = {
      height: version.height,
      app_hash: Buffer.from(version.appHash).toString("hex"),
      meta: this.snapshotMeta(),
    };
    this.snapshotting = this.snapshotting
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => store.create(header, this.db.entriesAt(version)))
      .then(
        (info) => this.logger.info("snapshot taken", { height: info.height, chunks: info.chunks, hash: Buffer.from(info.hash).toString("hex") }),
        (e) => this.logger.error("snapshot failed", { height: version.height, error: (e as Error).message }),
      )
      .finally(release);
  }

  /** The node-local values a restored node needs besides the Merkle-committed state. */
  private snapshotMeta(): Record<string, string> {
    return {
      chain_id: this.chainId,
      consensus_limits: JSON.stringify({ maxBytes: this.limits.maxBytes, maxGas: this.limits.maxGas.toString() }),
      block_time_ns: this.blockTimeNs.toString(),
    };
  }

  /** Waits for the snapshots scheduled so far to be on disk (tests, shutdown). */
  async snapshotsWritten(): Promise<void> {
    await this.snapshotting;
  }

  // ---- ABCI: snapshot connection ----------------------------------------------------------

  listSnapshots(): ResponseListSnapshots {
    const list = this.snapshots?.list() ?? [];
    return { snapshots: list.map((s) => ({ height: BigInt(s.height), format: s.format, chunks: s.chunks, hash: s.hash, metadata: s.metadata })) };
  }

  loadSnapshotChunk(req: RequestLoadSnapshotChunk): ResponseLoadSnapshotChunk {
    return { chunk: this.snapshots?.loadChunk(Number(req.height), req.format, req.chunk) ?? new Uint8Array() };
  }

  offerSnapshot(req: RequestOfferSnapshot): ResponseOfferSnapshot {
    const s = req.snapshot;
    const answer = (result: ResponseOfferSnapshot_Result, why: string): ResponseOfferSnapshot => {
      this.logger.info("state sync: snapshot offer", { height: s ? Number(s.height) : 0, result: ResponseOfferSnapshot_Result[result], why });
      return { result };
    };
    if (!s) return answer(ResponseOfferSnapshot_Result.REJECT, "no snapshot in the offer");
    // State sync is for an empty app; overwriting a state the node already committed would
    // silently discard it, so the whole sync is aborted (CometBFT stops with this reason).
    if (this.db.latest.height !== 0 || this.pending) return answer(ResponseOfferSnapshot_Result.ABORT, `the app already has state at height ${this.db.latest.height}`);
    if (s.format !== SNAPSHOT_FORMAT) return answer(ResponseOfferSnapshot_Result.REJECT_FORMAT, `format ${s.format}, this app restores format ${SNAPSHOT_FORMAT}`);
    const bad = checkOffer({ format: s.format, chunks: s.chunks, hash: s.hash, metadata: s.metadata, height: Number(s.height) });
    if (bad) return answer(ResponseOfferSnapshot_Result.REJECT, bad);
    this.restore = {
      info: { height: Number(s.height), format: s.format, chunks: s.chunks, hash: s.hash, metadata: s.metadata },
      trustedAppHash: req.appHash,
      chunks: new Array<Uint8Array | undefined>(s.chunks).fill(undefined),
      received: 0,
      senders: new Set(),
    };
    return answer(ResponseOfferSnapshot_Result.ACCEPT, "consistent offer");
  }

  async applySnapshotChunk(req: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk> {
    const R = ResponseApplySnapshotChunk_Result;
    const reply = (result: ResponseApplySnapshotChunk_Result, extra: Partial<ResponseApplySnapshotChunk> = {}): ResponseApplySnapshotChunk => ({
      result,
      refetchChunks: extra.refetchChunks ?? [],
      rejectSenders: extra.rejectSenders ?? [],
    });
    const r = this.restore;
    if (!r) return reply(R.ABORT);
    const index = req.index;
    if (!Number.isInteger(index) || index < 0 || index >= r.info.chunks) {
      this.restore = undefined;
      return reply(R.REJECT_SNAPSHOT, { rejectSenders: req.sender ? [req.sender] : [] });
    }
    if (!Buffer.from(sha256(req.chunk)).equals(Buffer.from(chunkHash(r.info.metadata, index)))) {
      // The snapshot's metadata is authenticated by its hash; this chunk is not what it lists.
      this.logger.error("state sync: chunk hash mismatch, refetching from another peer", { height: r.info.height, chunk: index, sender: req.sender });
      return reply(R.RETRY, { refetchChunks: [index], rejectSenders: req.sender ? [req.sender] : [] });
    }
    if (r.chunks[index] === undefined) r.received++;
    r.chunks[index] = req.chunk;
    if (req.sender) r.senders.add(req.sender);
    if (r.received < r.info.chunks) return reply(R.ACCEPT);
    try {
      const restored = restorePayload(r.chunks as Uint8Array[], r.info.height, r.trustedAppHash);
      this.checkRestoredMeta(restored.header.meta);
      await this.db.restore({ height: r.info.height, appHash: r.trustedAppHash, data: restored.data, tree: restored.tree }, restored.entries, restored.header.meta);
    } catch (e) {
      this.restore = undefined;
      if (!(e instanceof SnapshotError)) throw e;
      // Every chunk matched the metadata, so whoever served this snapshot served the lie.
      this.logger.error("state sync: snapshot refused", { height: r.info.height, error: e.message, senders: [...r.senders] });
      return reply(R.REJECT_SNAPSHOT, { rejectSenders: [...r.senders] });
    }
    this.restore = undefined;
    this.chainId = this.db.getMeta("chain_id") ?? "";
    const limits = JSON.parse(this.db.getMeta("consensus_limits") ?? "{}") as { maxBytes?: number; maxGas?: string };
    this.limits = { maxBytes: limits.maxBytes ?? DEFAULT_MAX_TX_BYTES, maxGas: BigInt(limits.maxGas ?? "-1") };
    this.blockTimeNs = BigInt(this.db.getMeta("block_time_ns") ?? "0");
    this.checkState = this.db.branch();
    this.logger.info("state sync: state restored", { height: r.info.height, app_hash: Buffer.from(r.trustedAppHash).toString("hex") });
    return reply(R.ACCEPT);
  }

  /** The snapshot's node-local values must be well-formed and agree with this node's genesis. */
  private checkRestoredMeta(meta: Record<string, string>): void {
    let limits: { maxBytes: number; maxGas: bigint };
    try {
      const parsed = JSON.parse(meta.consensus_limits ?? "") as { maxBytes: unknown; maxGas: unknown };
      if (typeof parsed.maxBytes !== "number" || !Number.isSafeInteger(parsed.maxBytes) || parsed.maxBytes <= 0 || typeof parsed.maxGas !== "string") throw new Error("bad limits");
      limits = { maxBytes: parsed.maxBytes, maxGas: BigInt(parsed.maxGas) };
      BigInt(meta.block_time_ns ?? "x");
    } catch {
      throw new SnapshotError("snapshot header meta lacks valid consensus_limits or block_time_ns");
    }
    const g = this.options.genesis;
    if (!g) return;
    if (meta.chain_id !== g.chainId) throw new SnapshotError(`snapshot is of chain "${meta.chain_id}", this node's genesis is "${g.chainId}"`);
    if (limits.maxBytes !== g.maxBytes || limits.maxGas !== g.maxGas) {
      throw new SnapshotError(`snapshot consensus limits ${meta.consensus_limits} differ from this node's genesis (max_bytes ${g.maxBytes}, max_gas ${g.maxGas})`);
    }
  }

  private context(store: StoreBranch, gasMeter: GasMeter, events: EventManager, block: BlockInfo, mode: ExecMode): Context {
    return { store, gasMeter, events, block, mode };
  }

  /** Every module's invariants on the committed state; empty when all hold. */
  checkInvariants(): string[] {
    const store = this.db.branch();
    return this.modules.flatMap((m) => m.invariants?.(store) ?? []);
  }

  /** The state as genesis app_state JSON (for `blockai export`). */
  exportGenesis(): Record<string, unknown> {
    const store = this.db.branch();
    const ctx = this.context(store, new GasMeter(undefined), new EventManager(), this.nextBlockInfo(), "genesis");
    const out: Record<string, unknown> = {};
    for (const m of this.modules) if (m.exportGenesis) out[m.name] = m.exportGenesis(ctx);
    return out;
  }
}

/**
 * When CometBFT's genesis lists validators and the app computes a set too, they must be the same
 * keys with the same powers (as the Cosmos SDK checks in InitChain): a mismatch means the genesis
 * file is inconsistent and the chain must not start.
 */
function checkGenesisValidators(requested: readonly ValidatorUpdate[], computed: readonly ValidatorUpdate[]): void {
  if (requested.length > 0 && computed.length === 0) {
    // As the SDK refuses it: validators CometBFT runs but staking does not know could not be
    // slashed or paid, and anyone could bond a "new" validator with one of their consensus keys
    // (staking sees no conflict), then unbond it, which removes that key from CometBFT's set.
    throw new Error(
      `the staking genesis has no bonded validators, while CometBFT's genesis lists ${requested.length}: ` +
        `make each a staking validator ("blockai genesis add-validator KEY STAKE") before starting the chain`,
    );
  }
  if (requested.length === 0 || computed.length === 0) return;
  const key = (u: ValidatorUpdate) => `${Buffer.from(u.pubKey.ed25519 ?? u.pubKey.secp256k1 ?? new Uint8Array()).toString("base64")}:${u.power}`;
  const a = requested.map(key).sort();
  const b = computed.map(key).sort();
  if (a.length !== b.length || a.some((k, i) => k !== b[i])) {
    throw new Error(
      `genesis validators (${a.length}) differ from the bonded set of the staking genesis (${b.length}): CometBFT has [${a.join(", ")}], staking has [${b.join(", ")}]`,
    );
  }
}

function timestampToNs(t: { seconds: bigint; nanos: number } | undefined): bigint {
  return t ? t.seconds * 1_000_000_000n + BigInt(t.nanos) : 0n;
}

function toExecTxResult(r: TxResult): ExecTxResult {
  return {
    code: r.code,
    data: r.data,
    log: r.log,
    info: "",
    gasWanted: r.gasWanted,
    gasUsed: r.gasUsed,
    events: r.events,
    codespace: r.codespace,
  };
}

/** One amino resolver over the tables of `modules` (each module declares its own). */
export function chainAmino(modules: readonly Module[]): AminoResolver {
  return aminoResolver(...modules.flatMap((m) => (m.amino ? [m.amino] : [])));
}
