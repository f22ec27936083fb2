import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { ResponseOfferSnapshot_Result as OfferResult } from "cosmjs-types/tendermint/abci/types";
import { BlockaiApp } from "../../src/app/app";
import { createLogger } from "../../src/app/logger";
import { parseDecCoins } from "../../src/types/coins";
import { ValueCache } from "../../src/store/cache";
import { StateDB } from "../../src/store/state";
import { keyToString } from "../../src/store/kv";
import { Driver } from "../helpers/driver";
import { msgSend } from "../helpers/keys";
import { msgDelegate, msgUndelegate } from "../helpers/pos";

jest.setTimeout(120_000);

/** Every entry of the committed state at `height`, as hex pairs (values resolved through the store). */
function dump(app: BlockaiApp, height: number): string[] {
  const store = app.committedStore(height);
  if (!store) throw new Error(`height ${height} not kept`);
  return store.range(new Uint8Array(), undefined).map(([k, v]) => `${Buffer.from(k).toString("hex")}=${Buffer.from(v).toString("hex")}`);
}

/** A seeded stream of sends, delegations and full undelegations (which delete state entries). */
function blockMsgs(d: Driver, rng: () => number, block: number): Array<{ from: number; msgs: Any[] }> {
  const out: Array<{ from: number; msgs: Any[] }> = [];
  const n = d.keys.length;
  const valoper = d.validators[0].valoper;
  for (let i = 0; i < 4; i++) {
    const from = Math.floor(rng() * n);
    const to = Math.floor(rng() * n);
    const kind = rng();
    if (kind < 0.6) out.push({ from, msgs: [msgSend(d.keys[from].address, d.keys[to].address, BigInt(1 + Math.floor(rng() * 1000)))] });
    else if (kind < 0.8 || block % 7 !== 0) out.push({ from, msgs: [msgDelegate(d.keys[from].address, valoper, 1000n)] });
    else out.push({ from, msgs: [msgUndelegate(d.keys[from].address, valoper, 1000n)] });
  }
  return out;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("bounded-cache mode: state values read from LevelDB through a small cache", () => {
  test("the same app hashes and the same state at every kept height as all-in-memory, across restarts, evictions and a snapshot restore", async () => {
    const snapDir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-cache-snaps-"));
    const params = { staking: { unbonding_time: "3s" } };
    const memory = await Driver.create({ accounts: 6, validators: 1, params, stateCacheBytes: 0 });
    // 2 KB holds a handful of values: most reads miss and go to LevelDB, and the cache evicts
    // all the time.
    const cached = await Driver.create({ accounts: 6, validators: 1, params, stateCacheBytes: 2048, snapshots: { dir: snapDir, interval: 10, keepRecent: 2, chunkBytes: 4096 } });
    const target = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-cache-restore-"));
    try {
      const rng = lcg(20261207);
      let deletes = 0;
      const hashes = new Map<number, Uint8Array>();
      let restartedAt = 1;
      for (let b = 1; b <= 45; b++) {
        const plan = b === 1 ? [] : blockMsgs(memory, rng, b);
        const txsMemory = plan.map((p) => memory.sign(memory.keys[p.from], p.msgs));
        const txsCached = plan.map((p) => cached.sign(cached.keys[p.from], p.msgs));
        expect(txsCached).toEqual(txsMemory);
        const a = await memory.block(txsMemory);
        const c = await cached.block(txsCached);
        expect(c.results.map((r) => [r.code, r.log, r.gasUsed])).toEqual(a.results.map((r) => [r.code, r.log, r.gasUsed]));
        expect(Buffer.from(cached.app.lastAppHash).toString("hex")).toBe(Buffer.from(memory.app.lastAppHash).toString("hex"));
        hashes.set(b, memory.app.lastAppHash);
        deletes += (c.response.events ?? []).filter((e) => e.type === "complete_unbonding").length;
        // Older kept heights read their own values, not the ones later blocks wrote.
        if (b - 3 >= restartedAt) expect(dump(cached.app, b - 3)).toEqual(dump(memory.app, b - 3));
        if (b === 15 || b === 30) {
          await cached.restart();
          restartedAt = b;
        }
      }
      expect(deletes).toBeGreaterThan(0);
      expect(dump(cached.app, 45)).toEqual(dump(memory.app, 45));
      const db = (cached.app as unknown as { db: { cache?: ValueCache } }).db;
      expect(db.cache!.misses).toBeGreaterThan(100);
      expect(db.cache!.bytes).toBeLessThanOrEqual(2048);

      // A snapshot taken in bounded-cache mode restores into a node in the same mode.
      await new Promise((r) => setTimeout(r, 200));
      const [snapshot] = cached.app.listSnapshots().snapshots;
      expect(snapshot.height).toBe(40n);
      const fresh = await BlockaiApp.open({ dataDir: path.join(target, "state"), minGasPrices: parseDecCoins("0.025usoa"), logger: createLogger("none"), stateCacheBytes: 4096 });
      try {
        expect(fresh.offerSnapshot({ snapshot, appHash: hashes.get(40)! }).result).toBe(OfferResult.ACCEPT);
        for (let i = 0; i < snapshot.chunks; i++) {
          const chunk = cached.app.loadSnapshotChunk({ height: snapshot.height, format: snapshot.format, chunk: i }).chunk;
          await fresh.applySnapshotChunk({ index: i, chunk, sender: "peer" });
        }
        expect(fresh.lastHeight).toBe(40);
        expect(dump(fresh, 40)).toEqual(dump(memory.app, 40));
      } finally {
        await fresh.close();
      }
    } finally {
      await memory.close();
      await cached.close();
      fs.rmSync(snapDir, { recursive: true, force: true });
      fs.rmSync(target, { recursive: true, force: true });
    }
  });
});

describe("bounded-cache mode: a state read that fails", () => {
  test("stops the block (FinalizeBlock throws) instead of becoming a failed tx, which an all-in-memory node would not have", async () => {
    // 200 bytes: no entry fits, every read goes to LevelDB.
    const d = await Driver.create({ accounts: 3, stateCacheBytes: 200 });
    try {
      await d.block();
      await d.block();
      const tx = d.sign(d.keys[0], [msgSend(d.keys[0].address, d.keys[1].address, 5n)]);
      // Only the recipient's entries fail: they are read inside the message's execution, past
      // the ante checks and signature verification (which read the sender's).
      const level = (d.app as unknown as { db: { db: { getSync?: (key: Uint8Array, o: unknown) => unknown } } }).db.db;
      const original = level.getSync!.bind(level);
      const recipient = Buffer.from(d.keys[1].addressBytes);
      level.getSync = (key, o) => {
        if (Buffer.from(key).includes(recipient)) throw new Error("EIO: injected read error");
        return original(key, o);
      };
      const heightBefore = d.app.lastHeight;
      await expect(d.block([tx])).rejects.toThrow(/state read failed at height \d+: EIO: injected read error/);
      expect(d.app.lastHeight).toBe(heightBefore);
      delete level.getSync; // the prototype's again
    } finally {
      await d.close();
    }
  });
});

describe("bounded-cache mode: a version held past its time", () => {
  test("reads its own values after more commits than are kept overwrote them, and is refused once released", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-cache-hold-"));
    const db = await StateDB.open(dir, { keepVersions: 2, cacheBytes: 4096 });
    try {
      const key = (i: number) => Uint8Array.of(0x10, i);
      const commit = async (height: number, value: number) => {
        const branch = db.branch();
        for (let i = 0; i < 20; i++) branch.set(key(i), Uint8Array.of(value, i));
        if (height % 2 === 0) branch.delete(key(19));
        await db.commit(db.prepare(branch, height));
      };
      await commit(1, 1);
      const held = db.latest;
      const release = db.hold(held);
      const before = db.branchAt(held).range(new Uint8Array(), undefined);
      for (let h = 2; h <= 8; h++) await commit(h, h);
      expect(db.version(1)).toBeUndefined();
      expect(db.branchAt(held).range(new Uint8Array(), undefined)).toEqual(before);
      expect(before.map(([, v]) => v[0])).toEqual(new Array(20).fill(1));
      release();
      expect(() => db.hold(held)).toThrow(/no longer kept/);
      expect(() => db.branchAt(held).get(key(3))).toThrow(/no longer kept/);
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ValueCache", () => {
  test("never holds more than its budget and always answers the last value set, or nothing", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 2000 }),
        fc.array(fc.tuple(fc.constantFrom("set", "get", "delete"), fc.integer({ min: 0, max: 20 }), fc.uint8Array({ maxLength: 300 })), { maxLength: 200 }),
        (budget, ops) => {
          const cache = new ValueCache(budget);
          const truth = new Map<string, Uint8Array>();
          for (const [op, k, v] of ops) {
            const key = keyToString(Uint8Array.of(k));
            if (op === "set") {
              cache.set(key, v);
              truth.set(key, v);
            } else if (op === "delete") {
              cache.delete(key);
              truth.delete(key);
            } else {
              const got = cache.get(key);
              if (got !== undefined) expect(Buffer.from(got).equals(Buffer.from(truth.get(key)!))).toBe(true);
            }
            expect(cache.bytes).toBeLessThanOrEqual(budget);
            expect(cache.bytes).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("an entry used again survives a generation that drops the entries not used since", () => {
    // Each generation holds two of these entries.
    const cache = new ValueCache(4 * (1 + 10 + 96));
    for (const k of ["a", "b", "c"]) cache.set(k, new Uint8Array(10));
    cache.get("a");
    cache.set("d", new Uint8Array(10));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    expect(cache.get("d")).toBeDefined();
  });
});
