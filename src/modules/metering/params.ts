import type { Params } from "../../gen/blockai/metering/v1/metering";

export const BPS_DENOMINATOR = 10_000n;
const MAX_INT64 = (1n << 63n) - 1n;
/** A block's pruning stays a small part of its work whatever governance sets. */
export const MAX_PRUNE_PER_BLOCK = 100_000n;

export const DEFAULT_METERING_PARAMS: Params = {
  protocolFeeBps: 200, // 2%
  claimGrace: 600n,
  maxEscrowDuration: 5_256_000n, // about a year at 6 s blocks
  closedEscrowRetention: 100_800n, // about a week at 6 s blocks
  // A few hundred entries per block cost well under a millisecond; steady usage prunes faster
  // than it writes (see docs/pruning.md).
  prunePerBlock: 256n,
};

/** The rules genesis applies to params (and a MsgUpdateParams would): throws naming the field. */
export function validateMeteringParams(p: Params, where = "metering.params"): void {
  if (BigInt(p.protocolFeeBps) > BPS_DENOMINATOR) throw new Error(`${where}.protocol_fee_bps: at most 10000 (100%)`);
  if (p.maxEscrowDuration === 0n) throw new Error(`${where}.max_escrow_duration: must be positive`);
  if (p.claimGrace > MAX_INT64 || p.maxEscrowDuration > MAX_INT64 || p.closedEscrowRetention > MAX_INT64) throw new Error(`${where}: durations must fit in int64`);
  if (p.prunePerBlock > MAX_PRUNE_PER_BLOCK) throw new Error(`${where}.prune_per_block: at most ${MAX_PRUNE_PER_BLOCK}`);
}
