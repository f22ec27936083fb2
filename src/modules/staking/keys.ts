/**
 * The staking module's state layout, under the "staking/" prefix of the one key space. Addresses
 * inside keys are length-prefixed (the SDK's address.MustLengthPrefix), so every listing is a
 * prefix range and iteration is in key (byte) order: deterministic.
 *
 *   0x01                                   Params (protobuf cosmos.staking.v1beta1.Params)
 *   0x11 | op                              last bonded power sent to CometBFT (u64 BE)
 *   0x12                                   last total power (u64 BE)
 *   0x21 | op                              Validator (protobuf)
 *   0x22 | cons                            consensus address -> operator address
 *   0x23 | ^power(u64 BE) | op             power index of non-jailed validators; ascending key
 *                                          order = power descending, then operator ascending
 *   0x31 | del | val                       Delegation (protobuf)
 *   0x32 | del | val                       UnbondingDelegation (protobuf)
 *   0x33 | val | del                       unbonding delegations by validator (empty value)
 *   0x34 | del | src | dst                 Redelegation (protobuf)
 *   0x35 | src | del | dst                 redelegations by source (empty value)
 *   0x36 | dst | del | src                 redelegations by destination (empty value)
 *   0x37                                   next unbonding id (u64 BE)
 *   0x41 | time(u64 BE ns) | del | val     unbonding queue (empty value)
 *   0x42 | time | del | src | dst          redelegation queue (empty value)
 *   0x43 | time | height(u64 BE) | op      unbonding validator queue (empty value)
 *   0x71 | val | del                       delegations by validator (empty value)
 *
 * Tokens are not stored here: they are balances of the bonded_tokens_pool and
 * not_bonded_tokens_pool module accounts in the bank module.
 */
import { concatBytes as concat, readU64be, u64be } from "../../types/bytes";
import { lp, readLp } from "../../types/length-prefix";

export { lp, readLp };
export const STAKING_STORE_PREFIX = new TextEncoder().encode("staking/");

export const PARAMS_KEY = Uint8Array.of(0x01);
export const LAST_POWER_PREFIX = 0x11;
export const LAST_TOTAL_POWER_KEY = Uint8Array.of(0x12);
export const VALIDATOR_PREFIX = 0x21;
export const VALIDATOR_BY_CONS_PREFIX = 0x22;
export const POWER_INDEX_PREFIX = 0x23;
export const DELEGATION_PREFIX = 0x31;
export const UBD_PREFIX = 0x32;
export const UBD_BY_VAL_PREFIX = 0x33;
export const RED_PREFIX = 0x34;
export const RED_BY_SRC_PREFIX = 0x35;
export const RED_BY_DST_PREFIX = 0x36;
export const NEXT_UNBONDING_ID_KEY = Uint8Array.of(0x37);
export const UBD_QUEUE_PREFIX = 0x41;
export const RED_QUEUE_PREFIX = 0x42;
export const VALIDATOR_QUEUE_PREFIX = 0x43;
export const DELEGATION_BY_VAL_PREFIX = 0x71;

const MAX_U64 = (1n << 64n) - 1n;


/** 8-byte big-endian; throws outside 0..2^64-1 (never wraps). */
export const u64 = u64be;

export const readU64 = readU64be;


const p = (prefix: number, ...parts: Uint8Array[]) => concat(Uint8Array.of(prefix), ...parts);

export const lastPowerKey = (op: Uint8Array) => p(LAST_POWER_PREFIX, lp(op));
export const validatorKey = (op: Uint8Array) => p(VALIDATOR_PREFIX, lp(op));
export const validatorByConsKey = (cons: Uint8Array) => p(VALIDATOR_BY_CONS_PREFIX, lp(cons));
export const powerIndexKey = (power: bigint, op: Uint8Array) => p(POWER_INDEX_PREFIX, u64(MAX_U64 - power), lp(op));
export const delegationKey = (del: Uint8Array, val: Uint8Array) => p(DELEGATION_PREFIX, lp(del), lp(val));
export const delegationsOfDelegatorPrefix = (del: Uint8Array) => p(DELEGATION_PREFIX, lp(del));
export const delegationByValKey = (val: Uint8Array, del: Uint8Array) => p(DELEGATION_BY_VAL_PREFIX, lp(val), lp(del));
export const delegationsByValPrefix = (val: Uint8Array) => p(DELEGATION_BY_VAL_PREFIX, lp(val));
export const ubdKey = (del: Uint8Array, val: Uint8Array) => p(UBD_PREFIX, lp(del), lp(val));
export const ubdsOfDelegatorPrefix = (del: Uint8Array) => p(UBD_PREFIX, lp(del));
export const ubdByValKey = (val: Uint8Array, del: Uint8Array) => p(UBD_BY_VAL_PREFIX, lp(val), lp(del));
export const ubdsByValPrefix = (val: Uint8Array) => p(UBD_BY_VAL_PREFIX, lp(val));
export const redKey = (del: Uint8Array, src: Uint8Array, dst: Uint8Array) => p(RED_PREFIX, lp(del), lp(src), lp(dst));
export const redsOfDelegatorPrefix = (del: Uint8Array) => p(RED_PREFIX, lp(del));
export const redsOfDelegatorFromSrcPrefix = (del: Uint8Array, src: Uint8Array) => p(RED_PREFIX, lp(del), lp(src));
export const redBySrcKey = (src: Uint8Array, del: Uint8Array, dst: Uint8Array) => p(RED_BY_SRC_PREFIX, lp(src), lp(del), lp(dst));
export const redsBySrcPrefix = (src: Uint8Array) => p(RED_BY_SRC_PREFIX, lp(src));
export const redByDstKey = (dst: Uint8Array, del: Uint8Array, src: Uint8Array) => p(RED_BY_DST_PREFIX, lp(dst), lp(del), lp(src));
export const redsByDstPrefix = (dst: Uint8Array) => p(RED_BY_DST_PREFIX, lp(dst));
export const redsByDstDelPrefix = (dst: Uint8Array, del: Uint8Array) => p(RED_BY_DST_PREFIX, lp(dst), lp(del));
export const ubdQueueKey = (timeNs: bigint, del: Uint8Array, val: Uint8Array) => p(UBD_QUEUE_PREFIX, u64(timeNs), lp(del), lp(val));
export const redQueueKey = (timeNs: bigint, del: Uint8Array, src: Uint8Array, dst: Uint8Array) =>
  p(RED_QUEUE_PREFIX, u64(timeNs), lp(del), lp(src), lp(dst));
export const validatorQueueKey = (timeNs: bigint, height: bigint, op: Uint8Array) => p(VALIDATOR_QUEUE_PREFIX, u64(timeNs), u64(height), lp(op));
/** End (exclusive) of a queue's entries due at or before `timeNs`. */
export const queueEnd = (prefix: number, timeNs: bigint) => p(prefix, u64(timeNs + 1n));

export { concatBytes as concat } from "../../types/bytes";
