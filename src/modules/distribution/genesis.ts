import { ACCOUNT_PREFIX, VALIDATOR_OPERATOR_PREFIX, decodeAddress, moduleAddress } from "../../types/address";
import { arr, obj, optional, str } from "../../types/genesis-json";
import { uint } from "../../types/json";
import type { Context } from "../../framework/module";
import { formatDec, parseDec } from "../../types/dec";
import { accAddr, valoper } from "../staking";
import { DecCoin, addDecCoins, amountOfDec, decCoinsFromCoins, decCoinsToJson } from "./deccoins";
import type { DistributionAccountKeeper, ModuleAccountShape } from "./expected-keepers";
import { DISTRIBUTION_MODULE, DistributionKeeper } from "./keeper";
import { DEFAULT_DISTRIBUTION_PARAMS, distributionParamsFromJson, distributionParamsToJson } from "./params";

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

export function defaultDistributionGenesis() {
  return {
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
  };
}

/** Loads distribution's genesis (strict: a bad field is named); the module account must hold exactly what the records say. */
export function initDistributionGenesis<A extends ModuleAccountShape>(ctx: Context, keeper: DistributionKeeper, auth: DistributionAccountKeeper<A>, genesis: unknown): void {
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
}

export function exportDistributionGenesis(ctx: Context, keeper: DistributionKeeper) {
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
}
