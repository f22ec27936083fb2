import { Params, RetargetInfo, WorkTally } from "../../gen/blockai/pow/v1/pow";
import type { MsgSubmitWork } from "../../gen/blockai/pow/v1/tx";
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
  EPOCH_WORK_PREFIX,
  LAST_RETARGET_KEY,
  MINER_MODEL_WORK_PREFIX,
  MINER_WORK_PREFIX,
  MODEL_WORK_PREFIX,
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
import { DEFAULT_POW_PARAMS, PowParams, paramsFromProto, paramsToProto, validateParams } from "./params";
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
}

/** One (epoch, miner, model) work record, the unit of genesis import/export. */
export interface WorkRecord {
  epoch: bigint;
  miner: Uint8Array;
  modelId: bigint;
  tally: Tally;
}

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

  lastRetarget(root: KVStore): RetargetInfo | undefined {
    const raw = this.store(root).get(LAST_RETARGET_KEY);
    return raw ? RetargetInfo.decode(raw) : undefined;
  }

  importLastRetarget(root: KVStore, info: RetargetInfo): void {
    this.store(root).set(LAST_RETARGET_KEY, RetargetInfo.encode(info).finish());
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
    const height = BigInt(ctx.block.height);
    const anchor = msg.anchorHeight;
    if (anchor >= height) {
      throw PowErrors.AnchorInFuture.wrap(`anchor height ${anchor}, current height ${height}`);
    }
    if (height - anchor > params.anchorWindow) {
      throw PowErrors.AnchorExpired.wrap(
        `anchor height ${anchor} is ${height - anchor} blocks below the current height ${height}; the window is ${params.anchorWindow} blocks`,
      );
    }
    const anchorHash = this.anchorHash(ctx.store, anchor);
    if (!anchorHash) throw PowErrors.UnknownAnchor.wrap(`no block hash recorded for height ${anchor}`);
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
    const model = this.directory.getModel(ctx.store, msg.modelId);
    if (!model) throw PowErrors.UnknownModel.wrap(`model ${msg.modelId}`);
    if (model.status !== MODEL_STATUS_ACTIVE) {
      throw PowErrors.ModelNotActive.wrap(`model ${msg.modelId} is ${MODEL_STATUS_NAMES[model.status] ?? `status ${model.status}`}`);
    }
    if (!isOwnerOrOperator(model, miner)) throw PowErrors.UnauthorizedMiner.wrap(`${msg.miner} for model ${msg.modelId}`);
    const inBlock = this.blockCertificates(ctx.store);
    if (inBlock >= params.maxCertsPerBlock) {
      throw PowErrors.BlockCertLimit.wrap(`${inBlock} of max_certs_per_block ${params.maxCertsPerBlock} already accepted; retry in the next block`);
    }
    const mine = this.minerBlockCertificates(ctx.store, miner);
    if (mine >= params.maxCertsPerMinerPerBlock) {
      throw PowErrors.MinerBlockCertLimit.wrap(`${msg.miner} already has ${mine} of max_certs_per_miner_per_block ${params.maxCertsPerMinerPerBlock} in this block; retry in the next block`);
    }
    return { miner, modelId: msg.modelId, anchorHeight: anchor, seal, target };
  }

  /** Records a verified certificate: seal used, block count, work to (miner, model, epoch). */
  accept(ctx: Context, cert: VerifiedCertificate): { work: bigint; epoch: bigint } {
    const store = this.store(ctx.store);
    store.set(usedSealKey(cert.anchorHeight, cert.seal), Uint8Array.of(1));
    store.set(BLOCK_CERTS_KEY, u64be(this.blockCertificates(ctx.store) + 1n));
    store.set(blockMinerCertsKey(cert.miner), u64be(this.minerBlockCertificates(ctx.store, cert.miner) + 1n));
    const work = workForTarget(cert.target);
    const epoch = this.epochs.currentEpoch(ctx.store);
    for (const key of [epochWorkKey(epoch), minerWorkKey(epoch, cert.miner), modelWorkKey(epoch, cert.modelId), minerModelWorkKey(epoch, cert.miner, cert.modelId)]) {
      const t = decodeTally(store.get(key));
      store.set(key, encodeTally({ work: t.work + work, certificates: t.certificates + 1n }));
    }
    return { work, epoch };
  }

  // ---- work tallies ----------------------------------------------------------------------

  epochWork(root: KVStore, epoch: bigint): Tally {
    return decodeTally(this.store(root).get(epochWorkKey(epoch)));
  }

  minerWork(root: KVStore, miner: Uint8Array, epoch: bigint): Tally {
    return decodeTally(this.store(root).get(minerWorkKey(epoch, miner)));
  }

  modelWork(root: KVStore, modelId: bigint, epoch: bigint): Tally {
    return decodeTally(this.store(root).get(modelWorkKey(epoch, modelId)));
  }

  /** A miner's work in an epoch by model, ascending model id. */
  minerWorkByModel(root: KVStore, miner: Uint8Array, epoch: bigint): Array<{ modelId: bigint; tally: Tally }> {
    const prefix = minerModelWorkPrefix(epoch, miner);
    const store = new PrefixStore(this.store(root), prefix);
    return store.range(new Uint8Array(), undefined).map(([k, v]) => ({ modelId: readU64be(k), tally: decodeTally(v) }));
  }

  /** Every (epoch, miner, model) record in key order. */
  allWorkRecords(root: KVStore): WorkRecord[] {
    return this.store(root)
      .range(Uint8Array.of(MINER_MODEL_WORK_PREFIX), Uint8Array.of(MINER_MODEL_WORK_PREFIX + 1))
      .map(([k, v]) => {
        const epoch = readU64be(k, 1);
        const len = k[9];
        return { epoch, miner: k.slice(10, 10 + len), modelId: readU64be(k, 10 + len), tally: decodeTally(v) };
      });
  }

  /** Genesis: writes one (epoch, miner, model) record and adds it to the three aggregates. */
  importWorkRecord(root: KVStore, r: WorkRecord): void {
    const store = this.store(root);
    const key = minerModelWorkKey(r.epoch, r.miner, r.modelId);
    if (store.has(key)) throw new Error(`pow.work: duplicate record for epoch ${r.epoch}, miner ${encodeAddress(r.miner)}, model ${r.modelId}`);
    store.set(key, encodeTally(r.tally));
    for (const k of [epochWorkKey(r.epoch), minerWorkKey(r.epoch, r.miner), modelWorkKey(r.epoch, r.modelId)]) {
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
  }

  // ---- invariants ------------------------------------------------------------------------

  invariants(root: KVStore): string[] {
    const broken: string[] = [];
    const store = this.store(root);
    if (!store.get(TARGET_KEY)) return broken; // genesis not loaded
    const params = this.getParams(root);
    const target = this.getTarget(root);
    if (target < params.minTarget || target > params.maxTarget) broken.push(`pow: target ${targetToHex(target)} outside [min_target, max_target]`);
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
    // Aggregates = sums of the (epoch, miner, model) records, for the epochs not being pruned.
    const below = talliesPrunedBelow(root);
    const sums = new Map<string, Tally>();
    const add = (key: Uint8Array, t: Tally) => {
      const id = Buffer.from(key).toString("hex");
      const cur = sums.get(id) ?? { ...ZERO_TALLY };
      sums.set(id, { work: cur.work + t.work, certificates: cur.certificates + t.certificates });
    };
    for (const r of this.allWorkRecords(root)) {
      if (r.epoch < below) continue;
      add(epochWorkKey(r.epoch), r.tally);
      add(minerWorkKey(r.epoch, r.miner), r.tally);
      add(modelWorkKey(r.epoch, r.modelId), r.tally);
    }
    let aggregates = 0;
    for (const prefix of [EPOCH_WORK_PREFIX, MINER_WORK_PREFIX, MODEL_WORK_PREFIX]) {
      for (const [k, v] of store.range(Uint8Array.of(prefix), Uint8Array.of(prefix + 1))) {
        if (readU64be(k, 1) < below) continue;
        aggregates++;
        const expected = sums.get(Buffer.from(k).toString("hex"));
        const actual = decodeTally(v);
        if (!expected || expected.work !== actual.work || expected.certificates !== actual.certificates) {
          broken.push(`pow: work aggregate ${Buffer.from(k).toString("hex")} is not the sum of its (epoch, miner, model) records`);
          return broken;
        }
      }
    }
    if (aggregates !== sums.size) broken.push("pow: a work aggregate is missing");
    return broken;
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
