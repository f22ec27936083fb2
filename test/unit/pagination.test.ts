import BTree from "sorted-btree";
import { MAX_PAGE_OFFSET, paginate } from "../../src/framework/pagination";
import { StoreBranch } from "../../src/store/branch";
import { PrefixStore } from "../../src/store/kv";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** 25,000 entries "a/00000".. under prefix "a/", and a few under "b/" that must never show. */
function store(): PrefixStore {
  const root = new StoreBranch(new BTree<string, Uint8Array>());
  for (let i = 0; i < 25_000; i++) root.set(enc(`a/${String(i).padStart(5, "0")}`), enc(String(i)));
  for (let i = 0; i < 3; i++) root.set(enc(`b/${i}`), enc(`secret ${i}`));
  return new PrefixStore(root, enc("a/"));
}

const list = (s: PrefixStore, request: Parameters<typeof paginate>[3], start = new Uint8Array(), end?: Uint8Array) =>
  paginate(s, start, end, request, (_k, v) => dec(v));

describe("paginate (the SDK's pagination, bounded)", () => {
  const s = store();

  test("count_total counts every entry of the listing (in chunks), offset and key pages as the SDK", () => {
    const first = list(s, { key: new Uint8Array(), offset: 0n, limit: 3n, countTotal: true, reverse: false });
    expect(first.items).toEqual(["0", "1", "2"]);
    expect(first.pagination.total).toBe(25_000n);
    const next = list(s, { key: first.pagination.nextKey, offset: 0n, limit: 2n, countTotal: false, reverse: false });
    expect(next.items).toEqual(["3", "4"]);
    expect(list(s, { key: new Uint8Array(), offset: 24_998n, limit: 5n, countTotal: false, reverse: false }).items).toEqual(["24998", "24999"]);
  });

  test("a listing whose decode drops entries still fills its pages and gives next_key (forward and reverse)", () => {
    // Only multiples of 1,000 pass the filter: a page of 5 needs 4,001+ entries read.
    const filtered = (request: Parameters<typeof paginate>[3]) => paginate(s, new Uint8Array(), undefined, request, (_k, v) => (Number(dec(v)) % 1000 === 0 ? dec(v) : undefined));
    const page1 = filtered({ key: new Uint8Array(), offset: 0n, limit: 5n, countTotal: false, reverse: false });
    expect(page1.items).toEqual(["0", "1000", "2000", "3000", "4000"]);
    expect(dec(page1.pagination.nextKey)).toBe("04001");
    const page2 = filtered({ key: page1.pagination.nextKey, offset: 0n, limit: 5n, countTotal: false, reverse: false });
    expect(page2.items).toEqual(["5000", "6000", "7000", "8000", "9000"]);
    const back = filtered({ key: new Uint8Array(), offset: 0n, limit: 3n, countTotal: false, reverse: true });
    expect(back.items).toEqual(["24000", "23000", "22000"]);
    const back2 = filtered({ key: back.pagination.nextKey, offset: 0n, limit: 3n, countTotal: false, reverse: true });
    expect(back2.items).toEqual(["21000", "20000", "19000"]);
    const last = filtered({ key: new Uint8Array(), offset: 0n, limit: 1000n, countTotal: false, reverse: false });
    expect(last.items).toHaveLength(25);
    expect(last.pagination.nextKey).toHaveLength(0);
  });

  test("an offset above the cap is refused rather than read through", () => {
    expect(() => list(s, { key: new Uint8Array(), offset: MAX_PAGE_OFFSET + 1n, limit: 1n, countTotal: false, reverse: false })).toThrow(/offset .* is above 100000/);
    expect(() => list(s, { key: new Uint8Array(), offset: 2n ** 63n, limit: 1n, countTotal: false, reverse: false })).toThrow(/offset/);
  });

  test("a key outside the queried range is refused (it would list other records)", () => {
    const range = [enc("01000"), enc("02000")] as const;
    const ok = list(s, { key: enc("01500"), offset: 0n, limit: 1n, countTotal: false, reverse: false }, ...range);
    expect(ok.items).toEqual(["1500"]);
    expect(() => list(s, { key: enc("00999"), offset: 0n, limit: 1n, countTotal: false, reverse: false }, ...range)).toThrow(/outside the queried range/);
    expect(() => list(s, { key: enc("02000"), offset: 0n, limit: 1n, countTotal: false, reverse: true }, ...range)).toThrow(/outside the queried range/);
  });
});
