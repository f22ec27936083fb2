import {
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryParamsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorDistributionInfoRequest,
  QueryValidatorDistributionInfoResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
  QueryValidatorSlashesRequest,
  QueryValidatorSlashesResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import {
  MsgDepositValidatorRewardsPool,
  MsgDepositValidatorRewardsPoolResponse,
  MsgFundCommunityPool,
  MsgFundCommunityPoolResponse,
  MsgSetWithdrawAddress,
  MsgSetWithdrawAddressResponse,
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
  MsgWithdrawValidatorCommissionResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { ValidatorSlashEvent } from "cosmjs-types/cosmos/distribution/v1beta1/distribution";
import { ACCOUNT_PREFIX, VALIDATOR_OPERATOR_PREFIX, decodeAddress, moduleAddress } from "../../types/address";
import { Coin, coinsFromProto, coinsToProto } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import { arr, bool, obj, optional, str } from "../../types/genesis-json";
import type { Context, Module, MsgHandler, QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import type { AuthKeeper } from "../auth/keeper";
import { KVStore, PrefixStore } from "../../store/kv";
import { DEC_ONE, Dec, formatDec, parseDec } from "../../types/dec";
import { uint } from "../../types/json";
import type { StakingKeeper } from "../staking/keeper";
import { accAddr, operatorAccount, valoper, valoperBytes } from "../staking/types";
import { DecCoin, addDecCoins, amountOfDec, decCoinsFromCoins, decCoinsToJson, decCoinsToProto } from "./deccoins";
import { DEFAULT_DISTRIBUTION_PARAMS, DISTRIBUTION_MODULE, DistributionErrors, DistributionKeeper, DistributionParams } from "./keeper";
import * as K from "./keys";

const TYPE = "/cosmos.distribution.v1beta1.";


function nonEmptyCoins(coins: ReadonlyArray<{ denom: string; amount: string }>, what: string): Coin[] {
  const parsed = coinsFromProto(coins);
  if (parsed.length === 0) throw SdkErrors.InvalidCoins.wrap(`${what}: no coins`);
  return parsed;
}


// ---- messages ------------------------------------------------------------------------------------------

function setWithdrawAddressHandler(keeper: DistributionKeeper, isBlocked: (a: Uint8Array) => boolean): MsgHandler<MsgSetWithdrawAddress> {
  return {
    typeUrl: `${TYPE}MsgSetWithdrawAddress`,
    codec: MsgSetWithdrawAddress,
    signers: (msg) => [msg.delegatorAddress],
    validateBasic(msg) {
      decodeAddress(msg.delegatorAddress, "delegator address");
      decodeAddress(msg.withdrawAddress, "withdraw address");
    },
    execute(ctx, msg) {
      if (!keeper.getParams(ctx.store).withdrawAddrEnabled) throw DistributionErrors.SetWithdrawAddrDisabled.wrap();
      const withdraw = decodeAddress(msg.withdrawAddress);
      if (isBlocked(withdraw)) throw SdkErrors.Unauthorized.wrap(`${msg.withdrawAddress} is not allowed to receive external funds`);
      keeper.setWithdrawAddress(ctx.store, decodeAddress(msg.delegatorAddress), withdraw);
      ctx.events.emit("set_withdraw_address", { withdraw_address: msg.withdrawAddress });
      return { typeUrl: `${TYPE}MsgSetWithdrawAddressResponse`, value: MsgSetWithdrawAddressResponse.encode({}).finish() };
    },
  };
}

function withdrawRewardHandler(keeper: DistributionKeeper): MsgHandler<MsgWithdrawDelegatorReward> {
  return {
    typeUrl: `${TYPE}MsgWithdrawDelegatorReward`,
    codec: MsgWithdrawDelegatorReward,
    signers: (msg) => [msg.delegatorAddress],
    validateBasic(msg) {
      decodeAddress(msg.delegatorAddress, "delegator address");
      valoperBytes(msg.validatorAddress);
    },
    execute(ctx, msg) {
      const coins = keeper.withdrawRewards(ctx, decodeAddress(msg.delegatorAddress), valoperBytes(msg.validatorAddress));
      return {
        typeUrl: `${TYPE}MsgWithdrawDelegatorRewardResponse`,
        value: MsgWithdrawDelegatorRewardResponse.encode({ amount: coinsToProto(coins) }).finish(),
      };
    },
  };
}

function withdrawCommissionHandler(keeper: DistributionKeeper): MsgHandler<MsgWithdrawValidatorCommission> {
  return {
    typeUrl: `${TYPE}MsgWithdrawValidatorCommission`,
    codec: MsgWithdrawValidatorCommission,
    signers: (msg) => [operatorAccount(msg.validatorAddress)],
    validateBasic(msg) {
      valoperBytes(msg.validatorAddress);
    },
    execute(ctx, msg) {
      const coins = keeper.withdrawValidatorCommission(ctx, valoperBytes(msg.validatorAddress));
      return {
        typeUrl: `${TYPE}MsgWithdrawValidatorCommissionResponse`,
        value: MsgWithdrawValidatorCommissionResponse.encode({ amount: coinsToProto(coins) }).finish(),
      };
    },
  };
}

function fundCommunityPoolHandler(keeper: DistributionKeeper): MsgHandler<MsgFundCommunityPool> {
  return {
    typeUrl: `${TYPE}MsgFundCommunityPool`,
    codec: MsgFundCommunityPool,
    signers: (msg) => [msg.depositor],
    validateBasic(msg) {
      decodeAddress(msg.depositor, "depositor address");
      nonEmptyCoins(msg.amount, "amount");
    },
    execute(ctx, msg) {
      keeper.fundCommunityPoolFrom(ctx, decodeAddress(msg.depositor), coinsFromProto(msg.amount));
      return { typeUrl: `${TYPE}MsgFundCommunityPoolResponse`, value: MsgFundCommunityPoolResponse.encode({}).finish() };
    },
  };
}

function depositValidatorRewardsPoolHandler(keeper: DistributionKeeper): MsgHandler<MsgDepositValidatorRewardsPool> {
  return {
    typeUrl: `${TYPE}MsgDepositValidatorRewardsPool`,
    codec: MsgDepositValidatorRewardsPool,
    signers: (msg) => [msg.depositor],
    validateBasic(msg) {
      decodeAddress(msg.depositor, "depositor address");
      valoperBytes(msg.validatorAddress);
      nonEmptyCoins(msg.amount, "amount");
    },
    execute(ctx, msg) {
      keeper.depositValidatorRewardsPool(ctx, decodeAddress(msg.depositor), valoperBytes(msg.validatorAddress), coinsFromProto(msg.amount));
      return { typeUrl: `${TYPE}MsgDepositValidatorRewardsPoolResponse`, value: MsgDepositValidatorRewardsPoolResponse.encode({}).finish() };
    },
  };
}

// ---- queries -------------------------------------------------------------------------------------------------

export function distributionParamsToProto(p: DistributionParams) {
  return {
    communityTax: p.communityTax.toString(),
    baseProposerReward: p.baseProposerReward.toString(),
    bonusProposerReward: p.bonusProposerReward.toString(),
    withdrawAddrEnabled: p.withdrawAddrEnabled,
  };
}

function createQueries(keeper: DistributionKeeper, staking: StakingKeeper): QueryHandler[] {
  const q = (path: string, handle: QueryHandler["handle"]): QueryHandler => ({ path: `/cosmos.distribution.v1beta1.Query/${path}`, handle });
  const existingValidator = (root: KVStore, address: string) => {
    if (address === "") throw SdkErrors.InvalidRequest.wrap("empty validator address");
    const v = staking.getValidator(root, valoperBytes(address));
    if (!v) throw DistributionErrors.NoValidatorExists.wrap(address);
    return v;
  };
  /** Rewards as of the queried height: closes the period on the query's throwaway branch (as the SDK). */
  const rewardsOf = (root: KVStore, height: number, del: Uint8Array, val: Uint8Array): DecCoin[] => {
    const v = staking.getValidator(root, val);
    if (!v) throw DistributionErrors.NoValidatorExists.wrap(valoper(val));
    const d = staking.getDelegation(root, del, val);
    if (!d) throw DistributionErrors.NoDelegationExists.wrap(`${accAddr(del)} has no delegation to ${valoper(val)}`);
    const ending = keeper.incrementValidatorPeriod(root, v);
    return keeper.calculateDelegationRewards(root, height, staking.mustGetValidator(root, val), d, ending);
  };
  return [
    q("Params", (ctx) => QueryParamsResponse.encode({ params: distributionParamsToProto(keeper.getParams(ctx.store)) }).finish()),
    q("ValidatorDistributionInfo", (ctx, data) => {
      const req = QueryValidatorDistributionInfoRequest.decode(data);
      const v = existingValidator(ctx.store, req.validatorAddress);
      const rewards = rewardsOf(ctx.store, ctx.height, v.operator, v.operator);
      return QueryValidatorDistributionInfoResponse.encode({
        operatorAddress: accAddr(v.operator),
        selfBondRewards: decCoinsToProto(rewards),
        commission: decCoinsToProto(keeper.getCommission(ctx.store, v.operator)),
      }).finish();
    }),
    q("ValidatorOutstandingRewards", (ctx, data) => {
      const req = QueryValidatorOutstandingRewardsRequest.decode(data);
      const v = existingValidator(ctx.store, req.validatorAddress);
      return QueryValidatorOutstandingRewardsResponse.encode({ rewards: { rewards: decCoinsToProto(keeper.getOutstanding(ctx.store, v.operator)) } }).finish();
    }),
    q("ValidatorCommission", (ctx, data) => {
      const req = QueryValidatorCommissionRequest.decode(data);
      const v = existingValidator(ctx.store, req.validatorAddress);
      return QueryValidatorCommissionResponse.encode({ commission: { commission: decCoinsToProto(keeper.getCommission(ctx.store, v.operator)) } }).finish();
    }),
    q("ValidatorSlashes", (ctx, data) => {
      const req = QueryValidatorSlashesRequest.decode(data);
      if (req.validatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty validator address");
      if (req.endingHeight < req.startingHeight) throw SdkErrors.InvalidRequest.wrap("starting height greater than ending height");
      const val = valoperBytes(req.validatorAddress);
      const store = new PrefixStore(ctx.store, K.DISTRIBUTION_STORE_PREFIX);
      const page = paginate(store, K.slashEventsFromHeight(val, req.startingHeight), K.slashEventsFromHeight(val, req.endingHeight + 1n), req.pagination, (_k, v) =>
        ValidatorSlashEvent.decode(v),
      );
      return QueryValidatorSlashesResponse.encode({ slashes: page.items, pagination: page.pagination }).finish();
    }),
    q("DelegationRewards", (ctx, data) => {
      const req = QueryDelegationRewardsRequest.decode(data);
      if (req.delegatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty delegator address");
      if (req.validatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty validator address");
      const rewards = rewardsOf(ctx.store, ctx.height, decodeAddress(req.delegatorAddress, "delegator address"), valoperBytes(req.validatorAddress));
      return QueryDelegationRewardsResponse.encode({ rewards: decCoinsToProto(rewards) }).finish();
    }),
    q("DelegationTotalRewards", (ctx, data) => {
      const req = QueryDelegationTotalRewardsRequest.decode(data);
      if (req.delegatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty delegator address");
      const del = decodeAddress(req.delegatorAddress, "delegator address");
      let total: DecCoin[] = [];
      const rewards = staking.delegatorDelegations(ctx.store, del).map((d) => {
        const r = rewardsOf(ctx.store, ctx.height, del, d.validator);
        total = addDecCoins(total, r);
        return { validatorAddress: valoper(d.validator), reward: decCoinsToProto(r) };
      });
      return QueryDelegationTotalRewardsResponse.encode({ rewards, total: decCoinsToProto(total) }).finish();
    }),
    q("DelegatorValidators", (ctx, data) => {
      const req = QueryDelegatorValidatorsRequest.decode(data);
      if (req.delegatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty delegator address");
      const del = decodeAddress(req.delegatorAddress, "delegator address");
      return QueryDelegatorValidatorsResponse.encode({ validators: staking.delegatorDelegations(ctx.store, del).map((d) => valoper(d.validator)) }).finish();
    }),
    q("DelegatorWithdrawAddress", (ctx, data) => {
      const req = QueryDelegatorWithdrawAddressRequest.decode(data);
      if (req.delegatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty delegator address");
      const del = decodeAddress(req.delegatorAddress, "delegator address");
      return QueryDelegatorWithdrawAddressResponse.encode({ withdrawAddress: accAddr(keeper.getWithdrawAddress(ctx.store, del)) }).finish();
    }),
    q("CommunityPool", (ctx) => QueryCommunityPoolResponse.encode({ pool: decCoinsToProto(keeper.getCommunityPool(ctx.store)) }).finish()),
  ];
}

// ---- genesis ------------------------------------------------------------------------------------------------

export function distributionParamsToJson(p: DistributionParams) {
  return {
    community_tax: formatDec(p.communityTax),
    base_proposer_reward: formatDec(p.baseProposerReward),
    bonus_proposer_reward: formatDec(p.bonusProposerReward),
    withdraw_addr_enabled: p.withdrawAddrEnabled,
  };
}

function decField(o: Record<string, unknown>, key: string, where: string, def: Dec): Dec {
  return o[key] === undefined ? def : parseDec(str(o[key], `${where}.${key}`), `${where}.${key}`);
}

export function distributionParamsFromJson(j: unknown): DistributionParams {
  if (j === undefined) return DEFAULT_DISTRIBUTION_PARAMS;
  const o = obj(j, "distribution.params");
  const d = DEFAULT_DISTRIBUTION_PARAMS;
  const p: DistributionParams = {
    communityTax: decField(o, "community_tax", "distribution.params", d.communityTax),
    baseProposerReward: decField(o, "base_proposer_reward", "distribution.params", d.baseProposerReward),
    bonusProposerReward: decField(o, "bonus_proposer_reward", "distribution.params", d.bonusProposerReward),
    withdrawAddrEnabled: o.withdraw_addr_enabled === undefined ? d.withdrawAddrEnabled : bool(o.withdraw_addr_enabled, "distribution.params.withdraw_addr_enabled"),
  };
  if (p.communityTax < 0n || p.communityTax > DEC_ONE) throw new Error("distribution.params.community_tax must be between 0 and 1");
  if (p.baseProposerReward !== 0n || p.bonusProposerReward !== 0n) {
    throw new Error("distribution.params.base_proposer_reward and bonus_proposer_reward are deprecated and must be 0");
  }
  return p;
}

function decCoinsFromJson(value: unknown, where: string): DecCoin[] {
  const list = arr(value ?? [], where).map((c, i) => {
    const o = obj(c, `${where}[${i}]`);
    const amount = parseDec(str(o.amount, `${where}[${i}].amount`), `${where}[${i}].amount`);
    if (amount < 0n) throw new Error(`${where}[${i}].amount must not be negative`);
    return { denom: str(o.denom, `${where}[${i}].denom`), amount };
  });
  return addDecCoins(list);
}

function addrOrError(text: unknown, where: string, prefix = ACCOUNT_PREFIX): Uint8Array {
  try {
    return decodeAddress(str(text, where), "address", prefix);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

export function createDistributionModule(keeper: DistributionKeeper, staking: StakingKeeper, auth: AuthKeeper, isBlocked: (a: Uint8Array) => boolean): Module {
  return {
    name: "distribution",
    msgs: [
      setWithdrawAddressHandler(keeper, isBlocked),
      withdrawRewardHandler(keeper),
      withdrawCommissionHandler(keeper),
      fundCommunityPoolHandler(keeper),
      depositValidatorRewardsPoolHandler(keeper),
    ],
    queries: createQueries(keeper, staking),
    defaultGenesis: () => ({
      params: distributionParamsToJson(DEFAULT_DISTRIBUTION_PARAMS),
      fee_pool: { community_pool: [] },
      delegator_withdraw_infos: [],
      previous_proposer: "",
      outstanding_rewards: [],
      validator_accumulated_commissions: [],
      validator_historical_rewards: [],
      validator_current_rewards: [],
      delegator_starting_infos: [],
      validator_slash_events: [],
    }),
    initGenesis(ctx: Context, genesis: unknown) {
      const g = obj(genesis ?? {}, "distribution");
      const root = ctx.store;
      keeper.setParams(root, distributionParamsFromJson(g.params));
      const feePool = optional(g.fee_pool, (f) => obj(f, "distribution.fee_pool"));
      const pool = decCoinsFromJson(feePool?.community_pool, "distribution.fee_pool.community_pool");
      keeper.setCommunityPool(root, pool);
      // The module account must be a module account even if bank genesis created it as a balance.
      const existing = auth.getAccount(root, moduleAddress(DISTRIBUTION_MODULE));
      if (existing && existing.moduleName === undefined) auth.setAccount(root, { ...existing, moduleName: DISTRIBUTION_MODULE });
      else if (!existing) auth.ensureModuleAccount(root, DISTRIBUTION_MODULE);

      arr(g.delegator_withdraw_infos ?? [], "distribution.delegator_withdraw_infos").forEach((j, i) => {
        const w = `distribution.delegator_withdraw_infos[${i}]`;
        const o = obj(j, w);
        keeper.setWithdrawAddress(root, addrOrError(o.delegator_address, `${w}.delegator_address`), addrOrError(o.withdraw_address, `${w}.withdraw_address`));
      });
      let outstandingSum: DecCoin[] = [];
      arr(g.outstanding_rewards ?? [], "distribution.outstanding_rewards").forEach((j, i) => {
        const w = `distribution.outstanding_rewards[${i}]`;
        const o = obj(j, w);
        const rewards = decCoinsFromJson(o.outstanding_rewards, `${w}.outstanding_rewards`);
        keeper.setOutstanding(root, addrOrError(o.validator_address, `${w}.validator_address`, VALIDATOR_OPERATOR_PREFIX), rewards);
        outstandingSum = addDecCoins(outstandingSum, rewards);
      });
      arr(g.validator_accumulated_commissions ?? [], "distribution.validator_accumulated_commissions").forEach((j, i) => {
        const w = `distribution.validator_accumulated_commissions[${i}]`;
        const o = obj(j, w);
        const acc = obj(o.accumulated ?? {}, `${w}.accumulated`);
        keeper.setCommission(root, addrOrError(o.validator_address, `${w}.validator_address`, VALIDATOR_OPERATOR_PREFIX), decCoinsFromJson(acc.commission, `${w}.accumulated.commission`));
      });
      arr(g.validator_historical_rewards ?? [], "distribution.validator_historical_rewards").forEach((j, i) => {
        const w = `distribution.validator_historical_rewards[${i}]`;
        const o = obj(j, w);
        const r = obj(o.rewards, `${w}.rewards`);
        keeper.setHistorical(root, addrOrError(o.validator_address, `${w}.validator_address`, VALIDATOR_OPERATOR_PREFIX), uint(o.period, `${w}.period`), {
          cumulativeRewardRatio: decCoinsFromJson(r.cumulative_reward_ratio, `${w}.rewards.cumulative_reward_ratio`),
          referenceCount: Number(uint(r.reference_count, `${w}.rewards.reference_count`, 0xffffffffn)),
        });
      });
      arr(g.validator_current_rewards ?? [], "distribution.validator_current_rewards").forEach((j, i) => {
        const w = `distribution.validator_current_rewards[${i}]`;
        const o = obj(j, w);
        const r = obj(o.rewards, `${w}.rewards`);
        keeper.setCurrent(root, addrOrError(o.validator_address, `${w}.validator_address`, VALIDATOR_OPERATOR_PREFIX), {
          rewards: decCoinsFromJson(r.rewards, `${w}.rewards.rewards`),
          period: uint(r.period, `${w}.rewards.period`),
        });
      });
      arr(g.delegator_starting_infos ?? [], "distribution.delegator_starting_infos").forEach((j, i) => {
        const w = `distribution.delegator_starting_infos[${i}]`;
        const o = obj(j, w);
        const s = obj(o.starting_info, `${w}.starting_info`);
        keeper.setStartingInfo(
          root,
          addrOrError(o.validator_address, `${w}.validator_address`, VALIDATOR_OPERATOR_PREFIX),
          addrOrError(o.delegator_address, `${w}.delegator_address`),
          {
            previousPeriod: uint(s.previous_period, `${w}.starting_info.previous_period`),
            stake: parseDec(str(s.stake, `${w}.starting_info.stake`), `${w}.starting_info.stake`),
            height: uint(s.height ?? "0", `${w}.starting_info.height`),
          },
        );
      });
      arr(g.validator_slash_events ?? [], "distribution.validator_slash_events").forEach((j, i) => {
        const w = `distribution.validator_slash_events[${i}]`;
        const o = obj(j, w);
        const ev = obj(o.validator_slash_event, `${w}.validator_slash_event`);
        keeper.setSlashEvent(root, addrOrError(o.validator_address, `${w}.validator_address`, VALIDATOR_OPERATOR_PREFIX), {
          height: uint(o.height, `${w}.height`),
          validatorPeriod: uint(ev.validator_period, `${w}.validator_slash_event.validator_period`),
          fraction: parseDec(str(ev.fraction, `${w}.validator_slash_event.fraction`), `${w}.validator_slash_event.fraction`),
        });
      });
      const expected = addDecCoins(pool, outstandingSum);
      const held = decCoinsFromCoins(keeper.moduleBalance(root));
      for (const d of new Set([...expected.map((c) => c.denom), ...held.map((c) => c.denom)])) {
        if (amountOfDec(expected, d) !== amountOfDec(held, d)) {
          throw new Error(
            `distribution: the distribution module account holds ${formatDec(amountOfDec(held, d))}${d} but community pool + outstanding rewards = ${formatDec(amountOfDec(expected, d))}${d}`,
          );
        }
      }
    },
    exportGenesis(ctx: Context) {
      const root = ctx.store;
      return {
        params: distributionParamsToJson(keeper.getParams(root)),
        fee_pool: { community_pool: decCoinsToJson(keeper.getCommunityPool(root)) },
        delegator_withdraw_infos: keeper.allWithdrawAddresses(root).map((w) => ({ delegator_address: accAddr(w.del), withdraw_address: accAddr(w.withdraw) })),
        previous_proposer: "",
        outstanding_rewards: keeper.allOutstanding(root).map((o) => ({ validator_address: valoper(o.val), outstanding_rewards: decCoinsToJson(o.rewards) })),
        validator_accumulated_commissions: keeper.allCommissions(root).map((c) => ({ validator_address: valoper(c.val), accumulated: { commission: decCoinsToJson(c.commission) } })),
        validator_historical_rewards: keeper.allHistorical(root).map((h) => ({
          validator_address: valoper(h.val),
          period: h.period.toString(),
          rewards: { cumulative_reward_ratio: decCoinsToJson(h.cumulativeRewardRatio), reference_count: h.referenceCount },
        })),
        validator_current_rewards: keeper.allCurrent(root).map((c) => ({ validator_address: valoper(c.val), rewards: { rewards: decCoinsToJson(c.rewards), period: c.period.toString() } })),
        delegator_starting_infos: keeper.allStartingInfos(root).map((s) => ({
          delegator_address: accAddr(s.del),
          validator_address: valoper(s.val),
          starting_info: { previous_period: s.previousPeriod.toString(), stake: formatDec(s.stake), height: s.height.toString() },
        })),
        validator_slash_events: keeper.allSlashEvents(root).map((ev) => ({
          validator_address: valoper(ev.val),
          height: ev.height.toString(),
          period: ev.period.toString(),
          validator_slash_event: { validator_period: ev.validatorPeriod.toString(), fraction: formatDec(ev.fraction) },
        })),
      };
    },
    beginBlock(ctx, info) {
      // The SDK allocates from height 2 on (the first block has no previous commit).
      if (info.height > 1) keeper.allocateTokens(ctx, info.decidedLastCommit);
    },
    invariants: (store) => keeper.invariants(store),
  };
}
