/**
 * The emission schedule as pure functions of the height (no state): what the chain mints at a
 * height is rewardAt(params, h) exactly, provided the parameters never changed since height 1.
 * Browser-safe (leaf imports only) so clients can compute the schedule themselves.
 */

export interface Schedule {
  /** usoa of block 1. */
  readonly initialBlockReward: bigint;
  /** Blocks between halvings (>= 1). */
  readonly halvingInterval: bigint;
  /** Cap on the total ever minted, usoa. */
  readonly maxEmission: bigint;
}

/** Halvings applied at height h (h >= 1): blocks 1..interval have none. */
export function halvingsAt(s: Schedule, height: bigint): bigint {
  if (height < 1n) return 0n;
  return (height - 1n) / s.halvingInterval;
}

/** The scheduled reward of height h before the cap: floor(initial / 2^halvings). */
export function scheduledReward(s: Schedule, height: bigint): bigint {
  if (height < 1n) return 0n;
  const k = halvingsAt(s, height);
  // A shift by more than the reward's bit length is 0; bounding k keeps the shift cheap.
  if (k >= BigInt(s.initialBlockReward.toString(2).length)) return 0n;
  return s.initialBlockReward >> k;
}

/**
 * Sum of the scheduled rewards of heights 1..h before the cap, in O(number of halvings) steps:
 * each halving era contributes (blocks of the era in 1..h) x its reward.
 */
export function scheduledTotal(s: Schedule, height: bigint): bigint {
  let total = 0n;
  let remaining = height;
  let reward = s.initialBlockReward;
  while (remaining > 0n && reward > 0n) {
    const blocks = remaining < s.halvingInterval ? remaining : s.halvingInterval;
    total += blocks * reward;
    remaining -= blocks;
    reward >>= 1n;
  }
  return total;
}

/** Total minted through height h: the scheduled total, capped at max_emission. */
export function cumulativeEmission(s: Schedule, height: bigint): bigint {
  const t = scheduledTotal(s, height);
  return t < s.maxEmission ? t : s.maxEmission;
}

/** What height h mints: cumulative(h) - cumulative(h - 1). */
export function rewardAt(s: Schedule, height: bigint): bigint {
  if (height < 1n) return 0n;
  return cumulativeEmission(s, height) - cumulativeEmission(s, height - 1n);
}

/** Every scheduled unit minted: the height at which the cap (or the schedule's end) is reached. */
export function lastEmittingHeight(s: Schedule): bigint {
  // Binary search on the monotone cumulative emission.
  const final = cumulativeEmission(s, 1n << 80n);
  let lo = 0n;
  let hi = 1n << 80n;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    if (cumulativeEmission(s, mid) >= final) hi = mid;
    else lo = mid + 1n;
  }
  return lo;
}
