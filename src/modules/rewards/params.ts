import { Params } from "../../gen/blockai/rewards/v1/rewards";
import { obj, u64 } from "../../types/genesis-json";

export const BPS = 10_000n;

export interface RewardsParams {
  usageShareBps: bigint;
  usageCapBps: bigint;
  claimEpochs: bigint;
  /** Epochs an expired epoch's records stay after its expiry before they are pruned. */
  expiredEpochRetention: bigint;
  /** Records of expired epochs pruned per block at most (0: no pruning). */
  prunePerBlock: bigint;
}

/** A block's pruning stays a small part of its work whatever governance sets. */
export const MAX_PRUNE_PER_BLOCK = 100_000n;

/**
 * Half the models' share follows usage, half performance; usage earns at most half the protocol
 * fees it paid; claims stay open 30 epochs (a month of daily epochs). See docs/rewards.md.
 */
export const DEFAULT_REWARDS_PARAMS: RewardsParams = { usageShareBps: 5_000n, usageCapBps: 5_000n, claimEpochs: 30n, expiredEpochRetention: 30n, prunePerBlock: 256n };

export function validateRewardsParams(p: RewardsParams, where = "rewards.params"): void {
  if (p.usageShareBps > BPS) throw new Error(`${where}.usage_share_bps: at most 10000`);
  // At 10,000 a washer would get back every fee it paid: the cap must cut something.
  if (p.usageCapBps >= BPS) throw new Error(`${where}.usage_cap_bps: must be below 10000 (a usage reward must stay below the fees paid)`);
  if (p.claimEpochs < 1n) throw new Error(`${where}.claim_epochs: must be >= 1`);
  if (p.prunePerBlock > MAX_PRUNE_PER_BLOCK) throw new Error(`${where}.prune_per_block: at most ${MAX_PRUNE_PER_BLOCK}`);
}

export function rewardsParamsToProto(p: RewardsParams): Params {
  return { usageShareBps: Number(p.usageShareBps), usageCapBps: Number(p.usageCapBps), claimEpochs: p.claimEpochs, expiredEpochRetention: p.expiredEpochRetention, prunePerBlock: p.prunePerBlock };
}

export function rewardsParamsFromProto(p: Params): RewardsParams {
  return { usageShareBps: BigInt(p.usageShareBps), usageCapBps: BigInt(p.usageCapBps), claimEpochs: p.claimEpochs, expiredEpochRetention: p.expiredEpochRetention, prunePerBlock: p.prunePerBlock };
}

export function rewardsParamsToJson(p: RewardsParams) {
  return {
    usage_share_bps: Number(p.usageShareBps),
    usage_cap_bps: Number(p.usageCapBps),
    claim_epochs: p.claimEpochs.toString(),
    expired_epoch_retention: p.expiredEpochRetention.toString(),
    prune_per_block: p.prunePerBlock.toString(),
  };
}

export function rewardsParamsFromJson(value: unknown, where = "rewards.params"): RewardsParams {
  const o = obj(value, where);
  const read = (k: string, d: bigint) => (o[k] === undefined ? d : u64(o[k], `${where}.${k}`));
  const p = {
    usageShareBps: read("usage_share_bps", DEFAULT_REWARDS_PARAMS.usageShareBps),
    usageCapBps: read("usage_cap_bps", DEFAULT_REWARDS_PARAMS.usageCapBps),
    claimEpochs: read("claim_epochs", DEFAULT_REWARDS_PARAMS.claimEpochs),
    expiredEpochRetention: read("expired_epoch_retention", DEFAULT_REWARDS_PARAMS.expiredEpochRetention),
    prunePerBlock: read("prune_per_block", DEFAULT_REWARDS_PARAMS.prunePerBlock),
  };
  validateRewardsParams(p, where);
  return p;
}
