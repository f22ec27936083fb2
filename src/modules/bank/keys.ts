/**
 * The bank module's state layout. Part of the protocol: clients build these keys to read a
 * balance with a Merkle proof (src/client/verified-query.ts). No Node-only imports here.
 */
import { concatBytes as concat } from "../../types/bytes";
export const BANK_STORE_PREFIX = new TextEncoder().encode("bank/");
export const SEND_ENABLED_KEY = Uint8Array.of(0x00);
export const SUPPLY_PREFIX = 0x01;
export const BALANCE_PREFIX = 0x02;
/** Denomination metadata (cosmos.bank.v1beta1.Metadata bytes) by base denom: 0x03 | utf8(denom). */
export const DENOM_METADATA_PREFIX = 0x03;

const utf8 = new TextEncoder();

/**
 * `prefix | 0x02 | len(address) | address | utf8(denom)` in one allocation. Denoms are ASCII (the
 * SDK's denom rule), whose UTF-8 bytes are the char codes; anything else goes through TextEncoder,
 * so the bytes are the same for every string.
 */
function buildBalanceKey(prefix: Uint8Array, address: Uint8Array, denom: string): Uint8Array {
  const p = prefix.length;
  const n = address.length;
  const d = denom.length;
  const out = new Uint8Array(p + 2 + n + d);
  if (p > 0) out.set(prefix, 0);
  out[p] = BALANCE_PREFIX;
  out[p + 1] = n;
  out.set(address, p + 2);
  const base = p + 2 + n;
  for (let i = 0; i < d; i++) {
    const c = denom.charCodeAt(i);
    if (c > 0x7f) return concat(prefix, Uint8Array.of(BALANCE_PREFIX, n), address, utf8.encode(denom));
    out[base + i] = c;
  }
  return out;
}

const EMPTY = new Uint8Array(0);

/** Key of an account's balances inside the bank store: 0x02 | len(address) | address. */
export function balancesPrefix(address: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(BALANCE_PREFIX, address.length), address);
}

/** Key of one balance inside the bank store. Its value is the amount as a decimal string. */
export function balanceKey(address: Uint8Array, denom: string): Uint8Array {
  return buildBalanceKey(EMPTY, address, denom);
}

export function supplyKey(denom: string): Uint8Array {
  return concat(Uint8Array.of(SUPPLY_PREFIX), utf8.encode(denom));
}

/** The full state key (as committed in the app hash) of an account's balance of `denom`. */
export function balanceStateKey(address: Uint8Array, denom: string): Uint8Array {
  return buildBalanceKey(BANK_STORE_PREFIX, address, denom);
}

export function denomMetadataKey(denom: string): Uint8Array {
  return concat(Uint8Array.of(DENOM_METADATA_PREFIX), utf8.encode(denom));
}
