/** Following a Cosmos query's pagination to the end, for SDK users and the project's own tools alike. */

/**
 * Every item of a paginated query, following next_key page after page; `total` is what the first
 * page counted (count_total is asked on the first page only, as the SDK counts it only there).
 */
export async function allPages<T>(
  fetchPage: (key: Uint8Array) => Promise<{ items: T[]; nextKey: Uint8Array | undefined; total: bigint | undefined }>,
  maxPages = 10_000,
): Promise<{ items: T[]; total: bigint | undefined }> {
  const items: T[] = [];
  let key: Uint8Array = new Uint8Array();
  let total: bigint | undefined;
  for (let page = 0; page < maxPages; page++) {
    const r = await fetchPage(key);
    if (page === 0) total = r.total;
    items.push(...r.items);
    if (r.nextKey === undefined || r.nextKey.length === 0) return { items, total };
    key = r.nextKey;
  }
  throw new Error(`allPages: more than ${maxPages} pages`);
}
