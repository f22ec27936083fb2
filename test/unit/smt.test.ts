import fc from "fast-check";
import { sha256 } from "@noble/hashes/sha2.js";
import { MerkleTree } from "../../src/store/smt";
import {
  decodeProof,
  encodeProof,
  MerkleProof,
  PROOF_OP_TYPE,
  verifyMembership,
  verifyNonMembership,
} from "../../src/types/proof";

// ---------------------------------------------------------------------------------------------
// An independent reference: the canonical tree rebuilt recursively from the whole key set,
// hashed with @noble/hashes (the tree under test uses node:crypto).

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const nib = (kh: Uint8Array, d: number): number => (d & 1 ? kh[d >> 1] & 15 : kh[d >> 1] >> 4);
const refLeafHash = (key: Uint8Array, value: Uint8Array): Uint8Array =>
  sha256(concat(Uint8Array.of(0), sha256(key), sha256(value)));
const refInternalHash = (bitmap: number, children: Uint8Array[]): Uint8Array =>
  sha256(concat(Uint8Array.of(1, bitmap >> 8, bitmap & 255), ...children));

/** Model of the state: key (hex) -> [key, value]. */
type Model = Map<string, readonly [Uint8Array, Uint8Array]>;

function refRoot(model: Model): Uint8Array {
  const leaves = [...model.values()].map(([k, v]) => ({ kh: sha256(k), h: refLeafHash(k, v) }));
  const rec = (ls: typeof leaves, d: number): Uint8Array | null => {
    if (ls.length === 0) return null;
    if (ls.length === 1) return ls[0].h;
    let bitmap = 0;
    const hs: Uint8Array[] = [];
    for (let s = 0; s < 16; s++) {
      const h = rec(
        ls.filter((l) => nib(l.kh, d) === s),
        d + 1,
      );
      if (h) {
        bitmap |= 1 << s;
        hs.push(h);
      }
    }
    return refInternalHash(bitmap, hs);
  };
  return rec(leaves, 0) ?? new Uint8Array(32);
}

function applyToModel(model: Model, batch: readonly (readonly [Uint8Array, Uint8Array | null])[]): void {
  for (const [k, v] of batch) {
    if (v === null) model.delete(hex(k));
    else model.set(hex(k), [k, v]);
  }
}

// ---------------------------------------------------------------------------------------------
// Keys. Besides short keys, groups whose SHA-256 share long prefixes (found by brute force) so
// that deep paths, chains of single-child internal nodes, collapses over several levels and
// partitioning past the 8 cached nibbles are all exercised.

const DEEP_GROUPS: string[][] = [
  ["p21", "p6090", "p161200"], // share 5 nibbles: 68977...
  ["p35", "p12188", "p205480"], // share 5 nibbles: 9f680...
  ["p40", "p251446"], // share 6 nibbles: 535e3d...
  ["p140", "p275807"], // share 7 nibbles: 528cca3...
  ["q1580391", "q2031051"], // share 10 nibbles: 78d29a15d5...
  ["q2022613", "q2617507"], // share 10 nibbles: 56641dcadd...
];
const KEY_POOL: Uint8Array[] = [
  ...Array.from({ length: 20 }, (_, i) => bytes(`k${i}`)),
  ...DEEP_GROUPS.flat().map(bytes),
  new Uint8Array(0),
  new Uint8Array(100).fill(7), // longer than 64 bytes: hashed from outside the JS heap
];
const VALUE_POOL: Uint8Array[] = [bytes("v0"), bytes("v1"), bytes("v2"), new Uint8Array(0), new Uint8Array(300).fill(1)];

const change = fc.tuple(
  fc.nat({ max: KEY_POOL.length - 1 }),
  fc.option(fc.nat({ max: VALUE_POOL.length - 1 }), { nil: null, freq: 3 }),
);
const toBatch = (cs: readonly (readonly [number, number | null])[]): [Uint8Array, Uint8Array | null][] =>
  cs.map(([k, v]) => [KEY_POOL[k], v === null ? null : VALUE_POOL[v]]);

const entriesArb = fc
  .uniqueArray(fc.tuple(fc.nat({ max: KEY_POOL.length - 1 }), fc.nat({ max: VALUE_POOL.length - 1 })), {
    selector: ([k]) => k,
    maxLength: KEY_POOL.length,
  })
  .map((es) => es.map(([k, v]) => [KEY_POOL[k], VALUE_POOL[v]] as const));

const modelOf = (entries: readonly (readonly [Uint8Array, Uint8Array])[]): Model =>
  new Map(entries.map(([k, v]) => [hex(k), [k, v] as const]));

// ---------------------------------------------------------------------------------------------

describe("MerkleTree against the reference", () => {
  test("deep key groups really share the documented prefixes", () => {
    const shared = [5, 5, 6, 7, 10, 10];
    DEEP_GROUPS.forEach((g, i) => {
      const khs = g.map((k) => sha256(bytes(k)));
      for (let d = 0; d < shared[i]; d++) for (const kh of khs) expect(nib(kh, d)).toBe(nib(khs[0], d));
      expect(new Set(khs.map((kh) => nib(kh, shared[i]))).size).toBe(g.length);
    });
  });

  test("random sequences of batches: roots, sizes and persistence of old versions", () => {
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 12 }), { minLength: 1, maxLength: 12 }), (batches) => {
        const model: Model = new Map();
        const versions: { tree: MerkleTree; root: string; size: number }[] = [];
        let tree = MerkleTree.empty();
        for (const b of batches) {
          const batch = toBatch(b);
          tree = tree.update(batch);
          applyToModel(model, batch);
          const root = hex(refRoot(model));
          expect(hex(tree.root())).toBe(root);
          expect(tree.size).toBe(model.size);
          versions.push({ tree, root, size: model.size });
        }
        for (const v of versions) {
          expect(hex(v.tree.root())).toBe(v.root);
          expect(v.tree.size).toBe(v.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("fromEntries, one batch and one key at a time agree, in any order", () => {
    fc.assert(
      fc.property(entriesArb, fc.infiniteStream(fc.nat()), (entries, rand) => {
        const root = hex(refRoot(modelOf(entries)));
        const shuffled = [...entries];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rand.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        expect(hex(MerkleTree.fromEntries(entries).root())).toBe(root);
        expect(hex(MerkleTree.fromEntries(shuffled).root())).toBe(root);
        expect(hex(MerkleTree.empty().update(shuffled).root())).toBe(root);
        let t = MerkleTree.empty();
        for (const e of shuffled) t = t.update([e]);
        expect(hex(t.root())).toBe(root);
        expect(t.size).toBe(entries.length);
      }),
      { numRuns: 200 },
    );
  });

  test("duplicates: last wins in update() and in fromEntries()", () => {
    const [a, b] = [bytes("a"), bytes("b")];
    const t = MerkleTree.empty().update([
      [a, bytes("1")],
      [b, bytes("x")],
      [a, null],
      [b, null],
      [a, bytes("2")],
      [b, bytes("y")],
      [b, null],
    ]);
    expect(hex(t.root())).toBe(hex(refLeafHash(a, bytes("2"))));
    expect(t.size).toBe(1);
    const f = MerkleTree.fromEntries([
      [a, bytes("1")],
      [b, bytes("2")],
      [a, bytes("3")],
    ]);
    expect(hex(f.root())).toBe(hex(refRoot(modelOf([[a, bytes("3")], [b, bytes("2")]]))));
    expect(f.size).toBe(2);
  });

  test("deleting down to one key collapses to that leaf; deleting all gives the empty root", () => {
    for (const group of DEEP_GROUPS) {
      const keys = group.map(bytes);
      let t = MerkleTree.fromEntries(keys.map((k) => [k, k]));
      t = t.update(keys.slice(1).map((k) => [k, null]));
      expect(hex(t.root())).toBe(hex(refLeafHash(keys[0], keys[0])));
      t = t.update([[keys[0], null]]);
      expect(hex(t.root())).toBe("00".repeat(32));
      expect(t.size).toBe(0);
    }
  });

  test("no-op updates keep the root (absent deletes, same values, empty batch)", () => {
    const t = MerkleTree.fromEntries(KEY_POOL.slice(0, 10).map((k) => [k, k]));
    expect(hex(t.update([]).root())).toBe(hex(t.root()));
    expect(hex(t.update([[bytes("absent"), null]]).root())).toBe(hex(t.root()));
    expect(hex(t.update(KEY_POOL.slice(0, 10).map((k) => [k, k])).root())).toBe(hex(t.root()));
    expect(MerkleTree.empty().update([[bytes("x"), null]]).size).toBe(0);
  });

  test("larger random trees (3,000 keys) with mixed batches", () => {
    const model: Model = new Map();
    let tree = MerkleTree.empty();
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 6; round++) {
      const batch: [Uint8Array, Uint8Array | null][] = [];
      for (let i = 0; i < 1000; i++) {
        const k = bytes(`key-${rnd(3000)}`);
        batch.push([k, rnd(4) === 0 ? null : bytes(`value-${rnd(1e6)}`)]);
      }
      tree = tree.update(batch);
      applyToModel(model, batch);
      expect(hex(tree.root())).toBe(hex(refRoot(model)));
      expect(tree.size).toBe(model.size);
    }
    expect(hex(MerkleTree.fromEntries(model.values()).root())).toBe(hex(tree.root()));
  });

  test("inputs are not modified", () => {
    const k = bytes("key");
    const v = bytes("value");
    MerkleTree.empty().update([[k, v]]).prove(k);
    expect(hex(k)).toBe(hex(bytes("key")));
    expect(hex(v)).toBe(hex(bytes("value")));
  });
});

describe("known-answer vectors (pin the spec)", () => {
  // Independent derivations from the spec text, next to the hard-coded values (computed
  // separately with Python's hashlib).
  test("empty tree", () => {
    expect(hex(MerkleTree.empty().root())).toBe("00".repeat(32));
    expect(MerkleTree.empty().size).toBe(0);
  });

  test('single key "a" = "1": the root is the leaf hash', () => {
    const expected = "565388d4bc00257133f799d9366ac97f6e949c18acc53d17457f8859ba0f08d3";
    expect(hex(refLeafHash(bytes("a"), bytes("1")))).toBe(expected);
    expect(hex(MerkleTree.fromEntries([[bytes("a"), bytes("1")]]).root())).toBe(expected);
  });

  test('two keys "a" = "1", "b" = "2": one internal node, slots 3 and 12', () => {
    // sha256("a") = ca97..., sha256("b") = 3e23...: first nibbles 0xc and 0x3.
    const expected = "bb9dbe5eeff357f9f55024d7b34f139b31b16761f45af7cc8c6ccdf073a7fc8f";
    const bitmap = (1 << 3) | (1 << 12);
    expect(bitmap).toBe(0x1008);
    expect(hex(refInternalHash(bitmap, [refLeafHash(bytes("b"), bytes("2")), refLeafHash(bytes("a"), bytes("1"))]))).toBe(
      expected,
    );
    const t = MerkleTree.fromEntries([
      [bytes("a"), bytes("1")],
      [bytes("b"), bytes("2")],
    ]);
    expect(hex(t.root())).toBe(expected);
  });

  test('keys "a" = "1", "k103" = "x" share 2 nibbles: a chain of single-child nodes', () => {
    // sha256("a") = ca97..., sha256("k103") = ca27...: nodes at "", "c" have one child each.
    const expected = "cdec5eb668adb4629780a682073c7defd02ef5268bf59ca6205e5340f92df036";
    const n2 = refInternalHash((1 << 2) | (1 << 9), [refLeafHash(bytes("k103"), bytes("x")), refLeafHash(bytes("a"), bytes("1"))]);
    const n1 = refInternalHash(1 << 10, [n2]);
    expect(hex(refInternalHash(1 << 12, [n1]))).toBe(expected);
    const t = MerkleTree.empty().update([
      [bytes("k103"), bytes("x")],
      [bytes("a"), bytes("1")],
    ]);
    expect(hex(t.root())).toBe(expected);
  });
});

describe("proofs", () => {
  const seen = { leaf: 0, empty: 0, otherLeaf: 0 };

  test("membership and non-membership proofs verify, and only for the truth", () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const model = modelOf(entries);
        const tree = MerkleTree.fromEntries(entries);
        const root = tree.root();
        for (const key of KEY_POOL) {
          const proof = tree.prove(key);
          seen[proof.terminal.type]++;
          const decoded = decodeProof(encodeProof(proof));
          expect(decoded).toEqual(proof);
          const present = model.get(hex(key));
          for (const p of [proof, decoded]) {
            if (present) {
              expect(p.terminal.type).toBe("leaf");
              expect(verifyMembership(root, key, present[1], p)).toBe(true);
              expect(verifyMembership(root, key, bytes("wrong"), p)).toBe(false);
              expect(verifyNonMembership(root, key, p)).toBe(false);
            } else {
              expect(verifyNonMembership(root, key, p)).toBe(true);
              expect(verifyMembership(root, key, VALUE_POOL[0], p)).toBe(false);
            }
          }
        }
      }),
      { numRuns: 100 },
    );
    // Both kinds of non-membership occurred (and membership, of course).
    expect(seen.leaf).toBeGreaterThan(0);
    expect(seen.empty).toBeGreaterThan(0);
    expect(seen.otherLeaf).toBeGreaterThan(0);
  });

  test("old versions still prove against their own root", () => {
    const v1 = MerkleTree.fromEntries(KEY_POOL.slice(0, 15).map((k) => [k, VALUE_POOL[0]]));
    const v2 = v1.update(KEY_POOL.slice(0, 15).map((k, i) => [k, i % 2 ? null : VALUE_POOL[1]]));
    for (const k of KEY_POOL.slice(0, 15)) {
      expect(verifyMembership(v1.root(), k, VALUE_POOL[0], v1.prove(k))).toBe(true);
      expect(verifyMembership(v2.root(), k, VALUE_POOL[0], v1.prove(k))).toBe(false);
    }
  });

  test("a proof checked against another root fails", () => {
    fc.assert(
      fc.property(entriesArb, entriesArb, fc.nat({ max: KEY_POOL.length - 1 }), (ea, eb, ki) => {
        const a = MerkleTree.fromEntries(ea);
        const b = MerkleTree.fromEntries(eb);
        fc.pre(hex(a.root()) !== hex(b.root()));
        const key = KEY_POOL[ki];
        const proof = a.prove(key);
        const present = modelOf(ea).get(hex(key));
        if (present) expect(verifyMembership(b.root(), key, present[1], proof)).toBe(false);
        else expect(verifyNonMembership(b.root(), key, proof)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  test("any single flipped bit: decoding throws an Error or verification fails", () => {
    fc.assert(
      fc.property(entriesArb, fc.nat({ max: KEY_POOL.length - 1 }), fc.nat(), (entries, ki, bit) => {
        const tree = MerkleTree.fromEntries(entries);
        const key = KEY_POOL[ki];
        const present = modelOf(entries).get(hex(key));
        const encoded = encodeProof(tree.prove(key));
        const bad = encoded.slice();
        const at = bit % (bad.length * 8);
        bad[at >> 3] ^= 1 << (at & 7);
        let proof: MerkleProof;
        try {
          proof = decodeProof(bad);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          return;
        }
        const root = tree.root();
        expect(verifyNonMembership(root, key, proof)).toBe(false);
        expect(verifyMembership(root, key, present ? present[1] : VALUE_POOL[0], proof)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  test("the empty tree and a one-key tree", () => {
    const k = bytes("only");
    const empty = MerkleTree.empty().prove(k);
    expect(empty).toEqual({ steps: [], terminal: { type: "empty" } });
    expect(verifyNonMembership(new Uint8Array(32), k, empty)).toBe(true);
    expect(verifyNonMembership(new Uint8Array(32).fill(1), k, empty)).toBe(false);
    expect(verifyMembership(new Uint8Array(32), k, bytes("v"), empty)).toBe(false);

    const one = MerkleTree.fromEntries([[k, bytes("v")]]);
    expect(one.prove(k)).toEqual({ steps: [], terminal: { type: "leaf" } });
    expect(verifyMembership(one.root(), k, bytes("v"), one.prove(k))).toBe(true);
    const other = one.prove(bytes("other"));
    expect(other.terminal.type).toBe("otherLeaf");
    expect(other.steps).toEqual([]);
    expect(verifyNonMembership(one.root(), bytes("other"), other)).toBe(true);
    // The other leaf is not evidence against the key it belongs to.
    expect(verifyNonMembership(one.root(), k, other)).toBe(false);
  });

  test("encoding layout, version 1", () => {
    expect(PROOF_OP_TYPE).toBe("blockai:smt");
    const [a, b] = [bytes("a"), bytes("b")];
    const t = MerkleTree.fromEntries([
      [a, bytes("1")],
      [b, bytes("2")],
    ]);
    // Membership of "a": one step (bitmap 0x1008), sibling = leaf "b"; terminal tag 0.
    const member = encodeProof(t.prove(a));
    expect(hex(member)).toBe("010001" + "1008" + hex(refLeafHash(b, bytes("2"))));
    // "c" (sha256 = 2e7d...) ends in the empty slot 2 of the root: both hashes are siblings.
    const absent = encodeProof(t.prove(bytes("c")));
    expect(hex(absent)).toBe("010101" + "1008" + hex(refLeafHash(b, bytes("2"))) + hex(refLeafHash(a, bytes("1"))));
    // "k103" (ca27...) meets leaf "a" in slot 12: otherLeaf carries its keyHash and valueHash.
    const other = encodeProof(t.prove(bytes("k103")));
    expect(hex(other)).toBe(
      "010201" + "1008" + hex(refLeafHash(b, bytes("2"))) + hex(sha256(a)) + hex(sha256(bytes("1"))),
    );
  });

  test("malformed encodings are rejected with an Error", () => {
    const sib = "ab".repeat(32);
    const cases: [string, RegExp][] = [
      ["", /too short/],
      ["0100", /too short/],
      ["020000", /version/],
      ["010300", /terminal/],
      ["010041", /at most 64/],
      ["010001", /truncated/],
      ["0100011008", /truncated/],
      ["010001" + "1008" + sib + "00", /trailing/],
      ["010001" + "0000", /bitmap/],
      ["010101" + "ffff" + sib.repeat(16), /bitmap/],
      ["010200", /truncated in otherLeaf/],
    ];
    for (const [h, msg] of cases) expect(() => decodeProof(fromHex(h))).toThrow(msg);
    expect(() => decodeProof("010000" as unknown as Uint8Array)).toThrow(Error);
    expect(decodeProof(fromHex("010000"))).toEqual({ steps: [], terminal: { type: "leaf" } });
  });

  test("decodeProof on random bytes: only Errors, and what decodes re-encodes identically", () => {
    const check = (b: Uint8Array): void => {
      let p: MerkleProof;
      try {
        p = decodeProof(b);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        return;
      }
      expect(hex(encodeProof(p))).toBe(hex(b));
      expect(typeof verifyMembership(new Uint8Array(32), bytes("k"), bytes("v"), p)).toBe("boolean");
      expect(typeof verifyNonMembership(new Uint8Array(32), bytes("k"), p)).toBe("boolean");
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4000 }), check), { numRuns: 2000 });
    // Mostly well-formed headers, so that decoding gets past the first checks.
    const step = fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.boolean(), fc.uint8Array({ maxLength: 40 }));
    fc.assert(
      fc.property(fc.nat({ max: 3 }), fc.array(step, { maxLength: 6 }), fc.uint8Array({ maxLength: 70 }), (tag, steps, tail) => {
        const parts: Uint8Array[] = [Uint8Array.of(1, tag, steps.length)];
        for (const [bitmap, exact, junk] of steps) {
          let n = 0;
          for (let v = bitmap; v; v &= v - 1) n++;
          parts.push(Uint8Array.of(bitmap >> 8, bitmap & 255), exact ? new Uint8Array(32 * Math.max(0, n - 1)) : junk);
        }
        parts.push(tail);
        check(concat(...parts));
      }),
      { numRuns: 2000 },
    );
  });

  test("hand-built inconsistent proofs are rejected without throwing", () => {
    const [a, b] = [bytes("a"), bytes("b")];
    const t = MerkleTree.fromEntries([
      [a, bytes("1")],
      [b, bytes("2")],
    ]);
    const root = t.root();
    const good = t.prove(a);
    expect(verifyMembership(root, a, bytes("1"), good)).toBe(true);
    const bad: MerkleProof[] = [
      { steps: [{ bitmap: 0x1008, siblings: [] }], terminal: { type: "leaf" } },
      { steps: [{ bitmap: 0x1008, siblings: [new Uint8Array(31)] }], terminal: { type: "leaf" } },
      { steps: [{ bitmap: 0x1009, siblings: good.steps[0].siblings }], terminal: { type: "leaf" } },
      { steps: [{ bitmap: 0x10008, siblings: good.steps[0].siblings }], terminal: { type: "leaf" } },
      { steps: [{ bitmap: 1.5, siblings: good.steps[0].siblings }], terminal: { type: "leaf" } },
      { steps: Array.from({ length: 65 }, () => good.steps[0]), terminal: { type: "leaf" } },
      { steps: [null as unknown as MerkleProof["steps"][number]], terminal: { type: "leaf" } },
      { steps: null as unknown as MerkleProof["steps"], terminal: { type: "leaf" } },
      { steps: good.steps, terminal: { type: "unknown" } as unknown as MerkleProof["terminal"] },
      { steps: good.steps, terminal: { type: "otherLeaf", keyHash: sha256(a), valueHash: sha256(bytes("1")) } },
    ];
    for (const p of bad) {
      expect(verifyMembership(root, a, bytes("1"), p)).toBe(false);
      expect(verifyNonMembership(root, a, p)).toBe(false);
      expect(verifyNonMembership(root, bytes("c"), p)).toBe(false);
    }
    expect(verifyMembership(root.slice(0, 31), a, bytes("1"), good)).toBe(false);
    expect(() => encodeProof(bad[0])).toThrow(Error);
  });
});
