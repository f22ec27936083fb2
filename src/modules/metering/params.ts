import type { Params } from "../../gen/blockai/metering/v1/metering";

export const BPS_DENOMINATOR = 10_000n;
const MAX_INT64 = (1n << 63n) - 1n;

export const DEFAULT_METERING_PARAMS: Params = {
  protocolFeeBps: 200, // 2%
  claimGrace: 600n,
  maxEscrowDuration: 5_256_000n, // about a year at 6 s blocks
};

/** The rules genesis applies to params (and a MsgUpdateParams would): throws naming the field. */
export function validateMeteringParams(p: Params, where = "metering.params"): void {
  if (BigInt(p.protocolFeeBps) > BPS_DENOMINATOR) throw new Error(`${where}.protocol_fee_bps: at most 10000 (100%)`);
  if (p.maxEscrowDuration === 0n) throw new Error(`${where}.max_escrow_duration: must be positive`);
  if (p.claimGrace > MAX_INT64 || p.maxEscrowDuration > MAX_INT64) throw new Error(`${where}: durations must fit in int64`);
}
