import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { KVStore, concatBytes } from "../store/kv";
import { SdkErrors } from "./errors";

export const DEFAULT_PAGE_LIMIT = 100n;
export const MAX_PAGE_LIMIT = 1000n;

/**
 * The Cosmos SDK's pagination over the keys of `store` (a module's prefix view, already narrowed
 * to what is listed): next_key is the key to continue from; offset and key are exclusive.
 */
export function paginate<T>(
  store: KVStore,
  start: Uint8Array,
  end: Uint8Array | undefined,
  request: PageRequest | undefined,
  decode: (key: Uint8Array, value: Uint8Array) => T | undefined,
): { items: T[]; pagination: PageResponse } {
  const key = request?.key ?? new Uint8Array();
  const offset = request?.offset ?? 0n;
  let limit = request?.limit ?? 0n;
  if (key.length > 0 && offset > 0n) throw SdkErrors.InvalidRequest.wrap("paginate: either offset or key is expected, got both");
  if (limit === 0n) limit = DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT) limit = MAX_PAGE_LIMIT;
  const reverse = request?.reverse ?? false;

  let lo = start;
  let hi = end;
  if (key.length > 0) {
    if (reverse) hi = concatBytes(key, Uint8Array.of(0)); // inclusive of key itself
    else lo = key;
  }
  const countTotal = request?.countTotal ?? false;
  const all = store.range(lo, hi, { reverse, limit: countTotal ? undefined : Number(offset + limit + 1n) });
  const items: T[] = [];
  let nextKey: Uint8Array = new Uint8Array();
  let index = 0n;
  for (const [k, v] of all) {
    if (index < offset) {
      index++;
      continue;
    }
    if (BigInt(items.length) === limit) {
      nextKey = k;
      break;
    }
    const item = decode(k, v);
    if (item !== undefined) items.push(item);
    index++;
  }
  return { items, pagination: { nextKey, total: countTotal ? BigInt(all.length) : 0n } };
}
