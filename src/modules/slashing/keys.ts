/**
 * The slashing module's state, under "slashing/":
 *
 *   0x00                        Params
 *   0x01 | cons                 ValidatorSigningInfo (protobuf)
 *   0x02 | cons | index (u64)   present = the validator missed the block at this window index
 *
 * The missed-block bitmap stores only the missed indexes, so a validator that signs costs one
 * read per block and no write. Addresses are length-prefixed.
 */
import { concatBytes as concat, readU64be, u64be } from "../../types/bytes";
import { lp, readLp } from "../../types/length-prefix";

export { readLp };
export const readU64 = readU64be;

export const SLASHING_STORE_PREFIX = new TextEncoder().encode("slashing/");
export const PARAMS_KEY = Uint8Array.of(0x00);
export const SIGNING_INFO_PREFIX = 0x01;
export const MISSED_PREFIX = 0x02;

export const signingInfoKey = (cons: Uint8Array) => concat(Uint8Array.of(SIGNING_INFO_PREFIX), lp(cons));
export const missedPrefix = (cons: Uint8Array) => concat(Uint8Array.of(MISSED_PREFIX), lp(cons));
export const missedKey = (cons: Uint8Array, index: bigint) => concat(missedPrefix(cons), u64be(index));
