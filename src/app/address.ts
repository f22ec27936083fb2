import { fromBech32, toBech32 } from "@cosmjs/encoding";
import * as crypto from "node:crypto";
import { SdkErrors } from "./errors";

/** Bech32 human-readable part of BLOCKAI account addresses. */
export const ACCOUNT_PREFIX = "soa";
export const VALIDATOR_OPERATOR_PREFIX = "soavaloper";
export const VALIDATOR_CONSENSUS_PREFIX = "soavalcons";

export function encodeAddress(bytes: Uint8Array, prefix = ACCOUNT_PREFIX): string {
  return toBech32(prefix, bytes);
}

/** Decodes a bech32 account address; a wrong prefix, checksum or length is sdk/7 (invalid address). */
export function decodeAddress(address: string, what = "address", prefix = ACCOUNT_PREFIX): Uint8Array {
  if (typeof address !== "string" || address === "") throw SdkErrors.InvalidAddress.wrap(`empty ${what}`);
  let decoded: { prefix: string; data: Uint8Array };
  try {
    // An explicit limit: @cosmjs/encoding's default (Infinity) is refused by @scure/base >= 2.3.
    decoded = fromBech32(address, 90);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} "${address}": ${(e as Error).message}`);
  }
  if (decoded.prefix !== prefix) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} "${address}": expected prefix "${prefix}", got "${decoded.prefix}"`);
  }
  if (decoded.data.length !== 20 && decoded.data.length !== 32) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} "${address}": ${decoded.data.length} bytes, expected 20 or 32`);
  }
  return decoded.data;
}

/** Address of a module account: SHA-256(name)[:20], as the Cosmos SDK's authtypes.NewModuleAddress. */
export function moduleAddress(name: string): Uint8Array {
  return crypto.createHash("sha256").update(name).digest().subarray(0, 20);
}
