/**
 * The distribution module's state layout, under "distribution/" (F1 fee distribution, as the SDK):
 *
 *   0x00                          FeePool (community pool, DecCoins)
 *   0x02 | val                    ValidatorOutstandingRewards: every reward not yet paid out
 *   0x03 | del                    withdraw address (raw bytes), when not the delegator itself
 *   0x04 | val | del              DelegatorStartingInfo{previous_period, stake, height}
 *   0x05 | val | period (u64 BE)  ValidatorHistoricalRewards{cumulative_reward_ratio, reference_count}
 *   0x06 | val                    ValidatorCurrentRewards{rewards, period}
 *   0x07 | val                    ValidatorAccumulatedCommission
 *   0x08 | val | height | period  ValidatorSlashEvent{validator_period, fraction}
 *   0x09                          Params
 *
 * Values are the cosmjs-types (SDK) protobuf messages; Dec fields hold the integer x 10^18.
 * Addresses are length-prefixed.
 */
import { concatBytes as concat, readU64be, u64be as u64 } from "../../types/bytes";
import { lp, readLp } from "../../types/length-prefix";

export { readLp };
export const readU64 = readU64be;

export const DISTRIBUTION_STORE_PREFIX = new TextEncoder().encode("distribution/");

export const FEE_POOL_KEY = Uint8Array.of(0x00);
export const OUTSTANDING_PREFIX = 0x02;
export const WITHDRAW_ADDR_PREFIX = 0x03;
export const STARTING_INFO_PREFIX = 0x04;
export const HISTORICAL_PREFIX = 0x05;
export const CURRENT_PREFIX = 0x06;
export const COMMISSION_PREFIX = 0x07;
export const SLASH_EVENT_PREFIX = 0x08;
export const PARAMS_KEY = Uint8Array.of(0x09);

const p = (prefix: number, ...parts: Uint8Array[]) => concat(Uint8Array.of(prefix), ...parts);

export const outstandingKey = (val: Uint8Array) => p(OUTSTANDING_PREFIX, lp(val));
export const withdrawAddrKey = (del: Uint8Array) => p(WITHDRAW_ADDR_PREFIX, lp(del));
export const startingInfoKey = (val: Uint8Array, del: Uint8Array) => p(STARTING_INFO_PREFIX, lp(val), lp(del));
export const startingInfosOfValPrefix = (val: Uint8Array) => p(STARTING_INFO_PREFIX, lp(val));
export const historicalKey = (val: Uint8Array, period: bigint) => p(HISTORICAL_PREFIX, lp(val), u64(period));
export const historicalOfValPrefix = (val: Uint8Array) => p(HISTORICAL_PREFIX, lp(val));
export const currentKey = (val: Uint8Array) => p(CURRENT_PREFIX, lp(val));
export const commissionKey = (val: Uint8Array) => p(COMMISSION_PREFIX, lp(val));
export const slashEventKey = (val: Uint8Array, height: bigint, period: bigint) => p(SLASH_EVENT_PREFIX, lp(val), u64(height), u64(period));
export const slashEventsOfValPrefix = (val: Uint8Array) => p(SLASH_EVENT_PREFIX, lp(val));
export const slashEventsFromHeight = (val: Uint8Array, height: bigint) => p(SLASH_EVENT_PREFIX, lp(val), u64(height));
