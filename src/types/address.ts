import { fromBech32, toBech32 } from "@cosmjs/encoding";
import * as crypto from "node:crypto";
import { SdkErrors } from "./errors";

/** Bech32 human-readable part of BLOCKAI account addresses. */
export const ACCOUNT_PREFIX = "soa";
export const VALIDATOR_OPERATOR_PREFIX = "soavaloper";
export const VALIDATOR_CONSENSUS_PREFIX = "soavalcons";

/**
 * Bech32 conversions are a visible share of a transfer's cost (every event and account carries
 * addresses), and the same few addresses recur block after block: results are memoised, per
 * prefix. The maps are bounded and simply cleared when full; they hold no consensus state.
 */
const MEMO_LIMIT = 50_000;
const encoded = new Map<string, Map<string, string>>();
const decoded = new Map<string, Map<string, Uint8Array>>();

function memo<V>(maps: Map<string, Map<string, V>>, prefix: string): Map<string, V> {
  let map = maps.get(prefix);
  if (map === undefined) {
    // Prefixes are code constants; the bound only guards against a caller passing others.
    if (maps.size >= 16) maps.clear();
    map = new Map();
    maps.set(prefix, map);
  }
  return map;
}

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

/** One char per byte (a memo key); Buffer's latin1 codec without a Buffer object per call. */
function bytesKey(bytes: Uint8Array): string {
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, 0, bytes.byteLength);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export function encodeAddress(bytes: Uint8Array, prefix = ACCOUNT_PREFIX): string {
  const map = memo(encoded, prefix);
  const key = bytesKey(bytes);
  return map.get(key) ?? remember(map, key, toBech32(prefix, bytes));
}

/** Decodes a bech32 account address; a wrong prefix, checksum or length is sdk/7 (invalid address). */
export function decodeAddress(address: string, what = "address", prefix = ACCOUNT_PREFIX): Uint8Array {
  const map = memo(decoded, prefix);
  const known = map.get(address);
  // A copy: callers may keep or modify the bytes.
  if (known !== undefined) return known.slice();
  const bytes = decodeAddressUncached(address, what, prefix);
  remember(map, address, Uint8Array.from(bytes));
  return bytes;
}

function decodeAddressUncached(address: string, what: string, prefix: string): Uint8Array {
  if (typeof address !== "string" || address === "") throw SdkErrors.InvalidAddress.wrap(`empty ${what}`);
  let result: { prefix: string; data: Uint8Array };
  try {
    // An explicit limit: @cosmjs/encoding's default (Infinity) is refused by @scure/base >= 2.3.
    result = fromBech32(address, 90);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} "${address}": ${(e as Error).message}`);
  }
  if (result.prefix !== prefix) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} "${address}": expected prefix "${prefix}", got "${result.prefix}"`);
  }
  if (result.data.length !== 20 && result.data.length !== 32) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} "${address}": ${result.data.length} bytes, expected 20 or 32`);
  }
  return result.data;
}

/** Address of a module account: SHA-256(name)[:20], as the Cosmos SDK's authtypes.NewModuleAddress. */
const moduleAddresses = new Map<string, Uint8Array>();

export function moduleAddress(name: string): Uint8Array {
  let address = moduleAddresses.get(name);
  if (!address) {
    address = new Uint8Array(crypto.createHash("sha256").update(name).digest().subarray(0, 20));
    moduleAddresses.set(name, address);
  }
  return address.slice();
}

/** Canonical (lowercase) bech32 of a valid account address; sdk/7 otherwise. */
export function canonicalAddress(address: string, what: string): string {
  return encodeAddress(decodeAddress(address, what));
}
