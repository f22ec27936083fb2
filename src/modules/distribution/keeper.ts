import {
  DelegatorStartingInfo,
  FeePool,
  Params as ProtoParams,
  ValidatorAccumulatedCommission,
  ValidatorCurrentRewards,
  ValidatorHistoricalRewards,
  ValidatorOutstandingRewards,
  ValidatorSlashEvent,
} from "cosmjs-types/cosmos/distribution/v1beta1/distribution";
import type { CommitInfo } from "cosmjs-types/tendermint/abci/types";
import { moduleAddress } from "../../types/address";
import { Coin, formatCoins } from "../../types/coins";
import type { EventManager } from "../../framework/events";
import type { Context } from "../../framework/module";
import { FEE_COLLECTOR } from "../../framework/accounts";
import { KVStore, PrefixStore, prefixEnd } from "../../store/kv";
import { DEC_ONE, Dec, decFromInt, decFromProto, decMulTruncate, decQuoTruncate, decToProto, formatDec } from "../../types/dec";
import { BONDED_POOL, BondStatus, NOT_BONDED_POOL, accAddr, hex, tokensFromShares, tokensFromSharesTruncated, valoper } from "../staking";
import type { Delegation, StakingHooks, Validator } from "../staking";
import {
  DecCoin,
  DecCoins,
  addDecCoins,
  amountOfDec,
  decCoinsFromCoins,
  decCoinsFromProto,
  decCoinsToProto,
  formatDecCoins,
  intersectDecCoins,
  isZeroDecCoins,
  mulDecCoins,
  mulDecCoinsTruncate,
  quoDecCoinsTruncate,
  subDecCoins,
  truncateDecCoins,
} from "./deccoins";
import { DistributionErrors } from "./errors";
import { DistributionAttributes, DistributionEvents } from "./events";
import type { DistributionBank, DistributionStaking } from "./expected-keepers";
import * as K from "./keys";
import { readLp, readU64 } from "./keys";
import { DEFAULT_DISTRIBUTION_PARAMS, DistributionParams, distributionParamsFromProto, distributionParamsToProto } from "./params";

export const DISTRIBUTION_MODULE = "distribution";

export interface StartingInfo {
  previousPeriod: bigint;
  stake: Dec;
  height: bigint;
}

export interface HistoricalRewards {
  cumulativeRewardRatio: DecCoin[];
  referenceCount: number;
}

export interface CurrentRewards {
  rewards: DecCoin[];
  period: bigint;
}

export interface SlashEvent {
  height: bigint;
  validatorPeriod: bigint;
  fraction: Dec;
}

/**
 * What other modules use to pay stakers (fees, emission): tokens leave `fromModule`'s account and
 * go either to one validator - its commission, the rest shared by its delegators in proportion
 * to stake (F1) - or to the community pool.
 */
export interface RewardsDistributor {
  allocateToValidator(ctx: Context, fromModule: string, valoperAddress: Uint8Array, coins: readonly Coin[]): void;
  fundCommunityPool(ctx: Context, fromModule: string, coins: readonly Coin[]): void;
}

/**
 * F1 fee distribution (x/distribution, Ojha's "F1 Fee Distribution"). Each validator's rewards
 * accrue per period; a period closes whenever the validator's stake composition changes and
 * records cumulative reward per token. A delegation's reward is stake x (ratio[end] -
 * ratio[start]), adjusted at each slash in between: constant work per withdrawal, no iteration
 * over delegators. Rounding always truncates, so nothing is paid that was not allocated;
 * fractions of a usoa that cannot be paid go to the community pool.
 */
export class DistributionKeeper implements StakingHooks, RewardsDistributor {
  constructor(
    private readonly bank: DistributionBank,
    private readonly staking: DistributionStaking,
  ) {}

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, K.DISTRIBUTION_STORE_PREFIX);
  }

  // ---- params and community pool ------------------------------------------------------------------------

  getParams(root: KVStore): DistributionParams {
    const raw = this.store(root).get(K.PARAMS_KEY);
    return raw ? distributionParamsFromProto(ProtoParams.decode(raw)) : DEFAULT_DISTRIBUTION_PARAMS;
  }

  setParams(root: KVStore, p: DistributionParams): void {
    this.store(root).set(K.PARAMS_KEY, ProtoParams.encode(distributionParamsToProto(p)).finish());
  }

  getCommunityPool(root: KVStore): DecCoin[] {
    const raw = this.store(root).get(K.FEE_POOL_KEY);
    return raw ? decCoinsFromProto(FeePool.decode(raw).communityPool) : [];
  }

  setCommunityPool(root: KVStore, pool: DecCoins): void {
    this.store(root).set(K.FEE_POOL_KEY, FeePool.encode({ communityPool: decCoinsToProto(pool) }).finish());
  }

  private addToCommunityPool(root: KVStore, coins: DecCoins): void {
    if (isZeroDecCoins(coins)) return;
    this.setCommunityPool(root, addDecCoins(this.getCommunityPool(root), coins));
  }

  // ---- per-validator records -------------------------------------------------------------------------------

  getOutstanding(root: KVStore, val: Uint8Array): DecCoin[] {
    const raw = this.store(root).get(K.outstandingKey(val));
    return raw ? decCoinsFromProto(ValidatorOutstandingRewards.decode(raw).rewards) : [];
  }

  setOutstanding(root: KVStore, val: Uint8Array, rewards: DecCoins): void {
    this.store(root).set(K.outstandingKey(val), ValidatorOutstandingRewards.encode({ rewards: decCoinsToProto(rewards) }).finish());
  }

  getCommission(root: KVStore, val: Uint8Array): DecCoin[] {
    const raw = this.store(root).get(K.commissionKey(val));
    return raw ? decCoinsFromProto(ValidatorAccumulatedCommission.decode(raw).commission) : [];
  }

  setCommission(root: KVStore, val: Uint8Array, commission: DecCoins): void {
    this.store(root).set(K.commissionKey(val), ValidatorAccumulatedCommission.encode({ commission: decCoinsToProto(commission) }).finish());
  }

  getCurrent(root: KVStore, val: Uint8Array): CurrentRewards | undefined {
    const raw = this.store(root).get(K.currentKey(val));
    if (!raw) return undefined;
    const c = ValidatorCurrentRewards.decode(raw);
    return { rewards: decCoinsFromProto(c.rewards), period: c.period };
  }

  setCurrent(root: KVStore, val: Uint8Array, c: CurrentRewards): void {
    this.store(root).set(K.currentKey(val), ValidatorCurrentRewards.encode({ rewards: decCoinsToProto(c.rewards), period: c.period }).finish());
  }

  getHistorical(root: KVStore, val: Uint8Array, period: bigint): HistoricalRewards | undefined {
    const raw = this.store(root).get(K.historicalKey(val, period));
    if (!raw) return undefined;
    const h = ValidatorHistoricalRewards.decode(raw);
    return { cumulativeRewardRatio: decCoinsFromProto(h.cumulativeRewardRatio), referenceCount: h.referenceCount };
  }

  setHistorical(root: KVStore, val: Uint8Array, period: bigint, h: HistoricalRewards): void {
    this.store(root).set(
      K.historicalKey(val, period),
      ValidatorHistoricalRewards.encode({ cumulativeRewardRatio: decCoinsToProto(h.cumulativeRewardRatio), referenceCount: h.referenceCount }).finish(),
    );
  }

  getStartingInfo(root: KVStore, val: Uint8Array, del: Uint8Array): StartingInfo | undefined {
    const raw = this.store(root).get(K.startingInfoKey(val, del));
    if (!raw) return undefined;
    const s = DelegatorStartingInfo.decode(raw);
    return { previousPeriod: s.previousPeriod, stake: decFromProto(s.stake) ?? 0n, height: s.height };
  }

  setStartingInfo(root: KVStore, val: Uint8Array, del: Uint8Array, s: StartingInfo): void {
    this.store(root).set(
      K.startingInfoKey(val, del),
      DelegatorStartingInfo.encode({ previousPeriod: s.previousPeriod, stake: decToProto(s.stake), height: s.height }).finish(),
    );
  }

  setSlashEvent(root: KVStore, val: Uint8Array, ev: SlashEvent): void {
    this.store(root).set(
      K.slashEventKey(val, ev.height, ev.validatorPeriod),
      ValidatorSlashEvent.encode({ validatorPeriod: ev.validatorPeriod, fraction: decToProto(ev.fraction) }).finish(),
    );
  }

  /** Slash events of a validator with start <= height <= end, in (height, period) order. */
  slashEventsBetween(root: KVStore, val: Uint8Array, start: bigint, end: bigint): SlashEvent[] {
    const prefix = K.slashEventsOfValPrefix(val);
    return this.store(root)
      .range(K.slashEventsFromHeight(val, start), K.slashEventsFromHeight(val, end + 1n))
      .map(([k, v]) => {
        const ev = ValidatorSlashEvent.decode(v);
        return { height: readU64(k, prefix.length), validatorPeriod: ev.validatorPeriod, fraction: decFromProto(ev.fraction) ?? 0n };
      });
  }

  getWithdrawAddress(root: KVStore, del: Uint8Array): Uint8Array {
    const raw = this.store(root).get(K.withdrawAddrKey(del));
    return raw ? Uint8Array.from(raw) : del;
  }

  setWithdrawAddress(root: KVStore, del: Uint8Array, withdraw: Uint8Array): void {
    if (Buffer.from(del).equals(Buffer.from(withdraw))) this.store(root).delete(K.withdrawAddrKey(del));
    else this.store(root).set(K.withdrawAddrKey(del), withdraw);
  }

  private incrementReferenceCount(root: KVStore, val: Uint8Array, period: bigint): void {
    const h = this.getHistorical(root, val, period);
    if (!h) throw new Error(`distribution: no historical rewards for ${valoper(val)} period ${period}`);
    h.referenceCount++;
    this.setHistorical(root, val, period, h);
  }

  private decrementReferenceCount(root: KVStore, val: Uint8Array, period: bigint): void {
    const h = this.getHistorical(root, val, period);
    if (!h || h.referenceCount === 0) throw new Error(`distribution: cannot decrement reference count of ${valoper(val)} period ${period}`);
    h.referenceCount--;
    if (h.referenceCount === 0) this.store(root).delete(K.historicalKey(val, period));
    else this.setHistorical(root, val, period, h);
  }

  // ---- F1 ---------------------------------------------------------------------------------------------------

  initializeValidator(root: KVStore, val: Uint8Array): void {
    this.setHistorical(root, val, 0n, { cumulativeRewardRatio: [], referenceCount: 1 });
    this.setCurrent(root, val, { rewards: [], period: 1n });
    this.setCommission(root, val, []);
    this.setOutstanding(root, val, []);
  }

  /**
   * Closes the validator's current period: its rewards per token are added to the cumulative
   * ratio (a validator without tokens cannot pay anyone: its rewards go to the community pool).
   * Returns the period just closed.
   */
  incrementValidatorPeriod(root: KVStore, v: Validator): bigint {
    const current = this.getCurrent(root, v.operator);
    if (!current) throw new Error(`distribution: validator ${valoper(v.operator)} has no current rewards record`);
    let ratio: DecCoin[];
    if (v.tokens === 0n) {
      if (!isZeroDecCoins(current.rewards)) {
        this.addToCommunityPool(root, current.rewards);
        this.setOutstanding(root, v.operator, subDecCoins(this.getOutstanding(root, v.operator), current.rewards));
      }
      ratio = [];
    } else {
      ratio = quoDecCoinsTruncate(current.rewards, decFromInt(v.tokens));
    }
    const previous = this.getHistorical(root, v.operator, current.period - 1n);
    if (!previous) throw new Error(`distribution: no historical rewards for ${valoper(v.operator)} period ${current.period - 1n}`);
    this.decrementReferenceCount(root, v.operator, current.period - 1n);
    this.setHistorical(root, v.operator, current.period, { cumulativeRewardRatio: addDecCoins(previous.cumulativeRewardRatio, ratio), referenceCount: 1 });
    this.setCurrent(root, v.operator, { rewards: [], period: current.period + 1n });
    return current.period;
  }

  /** Starts tracking a delegation from the period that just closed. */
  initializeDelegation(root: KVStore, height: number, val: Uint8Array, del: Uint8Array): void {
    const current = this.getCurrent(root, val);
    if (!current) throw new Error(`distribution: validator ${valoper(val)} has no current rewards record`);
    const previousPeriod = current.period - 1n;
    this.incrementReferenceCount(root, val, previousPeriod);
    const v = this.staking.mustGetValidator(root, val);
    const d = this.staking.getDelegation(root, del, val);
    if (!d) throw new Error(`distribution: no delegation of ${accAddr(del)} to ${valoper(val)}`);
    const stake = tokensFromSharesTruncated(v, d.shares);
    this.setStartingInfo(root, val, del, { previousPeriod, stake, height: BigInt(height) });
  }

  private rewardsBetween(root: KVStore, val: Uint8Array, start: bigint, end: bigint, stake: Dec): DecCoin[] {
    if (start > end) throw new Error("distribution: starting period after ending period");
    if (stake < 0n) throw new Error("distribution: negative stake");
    const a = this.getHistorical(root, val, start);
    const b = this.getHistorical(root, val, end);
    if (!a || !b) throw new Error(`distribution: missing historical rewards of ${valoper(val)} (periods ${start}..${end})`);
    const difference = subDecCoins(b.cumulativeRewardRatio, a.cumulativeRewardRatio);
    return mulDecCoinsTruncate(difference, stake);
  }

  /**
   * Rewards of a delegation up to `endingPeriod` (already closed). Slash events since the
   * delegation started split the interval: the stake shrinks by each slash fraction. Unlike the
   * SDK, a delegation started in this very block is not short-circuited to zero: tokens handed to
   * a validator by another module later in the same block are then still paid (the period
   * filter below excludes slashes that happened before the delegation started).
   * `height` is the current height (kept for the SDK's signature; periods decide).
   */
  calculateDelegationRewards(root: KVStore, height: number, v: Validator, d: Delegation, endingPeriod: bigint): DecCoin[] {
    const info = this.getStartingInfo(root, v.operator, d.delegator);
    if (!info) throw new Error(`distribution: no starting info for ${accAddr(d.delegator)} at ${valoper(v.operator)}`);
    let startingPeriod = info.previousPeriod;
    let stake = info.stake;
    let rewards: DecCoin[] = [];
    // Slash events from the delegation's start on; the period filter decides which count (the
    // height only narrows the scan, so a genesis imported at a lower height loses nothing).
    for (const ev of this.slashEventsBetween(root, v.operator, info.height, (1n << 64n) - 2n)) {
      if (ev.validatorPeriod > startingPeriod && ev.validatorPeriod <= endingPeriod) {
        rewards = addDecCoins(rewards, this.rewardsBetween(root, v.operator, startingPeriod, ev.validatorPeriod, stake));
        stake = decMulTruncate(stake, DEC_ONE - ev.fraction);
        startingPeriod = ev.validatorPeriod;
      }
    }
    // The accumulated stake may exceed the current one by rounding in the last digits only.
    const currentStake = tokensFromShares(v, d.shares);
    if (stake > currentStake) {
      if (stake <= currentStake + 3n) stake = currentStake;
      else throw new Error(`distribution: calculated stake ${formatDec(stake)} of ${accAddr(d.delegator)} exceeds current stake ${formatDec(currentStake)}`);
    }
    return addDecCoins(rewards, this.rewardsBetween(root, v.operator, startingPeriod, endingPeriod, stake));
  }

  /** Pays a delegation's rewards to its withdraw address and stops tracking it (callers re-initialize). */
  withdrawDelegationRewards(ctx: Context, v: Validator, d: Delegation): Coin[] {
    const root = ctx.store;
    const info = this.getStartingInfo(root, v.operator, d.delegator);
    if (!info) throw DistributionErrors.EmptyDelegationDistInfo.wrap();
    const endingPeriod = this.incrementValidatorPeriod(root, v);
    const raw = this.calculateDelegationRewards(root, ctx.block.height, v, d, endingPeriod);
    const outstanding = this.getOutstanding(root, v.operator);
    const rewards = intersectDecCoins(raw, outstanding);
    const { coins, change } = truncateDecCoins(rewards);
    if (coins.length > 0) this.bank.sendFromModule(root, ctx.events, DISTRIBUTION_MODULE, this.getWithdrawAddress(root, d.delegator), coins);
    if (!isZeroDecCoins(rewards)) this.setOutstanding(root, v.operator, subDecCoins(outstanding, rewards));
    this.addToCommunityPool(root, change);
    this.decrementReferenceCount(root, v.operator, info.previousPeriod);
    this.store(root).delete(K.startingInfoKey(v.operator, d.delegator));
    ctx.events.emit(DistributionEvents.WithdrawRewards, {
      [DistributionAttributes.Amount]: coins.length > 0 ? formatCoins(coins) : `0${this.staking.bondDenom(root)}`,
      [DistributionAttributes.Validator]: valoper(v.operator),
      [DistributionAttributes.Delegator]: accAddr(d.delegator),
    });
    return coins;
  }

  /** MsgWithdrawDelegatorReward: pay, then track the delegation again from the new period. */
  withdrawRewards(ctx: Context, del: Uint8Array, val: Uint8Array): Coin[] {
    const v = this.staking.getValidator(ctx.store, val);
    if (!v) throw DistributionErrors.NoValidatorDistInfo.wrap(`validator ${valoper(val)} does not exist`);
    const d = this.staking.getDelegation(ctx.store, del, val);
    if (!d) throw DistributionErrors.EmptyDelegationDistInfo.wrap(`${accAddr(del)} has no delegation to ${valoper(val)}`);
    const coins = this.withdrawDelegationRewards(ctx, v, d);
    this.initializeDelegation(ctx.store, ctx.block.height, val, del);
    return coins;
  }

  withdrawValidatorCommission(ctx: Context, val: Uint8Array): Coin[] {
    const root = ctx.store;
    if (!this.staking.getValidator(root, val)) throw DistributionErrors.NoValidatorExists.wrap(valoper(val));
    const commission = this.getCommission(root, val);
    if (isZeroDecCoins(commission)) throw DistributionErrors.NoValidatorCommission.wrap();
    const { coins, change } = truncateDecCoins(commission);
    this.setCommission(root, val, change);
    if (coins.length > 0) {
      this.setOutstanding(root, val, subDecCoins(this.getOutstanding(root, val), decCoinsFromCoins(coins)));
      this.bank.sendFromModule(root, ctx.events, DISTRIBUTION_MODULE, this.getWithdrawAddress(root, val), coins);
    }
    ctx.events.emit(DistributionEvents.WithdrawCommission, { [DistributionAttributes.Amount]: coins.length > 0 ? formatCoins(coins) : `0${this.staking.bondDenom(root)}` });
    return coins;
  }

  /** Splits tokens already held by the distribution module: commission, then the delegators' share. */
  allocateTokensToValidator(root: KVStore, events: EventManager, v: Validator, tokens: DecCoins): void {
    if (isZeroDecCoins(tokens)) return;
    const commission = mulDecCoins(tokens, v.commission.rate);
    const shared = subDecCoins(tokens, commission);
    const op = valoper(v.operator);
    this.setCommission(root, v.operator, addDecCoins(this.getCommission(root, v.operator), commission));
    events.emit(DistributionEvents.Commission, { [DistributionAttributes.Amount]: formatDecCoins(commission), [DistributionAttributes.Validator]: op });
    const current = this.getCurrent(root, v.operator);
    if (!current) throw new Error(`distribution: validator ${op} has no current rewards record`);
    this.setCurrent(root, v.operator, { rewards: addDecCoins(current.rewards, shared), period: current.period });
    events.emit(DistributionEvents.Rewards, { [DistributionAttributes.Amount]: formatDecCoins(shared), [DistributionAttributes.Validator]: op });
    this.setOutstanding(root, v.operator, addDecCoins(this.getOutstanding(root, v.operator), tokens));
  }

  /**
   * Begin block: everything the fee collector holds (the previous block's fees and whatever other
   * modules handed it) moves to this module; community_tax of it goes to the community pool and
   * the rest to the validators of the previous block's commit, in proportion to their power, as
   * the SDK (v0.47+) does: every vote counts, signed or absent. Paying only the signers would let
   * a proposer raise its own share by leaving others' signatures out of the commit it includes.
   * Rounding remainders go to the community pool.
   */
  allocateTokens(ctx: Context, lastCommit: CommitInfo | undefined): void {
    const root = ctx.store;
    const collected = this.bank.getAllBalances(root, moduleAddress(FEE_COLLECTOR));
    if (collected.length === 0) return;
    this.bank.sendToModule(root, ctx.events, moduleAddress(FEE_COLLECTOR), DISTRIBUTION_MODULE, collected);
    const fees = decCoinsFromCoins(collected);
    const votes = (lastCommit?.votes ?? []).filter((vote) => vote.validator.power > 0n);
    let totalPower = 0n;
    for (const vote of votes) totalPower += vote.validator.power;
    if (totalPower === 0n) {
      this.addToCommunityPool(root, fees);
      return;
    }
    const params = this.getParams(root);
    const forValidators = mulDecCoinsTruncate(fees, DEC_ONE - params.communityTax);
    let remaining: DecCoin[] = fees;
    for (const vote of votes) {
      const v = this.staking.getValidatorByConsAddr(root, vote.validator.address);
      if (!v) continue; // removed since that block: its share goes to the community pool
      const fraction = decQuoTruncate(decFromInt(vote.validator.power), decFromInt(totalPower));
      const reward = mulDecCoinsTruncate(forValidators, fraction);
      this.allocateTokensToValidator(root, ctx.events, v, reward);
      remaining = subDecCoins(remaining, reward);
    }
    this.addToCommunityPool(root, remaining);
  }

  // ---- the interface other modules use ----------------------------------------------------------------------

  allocateToValidator(ctx: Context, fromModule: string, val: Uint8Array, coins: readonly Coin[]): void {
    const v = this.staking.getValidator(ctx.store, val);
    if (!v) throw DistributionErrors.NoValidatorExists.wrap(valoper(val));
    if (coins.length === 0) return;
    this.bank.sendToModule(ctx.store, ctx.events, moduleAddress(fromModule), DISTRIBUTION_MODULE, coins);
    this.allocateTokensToValidator(ctx.store, ctx.events, v, decCoinsFromCoins(coins));
  }

  fundCommunityPool(ctx: Context, fromModule: string, coins: readonly Coin[]): void {
    this.fundCommunityPoolFrom(ctx, moduleAddress(fromModule), coins);
  }

  /** MsgFundCommunityPool, and fundCommunityPool for modules. */
  fundCommunityPoolFrom(ctx: Context, from: Uint8Array, coins: readonly Coin[]): void {
    if (coins.length === 0) return;
    this.bank.sendToModule(ctx.store, ctx.events, from, DISTRIBUTION_MODULE, coins);
    this.addToCommunityPool(ctx.store, decCoinsFromCoins(coins));
  }

  /** MsgCommunityPoolSpend: pays `coins` out of the community pool (the SDK's DistributeFromFeePool). */
  distributeFromCommunityPool(ctx: Context, to: Uint8Array, coins: readonly Coin[]): void {
    const pool = this.getCommunityPool(ctx.store);
    if (coins.some((c) => amountOfDec(pool, c.denom) < decFromInt(c.amount))) {
      throw DistributionErrors.BadDistribution.wrap(`asked for ${formatCoins(coins)}, the pool holds ${formatDecCoins(pool) || "nothing"}`);
    }
    this.setCommunityPool(ctx.store, subDecCoins(pool, decCoinsFromCoins(coins)));
    this.bank.sendFromModule(ctx.store, ctx.events, DISTRIBUTION_MODULE, to, coins);
  }

  /** MsgDepositValidatorRewardsPool: anyone can add to a validator's rewards. */
  depositValidatorRewardsPool(ctx: Context, from: Uint8Array, val: Uint8Array, coins: readonly Coin[]): void {
    const v = this.staking.getValidator(ctx.store, val);
    if (!v) throw DistributionErrors.NoValidatorExists.wrap(valoper(val));
    this.bank.sendToModule(ctx.store, ctx.events, from, DISTRIBUTION_MODULE, coins);
    this.allocateTokensToValidator(ctx.store, ctx.events, v, decCoinsFromCoins(coins));
  }

  // ---- staking hooks ------------------------------------------------------------------------------------------

  afterValidatorCreated(ctx: Context, v: Validator): void {
    this.initializeValidator(ctx.store, v.operator);
  }

  afterValidatorRemoved(ctx: Context, _cons: Uint8Array, op: Uint8Array): void {
    const root = ctx.store;
    let outstanding = this.getOutstanding(root, op);
    const commission = this.getCommission(root, op);
    if (!isZeroDecCoins(commission)) {
      outstanding = subDecCoins(outstanding, commission);
      const { coins, change } = truncateDecCoins(commission);
      this.addToCommunityPool(root, change);
      if (coins.length > 0) this.bank.sendFromModule(root, ctx.events, DISTRIBUTION_MODULE, this.getWithdrawAddress(root, op), coins);
    }
    this.addToCommunityPool(root, outstanding);
    const s = this.store(root);
    s.delete(K.outstandingKey(op));
    s.delete(K.commissionKey(op));
    s.delete(K.currentKey(op));
    for (const prefix of [K.historicalOfValPrefix(op), K.slashEventsOfValPrefix(op), K.startingInfosOfValPrefix(op)]) {
      for (const [k] of s.range(prefix, prefixEnd(prefix))) s.delete(k);
    }
  }

  beforeDelegationCreated(ctx: Context, _del: Uint8Array, op: Uint8Array): void {
    this.incrementValidatorPeriod(ctx.store, this.staking.mustGetValidator(ctx.store, op));
  }

  beforeDelegationSharesModified(ctx: Context, del: Uint8Array, op: Uint8Array): void {
    const v = this.staking.mustGetValidator(ctx.store, op);
    const d = this.staking.getDelegation(ctx.store, del, op);
    if (!d) throw new Error(`distribution: no delegation of ${accAddr(del)} to ${valoper(op)}`);
    this.withdrawDelegationRewards(ctx, v, d);
  }

  afterDelegationModified(ctx: Context, del: Uint8Array, op: Uint8Array): void {
    this.initializeDelegation(ctx.store, ctx.block.height, op, del);
  }

  beforeValidatorSlashed(ctx: Context, op: Uint8Array, fraction: Dec): void {
    if (fraction < 0n || fraction > DEC_ONE) throw new Error(`distribution: slash fraction ${formatDec(fraction)} out of range`);
    const v = this.staking.mustGetValidator(ctx.store, op);
    const period = this.incrementValidatorPeriod(ctx.store, v);
    this.incrementReferenceCount(ctx.store, op, period);
    this.setSlashEvent(ctx.store, op, { height: BigInt(ctx.block.height), validatorPeriod: period, fraction });
  }

  // ---- listings (queries, genesis, invariants) --------------------------------------------------------------

  private listByVal<T>(root: KVStore, prefix: number, decode: (val: Uint8Array, rest: Uint8Array, v: Uint8Array) => T): T[] {
    return this.store(root)
      .range(Uint8Array.of(prefix), Uint8Array.of(prefix + 1))
      .map(([k, v]) => {
        const [val, o] = readLp(k, 1);
        return decode(Uint8Array.from(val), k.subarray(o), v);
      });
  }

  allOutstanding(root: KVStore) {
    return this.listByVal(root, K.OUTSTANDING_PREFIX, (val, _r, v) => ({ val, rewards: decCoinsFromProto(ValidatorOutstandingRewards.decode(v).rewards) }));
  }

  allCommissions(root: KVStore) {
    return this.listByVal(root, K.COMMISSION_PREFIX, (val, _r, v) => ({ val, commission: decCoinsFromProto(ValidatorAccumulatedCommission.decode(v).commission) }));
  }

  allCurrent(root: KVStore) {
    return this.listByVal(root, K.CURRENT_PREFIX, (val, _r, v) => {
      const c = ValidatorCurrentRewards.decode(v);
      return { val, rewards: decCoinsFromProto(c.rewards), period: c.period };
    });
  }

  allHistorical(root: KVStore) {
    return this.listByVal(root, K.HISTORICAL_PREFIX, (val, rest, v) => {
      const h = ValidatorHistoricalRewards.decode(v);
      return { val, period: readU64(rest, 0), cumulativeRewardRatio: decCoinsFromProto(h.cumulativeRewardRatio), referenceCount: h.referenceCount };
    });
  }

  allStartingInfos(root: KVStore) {
    return this.listByVal(root, K.STARTING_INFO_PREFIX, (val, rest, v) => {
      const [del] = readLp(rest, 0);
      const s = DelegatorStartingInfo.decode(v);
      return { val, del: Uint8Array.from(del), previousPeriod: s.previousPeriod, stake: decFromProto(s.stake) ?? 0n, height: s.height };
    });
  }

  allSlashEvents(root: KVStore) {
    return this.listByVal(root, K.SLASH_EVENT_PREFIX, (val, rest, v) => {
      const ev = ValidatorSlashEvent.decode(v);
      return { val, height: readU64(rest, 0), period: readU64(rest, 8), validatorPeriod: ev.validatorPeriod, fraction: decFromProto(ev.fraction) ?? 0n };
    });
  }

  allWithdrawAddresses(root: KVStore) {
    return this.store(root)
      .range(Uint8Array.of(K.WITHDRAW_ADDR_PREFIX), Uint8Array.of(K.WITHDRAW_ADDR_PREFIX + 1))
      .map(([k, v]) => ({ del: Uint8Array.from(readLp(k, 1)[0]), withdraw: Uint8Array.from(v) }));
  }

  moduleBalance(root: KVStore): Coin[] {
    return this.bank.getAllBalances(root, moduleAddress(DISTRIBUTION_MODULE));
  }

  // ---- invariants ----------------------------------------------------------------------------------------------

  invariants(root: KVStore): string[] {
    const problems: string[] = [];
    const denom = this.staking.bondDenom(root);
    // The module account holds exactly the outstanding rewards plus the community pool (exact
    // decimals: every allocation, withdrawal and rounding remainder is accounted for).
    const outstanding = this.allOutstanding(root);
    const expected = addDecCoins(this.getCommunityPool(root), ...outstanding.map((o) => o.rewards));
    const held = decCoinsFromCoins(this.bank.getAllBalances(root, moduleAddress(DISTRIBUTION_MODULE)));
    const denoms = new Set([...expected.map((c) => c.denom), ...held.map((c) => c.denom)]);
    for (const d of denoms) {
      if (amountOfDec(expected, d) !== amountOfDec(held, d)) {
        problems.push(
          `distribution: module account holds ${formatDec(amountOfDec(held, d))}${d} but outstanding rewards + community pool = ${formatDec(amountOfDec(expected, d))}${d}`,
        );
      }
    }
    const commissions = new Map(this.allCommissions(root).map((c) => [hex(c.val), c.commission]));
    for (const o of outstanding) {
      if (o.rewards.some((c) => c.amount < 0n)) problems.push(`distribution: negative outstanding rewards of ${valoper(o.val)}`);
      const c = commissions.get(hex(o.val)) ?? [];
      for (const coin of c) {
        if (coin.amount > amountOfDec(o.rewards, coin.denom)) problems.push(`distribution: commission of ${valoper(o.val)} exceeds its outstanding rewards`);
      }
    }
    // Reference counts: one per validator (its last closed period), one per delegation, one per slash event.
    const validators = this.staking.allValidators(root);
    let refs = 0;
    for (const h of this.allHistorical(root)) refs += h.referenceCount;
    const expectedRefs = validators.length + this.allStartingInfos(root).length + this.allSlashEvents(root).length;
    if (refs !== expectedRefs) problems.push(`distribution: historical reference counts sum to ${refs}, expected ${expectedRefs}`);
    for (const v of validators) {
      if (!this.getCurrent(root, v.operator)) problems.push(`distribution: validator ${valoper(v.operator)} has no rewards record`);
    }
    // Where every token is: supply = account balances + bonded + unbonding + outstanding + community pool.
    const special = new Set([BONDED_POOL, NOT_BONDED_POOL, DISTRIBUTION_MODULE].map((n) => hex(moduleAddress(n))));
    let balances = 0n;
    for (const { address, coins } of this.bank.allBalances(root)) {
      if (special.has(hex(address))) continue;
      for (const c of coins) if (c.denom === denom) balances += c.amount;
    }
    let bonded = 0n;
    let unbonding = 0n;
    for (const v of validators) {
      if (v.status === BondStatus.BOND_STATUS_BONDED) bonded += v.tokens;
      else unbonding += v.tokens;
    }
    for (const u of this.staking.allUnbondingDelegations(root)) for (const en of u.entries) unbonding += en.balance;
    const distributionTokens = amountOfDec(expected, denom);
    const supply = decFromInt(this.bank.getSupply(root, denom));
    const accounted = decFromInt(balances + bonded + unbonding) + distributionTokens;
    if (supply !== accounted) {
      problems.push(
        `supply: ${formatDec(supply)}${denom} != balances ${balances} + bonded ${bonded} + unbonding ${unbonding} + outstanding rewards and community pool ${formatDec(distributionTokens)}`,
      );
    }
    return problems;
  }
}
