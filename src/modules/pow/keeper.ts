import { Params, RetargetInfo, WorkTally } from "../../gen/blockai/pow/v1/pow";
import type { MsgSubmitMatmulWork, MsgSubmitWork } from "../../gen/blockai/pow/v1/tx";
import { decodeAddress, encodeAddress } from "../../types/address";
import { readU64be, u64be } from "../../types/bytes";
import type { Context } from "../../framework/module";
import { KVStore, PrefixStore } from "../../store/kv";
import { PowErrors } from "./errors";
import { PowAttributes as A, PowEvents } from "./events";
import type { ClaimWindow, EpochClock, ModelDirectory, ModelInfo } from "./expected-keepers";
import { pruneTallies, talliesPrunedBelow } from "./prune";
import {
  ANCHOR_PREFIX,
  BLOCK_CERTS_KEY,
  BLOCK_MINER_CERTS_PREFIX,
  blockMinerCertsKey,
  LAST_MATMUL_RETARGET_KEY,
  LAST_RETARGET_KEY,
  MATMUL_TALLIES,
  MATMUL_TARGET_KEY,
  SHA256_TALLIES,
  PARAMS_KEY,
  POW_STORE_PREFIX,
  TARGET_KEY,
  USED_SEAL_PREFIX,
  anchorKey,
  epochWorkKey,
  minerModelWorkKey,
  minerModelWorkPrefix,
  minerWorkKey,
  modelWorkKey,
  usedSealKey,
  usedSealsAtAnchorPrefix,
} from "./keys";
import { CertificateKind, DEFAULT_POW_PARAMS, KIND_NAMES, PowParams, paramsFromProto, paramsToProto, validateParams } from "./params";
import { MatmulClaimError, matmulWork, verifyTileClaim } from "./matmul";
import { retarget } from "./retarget";
import { HASH_LENGTH, MAX_TARGET, bytesToBigInt, computeSeal, targetToBytes, targetToHex, workForTarget } from "./seal";

export const MODEL_STATUS_ACTIVE = 1;
const MODEL_STATUS_NAMES: Record<number, string> = { 0: "UNSPECIFIED", 1: "ACTIVE", 2: "PAUSED", 3: "RETIRED" };

export interface Tally {
  work: bigint;
  certificates: bigint;
}

const ZERO_TALLY: Tally = { work: 0n, certificates: 0n };

function decodeTally(raw: Uint8Array | undefined): Tally {
  if (!raw) return { ...ZERO_TALLY };
  const t = WorkTally.decode(raw);
  return { work: BigInt(t.work || "0"), certificates: t.certificates };
}

function encodeTally(t: Tally): Uint8Array {
  return WorkTally.encode({ work: t.work.toString(), certificates: t.certificates }).finish();
}

export function tallyToProto(t: Tally): WorkTally {
  return { work: t.work.toString(), certificates: t.certificates };
}

/** A certificate that passed every check, ready to be recorded. */
export interface VerifiedCertificate {
  readonly miner: Uint8Array;
  readonly modelId: bigint;
  readonly anchorHeight: bigint;
  readonly seal: Buffer;
  readonly target: bigint;
  /** Matmul certificates: the inner dimension (work = expected tiles x 256 x inner MACs). */
  readonly inner?: number;
}

/** The two kinds' tally layouts. */
export const TALLIES = { sha256: SHA256_TALLIES, matmul: MATMUL_TALLIES } as const;
export type KindName = keyof typeof TALLIES;

/** One (epoch, miner, model) work record, the unit of genesis import/export. */
export interface WorkRecord {
  epoch: bigint;
  miner: Uint8Array;
  modelId: bigint;
  tally: Tally;
}

/** The work unit of each kind, for events and docs. */
export const WORK_UNITS: Record<KindName, string> = { sha256: "hashes", matmul: "macs" };

/**
 * Proof of Work: recent block hashes (anchors), the current target, used seals, work tallies.
 * Reads and writes only under "pow/". Retargets at every epoch end (onEpochEnd, an epoch hook
 * registered by src/app/modules.ts).
 */
export class PowKeeper {
  private claimWindow: ClaimWindow | undefined;

  constructor(
    private readonly epochs: EpochClock,
    private directory: ModelDirectory,
  ) {}

  /** Replaces the model directory (tests; the app wires the registry keeper at construction). */
  setModelDirectory(directory: ModelDirectory): void {
    this.directory = directory;
  }

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, POW_STORE_PREFIX);
  }

  // ---- params and target ----------------------------------------------------------------

  getParams(root: KVStore): PowParams {
    const raw = this.store(root).get(PARAMS_KEY);
    return raw ? paramsFromProto(Params.decode(raw)) : { ...DEFAULT_POW_PARAMS };
  }

  setParams(root: KVStore, params: PowParams): void {
    validateParams(params);
    this.store(root).set(PARAMS_KEY, Params.encode(paramsToProto(params)).finish());
  }

  getTarget(root: KVStore): bigint {
    const raw = this.store(root).get(TARGET_KEY);
    if (!raw) throw new Error("pow: no target (genesis not loaded)");
    return bytesToBigInt(raw);
  }

  setTarget(root: KVStore, target: bigint): void {
    if (target < 1n || target > MAX_TARGET) throw new Error("pow: target out of range");
    this.store(root).set(TARGET_KEY, targetToBytes(target));
  }

  /** The matmul target; a chain whose genesis predates matmul certificates has none (none accepted). */
  getMatmulTarget(root: KVStore): bigint | undefined {
    const raw = this.store(root).get(MATMUL_TARGET_KEY);
    return raw ? bytesToBigInt(raw) : undefined;
  }

  setMatmulTarget(root: KVStore, target: bigint): void {
    if (target < 1n || target > MAX_TARGET) throw new Error("pow: matmul target out of range");
    this.store(root).set(MATMUL_TARGET_KEY, targetToBytes(target));
  }

  lastRetarget(root: KVStore, kind: KindName = "sha256"): RetargetInfo | undefined {
    const raw = this.store(root).get(kind === "sha256" ? LAST_RETARGET_KEY : LAST_MATMUL_RETARGET_KEY);
    return raw ? RetargetInfo.decode(raw) : undefined;
  }

  importLastRetarget(root: KVStore, info: RetargetInfo, kind: KindName = "sha256"): void {
    this.store(root).set(kind === "sha256" ? LAST_RETARGET_KEY : LAST_MATMUL_RETARGET_KEY, RetargetInfo.encode(info).finish());
  }

  isKindAccepted(root: KVStore, kind: CertificateKind): boolean {
    return this.getParams(root).acceptedKinds.includes(kind);
  }

  // ---- anchors ---------------------------------------------------------------------------

  anchorHash(root: KVStore, height: bigint): Uint8Array | undefined {
    return this.store(root).get(anchorKey(height));
  }

  /** The most recent recorded anchor, if any. */
  latestAnchor(root: KVStore): { height: bigint; hash: Uint8Array } | undefined {
    const [entry] = this.store(root).range(Uint8Array.of(ANCHOR_PREFIX), Uint8Array.of(ANCHOR_PREFIX + 1), { reverse: true, limit: 1 });
    return entry ? { height: readU64be(entry[0], 1), hash: entry[1] } : undefined;
  }

  allAnchors(root: KVStore): Array<{ height: bigint; hash: Uint8Array }> {
    return this.store(root)
      .range(Uint8Array.of(ANCHOR_PREFIX), Uint8Array.of(ANCHOR_PREFIX + 1))
      .map(([k, v]) => ({ height: readU64be(k, 1), hash: v }));
  }

  setAnchor(root: KVStore, height: bigint, hash: Uint8Array): void {
    if (hash.length !== HASH_LENGTH) throw new Error(`pow: anchor hash must be ${HASH_LENGTH} bytes`);
    this.store(root).set(anchorKey(height), Uint8Array.from(hash));
  }

  /** Begin block: records this block's hash so later certificates can anchor to it. */
  beginBlock(ctx: Context): void {
    // CometBFT always sends the 32-byte block hash; anything else cannot be anchored to.
    if (ctx.block.hash.length === HASH_LENGTH) this.setAnchor(ctx.store, BigInt(ctx.block.height), ctx.block.hash);
  }

  /**
   * End block: at the next height H+1 the valid anchors are H+1-anchor_window .. H, so the hash of
   * H-anchor_window and the seals anchored to it are deleted now (with anything older, which only
   * exists after a shrink of anchor_window). The committed state thus keeps exactly the hashes of
   * the last anchor_window heights. The per-block certificate counter is cleared, and work tallies
   * of epochs no claim can read any more are pruned (prune.ts).
   */
  endBlock(ctx: Context): void {
    const store = this.store(ctx.store);
    if (store.has(BLOCK_CERTS_KEY)) store.delete(BLOCK_CERTS_KEY);
    // At most max_certs_per_block entries: the miners of this block's certificates.
    for (const [k] of store.range(Uint8Array.of(BLOCK_MINER_CERTS_PREFIX), Uint8Array.of(BLOCK_MINER_CERTS_PREFIX + 1))) store.delete(k);
    const { anchorWindow } = this.getParams(ctx.store);
    const firstKept = BigInt(ctx.block.height) + 1n - anchorWindow;
    if (firstKept <= 0n) return;
    for (const [k] of store.range(Uint8Array.of(ANCHOR_PREFIX), anchorKey(firstKept))) store.delete(k);
    for (const [k] of store.range(Uint8Array.of(USED_SEAL_PREFIX), usedSealsAtAnchorPrefix(firstKept))) store.delete(k);
    this.pruneTallies(ctx);
  }

  /**
   * The oldest epoch whose rewards can still be claimed (the rewards module): tallies of earlier
   * epochs are pruned. Unset, tallies are kept.
   */
  setClaimWindow(w: ClaimWindow): void {
    this.claimWindow = w;
  }

  private pruneTallies(ctx: Context): void {
    if (!this.claimWindow) return;
    const floor = this.claimWindow.oldestOpenEpoch(ctx.store);
    const current = this.epochs.currentEpoch(ctx.store);
    pruneTallies(ctx.store, floor < current ? floor : current, this.getParams(ctx.store).prunePerBlock);
  }

  // ---- certificates ----------------------------------------------------------------------

  isSealUsed(root: KVStore, anchorHeight: bigint, seal: Uint8Array): boolean {
    return this.store(root).has(usedSealKey(anchorHeight, seal));
  }

  blockCertificates(root: KVStore): bigint {
    const raw = this.store(root).get(BLOCK_CERTS_KEY);
    return raw ? readU64be(raw) : 0n;
  }

  minerBlockCertificates(root: KVStore, miner: Uint8Array): bigint {
    const raw = this.store(root).get(blockMinerCertsKey(miner));
    return raw ? readU64be(raw) : 0n;
  }

  /**
   * For PrepareProposal: admits certificate txs in order while the block would accept them (the
   * block limit and each miner's), so a proposal carries no certificate bound to fail.
   */
  certificateSelector(root: KVStore): (miners: readonly string[]) => boolean {
    const params = this.getParams(root);
    let total = 0n;
    const perMiner = new Map<string, bigint>();
    return (miners) => {
      const next = new Map(perMiner);
      for (const m of miners) next.set(m, (next.get(m) ?? 0n) + 1n);
      if (total + BigInt(miners.length) > params.maxCertsPerBlock) return false;
      for (const n of next.values()) if (n > params.maxCertsPerMinerPerBlock) return false;
      total += BigInt(miners.length);
      for (const [m, n] of next) perMiner.set(m, n);
      return true;
    };
  }

  /**
   * Every state-dependent check of a certificate (the precheck, and again in execute), cheapest
   * first: window (no hashing), anchor hash, the seal (two SHA-256), replay, model, block limit.
   * Throws a ChainError from PowErrors.
   */
  verify(ctx: Context, msg: MsgSubmitWork): VerifiedCertificate {
    const params = this.getParams(ctx.store);
    if (!params.acceptedKinds.includes(CertificateKind.CERTIFICATE_KIND_SHA256)) {
      throw PowErrors.KindNotAccepted.wrap(`sha256 certificates are not in accepted_kinds (${params.acceptedKinds.map((k) => KIND_NAMES[k]).join(", ")})`);
    }
    const anchor = msg.anchorHeight;
    const anchorHash = this.checkAnchor(ctx, params, anchor);
    const miner = decodeAddress(msg.miner, "miner address");
    if (msg.workDigest.length !== HASH_LENGTH) {
      throw PowErrors.InvalidCertificate.wrap(`work_digest must be ${HASH_LENGTH} bytes, got ${msg.workDigest.length}`);
    }
    let seal: Buffer;
    try {
      seal = computeSeal(
        { chainId: ctx.block.chainId, anchorHeight: anchor, anchorHash, miner, modelId: msg.modelId, workDigest: msg.workDigest },
        msg.nonce,
      );
    } catch (e) {
      // Unreachable for a decoded message on a running chain (every field is in range); a handler
      // still throws only ChainErrors.
      throw PowErrors.InvalidCertificate.wrap((e as Error).message);
    }
    const target = this.getTarget(ctx.store);
    if (bytesToBigInt(seal) > target) {
      throw PowErrors.SealAboveTarget.wrap(
        `seal ${seal.toString("hex")} > target ${targetToHex(target)} (seal computed on chain ${ctx.block.chainId}, ` +
          `anchor ${anchor} with block hash ${Buffer.from(anchorHash).toString("hex")})`,
      );
    }
    if (this.isSealUsed(ctx.store, anchor, seal)) throw PowErrors.DuplicateSeal.wrap(`seal ${seal.toString("hex")}`);
    this.checkModel(ctx, msg.modelId, miner, msg.miner);
    this.checkBlockCaps(ctx, params, miner, msg.miner);
    return { miner, modelId: msg.modelId, anchorHeight: anchor, seal, target };
  }

  private checkModel(ctx: Context, modelId: bigint, miner: Uint8Array, minerText: string): ModelInfo {
    const model = this.directory.getModel(ctx.store, modelId);
    if (!model) throw PowErrors.UnknownModel.wrap(`model ${modelId}`);
    if (model.status !== MODEL_STATUS_ACTIVE) {
      throw PowErrors.ModelNotActive.wrap(`model ${modelId} is ${MODEL_STATUS_NAMES[model.status] ?? `status ${model.status}`}`);
    }
    if (!isOwnerOrOperator(model, miner)) throw PowErrors.UnauthorizedMiner.wrap(`${minerText} for model ${modelId}`);
    return model;
  }

  private checkBlockCaps(ctx: Context, params: PowParams, miner: Uint8Array, minerText: string): void {
    const inBlock = this.blockCertificates(ctx.store);
    if (inBlock >= params.maxCertsPerBlock) {
      throw PowErrors.BlockCertLimit.wrap(`${inBlock} of max_certs_per_block ${params.maxCertsPerBlock} already accepted; retry in the next block`);
    }
    const mine = this.minerBlockCertificates(ctx.store, miner);
    if (mine >= params.maxCertsPerMinerPerBlock) {
      throw PowErrors.MinerBlockCertLimit.wrap(`${minerText} already has ${mine} of max_certs_per_miner_per_block ${params.maxCertsPerMinerPerBlock} in this block; retry in the next block`);
    }
  }

  private checkAnchor(ctx: Context, params: PowParams, anchor: bigint): Uint8Array {
    const height = BigInt(ctx.block.height);
    if (anchor >= height) throw PowErrors.AnchorInFuture.wrap(`anchor height ${anchor}, current height ${height}`);
    if (height - anchor > params.anchorWindow) {
      throw PowErrors.AnchorExpired.wrap(
        `anchor height ${anchor} is ${height - anchor} blocks below the current height ${height}; the window is ${params.anchorWindow} blocks`,
      );
    }
    const anchorHash = this.anchorHash(ctx.store, anchor);
    if (!anchorHash) throw PowErrors.UnknownAnchor.wrap(`no block hash recorded for height ${anchor}`);
    return anchorHash;
  }

  /**
   * Every check of a matmul certificate (docs/pow-matmul.md), cheapest first: kind, anchor, model
   * (with a weights_root), block caps, then the Merkle paths and the tile recomputation, target,
   * replay. Throws a ChainError from PowErrors.
   */
  verifyMatmul(ctx: Context, msg: MsgSubmitMatmulWork): VerifiedCertificate {
    const params = this.getParams(ctx.store);
    const target = this.getMatmulTarget(ctx.store);
    if (!params.acceptedKinds.includes(CertificateKind.CERTIFICATE_KIND_MATMUL) || target === undefined) {
      throw PowErrors.KindNotAccepted.wrap("matmul certificates are not accepted on this chain (accepted_kinds)");
    }
    if (msg.anchorHeight === 0n) throw PowErrors.InvalidCertificate.wrap("anchor_height must be >= 1");
    const anchorHash = this.checkAnchor(ctx, params, msg.anchorHeight);
    const miner = decodeAddress(msg.miner, "miner address");
    const model = this.checkModel(ctx, msg.modelId, miner, msg.miner);
    if (!model.weightsRoot || model.weightsRoot.length !== HASH_LENGTH) {
      throw PowErrors.KindNotAccepted.wrap(`model ${msg.modelId} has no weights_root: it accepts sha256 certificates only`);
    }
    this.checkBlockCaps(ctx, params, miner, msg.miner);
    let ticket: Buffer;
    try {
      ({ ticket } = verifyTileClaim({
        chainId: ctx.block.chainId,
        anchorHeight: msg.anchorHeight,
        anchorHash,
        miner,
        modelId: msg.modelId,
        weightsRoot: model.weightsRoot,
        matrixIndex: msg.matrixIndex,
        inner: msg.inner,
        cols: msg.cols,
        weightsPath: msg.weightsPath,
        aRoot: msg.aRoot,
        aRows: msg.aRows,
        tileRow: msg.tileRow,
        tileCol: msg.tileCol,
        aBlock: msg.aBlock,
        aPath: msg.aPath,
        bBlock: msg.bBlock,
        bPath: msg.bPath,
      }));
    } catch (e) {
      throw PowErrors.InvalidMatmulCertificate.wrap(e instanceof MatmulClaimError ? e.message : `malformed: ${(e as Error).message}`);
    }
    if (bytesToBigInt(ticket) > target) {
      throw PowErrors.SealAboveTarget.wrap(
        `matmul ticket ${ticket.toString("hex")} > matmul target ${targetToHex(target)} (computed on chain ${ctx.block.chainId}, ` +
          `anchor ${msg.anchorHeight} with block hash ${Buffer.from(anchorHash).toString("hex")}, miner ${msg.miner})`,
      );
    }
    if (this.isSealUsed(ctx.store, msg.anchorHeight, ticket)) throw PowErrors.DuplicateSeal.wrap(`ticket ${ticket.toString("hex")}`);
    return { miner, modelId: msg.modelId, anchorHeight: msg.anchorHeight, seal: ticket, target, inner: msg.inner };
  }

  /** Records a verified certificate: seal used, block count, work to (miner, model, epoch). */
  accept(ctx: Context, cert: VerifiedCertificate): { work: bigint; epoch: bigint } {
    const store = this.store(ctx.store);
    store.set(usedSealKey(cert.anchorHeight, cert.seal), Uint8Array.of(1));
    store.set(BLOCK_CERTS_KEY, u64be(this.blockCertificates(ctx.store) + 1n));
    store.set(blockMinerCertsKey(cert.miner), u64be(this.minerBlockCertificates(ctx.store, cert.miner) + 1n));
    // Each kind in its own unit: expected hashes, or expected tiles x MACs per tile.
    const t = cert.inner === undefined ? SHA256_TALLIES : MATMUL_TALLIES;
    const work = cert.inner === undefined ? workForTarget(cert.target) : matmulWork(workForTarget(cert.target), cert.inner);
    const epoch = this.epochs.currentEpoch(ctx.store);
    for (const key of [epochWorkKey(epoch, t), minerWorkKey(epoch, cert.miner, t), modelWorkKey(epoch, cert.modelId, t), minerModelWorkKey(epoch, cert.miner, cert.modelId, t)]) {
      const t = decodeTally(store.get(key));
      store.set(key, encodeTally({ work: t.work + work, certificates: t.certificates + 1n }));
    }
    return { work, epoch };
  }

  // ---- work tallies ----------------------------------------------------------------------

  epochWork(root: KVStore, epoch: bigint, kind: KindName = "sha256"): Tally {
    return decodeTally(this.store(root).get(epochWorkKey(epoch, TALLIES[kind])));
  }

  minerWork(root: KVStore, miner: Uint8Array, epoch: bigint, kind: KindName = "sha256"): Tally {
    return decodeTally(this.store(root).get(minerWorkKey(epoch, miner, TALLIES[kind])));
  }

  modelWork(root: KVStore, modelId: bigint, epoch: bigint, kind: KindName = "sha256"): Tally {
    return decodeTally(this.store(root).get(modelWorkKey(epoch, modelId, TALLIES[kind])));
  }

  /** For rewards: the share of the miners' pool paid for matmul work, basis points. */
  matmulRewardShareBps(root: KVStore): number {
    return this.getParams(root).matmulRewardShareBps;
  }

  /** A miner's work in an epoch by model, ascending model id. */
  minerWorkByModel(root: KVStore, miner: Uint8Array, epoch: bigint, kind: KindName = "sha256"): Array<{ modelId: bigint; tally: Tally }> {
    const prefix = minerModelWorkPrefix(epoch, miner, TALLIES[kind]);
    const store = new PrefixStore(this.store(root), prefix);
    return store.range(new Uint8Array(), undefined).map(([k, v]) => ({ modelId: readU64be(k), tally: decodeTally(v) }));
  }

  /** Every (epoch, miner, model) record in key order. */
  allWorkRecords(root: KVStore, kind: KindName = "sha256"): WorkRecord[] {
    const p = TALLIES[kind].minerModel;
    return this.store(root)
      .range(Uint8Array.of(p), Uint8Array.of(p + 1))
      .map(([k, v]) => {
        const epoch = readU64be(k, 1);
        const len = k[9];
        return { epoch, miner: k.slice(10, 10 + len), modelId: readU64be(k, 10 + len), tally: decodeTally(v) };
      });
  }

  /** Genesis: writes one (epoch, miner, model) record and adds it to the three aggregates. */
  importWorkRecord(root: KVStore, r: WorkRecord, kind: KindName = "sha256"): void {
    const store = this.store(root);
    const t = TALLIES[kind];
    const key = minerModelWorkKey(r.epoch, r.miner, r.modelId, t);
    if (store.has(key)) throw new Error(`pow.${kind === "sha256" ? "work" : "matmul_work"}: duplicate record for epoch ${r.epoch}, miner ${encodeAddress(r.miner)}, model ${r.modelId}`);
    store.set(key, encodeTally(r.tally));
    for (const k of [epochWorkKey(r.epoch, t), minerWorkKey(r.epoch, r.miner, t), modelWorkKey(r.epoch, r.modelId, t)]) {
      const t = decodeTally(store.get(k));
      store.set(k, encodeTally({ work: t.work + r.tally.work, certificates: t.certificates + r.tally.certificates }));
    }
  }

  allUsedSeals(root: KVStore): Array<{ anchorHeight: bigint; seal: Uint8Array }> {
    return this.store(root)
      .range(Uint8Array.of(USED_SEAL_PREFIX), Uint8Array.of(USED_SEAL_PREFIX + 1))
      .map(([k]) => ({ anchorHeight: readU64be(k, 1), seal: k.slice(9) }));
  }

  importUsedSeal(root: KVStore, anchorHeight: bigint, seal: Uint8Array): void {
    if (seal.length !== HASH_LENGTH) throw new Error(`pow: seal must be ${HASH_LENGTH} bytes`);
    this.store(root).set(usedSealKey(anchorHeight, seal), Uint8Array.of(1));
  }

  // ---- retargeting -----------------------------------------------------------------------

  /** Epoch end: moves the target toward target_certs_per_epoch (see retarget.ts). */
  onEpochEnd(ctx: Context, epoch: bigint): void {
    const params = this.getParams(ctx.store);
    const certs = this.epochWork(ctx.store, epoch).certificates;
    const old = this.getTarget(ctx.store);
    const next = retarget(old, certs, params);
    this.setTarget(ctx.store, next);
    const info: RetargetInfo = { epoch, certificates: certs, oldTarget: targetToHex(old), newTarget: targetToHex(next) };
    this.store(ctx.store).set(LAST_RETARGET_KEY, RetargetInfo.encode(info).finish());
    ctx.events.emit(PowEvents.PowRetarget, {
      [A.Epoch]: epoch.toString(),
      [A.Certificates]: certs.toString(),
      [A.TargetCertsPerEpoch]: params.targetCertsPerEpoch.toString(),
      [A.OldTarget]: info.oldTarget,
      [A.NewTarget]: info.newTarget});
    // The matmul target follows its own certificates with the same controller (only while
    // matmul certificates are accepted: a disabled kind keeps its target).
    const mmOld = this.getMatmulTarget(ctx.store);
    if (mmOld === undefined || !params.acceptedKinds.includes(CertificateKind.CERTIFICATE_KIND_MATMUL)) return;
    const mmCerts = this.epochWork(ctx.store, epoch, "matmul").certificates;
    const mmNext = retarget(mmOld, mmCerts, params);
    this.setMatmulTarget(ctx.store, mmNext);
    const mmInfo: RetargetInfo = { epoch, certificates: mmCerts, oldTarget: targetToHex(mmOld), newTarget: targetToHex(mmNext) };
    this.store(ctx.store).set(LAST_MATMUL_RETARGET_KEY, RetargetInfo.encode(mmInfo).finish());
    ctx.events.emit(PowEvents.PowMatmulRetarget, {
      [A.Epoch]: epoch.toString(),
      [A.Certificates]: mmCerts.toString(),
      [A.TargetCertsPerEpoch]: params.targetCertsPerEpoch.toString(),
      [A.OldTarget]: mmInfo.oldTarget,
      [A.NewTarget]: mmInfo.newTarget});
  }

  // ---- invariants ------------------------------------------------------------------------

  invariants(root: KVStore): string[] {
    const broken: string[] = [];
    const store = this.store(root);
    if (!store.get(TARGET_KEY)) return broken; // genesis not loaded
    const params = this.getParams(root);
    const target = this.getTarget(root);
    if (target < params.minTarget || target > params.maxTarget) broken.push(`pow: target ${targetToHex(target)} outside [min_target, max_target]`);
    const mmTarget = this.getMatmulTarget(root);
    if (mmTarget !== undefined && (mmTarget < params.minTarget || mmTarget > params.maxTarget)) {
      broken.push(`pow: matmul target ${targetToHex(mmTarget)} outside [min_target, max_target]`);
    }
    if (store.has(BLOCK_CERTS_KEY)) broken.push("pow: the per-block certificate counter outlived its block");
    if (store.range(Uint8Array.of(BLOCK_MINER_CERTS_PREFIX), Uint8Array.of(BLOCK_MINER_CERTS_PREFIX + 1), { limit: 1 }).length > 0) {
      broken.push("pow: a per-miner block certificate counter outlived its block");
    }
    const anchors = this.allAnchors(root);
    if (BigInt(anchors.length) > params.anchorWindow) broken.push(`pow: ${anchors.length} anchors kept, more than anchor_window ${params.anchorWindow}`);
    const anchorHeights = new Set(anchors.map((a) => a.height));
    for (const s of this.allUsedSeals(root)) {
      if (!anchorHeights.has(s.anchorHeight)) {
        broken.push(`pow: used seal ${Buffer.from(s.seal).toString("hex")} outlived its anchor ${s.anchorHeight}`);
        break;
      }
    }
    for (const kind of ["sha256", "matmul"] as const) {
      const problem = this.tallyInvariant(root, kind);
      if (problem) broken.push(problem);
    }
    return broken;
  }

  /**
   * Every aggregate (epoch, miner, model) of a kind equals the sum of its (epoch, miner, model)
   * records, for the epochs not being pruned.
   */
  private tallyInvariant(root: KVStore, kind: KindName): string | undefined {
    const store = this.store(root);
    const t = TALLIES[kind];
    const below = talliesPrunedBelow(root);
    const sums = new Map<string, Tally>();
    const add = (key: Uint8Array, t: Tally) => {
      const id = Buffer.from(key).toString("hex");
      const cur = sums.get(id) ?? { ...ZERO_TALLY };
      sums.set(id, { work: cur.work + t.work, certificates: cur.certificates + t.certificates });
    };
    for (const r of this.allWorkRecords(root, kind)) {
      if (r.epoch < below) continue;
      add(epochWorkKey(r.epoch, t), r.tally);
      add(minerWorkKey(r.epoch, r.miner, t), r.tally);
      add(modelWorkKey(r.epoch, r.modelId, t), r.tally);
    }
    let aggregates = 0;
    for (const prefix of [t.epoch, t.miner, t.model]) {
      for (const [k, v] of store.range(Uint8Array.of(prefix), Uint8Array.of(prefix + 1))) {
        if (readU64be(k, 1) < below) continue;
        aggregates++;
        const expected = sums.get(Buffer.from(k).toString("hex"));
        const actual = decodeTally(v);
        if (!expected || expected.work !== actual.work || expected.certificates !== actual.certificates) {
          return `pow: ${kind} work aggregate ${Buffer.from(k).toString("hex")} is not the sum of its (epoch, miner, model) records`;
        }
      }
    }
    if (aggregates !== sums.size) return `pow: a ${kind} work aggregate is missing`;
    return undefined;
  }
}

/** True when `miner` (raw address bytes) is the model's owner or one of its operators. */
export function isOwnerOrOperator(model: ModelInfo, miner: Uint8Array): boolean {
  const same = (address: string) => {
    try {
      return Buffer.from(decodeAddress(address)).equals(Buffer.from(miner));
    } catch {
      return false; // a malformed registry entry matches nobody
    }
  };
  return same(model.owner) || model.operators.some(same);
}
