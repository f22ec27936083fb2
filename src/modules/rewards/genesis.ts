import { Accrued, EpochRewards, ModelReward } from "../../gen/blockai/rewards/v1/rewards";
import { decodeAddress, encodeAddress } from "../../types/address";
import { arr, obj, str, u64 } from "../../types/genesis-json";
import { atField, snakeKeys } from "../../types/json";
import type { Context } from "../../framework/module";
import { BASE_DENOM } from "../../types/coins";
import type { RewardsKeeper } from "./keeper";
import { DEFAULT_REWARDS_PARAMS, rewardsParamsFromJson, rewardsParamsToJson } from "./params";

export function defaultRewardsGenesis() {
  return { params: rewardsParamsToJson(DEFAULT_REWARDS_PARAMS) };
}

const AMOUNT_RE = /^[0-9]{1,78}$/;

function amounts(where: string, fields: Record<string, string>): void {
  for (const [k, v] of Object.entries(fields)) if (!AMOUNT_RE.test(v)) throw new Error(`${where}.${k}: expected a decimal usoa amount, got ${JSON.stringify(v)}`);
}

/**
 * Validates (naming the bad field) and loads the rewards section: params, the epoch in progress'
 * accrued pools, ended epochs' records, model rewards, miners' claim cursors, payout addresses.
 * The rewards module account must hold exactly what those records say it holds.
 */
export function initRewardsGenesis(ctx: Context, keeper: RewardsKeeper, genesis: unknown): void {
  const g = obj(genesis ?? {}, "rewards");
  keeper.setParams(ctx.store, g.params === undefined ? { ...DEFAULT_REWARDS_PARAMS } : rewardsParamsFromJson(g.params));
  if (g.accrued !== undefined) {
    const a = Accrued.fromJSON(obj(g.accrued, "rewards.accrued"));
    amounts("rewards.accrued", { scorers: a.scorers || "0", miners: a.miners || "0", models: a.models || "0" });
    keeper.setAccrued(ctx.store, { scorers: a.scorers || "0", miners: a.miners || "0", models: a.models || "0" });
  }
  const ended = g.epochs_ended === undefined ? 0n : u64(g.epochs_ended, "rewards.epochs_ended");
  const oldest = g.oldest_open_epoch === undefined ? 0n : u64(g.oldest_open_epoch, "rewards.oldest_open_epoch");
  if (oldest > ended) throw new Error("rewards.oldest_open_epoch: must be <= rewards.epochs_ended");
  keeper.setEpochPointers(ctx.store, ended, oldest);
  const seen = new Set<bigint>();
  arr(g.epochs ?? [], "rewards.epochs").forEach((v, i) => {
    const where = `rewards.epochs[${i}]`;
    const r = EpochRewards.fromJSON(obj(v, where));
    if (seen.has(r.epoch)) throw new Error(`${where}.epoch: duplicate epoch ${r.epoch}`);
    if (r.epoch >= ended) throw new Error(`${where}.epoch: ${r.epoch} has not ended (epochs_ended ${ended})`);
    seen.add(r.epoch);
    amounts(where, { held: r.held, claimed: r.claimed });
    if (BigInt(r.claimed) > BigInt(r.held)) throw new Error(`${where}.claimed: more than held`);
    keeper.setEpochRewards(ctx.store, r);
  });
  arr(g.model_rewards ?? [], "rewards.model_rewards").forEach((v, i) => {
    const where = `rewards.model_rewards[${i}]`;
    const r = ModelReward.fromJSON(obj(v, where));
    atField(`${where}.owner`, () => decodeAddress(r.owner));
    amounts(where, { usage_reward: r.usageReward, performance_reward: r.performanceReward });
    keeper.setModelReward(ctx.store, r);
    const epoch = keeper.getEpochRewards(ctx.store, r.epoch);
    const amount = BigInt(r.usageReward) + BigInt(r.performanceReward);
    if (!r.claimed && amount > 0n && epoch && !epoch.expired) keeper.indexUnclaimed(ctx.store, r);
  });
  arr(g.miner_cursors ?? [], "rewards.miner_cursors").forEach((v, i) => {
    const o = obj(v, `rewards.miner_cursors[${i}]`);
    keeper.setMinerCursor(ctx.store, atField(`rewards.miner_cursors[${i}].miner`, () => decodeAddress(str(o.miner, "miner"))), u64(o.next_epoch, `rewards.miner_cursors[${i}].next_epoch`));
  });
  arr(g.payout_addresses ?? [], "rewards.payout_addresses").forEach((v, i) => {
    const o = obj(v, `rewards.payout_addresses[${i}]`);
    const address = atField(`rewards.payout_addresses[${i}].address`, () => decodeAddress(str(o.address, "address")));
    keeper.setPayoutAddress(ctx.store, u64(o.model_id, `rewards.payout_addresses[${i}].model_id`), address);
  });
  const problems = keeper.invariants(ctx.store);
  if (problems.length > 0) {
    throw new Error(`rewards: ${problems.join("; ")} (the rewards module account's ${BASE_DENOM} in bank.balances must match the accrued pools and unclaimed epochs)`);
  }
}

export function exportRewardsGenesis(ctx: Context, keeper: RewardsKeeper) {
  const s = ctx.store;
  return {
    params: rewardsParamsToJson(keeper.getParams(s)),
    accrued: snakeKeys(Accrued.toJSON(keeper.getAccrued(s))),
    epochs_ended: keeper.getEnded(s).toString(),
    oldest_open_epoch: keeper.getOldest(s).toString(),
    epochs: keeper.allEpochRewards(s).map((r) => snakeKeys(EpochRewards.toJSON(r))),
    model_rewards: keeper.allModelRewards(s).map((r) => snakeKeys(ModelReward.toJSON(r))),
    miner_cursors: keeper.allMinerCursors(s).map((c) => ({ miner: encodeAddress(c.miner), next_epoch: c.next.toString() })),
    payout_addresses: keeper.allPayoutAddresses(s).map((p) => ({ model_id: p.modelId.toString(), address: encodeAddress(p.address) })),
  };
}
