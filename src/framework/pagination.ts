import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { KVStore, concatBytes } from "../store/kv";
import { SdkErrors } from "../types/errors";

export const DEFAULT_PAGE_LIMIT = 100n;
export const MAX_PAGE_LIMIT = 1000n;
/**
 * Largest offset: skipped entries are read too, on the thread that executes blocks, so a huge
 * offset (2^63) would read, and hold, the whole listing. Key pagination has no such limit.
 */
export const MAX_PAGE_OFFSET = 100_000n;
/** count_total counts in chunks of this many entries, so it never holds the whole listing. */
const COUNT_CHUNK = 10_000;


export interface PaginateOptions<T> {
  /**
   * Lists only the items it accepts (the SDK's FilteredPaginate): offset, limit, next_key and
   * count_total then count accepted items, and count_total reads (chunked) the whole range.
   */
  filter?: (item: T) => boolean;
}

/**
 * The Cosmos SDK's pagination over the keys of `store` in [start, end) (a module's prefix view,
 * already narrowed to what is listed): next_key is the key to continue from; offset and key are
 * exclusive. `decode` may return undefined for an entry that is not an item (it is skipped but
 * still counts towards an unfiltered offset and total, as the SDK's Paginate counts keys).
 */
export function paginate<T>(
  store: KVStore,
  start: Uint8Array,
  end: Uint8Array | undefined,
  request: PageRequest | undefined,
  decode: (key: Uint8Array, value: Uint8Array) => T | undefined,
  options: PaginateOptions<T> = {},
): { items: T[]; pagination: PageResponse } {
  const key = request?.key ?? new Uint8Array();
  const offset = request?.offset ?? 0n;
  let limit = request?.limit ?? 0n;
  if (key.length > 0 && offset > 0n) throw SdkErrors.InvalidRequest.wrap("paginate: either offset or key is expected, got both");
  if (offset > MAX_PAGE_OFFSET) throw SdkErrors.InvalidRequest.wrap(`paginate: offset ${offset} is above ${MAX_PAGE_OFFSET}; page with next_key instead`);
  // A key from another listing would read other records (and decode them as this one's).
  if (key.length > 0 && (Buffer.compare(key, start) < 0 || (end !== undefined && Buffer.compare(key, end) >= 0))) {
    throw SdkErrors.InvalidRequest.wrap("paginate: key is outside the queried range");
  }
  if (limit === 0n) limit = DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT) limit = MAX_PAGE_LIMIT;
  const reverse = request?.reverse ?? false;
  const filter = options.filter;

  let lo = start;
  let hi = end;
  if (key.length > 0) {
    if (reverse) hi = concatBytes(key, Uint8Array.of(0)); // inclusive of key itself
    else lo = key;
  }
  const countTotal = request?.countTotal ?? false;
  // Read in chunks until the page is full or the listing ends: `decode` and `filter` may drop
  // entries, so a fixed number of entries could leave a short page and no next_key.
  const chunk = Math.min(Number(offset + limit + 1n), COUNT_CHUNK);
  const items: T[] = [];
  let nextKey: Uint8Array = new Uint8Array();
  let skipped = 0n;
  let matched = 0n;
  let from = lo;
  let to = hi;
  read: for (;;) {
    const entries = store.range(from, to, { reverse, limit: chunk });
    for (const [k, v] of entries) {
      if (filter === undefined) {
        if (skipped < offset) {
          skipped++;
          continue;
        }
        if (BigInt(items.length) === limit) {
          nextKey = k;
          break read;
        }
        const item = decode(k, v);
        if (item !== undefined) items.push(item);
        continue;
      }
      const item = decode(k, v);
      if (item === undefined || !filter(item)) continue;
      matched++;
      if (matched <= offset) continue;
      if (BigInt(items.length) < limit) items.push(item);
      else if (nextKey.length === 0) {
        nextKey = Uint8Array.from(k);
        if (!countTotal) break read;
      }
    }
    if (entries.length < chunk) break;
    const last = entries[entries.length - 1][0];
    if (reverse) to = last; // exclusive: continue below it
    else from = concatBytes(last, Uint8Array.of(0)); // just after it
  }
  let total = 0n;
  if (countTotal) total = filter === undefined ? countRange(store, lo, hi) : matched;
  return { items, pagination: { nextKey, total } };
}

/** Entries in [lo, hi), read in chunks. */
function countRange(store: KVStore, lo: Uint8Array, hi: Uint8Array | undefined): bigint {
  let total = 0n;
  let from = lo;
  for (;;) {
    const chunk = store.range(from, hi, { limit: COUNT_CHUNK });
    total += BigInt(chunk.length);
    if (chunk.length < COUNT_CHUNK) return total;
    from = concatBytes(chunk[chunk.length - 1][0], Uint8Array.of(0)); // just after the last key
  }
}
