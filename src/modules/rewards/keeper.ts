import { Accrued, EpochRewards, ModelReward, Params } from "../../gen/blockai/rewards/v1/rewards";
import { RewardKind } from "../../gen/blockai/rewards/v1/rewards";
import { VALIDATOR_OPERATOR_PREFIX, decodeAddress, encodeAddress, moduleAddress } from "../../types/address";
import { BASE_DENOM } from "../../types/coins";
import { FEE_COLLECTOR } from "../../framework/accounts";
import type { Context } from "../../framework/module";
import { KVStore, PrefixStore, prefixEnd } from "../../store/kv";
import type { EmissionSplit } from "../mint";
import { RewardsErrors } from "./errors";
import { pruneExpiredEpochs } from "./prune";
import { RewardsEvents } from "./events";
import {
  MODEL_STATUS_ACTIVE,
  MODEL_STATUS_RETIRED,
  NO_SCORES,
  type ModelPerformance,
  type RewardsBank,
  type RewardsDistribution,
  type RewardsMetering,
  type RewardsPow,
  type RewardsRegistry,
  type RewardsStaking,
} from "./expected-keepers";
import {
  ACCRUED_KEY,
  ENDED_KEY,
  EPOCH_PREFIX,
  INDEX_VALUE,
  MINER_CURSOR_PREFIX,
  MODEL_REWARD_PREFIX,
  OLDEST_KEY,
  PARAMS_KEY,
  PAYOUT_PREFIX,
  REWARDS_STORE_PREFIX,
  epochKey,
  minerCursorKey,
  modelRewardEpochPrefix,
  modelRewardKey,
  ownerIndexKey,
  ownerIndexPrefix,
  payoutKey,
  readU64be,
  u64be,
} from "./keys";
import { BPS, DEFAULT_REWARDS_PARAMS, RewardsParams, rewardsParamsFromProto, rewardsParamsToProto, validateRewardsParams } from "./params";

export { Accrued, EpochRewards, ModelReward, RewardKind };

/** Module account holding the emission of scorers, miners and models until it is paid. */
export const REWARDS_MODULE = "rewards";

const big = (s: string | undefined) => BigInt(s || "0");
const usoa = (amount: bigint) => [{ denom: BASE_DENOM, amount }];

export function emptyEpochRewards(epoch: bigint): EpochRewards {
  return {
    epoch,
    minerPool: "0",
    minerTotalWork: "0",
    matmulMinerPool: "0",
    matmulTotalWork: "0",
    modelPool: "0",
    usageStream: "0",
    usageAllocated: "0",
    performanceStream: "0",
    performanceTotalScore: "0",
    performanceAllocated: "0",
    scorerPool: "0",
    scorerPaid: "0",
    toCommunityPool: "0",
    held: "0",
    claimed: "0",
    expired: false,
    expiredToCommunityPool: "0",
    modelsRewarded: 0n,
  };
}

/** One amount owed to a claimant. */
export interface Owed {
  epoch: bigint;
  kind: RewardKind;
  modelId: bigint;
  amount: bigint;
}

/**
 * Rewards: routes each block's emission (stakers through the fee collector, the community share
 * to the pool, the rest accrued for the epoch), allocates the epoch's pools at its end and pays
 * claims. The epoch end does O(models with usage or a score + bonded validators) work and a claim
 * O(claim_epochs + the claimant's own rewards): neither grows with miners or consumers.
 */
export class RewardsKeeper {
  private performance: ModelPerformance = NO_SCORES;

  constructor(
    private readonly bank: RewardsBank,
    private readonly distribution: RewardsDistribution,
    private readonly staking: RewardsStaking,
    private readonly pow: RewardsPow,
    private readonly metering: RewardsMetering,
    private readonly registry: RewardsRegistry,
  ) {}

  /** The scores (the scoring module, or a stub in tests); wired by the module manager. */
  setModelPerformance(p: ModelPerformance): void {
    this.performance = p;
  }

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, REWARDS_STORE_PREFIX);
  }

  // ---- params and records ---------------------------------------------------------------------

  getParams(root: KVStore): RewardsParams {
    const raw = this.store(root).get(PARAMS_KEY);
    return raw ? rewardsParamsFromProto(Params.decode(raw)) : { ...DEFAULT_REWARDS_PARAMS };
  }

  setParams(root: KVStore, p: RewardsParams): void {
    validateRewardsParams(p);
    this.store(root).set(PARAMS_KEY, Params.encode(rewardsParamsToProto(p)).finish());
  }

  getAccrued(root: KVStore): Accrued {
    const raw = this.store(root).get(ACCRUED_KEY);
    return raw ? Accrued.decode(raw) : { scorers: "0", miners: "0", models: "0" };
  }

  setAccrued(root: KVStore, a: Accrued): void {
    if (big(a.scorers) === 0n && big(a.miners) === 0n && big(a.models) === 0n) this.store(root).delete(ACCRUED_KEY);
    else this.store(root).set(ACCRUED_KEY, Accrued.encode(a).finish());
  }

  getEpochRewards(root: KVStore, epoch: bigint): EpochRewards | undefined {
    const raw = this.store(root).get(epochKey(epoch));
    return raw ? EpochRewards.decode(raw) : undefined;
  }

  setEpochRewards(root: KVStore, r: EpochRewards): void {
    this.store(root).set(epochKey(r.epoch), EpochRewards.encode(r).finish());
  }

  allEpochRewards(root: KVStore): EpochRewards[] {
    return this.store(root)
      .range(Uint8Array.of(EPOCH_PREFIX), Uint8Array.of(EPOCH_PREFIX + 1))
      .map(([, v]) => EpochRewards.decode(v));
  }

  getModelReward(root: KVStore, epoch: bigint, modelId: bigint): ModelReward | undefined {
    const raw = this.store(root).get(modelRewardKey(epoch, modelId));
    return raw ? ModelReward.decode(raw) : undefined;
  }

  setModelReward(root: KVStore, r: ModelReward): void {
    this.store(root).set(modelRewardKey(r.epoch, r.modelId), ModelReward.encode(r).finish());
  }

  /** Lists an unclaimed model reward under its owner (what a claim and Pending read). */
  indexUnclaimed(root: KVStore, r: ModelReward): void {
    this.store(root).set(ownerIndexKey(decodeAddress(r.owner), r.epoch, r.modelId), INDEX_VALUE);
  }

  allModelRewards(root: KVStore): ModelReward[] {
    return this.store(root)
      .range(Uint8Array.of(MODEL_REWARD_PREFIX), Uint8Array.of(MODEL_REWARD_PREFIX + 1))
      .map(([, v]) => ModelReward.decode(v));
  }

  /** Epochs ended so far (the last ended epoch + 1; 0 before the first end). */
  getEnded(root: KVStore): bigint {
    const raw = this.store(root).get(ENDED_KEY);
    return raw ? readU64be(raw) : 0n;
  }

  /** The oldest epoch whose claim window is still open. */
  getOldest(root: KVStore): bigint {
    const raw = this.store(root).get(OLDEST_KEY);
    return raw ? readU64be(raw) : 0n;
  }

  setEpochPointers(root: KVStore, ended: bigint, oldest: bigint): void {
    this.store(root).set(ENDED_KEY, u64be(ended));
    this.store(root).set(OLDEST_KEY, u64be(oldest));
  }

  getMinerCursor(root: KVStore, miner: Uint8Array): bigint {
    const raw = this.store(root).get(minerCursorKey(miner));
    return raw ? readU64be(raw) : 0n;
  }

  setMinerCursor(root: KVStore, miner: Uint8Array, next: bigint): void {
    this.store(root).set(minerCursorKey(miner), u64be(next));
  }

  allMinerCursors(root: KVStore): Array<{ miner: Uint8Array; next: bigint }> {
    return this.store(root)
      .range(Uint8Array.of(MINER_CURSOR_PREFIX), Uint8Array.of(MINER_CURSOR_PREFIX + 1))
      .map(([k, v]) => ({ miner: k.slice(2, 2 + k[1]), next: readU64be(v) }));
  }

  getPayoutAddress(root: KVStore, modelId: bigint): Uint8Array | undefined {
    return this.store(root).get(payoutKey(modelId));
  }

  setPayoutAddress(root: KVStore, modelId: bigint, address: Uint8Array | undefined): void {
    if (address === undefined || address.length === 0) this.store(root).delete(payoutKey(modelId));
    else this.store(root).set(payoutKey(modelId), Uint8Array.from(address));
  }

  allPayoutAddresses(root: KVStore): Array<{ modelId: bigint; address: Uint8Array }> {
    return this.store(root)
      .range(Uint8Array.of(PAYOUT_PREFIX), Uint8Array.of(PAYOUT_PREFIX + 1))
      .map(([k, v]) => ({ modelId: readU64be(k, 1), address: v }));
  }

  /** Where a model's rewards are paid: its payout address, else its owner. */
  payoutOf(root: KVStore, modelId: bigint, owner: string): Uint8Array {
    return this.getPayoutAddress(root, modelId) ?? decodeAddress(owner);
  }

  rewardsAccountBalance(root: KVStore): bigint {
    return this.bank.getBalance(root, moduleAddress(REWARDS_MODULE), BASE_DENOM);
  }

  // ---- each block -----------------------------------------------------------------------------

  /**
   * Mint's hook, in begin block before distribution runs: the stakers' share goes to the fee
   * collector, which distribution empties next into the last commit's validators by power (with
   * community tax, commission and F1 exactly as fees); the community share goes to the pool; the
   * epoch shares accrue here until the epoch ends.
   */
  afterMint(ctx: Context, split: EmissionSplit): void {
    if (split.stakers > 0n) this.bank.sendFromModule(ctx.store, ctx.events, REWARDS_MODULE, moduleAddress(FEE_COLLECTOR), usoa(split.stakers));
    if (split.community > 0n) this.distribution.fundCommunityPool(ctx, REWARDS_MODULE, usoa(split.community));
    const a = this.getAccrued(ctx.store);
    this.setAccrued(ctx.store, {
      scorers: (big(a.scorers) + split.scorers).toString(),
      miners: (big(a.miners) + split.miners).toString(),
      models: (big(a.models) + split.models).toString(),
    });
  }

  // ---- epoch end ------------------------------------------------------------------------------

  /** Epoch end (after pow, metering and scoring closed their tallies): allocate, then expire. */
  endEpoch(ctx: Context, epoch: bigint): void {
    this.allocateEpoch(ctx, epoch);
    this.expireEpochs(ctx, epoch);
  }

  private allocateEpoch(ctx: Context, epoch: bigint): void {
    const root = ctx.store;
    const params = this.getParams(root);
    const accrued = this.getAccrued(root);
    this.setAccrued(root, { scorers: "0", miners: "0", models: "0" });
    const r = emptyEpochRewards(epoch);
    let toPool = 0n;
    let held = 0n;

    // Miners: pool and total work are stored; each miner computes its own share when claiming.
    // The pool is split between the certificate kinds by the governed share; works in different
    // units are never added together. A kind without work passes its share to the other.
    const minerPool = big(accrued.miners);
    const shaWork = this.pow.epochWork(root, epoch, "sha256").work;
    const mmWork = this.pow.epochWork(root, epoch, "matmul").work;
    if (minerPool > 0n && (shaWork > 0n || mmWork > 0n)) {
      let mmPool = (minerPool * BigInt(this.pow.matmulRewardShareBps(root))) / 10_000n;
      if (mmWork === 0n) mmPool = 0n;
      else if (shaWork === 0n) mmPool = minerPool;
      const shaPool = minerPool - mmPool;
      r.minerPool = shaPool.toString();
      r.minerTotalWork = shaWork.toString();
      r.matmulMinerPool = mmPool.toString();
      r.matmulTotalWork = mmWork.toString();
      held += minerPool;
    } else toPool += minerPool;

    // Scorers: pushed now to the bonded validators (bounded set) by tokens x agreement.
    const scorerPool = big(accrued.scorers);
    r.scorerPool = scorerPool.toString();
    const scorerPaid = scorerPool > 0n ? this.payScorers(ctx, epoch, scorerPool) : 0n;
    r.scorerPaid = scorerPaid.toString();
    toPool += scorerPool - scorerPaid;

    // Models.
    const m = this.allocateModels(ctx, epoch, big(accrued.models), params);
    Object.assign(r, m.record);
    held += m.held;
    toPool += m.toPool;

    r.toCommunityPool = toPool.toString();
    r.held = held.toString();
    this.setEpochRewards(root, r);
    if (toPool > 0n) this.distribution.fundCommunityPool(ctx, REWARDS_MODULE, usoa(toPool));
    this.setEpochPointers(root, epoch + 1n, this.getOldest(root));
    ctx.events.emit(RewardsEvents.EpochAllocation, {
      epoch: epoch.toString(),
      miner_pool: r.minerPool,
      miner_total_work: r.minerTotalWork,
      matmul_miner_pool: r.matmulMinerPool,
      matmul_total_work: r.matmulTotalWork,
      scorer_pool: r.scorerPool,
      scorer_paid: r.scorerPaid,
      model_pool: r.modelPool,
      usage_allocated: r.usageAllocated,
      performance_allocated: r.performanceAllocated,
      to_community_pool: r.toCommunityPool,
      held: r.held,
    });
  }

  /** Returns what was paid; the rest (nobody agreed, rounding) goes to the community pool. */
  private payScorers(ctx: Context, epoch: bigint, pool: bigint): bigint {
    const weights: Array<{ op: Uint8Array; weight: bigint }> = [];
    let total = 0n;
    for (const v of this.staking.bondedValidators(ctx.store)) {
      const agreement = this.performance.agreementPpm(ctx.store, epoch, v.operator);
      if (agreement <= 0n || v.tokens <= 0n) continue;
      const weight = v.tokens * (agreement > 1_000_000n ? 1_000_000n : agreement);
      weights.push({ op: v.operator, weight });
      total += weight;
    }
    if (total === 0n) return 0n;
    let paid = 0n;
    for (const w of weights) {
      const amount = (pool * w.weight) / total;
      if (amount === 0n) continue;
      this.distribution.allocateToValidator(ctx, REWARDS_MODULE, w.op, usoa(amount));
      paid += amount;
      ctx.events.emit(RewardsEvents.ScorerReward, { epoch: epoch.toString(), validator: encodeAddress(w.op, VALIDATOR_OPERATOR_PREFIX), amount: `${amount}${BASE_DENOM}` });
    }
    return paid;
  }

  /**
   * The models' share: usage stream by amount paid, each model capped at usage_cap x its protocol
   * fees (what the cap cuts goes to the performance stream), performance stream by consensus score
   * of ACTIVE models that are the original registration of their artifact. A model's reward is
   * written once here; its owner claims it.
   */
  private allocateModels(ctx: Context, epoch: bigint, pool: bigint, params: RewardsParams) {
    const root = ctx.store;
    const usageStream = (pool * params.usageShareBps) / BPS;
    const records = new Map<bigint, ModelReward>();
    const models = new Map<bigint, ReturnType<RewardsRegistry["getModel"]>>();
    const model = (id: bigint) => {
      if (!models.has(id)) models.set(id, this.registry.getModel(root, id));
      return models.get(id);
    };
    const record = (id: bigint): ModelReward => {
      let rec = records.get(id);
      if (!rec) {
        rec = {
          modelId: id,
          epoch,
          owner: model(id)?.owner ?? "",
          amountPaid: "0",
          protocolFees: "0",
          usageUncapped: "0",
          usageReward: "0",
          scorePpm: 0n,
          performanceReward: "0",
          claimed: false,
          note: "",
        };
        records.set(id, rec);
      }
      return rec;
    };

    // Usage (metering's records are in model id order).
    const eligible: Array<{ id: bigint; paid: bigint; fees: bigint }> = [];
    let totalPaid = 0n;
    for (const u of this.metering.usageForEpoch(root, epoch)) {
      const paid = big(u.amountPaid?.amount);
      const fees = big(u.protocolFees?.amount);
      if (paid === 0n) continue;
      const rec = record(u.modelId);
      rec.amountPaid = paid.toString();
      rec.protocolFees = fees.toString();
      const m = model(u.modelId);
      if (!m || m.status === MODEL_STATUS_RETIRED) {
        rec.note = "retired";
        continue;
      }
      eligible.push({ id: u.modelId, paid, fees });
      totalPaid += paid;
    }
    let usageAllocated = 0n;
    for (const e of eligible) {
      const uncapped = (usageStream * e.paid) / totalPaid;
      const cap = (e.fees * params.usageCapBps) / BPS;
      const reward = uncapped < cap ? uncapped : cap;
      const rec = record(e.id);
      rec.usageUncapped = uncapped.toString();
      rec.usageReward = reward.toString();
      usageAllocated += reward;
    }
    // What the cap (and rounding, and retired models) left of the usage stream joins performance.
    const performanceStream = pool - usageAllocated;

    // Performance.
    const scored = [...this.performance.scoredModels(root, epoch)].sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));
    const winners: Array<{ id: bigint; score: bigint }> = [];
    let totalScore = 0n;
    let lastId = -1n;
    for (const s of scored) {
      if (s.modelId === lastId || s.scorePpm <= 0n) continue;
      lastId = s.modelId;
      const rec = record(s.modelId);
      const score = s.scorePpm > 1_000_000n ? 1_000_000n : s.scorePpm;
      rec.scorePpm = score;
      const m = model(s.modelId);
      if (!m || m.status !== MODEL_STATUS_ACTIVE) {
        rec.note = rec.note || "not_active";
        continue;
      }
      if (!this.isOriginal(root, m.id, m.artifactDigest)) {
        rec.note = "duplicate_artifact";
        continue;
      }
      winners.push({ id: s.modelId, score });
      totalScore += score;
    }
    let performanceAllocated = 0n;
    for (const w of winners) {
      const reward = (performanceStream * w.score) / totalScore;
      record(w.id).performanceReward = reward.toString();
      performanceAllocated += reward;
    }

    // Held for claims: the usage rewards, and the performance stream when someone earned it (its
    // rounding dust goes to the pool when the epoch expires); otherwise the stream goes now.
    let held = usageAllocated;
    let toPool = 0n;
    if (totalScore > 0n) held += performanceStream;
    else toPool += performanceStream;
    let rewarded = 0n;
    for (const rec of [...records.values()].sort((a, b) => (a.modelId < b.modelId ? -1 : 1))) {
      const amount = big(rec.usageReward) + big(rec.performanceReward);
      if (amount > 0n) {
        rewarded++;
        this.indexUnclaimed(root, rec);
      }
      this.setModelReward(root, rec);
    }
    return {
      held,
      toPool,
      record: {
        modelPool: pool.toString(),
        usageStream: usageStream.toString(),
        usageAllocated: usageAllocated.toString(),
        performanceStream: performanceStream.toString(),
        performanceTotalScore: totalScore.toString(),
        performanceAllocated: performanceAllocated.toString(),
        modelsRewarded: rewarded,
      },
    };
  }

  /** One artifact, one performance reward: the earliest ACTIVE model with the digest earns it. */
  private isOriginal(root: KVStore, id: bigint, digest: Uint8Array): boolean {
    const first = this.registry.earliestActiveWithDigest(root, digest);
    return first === undefined || first === id;
  }

  /** Closes the claim windows that end with `epoch`: what is left goes to the community pool. */
  private expireEpochs(ctx: Context, epoch: bigint): void {
    const root = ctx.store;
    const { claimEpochs } = this.getParams(root);
    let oldest = this.getOldest(root);
    while (oldest + claimEpochs <= epoch) {
      const r = this.getEpochRewards(root, oldest);
      if (r && !r.expired) {
        const left = big(r.held) - big(r.claimed);
        for (const [, v] of this.store(root).range(modelRewardEpochPrefix(oldest), modelRewardEpochPrefix(oldest + 1n))) {
          const rec = ModelReward.decode(v);
          if (!rec.claimed && rec.owner !== "") this.store(root).delete(ownerIndexKey(decodeAddress(rec.owner), oldest, rec.modelId));
        }
        if (left > 0n) this.distribution.fundCommunityPool(ctx, REWARDS_MODULE, usoa(left));
        this.setEpochRewards(root, { ...r, expired: true, expiredToCommunityPool: left.toString() });
        ctx.events.emit(RewardsEvents.EpochExpired, { epoch: oldest.toString(), to_community_pool: `${left}${BASE_DENOM}` });
      }
      oldest++;
    }
    this.setEpochPointers(root, this.getEnded(root), oldest);
  }

  /**
   * End block: prunes the records of epochs expired more than expired_epoch_retention epochs ago.
   * Epochs from the oldest open one on are never touched: their claims are still open.
   */
  endBlock(ctx: Context): void {
    const { expiredEpochRetention, prunePerBlock } = this.getParams(ctx.store);
    const oldest = this.getOldest(ctx.store);
    if (oldest > expiredEpochRetention) pruneExpiredEpochs(ctx.store, oldest - expiredEpochRetention, prunePerBlock);
  }

  /** The oldest epoch whose claims are open: what pow and metering may prune below. */
  oldestOpenEpoch(root: KVStore): bigint {
    return this.getOldest(root);
  }

  // ---- claims ---------------------------------------------------------------------------------

  /** Miner rewards owed to `miner` for one epoch (0 when none or expired). */
  minerOwed(root: KVStore, miner: Uint8Array, epoch: bigint): { amount: bigint; work: bigint; matmulWork?: bigint; r?: EpochRewards } {
    const r = this.getEpochRewards(root, epoch);
    if (!r || r.expired) return { amount: 0n, work: 0n, r };
    // Each kind's pool pro rata to the miner's work of that kind; `work` reports the sha256 part
    // (the unit of miner_total_work), `matmulWork` the matmul part.
    let amount = 0n;
    let work = 0n;
    let matmulWork = 0n;
    const total = big(r.minerTotalWork);
    if (total > 0n) {
      work = this.pow.minerWork(root, miner, epoch, "sha256").work;
      amount += (big(r.minerPool) * work) / total;
    }
    const mmTotal = big(r.matmulTotalWork);
    if (mmTotal > 0n) {
      matmulWork = this.pow.minerWork(root, miner, epoch, "matmul").work;
      amount += (big(r.matmulMinerPool) * matmulWork) / mmTotal;
    }
    return { amount, work, matmulWork, r };
  }

  /** Everything `address` can claim now, by kind and epoch. */
  pending(root: KVStore, address: Uint8Array, kinds: ReadonlySet<RewardKind> = ALL_KINDS): Owed[] {
    const out: Owed[] = [];
    if (kinds.has(RewardKind.REWARD_KIND_MINER)) {
      const ended = this.getEnded(root);
      const cursor = this.getMinerCursor(root, address);
      const oldest = this.getOldest(root);
      for (let e = cursor > oldest ? cursor : oldest; e < ended; e++) {
        const { amount } = this.minerOwed(root, address, e);
        if (amount > 0n) out.push({ epoch: e, kind: RewardKind.REWARD_KIND_MINER, modelId: 0n, amount });
      }
    }
    if (kinds.has(RewardKind.REWARD_KIND_MODEL)) {
      const prefix = ownerIndexPrefix(address);
      for (const [k] of this.store(root).range(prefix, prefixEnd(prefix))) {
        const epoch = readU64be(k, prefix.length);
        const modelId = readU64be(k, prefix.length + 8);
        const rec = this.getModelReward(root, epoch, modelId);
        const m = this.registry.getModel(root, modelId);
        // Never to a RETIRED model: its rewards stay until the epoch expires into the pool.
        if (!rec || rec.claimed || !m || m.status === MODEL_STATUS_RETIRED) continue;
        out.push({ epoch, kind: RewardKind.REWARD_KIND_MODEL, modelId, amount: big(rec.usageReward) + big(rec.performanceReward) });
      }
    }
    return out;
  }

  /** MsgClaimRewards: pays everything pending of the given kinds. Returns the total and the epochs. */
  claim(ctx: Context, claimant: string, kinds: ReadonlySet<RewardKind>): { amount: bigint; epochs: bigint } {
    const root = ctx.store;
    const address = decodeAddress(claimant);
    const owed = this.pending(root, address, kinds);
    let total = 0n;
    const epochs = new Set<bigint>();
    for (const o of owed) {
      const r = this.getEpochRewards(root, o.epoch)!;
      let to = address;
      if (o.kind === RewardKind.REWARD_KIND_MODEL) {
        const rec = this.getModelReward(root, o.epoch, o.modelId)!;
        to = this.payoutOf(root, o.modelId, rec.owner);
        this.setModelReward(root, { ...rec, claimed: true });
        this.store(root).delete(ownerIndexKey(address, o.epoch, o.modelId));
      }
      this.bank.sendFromModule(root, ctx.events, REWARDS_MODULE, to, usoa(o.amount));
      this.setEpochRewards(root, { ...r, claimed: (big(r.claimed) + o.amount).toString() });
      total += o.amount;
      epochs.add(o.epoch);
      ctx.events.emit(RewardsEvents.Claim, {
        claimant,
        kind: RewardKind[o.kind],
        epoch: o.epoch.toString(),
        model_id: o.modelId.toString(),
        amount: `${o.amount}${BASE_DENOM}`,
        recipient: encodeAddress(to),
      });
    }
    // Every epoch up to the last ended one is settled for this miner (a failed claim reverts this).
    if (kinds.has(RewardKind.REWARD_KIND_MINER)) this.setMinerCursor(root, address, this.getEnded(root));
    if (total === 0n) throw RewardsErrors.NothingToClaim.wrap(`${claimant} has no unclaimed rewards`);
    return { amount: total, epochs: BigInt(epochs.size) };
  }

  // ---- invariants -----------------------------------------------------------------------------

  /** The rewards account holds exactly the accrued pools and the unclaimed part of open epochs. */
  invariants(root: KVStore): string[] {
    const a = this.getAccrued(root);
    let expected = big(a.scorers) + big(a.miners) + big(a.models);
    const problems: string[] = [];
    for (const r of this.allEpochRewards(root)) {
      if (r.expired) continue;
      const held = big(r.held);
      const claimed = big(r.claimed);
      if (claimed > held) problems.push(`rewards: epoch ${r.epoch} paid ${claimed} of ${held} held`);
      expected += held - claimed;
    }
    const balance = this.rewardsAccountBalance(root);
    if (balance !== expected) problems.push(`rewards: module account holds ${balance}${BASE_DENOM} but accrued + unclaimed = ${expected}${BASE_DENOM}`);
    return problems;
  }
}

export const ALL_KINDS: ReadonlySet<RewardKind> = new Set([RewardKind.REWARD_KIND_MINER, RewardKind.REWARD_KIND_MODEL]);

