import BTree from "sorted-btree";
import { KVStore, RangeOptions, keyToString, stringToKey } from "./kv";

/**
 * Marks a state entry whose value lives in LevelDB only (StateDB's bounded-cache mode): the key
 * is in memory, so ranges and membership stay synchronous, and the value is read through the
 * version's ValueReader when asked for.
 */
export const ON_DISK: unique symbol = Symbol("on disk");
export type StoredValue = Uint8Array | typeof ON_DISK;
export type StateMap = BTree<string, StoredValue>;

/** Reads the value of an ON_DISK entry as of the version the branch was taken from. */
export type ValueReader = (key: string) => Uint8Array;

const NOTHING_ON_DISK: ValueReader = (key) => {
  throw new Error(`state entry ${JSON.stringify(key)} is on disk, but this branch has no reader for it`);
};

/**
 * A writable copy-on-write view of a state snapshot. `branch()` is O(1) (the B+tree is cloned by
 * sharing nodes) and `write()` hands the branch's changes to its parent, so a transaction runs on
 * a branch of the block, and a message on a branch of the transaction; a failed one is dropped.
 * The branch records which keys it changed: those, and only those, go to the Merkle tree and to
 * LevelDB at commit.
 */
export class StoreBranch implements KVStore {
  /** key -> new value, or null for a deletion; insertion order kept (it is not consensus-relevant). */
  readonly changes = new Map<string, Uint8Array | null>();
  private generation = 0;
  private readonly parentGeneration: number;

  constructor(
    private data: StateMap,
    private readonly parent?: StoreBranch,
    /** Resolves ON_DISK entries; a child branch inherits its parent's. */
    readonly read: ValueReader = parent?.read ?? NOTHING_ON_DISK,
  ) {
    this.parentGeneration = parent?.generation ?? 0;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const k = keyToString(key);
    const v = this.data.get(k);
    return v === ON_DISK ? this.read(k) : v;
  }

  has(key: Uint8Array): boolean {
    return this.data.has(keyToString(key));
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const k = keyToString(key);
    // Values are stored as given; callers must not mutate them afterwards.
    this.data.set(k, value);
    this.changes.set(k, value);
    this.generation++;
  }

  delete(key: Uint8Array): void {
    const k = keyToString(key);
    this.data.delete(k);
    this.changes.set(k, null);
    this.generation++;
  }

  range(start: Uint8Array, end: Uint8Array | undefined, options: RangeOptions = {}): Array<[Uint8Array, Uint8Array]> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    const limit = options.limit ?? Infinity;
    if (limit <= 0) return out;
    const lo = keyToString(start);
    const hi = end === undefined ? undefined : keyToString(end);
    if (!options.reverse) {
      for (const [k, v] of this.data.entries(lo)) {
        if (hi !== undefined && k >= hi) break;
        out.push([stringToKey(k), v === ON_DISK ? this.read(k) : v]);
        if (out.length >= limit) break;
      }
    } else {
      const iter = hi === undefined ? this.data.entriesReversed() : this.data.entriesReversed(hi, undefined, true);
      for (const [k, v] of iter) {
        if (k < lo) break;
        out.push([stringToKey(k), v === ON_DISK ? this.read(k) : v]);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  branch(): StoreBranch {
    return new StoreBranch(this.data.clone(), this);
  }

  /** Applies this branch's changes to its parent. The parent must not have changed meanwhile. */
  write(): void {
    const parent = this.parent;
    if (!parent) throw new Error("write() on a root branch");
    if (parent.generation !== this.parentGeneration) {
      throw new Error("parent branch changed while a child branch was open");
    }
    parent.data = this.data;
    for (const [k, v] of this.changes) parent.changes.set(k, v);
    parent.generation++;
    // The parent now owns the data; further use of this branch would corrupt it.
    this.data = this.data.clone();
  }

  /**
   * An independent root branch with this branch's data and recorded changes (O(1), copy-on-write):
   * work on the fork leaves this branch as it was, and committing the fork persists both.
   */
  fork(): StoreBranch {
    const copy = new StoreBranch(this.data.clone(), undefined, this.read);
    for (const [k, v] of this.changes) copy.changes.set(k, v);
    return copy;
  }

  /** The snapshot this branch currently holds (shared, copy-on-write). */
  snapshot(): StateMap {
    return this.data.clone();
  }
}
