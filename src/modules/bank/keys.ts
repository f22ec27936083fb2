/**
 * The bank module's state layout. Part of the protocol: clients build these keys to read a
 * balance with a Merkle proof (src/client/verified-query.ts). No Node-only imports here.
 */
import { concatBytes as concat } from "../../client/bytes";
export const BANK_STORE_PREFIX = new TextEncoder().encode("bank/");
export const SUPPLY_PREFIX = 0x01;
export const BALANCE_PREFIX = 0x02;

/** Key of an account's balances inside the bank store: 0x02 | len(address) | address. */
export function balancesPrefix(address: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(BALANCE_PREFIX, address.length), address);
}

/** Key of one balance inside the bank store. Its value is the amount as a decimal string. */
export function balanceKey(address: Uint8Array, denom: string): Uint8Array {
  return concat(balancesPrefix(address), new TextEncoder().encode(denom));
}

export function supplyKey(denom: string): Uint8Array {
  return concat(Uint8Array.of(SUPPLY_PREFIX), new TextEncoder().encode(denom));
}

/** The full state key (as committed in the app hash) of an account's balance of `denom`. */
export function balanceStateKey(address: Uint8Array, denom: string): Uint8Array {
  return concat(BANK_STORE_PREFIX, balanceKey(address, denom));
}
