import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import BTree from "sorted-btree";
import {
  ResponseApplySnapshotChunk_Result as ChunkResult,
  ResponseOfferSnapshot_Result as OfferResult,
  ResponseApplySnapshotChunk,
  Snapshot,
} from "cosmjs-types/tendermint/abci/types";
import { BlockaiApp } from "../../src/app/app";
import { createLogger } from "../../src/app/logger";
import { parseDecCoins } from "../../src/types/coins";
import { keyToString, stringToKey } from "../../src/store/kv";
import { MerkleTree } from "../../src/store/smt";
import {
  encodeSnapshotPayload,
  metadataOf,
  restorePayload,
  sha256,
  SNAPSHOT_FORMAT,
  SnapshotError,
  SnapshotStore,
  toChunks,
} from "../../src/store/snapshot";
import { Driver } from "../helpers/driver";
import { msgSend } from "../helpers/keys";

jest.setTimeout(60_000);

const CHAIN = "blockai-test";
const LIMITS = { maxBytes: 1024 * 1024, maxGas: -1n };

async function freshApp(genesis?: { chainId: string; maxBytes: number; maxGas: bigint }): Promise<{ app: BlockaiApp; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-restore-"));
  const app = await BlockaiApp.open({ dataDir: path.join(dir, "state"), minGasPrices: parseDecCoins("0.025usoa"), logger: createLogger("none"), genesis });
  return { app, dir };
}

/** What CometBFT does: offer, then apply every chunk from `sender`, fetched from the server. */
async function applyAll(target: BlockaiApp, snapshot: Snapshot, appHash: Uint8Array, chunk: (i: number) => Uint8Array, sender = "peer-a") {
  const offer = target.offerSnapshot({ snapshot, appHash });
  const results: ResponseApplySnapshotChunk[] = [];
  if (offer.result !== OfferResult.ACCEPT) return { offer: offer.result, results };
  for (let i = 0; i < snapshot.chunks; i++) results.push(await target.applySnapshotChunk({ index: i, chunk: chunk(i), sender }));
  return { offer: offer.result, results };
}

describe("state sync snapshots (in-process)", () => {
  let d: Driver;
  const hashes = new Map<number, Uint8Array>();
  const cleanup: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const snapDir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-snaps-"));
    // Small chunks, so that even this state spans many of them.
    d = await Driver.create({ accounts: 4, snapshots: { dir: snapDir, interval: 5, keepRecent: 2, chunkBytes: 1024 } });
    cleanup.push(async () => fs.rmSync(snapDir, { recursive: true, force: true }));
    await d.block();
    hashes.set(d.height, d.app.lastAppHash);
    for (let h = 2; h <= 12; h++) {
      await d.block([d.sign(d.keys[0], [msgSend(d.keys[0].address, d.keys[1 + (h % 3)].address, BigInt(h))])]);
      hashes.set(d.height, d.app.lastAppHash);
    }
    await d.app.snapshotsWritten();
  });
  afterAll(async () => {
    for (const c of cleanup) await c();
    await d?.close();
  });

  const latest = () => d.app.listSnapshots().snapshots[0];
  const chunkOf = (s: Snapshot) => (i: number) => d.app.loadSnapshotChunk({ height: s.height, format: s.format, chunk: i }).chunk;

  test("a snapshot every interval blocks, the newest keep_recent kept, chunked with one hash per chunk", () => {
    const list = d.app.listSnapshots().snapshots;
    expect(list.map((s) => Number(s.height))).toEqual([10, 5]);
    for (const s of list) {
      expect(s.format).toBe(SNAPSHOT_FORMAT);
      expect(s.chunks).toBeGreaterThan(3);
      expect(s.metadata.length).toBe(32 * s.chunks);
      expect(Buffer.from(s.hash)).toEqual(Buffer.from(sha256(s.metadata)));
      for (let i = 0; i < s.chunks; i++) {
        expect(Buffer.from(sha256(chunkOf(s)(i)))).toEqual(Buffer.from(s.metadata.subarray(32 * i, 32 * i + 32)));
      }
    }
    // A chunk that does not exist is answered empty, not with an error.
    expect(d.app.loadSnapshotChunk({ height: 10n, format: 1, chunk: 9999 }).chunk.length).toBe(0);
    expect(d.app.loadSnapshotChunk({ height: 7n, format: 1, chunk: 0 }).chunk.length).toBe(0);
  });

  test("a fresh app restores height 10, answers Info with it, and then executes the next block identically", async () => {
    const s = latest();
    const { app, dir } = await freshApp({ chainId: CHAIN, ...LIMITS });
    cleanup.push(async () => {
      await app.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const { offer, results } = await applyAll(app, s, hashes.get(10)!, chunkOf(s));
    expect(offer).toBe(OfferResult.ACCEPT);
    expect(results.map((r) => r.result)).toEqual(results.map(() => ChunkResult.ACCEPT));
    const info = app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    expect(info.lastBlockHeight).toBe(10n);
    expect(Buffer.from(info.lastBlockAppHash)).toEqual(Buffer.from(hashes.get(10)!));
    // The restored state survives a restart (it is on disk, not only in memory).
    await app.close();
    const reopened = await BlockaiApp.open({ dataDir: path.join(dir, "state"), minGasPrices: parseDecCoins("0.025usoa"), logger: createLogger("none") });
    expect(reopened.lastHeight).toBe(10);
    expect(reopened.chain).toBe(CHAIN);
    await reopened.close();
    // Block 11 on a driver reopened on the restored state gives the source's app hash at 11:
    // the same tx (deterministic signature, same sequence) at the same block time.
    const follower = await Driver.create({ accounts: 4, dir });
    expect(follower.height).toBe(10);
    follower.timeSeconds = d.timeSeconds - 2n;
    await follower.block([follower.sign(follower.keys[0], [msgSend(follower.keys[0].address, follower.keys[1 + (11 % 3)].address, 11n)])]);
    expect(follower.height).toBe(11);
    expect(Buffer.from(follower.app.lastAppHash).toString("hex")).toBe(Buffer.from(hashes.get(11)!).toString("hex"));
    await follower.app.close();
  });

  test("a chunk that does not match its hash is refetched from another peer and its sender rejected (RETRY)", async () => {
    const s = latest();
    const { app, dir } = await freshApp();
    cleanup.push(async () => {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    expect(app.offerSnapshot({ snapshot: s, appHash: hashes.get(10)! }).result).toBe(OfferResult.ACCEPT);
    const good = chunkOf(s)(0);
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] ^= 1;
    const r = await app.applySnapshotChunk({ index: 0, chunk: bad, sender: "liar" });
    expect(r.result).toBe(ChunkResult.RETRY);
    expect(r.refetchChunks).toEqual([0]);
    expect(r.rejectSenders).toEqual(["liar"]);
    // The honest peer's copy is then accepted and the restore completes.
    expect((await app.applySnapshotChunk({ index: 0, chunk: good, sender: "honest" })).result).toBe(ChunkResult.ACCEPT);
    for (let i = 1; i < s.chunks; i++) expect((await app.applySnapshotChunk({ index: i, chunk: chunkOf(s)(i), sender: "honest" })).result).toBe(ChunkResult.ACCEPT);
    expect(app.lastHeight).toBe(10);
  });

  test("a self-consistent lying snapshot (other balances, own hashes) is refused at the end: REJECT_SNAPSHOT, senders rejected, nothing written", async () => {
    const src = d.app.committedStore(10)!;
    const data = new BTree<string, Uint8Array>();
    for (const [k, v] of src.range(new Uint8Array(), undefined)) data.set(keyToString(k), v);
    // The liar bumps one value (e.g. a balance) and builds a snapshot that hashes consistently.
    const [firstKey, firstValue] = data.entries().next().value as [string, Uint8Array];
    data.set(firstKey, Uint8Array.from([...firstValue, 7]));
    const chunks = toChunks(encodeSnapshotPayload({ height: 10, app_hash: Buffer.from(hashes.get(10)!).toString("hex"), meta: { chain_id: CHAIN, consensus_limits: JSON.stringify({ maxBytes: LIMITS.maxBytes, maxGas: "-1" }), block_time_ns: "0" } }, data), 1024);
    const metadata = metadataOf(chunks);
    const lie: Snapshot = { height: 10n, format: 1, chunks: chunks.length, hash: sha256(metadata), metadata };
    const { app, dir } = await freshApp();
    cleanup.push(async () => {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const { offer, results } = await applyAll(app, lie, hashes.get(10)!, (i) => chunks[i], "liar");
    expect(offer).toBe(OfferResult.ACCEPT);
    expect(results.slice(0, -1).every((r) => r.result === ChunkResult.ACCEPT)).toBe(true);
    expect(results[results.length - 1].result).toBe(ChunkResult.REJECT_SNAPSHOT);
    expect(results[results.length - 1].rejectSenders).toEqual(["liar"]);
    expect(app.lastHeight).toBe(0);
    // After the refusal, the honest snapshot from another peer restores.
    const s = latest();
    const honest = await applyAll(app, s, hashes.get(10)!, chunkOf(s), "honest");
    expect(honest.results.every((r) => r.result === ChunkResult.ACCEPT)).toBe(true);
    expect(app.lastHeight).toBe(10);
  });

  test("offers that cannot be what they claim are refused before any chunk is fetched", async () => {
    const s = latest();
    const { app, dir } = await freshApp();
    cleanup.push(async () => {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const offer = (snapshot: Snapshot) => app.offerSnapshot({ snapshot, appHash: hashes.get(10)! }).result;
    expect(offer({ ...s, format: 2 })).toBe(OfferResult.REJECT_FORMAT);
    expect(offer({ ...s, hash: sha256(new Uint8Array([1])) })).toBe(OfferResult.REJECT);
    expect(offer({ ...s, chunks: s.chunks + 1 })).toBe(OfferResult.REJECT);
    expect(offer({ ...s, chunks: 0, metadata: new Uint8Array(), hash: sha256(new Uint8Array()) })).toBe(OfferResult.REJECT);
    expect(offer({ ...s, height: 0n })).toBe(OfferResult.REJECT);
    expect(app.offerSnapshot({ snapshot: undefined, appHash: new Uint8Array() }).result).toBe(OfferResult.REJECT);
    // A chunk without an accepted offer aborts (CometBFT's state is not what the app expects).
    const { app: idle, dir: idleDir } = await freshApp();
    cleanup.push(async () => {
      await idle.close();
      fs.rmSync(idleDir, { recursive: true, force: true });
    });
    expect((await idle.applySnapshotChunk({ index: 0, chunk: new Uint8Array(), sender: "x" })).result).toBe(ChunkResult.ABORT);
    // An app that already has state aborts state sync rather than overwrite it.
    expect(d.app.offerSnapshot({ snapshot: s, appHash: hashes.get(10)! }).result).toBe(OfferResult.ABORT);
  });

  test("a snapshot whose header names another chain or other block limits than the node's genesis is refused", async () => {
    const s = latest();
    for (const genesis of [{ chainId: "other-chain", ...LIMITS }, { chainId: CHAIN, maxBytes: 2048, maxGas: -1n }]) {
      const { app, dir } = await freshApp(genesis);
      cleanup.push(async () => {
        await app.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      const { results } = await applyAll(app, s, hashes.get(10)!, chunkOf(s));
      expect(results[results.length - 1].result).toBe(ChunkResult.REJECT_SNAPSHOT);
      expect(app.lastHeight).toBe(0);
    }
  });

  test("a snapshot offered with another trusted app hash (e.g. of another height) is refused", async () => {
    const s = latest();
    const { app, dir } = await freshApp();
    cleanup.push(async () => {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const { results } = await applyAll(app, s, hashes.get(9)!, chunkOf(s));
    expect(results[results.length - 1].result).toBe(ChunkResult.REJECT_SNAPSHOT);
    expect(app.lastHeight).toBe(0);
  });
});

describe("snapshot payload (property)", () => {
  const entriesArb = fc.uniqueArray(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.uint8Array({ maxLength: 40 })), {
    minLength: 1,
    maxLength: 30,
    selector: ([k]) => Buffer.from(k).toString("hex"),
  });
  const build = (entries: Array<[Uint8Array, Uint8Array]>) => {
    const data = new BTree<string, Uint8Array>();
    for (const [k, v] of entries) data.set(keyToString(k), v);
    const root = MerkleTree.fromEntries(entries).root();
    return { data, root };
  };

  test("a snapshot written as a stream (one chunk in memory) has exactly the chunks of the whole payload cut at once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-snap-stream-"));
    try {
      await fc.assert(
        fc.asyncProperty(entriesArb, fc.integer({ min: 1, max: 200 }), async (entries, chunkBytes) => {
          const { data, root } = build(entries);
          const header = { height: 3, app_hash: Buffer.from(root).toString("hex"), meta: {} };
          const expected = toChunks(encodeSnapshotPayload(header, data), chunkBytes);
          const store = new SnapshotStore(path.join(dir, String(chunkBytes)), 1, chunkBytes);
          async function* sorted() {
            for (const [k, v] of data.entries()) yield [stringToKey(k), v] as const;
          }
          const info = await store.create(header, sorted());
          expect(info.chunks).toBe(expected.length);
          expect(Buffer.from(info.metadata).equals(Buffer.from(metadataOf(expected)))).toBe(true);
          for (let i = 0; i < expected.length; i++) expect(Buffer.from(store.loadChunk(3, SNAPSHOT_FORMAT, i)!).equals(Buffer.from(expected[i]))).toBe(true);
        }),
        { numRuns: 100 },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("any state round-trips through chunks of any size and verifies against its root", () => {
    fc.assert(
      fc.property(entriesArb, fc.integer({ min: 1, max: 200 }), (entries, chunkBytes) => {
        const { data, root } = build(entries);
        const chunks = toChunks(encodeSnapshotPayload({ height: 3, app_hash: Buffer.from(root).toString("hex"), meta: {} }, data), chunkBytes);
        const restored = restorePayload(chunks, 3, root);
        expect([...restored.data.entries()]).toEqual([...data.entries()]);
      }),
      { numRuns: 200 },
    );
  });

  test("a payload with any one byte flipped never restores a state other than the original", () => {
    fc.assert(
      fc.property(entriesArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (entries, at, mask) => {
        const { data, root } = build(entries);
        const [payload] = toChunks(encodeSnapshotPayload({ height: 3, app_hash: Buffer.from(root).toString("hex"), meta: {} }, data), 1 << 20);
        const bad = Uint8Array.from(payload);
        bad[at % bad.length] ^= mask;
        try {
          const restored = restorePayload([bad], 3, root);
          expect([...restored.data.entries()]).toEqual([...data.entries()]);
        } catch (e) {
          expect(e).toBeInstanceOf(SnapshotError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
