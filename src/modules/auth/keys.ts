/**
 * The auth module's state layout (under "auth/"). Part of the protocol: clients may build these
 * keys to read an account with a Merkle proof. Browser-safe: leaf imports only.
 *
 *   0x00                              Params (protobuf)
 *   0x01 | len(address) | address     Any{BaseAccount | ModuleAccount}
 *   0x02                              next account number (u64 big-endian)
 */
import { concatBytes } from "../../types/bytes";

export const AUTH_STORE_PREFIX = new TextEncoder().encode("auth/");
export const PARAMS_KEY = Uint8Array.of(0x00);
export const ACCOUNT_PREFIX = 0x01;
export const NEXT_NUMBER_KEY = Uint8Array.of(0x02);

export function accountKey(address: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(ACCOUNT_PREFIX, address.length), address);
}

/** The full state key of an account: AUTH_STORE_PREFIX | accountKey(address), in one allocation. */
export function accountStateKey(address: Uint8Array): Uint8Array {
  const p = AUTH_STORE_PREFIX.length;
  const n = address.length;
  const out = new Uint8Array(p + 2 + n);
  out.set(AUTH_STORE_PREFIX, 0);
  out[p] = ACCOUNT_PREFIX;
  out[p + 1] = n;
  out.set(address, p + 2);
  return out;
}

export const PARAMS_STATE_KEY = concatBytes(AUTH_STORE_PREFIX, PARAMS_KEY);
