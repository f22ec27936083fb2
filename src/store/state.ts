import BTree from "sorted-btree";
import { Level } from "level";
import { StoreBranch, StateMap } from "./branch";
import { keyToString, stringToKey } from "./kv";
import { MerkleTree } from "./smt";

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
 */
export interface CommittedVersion {
  readonly height: number;
  readonly appHash: Uint8Array;
  readonly data: StateMap;
  readonly tree: MerkleTree;
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

export class StateDB {
  private versions: CommittedVersion[] = [];
  private meta = new Map<string, string>();

  private constructor(
    private readonly db: Level<Uint8Array, Uint8Array>,
    private readonly keepVersions: number,
  ) {}

  static async open(dir: string, options: { keepVersions?: number } = {}): Promise<StateDB> {
    const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.open();
    const state = new StateDB(db, options.keepVersions ?? DEFAULT_KEEP_VERSIONS);
    await state.load();
    return state;
  }

  private async load(): Promise<void> {
    for await (const [k, v] of this.db.iterator({ gte: Uint8Array.of(META), lt: Uint8Array.of(META + 1) })) {
      this.meta.set(dec.decode(k.subarray(1)), dec.decode(v));
    }
    const data: StateMap = new BTree<string, Uint8Array>();
    const entries: Array<[Uint8Array, Uint8Array]> = [];
    for await (const [k, v] of this.db.iterator({ gte: Uint8Array.of(STATE), lt: Uint8Array.of(STATE + 1) })) {
      const key = k.subarray(1);
      // LevelDB hands out values that keep their read buffer alive (about 1 KB each here); a
      // compact copy is what the in-memory state keeps.
      const value = new Uint8Array(v);
      data.set(keyToString(key), value);
      entries.push([key, value]);
    }
    const tree = MerkleTree.fromEntries(entries);
    const height = Number(this.meta.get("height") ?? "0");
    const appHash = height === 0 ? tree.root() : Buffer.from(this.meta.get("app_hash") ?? "", "hex");
    if (height > 0 && !Buffer.from(tree.root()).equals(Buffer.from(appHash))) {
      throw new Error(
        `state database is corrupt: stored app hash ${Buffer.from(appHash).toString("hex")} at height ${height}, ` +
          `but the stored state hashes to ${Buffer.from(tree.root()).toString("hex")}`,
      );
    }
    this.versions = [{ height, appHash, data, tree }];
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

  /** A fresh writable branch of the latest committed state. */
  branch(): StoreBranch {
    return new StoreBranch(this.latest.data.clone());
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
    await batch.write();
    for (const [name, value] of Object.entries(allMeta)) this.meta.set(name, value);
    this.versions.push({ height: pending.height, appHash: pending.appHash, data: pending.data, tree: pending.tree });
    while (this.versions.length > this.keepVersions) this.versions.shift();
  }

  /**
   * Replaces the whole state by a verified state-sync snapshot (its Merkle root already checked
   * against the trusted app hash): the old entries are deleted and the new ones, height, app
   * hash and meta written in one batch, so a crash leaves the old or the restored state.
   */
  async restore(version: CommittedVersion, entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>, meta: Record<string, string>): Promise<void> {
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
    await batch.write();
    for (const [name, value] of Object.entries(allMeta)) this.meta.set(name, value);
    this.versions = [version];
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
