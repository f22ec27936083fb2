/**
 * Pruning of expired epochs' records (docs/pruning.md). Once an epoch's claim window has closed
 * its unclaimed rest went to the community pool and no claim reads its records again (claims and
 * Pending start at the oldest open epoch); expired_epoch_retention epochs later its EpochRewards
 * and ModelReward records are deleted, at most prune_per_block per block, oldest first.
 */
import { KVStore, PrefixStore } from "../../store/kv";
import { EPOCH_PREFIX, MODEL_REWARD_PREFIX, REWARDS_STORE_PREFIX, epochKey, modelRewardEpochPrefix } from "./keys";

/** Deletes records of epochs below `below` (all expired), at most `budget`; returns how many. */
export function pruneExpiredEpochs(root: KVStore, below: bigint, budget: bigint): number {
  if (below === 0n || budget === 0n) return 0;
  const s = new PrefixStore(root, REWARDS_STORE_PREFIX);
  let left = Number(budget);
  let deleted = 0;
  // Model rewards first: an EpochRewards record outlives its model rewards, never the reverse.
  for (const [prefix, end] of [
    [Uint8Array.of(MODEL_REWARD_PREFIX), modelRewardEpochPrefix(below)],
    [Uint8Array.of(EPOCH_PREFIX), epochKey(below)],
  ]) {
    if (left === 0) break;
    for (const [key] of s.range(prefix, end, { limit: left })) {
      s.delete(key);
      left--;
      deleted++;
    }
  }
  return deleted;
}
