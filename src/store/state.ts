import BTree from "sorted-btree";
import { Level } from "level";
import type { AbstractSnapshot } from "abstract-level";
import { StoreBranch, StateMap, StoredValue, ON_DISK, ValueReader } from "./branch";
import { ValueCache } from "./cache";
import { keyToString, stringToKey } from "./kv";
import { MerkleTree } from "./smt";
import { NodeFault } from "../types/errors";

/**
 * The committed state of the chain.
 *
 * The whole key/value state is held in memory in a copy-on-write B+tree, next to a persistent
 * hashed-key sparse Merkle tree (smt.ts) whose root is the app hash. LevelDB holds the durable
 * copy: every Commit writes the keys the block changed plus the new height and app hash in ONE
 * write batch, so a crash leaves either the old or the new version on disk, never a mix. At
 * start the state is loaded from LevelDB and the tree is rebuilt and checked against the stored
 * app hash, so a corrupted database is detected before the node signs anything.
 *
 * Old versions cost only the nodes that changed, so the last `keepVersions` heights stay
 * queryable (with proofs) at no extra I/O.
 *
 * Bounded-cache mode (`cacheBytes`): the keys and the Merkle tree stay in memory, the values do
 * not. Every committed entry is ON_DISK in the B+tree and is read from LevelDB, through a
 * least-recently-used cache of `cacheBytes` (cache.ts), when a transaction or query asks for
 * it. Each kept version holds a LevelDB snapshot taken right after its commit, so a read at
 * height H sees H's value even after later blocks overwrote it; only the latest version reads
 * through the cache, which the commit updates in the same synchronous step that makes the new
 * version the latest. Values written by a block stay in memory until its commit has persisted
 * them. Reads are synchronous (LevelDB's getSync), so transaction execution is unchanged.
 */
export interface CommittedVersion {
  readonly height: number;
  readonly appHash: Uint8Array;
  readonly data: StateMap;
  readonly tree: MerkleTree;
  /** Reads this version's ON_DISK values (bounded-cache mode; throws in all-in-memory mode). */
  readonly read: ValueReader;
}

/** A LevelDB snapshot shared by a version and whoever holds it past its time in the list. */
interface DiskVersion {
  readonly snapshot: AbstractSnapshot;
  holders: number;
  dropped: boolean;
}

export interface PendingCommit {
  readonly height: number;
  readonly appHash: Uint8Array;
  readonly data: StateMap;
  readonly tree: MerkleTree;
  readonly changes: ReadonlyMap<string, Uint8Array | null>;
}

/**
 * Committed versions kept in memory for queries and proofs at recent heights. Each old version
 * holds the tree and B+tree nodes its successor replaced, so under heavy write load memory grows
 * with this number; proofs need only the last two heights (state at H, header at H+1).
 */
export const DEFAULT_KEEP_VERSIONS = 10;

const META = 0x00;
const STATE = 0x01;
const enc = new TextEncoder();
const dec = new TextDecoder();

function metaKey(name: string): Uint8Array {
  const k = enc.encode(name);
  const out = new Uint8Array(k.length + 1);
  out[0] = META;
  out.set(k, 1);
  return out;
}

function stateKey(key: string): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out[0] = STATE;
  out.set(Buffer.from(key, "latin1"), 1);
  return out;
}

/** Releases a version's LevelDB snapshot; a failure only leaks it until the database closes. */
function closeSnapshot(disk: DiskVersion): void {
  disk.snapshot.close().catch(() => undefined);
}

export interface StateDBOptions {
  keepVersions?: number;
  /** Bounded-cache mode with a value cache of this many bytes; absent or 0: all in memory. */
  cacheBytes?: number;
}

export class StateDB {
  private versions: CommittedVersion[] = [];
  private meta = new Map<string, string>();
  private readonly disk = new WeakMap<CommittedVersion, DiskVersion>();
  /**
   * A write batch is in flight: LevelDB may then already hold values of the version being
   * committed, so even the latest version reads through its snapshot.
   */
  private writing = false;
  /** The value cache of bounded-cache mode; undefined when the whole state is in memory. */
  readonly cache: ValueCache | undefined;

  private constructor(
    private readonly db: Level<Uint8Array, Uint8Array>,
    private readonly keepVersions: number,
    cacheBytes: number,
  ) {
    this.cache = cacheBytes > 0 ? new ValueCache(cacheBytes) : undefined;
  }

  static async open(dir: string, options: StateDBOptions = {}): Promise<StateDB> {
    const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.open();
    const state = new StateDB(db, options.keepVersions ?? DEFAULT_KEEP_VERSIONS, options.cacheBytes ?? 0);
    await state.load();
    return state;
  }

  /**
   * The committed version `fields`, registered with its reader: in bounded-cache mode a LevelDB
   * snapshot of the database as it is now, which must hold exactly this version's state.
   */
  private makeVersion(fields: Omit<CommittedVersion, "read">): CommittedVersion {
    const cache = this.cache;
    if (cache === undefined) {
      const read: ValueReader = (key) => {
        throw new Error(`state entry ${JSON.stringify(key)} is on disk in all-in-memory mode`);
      };
      return { ...fields, read };
    }
    const disk: DiskVersion = { snapshot: this.db.snapshot(), holders: 0, dropped: false };
    const db = this.db;
    const version: CommittedVersion = {
      ...fields,
      read: (key) => {
        const latest = this.latest === version;
        if (latest) {
          const hit = cache.get(key);
          if (hit !== undefined) return hit;
        }
        if (disk.dropped && disk.holders === 0) throw new NodeFault(`state at height ${fields.height} is no longer kept`);
        let stored: Uint8Array | undefined;
        try {
          // Outside a write, LevelDB holds exactly the latest version: a plain read is the same
          // as one through its snapshot, and 2 to 3 times cheaper.
          stored = latest && !this.writing ? db.getSync(stateKey(key)) : db.getSync(stateKey(key), { snapshot: disk.snapshot });
        } catch (e) {
          throw new NodeFault(`state read failed at height ${fields.height}: ${(e as Error).message}`);
        }
        // The B+tree says the key exists at this version and the snapshot is of this version.
        if (stored === undefined) throw new NodeFault(`state database is corrupt: ${JSON.stringify(key)} missing at height ${fields.height}`);
        const value = new Uint8Array(stored);
        if (latest) cache.set(key, value);
        return value;
      },
    };
    this.disk.set(version, disk);
    return version;
  }

  /** Drops a version from the list; its snapshot is closed once no holder needs it. */
  private dropVersion(version: CommittedVersion): void {
    const disk = this.disk.get(version);
    if (disk === undefined) return;
    disk.dropped = true;
    if (disk.holders === 0) closeSnapshot(disk);
  }

  /**
   * Keeps `version` readable until the returned release is called, even once newer commits drop
   * it from the kept versions (a state-sync snapshot being written).
   */
  hold(version: CommittedVersion): () => void {
    const disk = this.disk.get(version);
    if (disk === undefined) return () => {};
    if (disk.dropped && disk.holders === 0) throw new Error(`hold: the state at height ${version.height} is no longer kept`);
    disk.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      disk.holders--;
      if (disk.dropped && disk.holders === 0) closeSnapshot(disk);
    };
  }

  private async load(): Promise<void> {
    for await (const [k, v] of this.db.iterator({ gte: Uint8Array.of(META), lt: Uint8Array.of(META + 1) })) {
      this.meta.set(dec.decode(k.subarray(1)), dec.decode(v));
    }
    const data: StateMap = new BTree<string, StoredValue>();
    const builder = MerkleTree.builder();
    const inMemory = this.cache === undefined;
    for await (const [k, v] of this.db.iterator({ gte: Uint8Array.of(STATE), lt: Uint8Array.of(STATE + 1) })) {
      const key = k.subarray(1);
      // LevelDB hands out values that keep their read buffer alive (about 1 KB each here); a
      // compact copy is what the in-memory state keeps.
      if (inMemory) {
        const value = new Uint8Array(v);
        data.set(keyToString(key), value);
        builder.add(key, value);
      } else {
        data.set(keyToString(key), ON_DISK);
        builder.add(key, v);
      }
    }
    const tree = builder.build();
    const height = Number(this.meta.get("height") ?? "0");
    const appHash = height === 0 ? tree.root() : Buffer.from(this.meta.get("app_hash") ?? "", "hex");
    if (height > 0 && !Buffer.from(tree.root()).equals(Buffer.from(appHash))) {
      throw new Error(
        `state database is corrupt: stored app hash ${Buffer.from(appHash).toString("hex")} at height ${height}, ` +
          `but the stored state hashes to ${Buffer.from(tree.root()).toString("hex")}`,
      );
    }
    this.versions = [this.makeVersion({ height, appHash, data, tree })];
  }

  get latest(): CommittedVersion {
    return this.versions[this.versions.length - 1];
  }

  /** A committed version still held in memory, or undefined if it was never or is no longer kept. */
  version(height: number): CommittedVersion | undefined {
    return this.versions.find((v) => v.height === height);
  }

  get oldestHeight(): number {
    return this.versions[0].height;
  }

  getMeta(name: string): string | undefined {
    return this.meta.get(name);
  }

  /**
   * Every entry of a committed version in ascending key order, for a state-sync snapshot: from
   * its LevelDB snapshot in bounded-cache mode (nothing goes through the value cache), else from
   * memory, yielding to the event loop every few thousand entries either way. The caller holds
   * the version (hold()) while it iterates.
   */
  async *entriesAt(version: CommittedVersion): AsyncGenerator<readonly [Uint8Array, Uint8Array]> {
    const disk = this.disk.get(version);
    let n = 0;
    if (disk !== undefined) {
      if (disk.dropped && disk.holders === 0) throw new Error(`entriesAt: the state at height ${version.height} is no longer kept`);
      for await (const [k, v] of this.db.iterator({ gte: Uint8Array.of(STATE), lt: Uint8Array.of(STATE + 1), snapshot: disk.snapshot })) {
        yield [k.subarray(1), v] as const;
      }
      return;
    }
    for (const [k, v] of version.data.entries()) {
      if (v === ON_DISK) throw new Error("entriesAt: an entry is on disk in all-in-memory mode");
      yield [stringToKey(k), v] as const;
      if (++n % 4096 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Writes a batch, with `writing` set meanwhile (see its comment). A failed write leaves it set:
   * the process then stops (Commit failed), and reads meanwhile stay safe.
   */
  private async write(batch: ReturnType<Level<Uint8Array, Uint8Array>["batch"]>): Promise<void> {
    this.writing = true;
    await batch.write();
    this.writing = false;
  }

  /** A fresh writable branch of the latest committed state. */
  branch(): StoreBranch {
    return this.branchAt(this.latest);
  }

  /** A fresh writable branch of a committed version (writes to it are never persisted). */
  branchAt(version: CommittedVersion): StoreBranch {
    return new StoreBranch(version.data.clone(), undefined, version.read);
  }

  /**
   * The version that committing `branch` at `height` would produce: the Merkle tree is updated
   * with the branch's changed keys only (each dirty path hashed once). Nothing is persisted.
   */
  prepare(branch: StoreBranch, height: number): PendingCommit {
    const changes = new Map(branch.changes);
    const tree = this.latest.tree.update(
      Array.from(changes, ([k, v]) => [stringToKey(k), v] as const),
    );
    return { height, appHash: tree.root(), data: branch.snapshot(), tree, changes };
  }

  /** Persists a prepared version atomically (state changes + height + app hash + meta in one batch). */
  async commit(pending: PendingCommit, meta: Record<string, string> = {}): Promise<void> {
    const batch = this.db.batch();
    for (const [k, v] of pending.changes) {
      if (v === null) batch.del(stateKey(k));
      else batch.put(stateKey(k), v);
    }
    const allMeta: Record<string, string> = {
      ...meta,
      height: String(pending.height),
      app_hash: Buffer.from(pending.appHash).toString("hex"),
    };
    for (const [name, value] of Object.entries(allMeta)) batch.put(metaKey(name), enc.encode(value));
    await this.write(batch);
    // From here to the end nothing awaits: the snapshot, the cache and the new latest version
    // change together, so no read sees one without the others.
    for (const [name, value] of Object.entries(allMeta)) this.meta.set(name, value);
    const version = this.makeVersion({ height: pending.height, appHash: pending.appHash, data: pending.data, tree: pending.tree });
    const cache = this.cache;
    if (cache !== undefined) {
      // The block's values are on disk now: the version keeps keys only, the cache the values.
      for (const [k, v] of pending.changes) {
        if (v === null) {
          cache.delete(k);
        } else {
          pending.data.set(k, ON_DISK);
          cache.set(k, v);
        }
      }
    }
    this.versions.push(version);
    while (this.versions.length > this.keepVersions) this.dropVersion(this.versions.shift()!);
  }

  /**
   * Replaces the whole state by a verified state-sync snapshot (its Merkle root already checked
   * against the trusted app hash): the old entries are deleted and the new ones, height, app
   * hash and meta written in one batch, so a crash leaves the old or the restored state.
   */
  async restore(version: Omit<CommittedVersion, "read">, entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>, meta: Record<string, string>): Promise<void> {
    if (!Buffer.from(version.tree.root()).equals(Buffer.from(version.appHash))) throw new Error("restore: the tree does not hash to the version's app hash");
    const batch = this.db.batch();
    for await (const k of this.db.keys({ gte: Uint8Array.of(STATE), lt: Uint8Array.of(STATE + 1) })) batch.del(k);
    for (const [k, v] of entries) {
      const key = new Uint8Array(k.length + 1);
      key[0] = STATE;
      key.set(k, 1);
      batch.put(key, v);
    }
    const allMeta: Record<string, string> = { ...meta, height: String(version.height), app_hash: Buffer.from(version.appHash).toString("hex") };
    for (const [name, value] of Object.entries(allMeta)) batch.put(metaKey(name), enc.encode(value));
    await this.write(batch);
    for (const [name, value] of Object.entries(allMeta)) this.meta.set(name, value);
    for (const old of this.versions) this.dropVersion(old);
    let data = version.data;
    if (this.cache !== undefined) {
      data = new BTree<string, StoredValue>();
      for (const [k] of entries) data.set(keyToString(k), ON_DISK);
      this.cache.clear();
    }
    this.versions = [this.makeVersion({ ...version, data })];
  }

  async close(): Promise<void> {
    for (const v of this.versions) this.dropVersion(v);
    await this.db.close();
  }
}
