import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../../app/pagination";
import { SdkErrors } from "../../app/errors";
import { KVStore, concatBytes } from "../../store/kv";

export interface PageRequestLike {
  key: Uint8Array;
  offset: bigint;
  limit: bigint;
  countTotal: boolean;
  reverse: boolean;
}

const CHUNK = 256;

/**
 * The Cosmos SDK's pagination over the keys of `store` (an index, already narrowed by a prefix)
 * with a filter: only entries for which `load` returns a value that `match`es are listed, counted
 * (offset, limit, total) and may be the next_key. The index is read in chunks, so a page costs
 * what it has to skip, not the size of the index.
 */
export function paginateFiltered<T>(
  store: KVStore,
  request: PageRequestLike | undefined,
  load: (key: Uint8Array) => T | undefined,
  match: (item: T) => boolean = () => true,
): { items: T[]; pagination: { nextKey: Uint8Array; total: bigint } } {
  const key = request?.key ?? new Uint8Array();
  const offset = request?.offset ?? 0n;
  let limit = request?.limit ?? 0n;
  if (key.length > 0 && offset > 0n) throw SdkErrors.InvalidRequest.wrap("paginate: either offset or key is expected, got both");
  if (limit === 0n) limit = DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT) limit = MAX_PAGE_LIMIT;
  const reverse = request?.reverse ?? false;
  const countTotal = request?.countTotal ?? false;

  let lo: Uint8Array = new Uint8Array();
  let hi: Uint8Array | undefined;
  if (key.length > 0) {
    if (reverse) hi = concatBytes(key, Uint8Array.of(0));
    else lo = key;
  }
  const items: T[] = [];
  let nextKey: Uint8Array = new Uint8Array();
  let matched = 0n;
  for (;;) {
    const chunk = store.range(lo, hi, { reverse, limit: CHUNK });
    for (const [k] of chunk) {
      const item = load(k);
      if (item === undefined || !match(item)) continue;
      matched++;
      if (matched <= offset) continue;
      if (BigInt(items.length) < limit) items.push(item);
      else if (nextKey.length === 0) {
        nextKey = Uint8Array.from(k);
        if (!countTotal) return { items, pagination: { nextKey, total: 0n } };
      }
    }
    if (chunk.length < CHUNK) break;
    const last = chunk[chunk.length - 1][0];
    if (reverse) hi = last;
    else lo = concatBytes(last, Uint8Array.of(0));
  }
  return { items, pagination: { nextKey, total: countTotal ? matched : 0n } };
}
