import { fromBech32 } from "@cosmjs/encoding";
import { ACCOUNT_PREFIX } from "../types/address";

/** Checks a soa1... account address argument; the error says what exactly is wrong with it. */
export function checkAddressArg(text: string, what = "address", prefix = ACCOUNT_PREFIX): string {
  let decoded: { prefix: string; data: Uint8Array };
  try {
    // Explicit length limit: @cosmjs/encoding's default (Infinity) is refused by @scure/base >= 2.3.
    decoded = fromBech32(text, 90);
  } catch (e) {
    throw new Error(`invalid ${what} "${text}": not a valid bech32 address (${(e as Error).message})`);
  }
  if (decoded.prefix !== prefix) throw new Error(`invalid ${what} "${text}": prefix "${decoded.prefix}", but BLOCKAI addresses start with "${prefix}1"`);
  if (decoded.data.length !== 20 && decoded.data.length !== 32) throw new Error(`invalid ${what} "${text}": ${decoded.data.length} bytes, expected 20 or 32`);
  return text;
}

export function looksLikeAddress(text: string): boolean {
  try {
    fromBech32(text, 90);
    return true;
  } catch {
    return false;
  }
}
