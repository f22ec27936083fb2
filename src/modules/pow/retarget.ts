/**
 * Difficulty retargeting, run at every epoch end. Integer math only (consensus code).
 *
 * With a steady hashrate the number of certificates per epoch is proportional to the target, so
 * the target that would have produced exactly T = target_certs_per_epoch certificates is
 * target * T / N (N = certificates accepted in the closing epoch). Moving all the way there each
 * epoch over-reacts to noise; the controller moves half-way in log space (a geometric mean):
 *
 *   factor = sqrt(T / N)                 (N = 0: factor = 4, the largest step)
 *   factor = clamp(factor, 1/4, 4)
 *   new    = clamp(floor(old * factor), min_target, max_target)
 *
 * in 64-bit fixed point: f = isqrt(floor(T * 2^128 / N)) (= floor(sqrt(T/N) * 2^64)),
 * f = clamp(f, 2^62, 2^66), new = (old * f) >> 64. The log-error halves every epoch, so a 10x
 * hashrate change is back within 20% of T in 4 epochs (16x in 4, larger jumps at 4x per epoch).
 */
export const RETARGET_MAX_FACTOR = 4n;
export const RETARGET_FIXED_POINT_BITS = 64n;

const ONE = 1n << RETARGET_FIXED_POINT_BITS;

/** floor(sqrt(n)) for n >= 0 (Newton's method on bigints). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error("isqrt of a negative number");
  if (n < 2n) return n;
  // Start above the root: 2^ceil(bits/2) (integer arithmetic only).
  let x = 1n << ((BigInt(n.toString(2).length) + 1n) / 2n);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export interface RetargetParams {
  targetCertsPerEpoch: bigint;
  minTarget: bigint;
  maxTarget: bigint;
}

/** The adjustment factor in 64-bit fixed point (2^64 = unchanged), already clamped to [1/4, 4]. */
export function retargetFactor(certs: bigint, targetCerts: bigint): bigint {
  if (targetCerts <= 0n) throw new Error("target_certs_per_epoch must be positive");
  if (certs < 0n) throw new Error("negative certificate count");
  const max = ONE * RETARGET_MAX_FACTOR;
  const min = ONE / RETARGET_MAX_FACTOR;
  if (certs === 0n) return max;
  const f = isqrt((targetCerts << (2n * RETARGET_FIXED_POINT_BITS)) / certs);
  return f > max ? max : f < min ? min : f;
}

/** The next target after an epoch with `certs` accepted certificates at target `old`. */
export function retarget(old: bigint, certs: bigint, p: RetargetParams): bigint {
  const moved = (old * retargetFactor(certs, p.targetCertsPerEpoch)) >> RETARGET_FIXED_POINT_BITS;
  return moved < p.minTarget ? p.minTarget : moved > p.maxTarget ? p.maxTarget : moved;
}
