import { keyToString, stringToKey } from "./kv";

/**
 * A cache of state values bounded in bytes (StateDB's bounded-cache mode), with two generations
 * as an approximation of least-recently-used: entries enter the young generation; when it has
 * used half the budget, the old generation is dropped and the young one becomes old; a hit in
 * the old generation moves the entry back to the young one. A hit in the young generation is a
 * single Map lookup (a strict LRU would re-insert on every hit), and an entry is dropped only
 * after a whole half-budget of other entries came in since it was last used.
 *
 * Values are kept as latin1 strings (one char per byte): V8 stores a short string in about its
 * length plus 16 bytes, where a Uint8Array of the same bytes costs some 200 bytes of heap in
 * Node 20 (object, ArrayBuffer and backing store). A read hands out a fresh Uint8Array, which
 * dies young. An entry is counted as key + value + ENTRY_OVERHEAD bytes (the Map slot and the
 * two strings' headers, estimated), so the budget bounds the heap the cache holds.
 *
 * Not consensus state: a hit and a miss return the same bytes, only the speed differs.
 */
const ENTRY_OVERHEAD = 96;

const cost = (key: string, value: string) => key.length + value.length + ENTRY_OVERHEAD;

export class ValueCache {
  private young = new Map<string, string>();
  private old = new Map<string, string>();
  private youngBytes = 0;
  private oldBytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly budgetBytes: number) {
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes <= 0) throw new Error(`state cache budget must be a positive number of bytes, got ${budgetBytes}`);
  }

  get bytes(): number {
    return this.youngBytes + this.oldBytes;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The cached value of `key`; undefined on a miss. */
  get(key: string): Uint8Array | undefined {
    const y = this.young.get(key);
    if (y !== undefined) {
      this.hits++;
      return stringToKey(y);
    }
    const o = this.old.get(key);
    if (o === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.old.delete(key);
    this.oldBytes -= cost(key, o);
    this.insert(key, o);
    return stringToKey(o);
  }

  set(key: string, value: Uint8Array): void {
    this.delete(key);
    this.insert(key, keyToString(value));
  }

  delete(key: string): void {
    const y = this.young.get(key);
    if (y !== undefined) {
      this.young.delete(key);
      this.youngBytes -= cost(key, y);
    }
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.oldBytes -= cost(key, o);
    }
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
    this.youngBytes = 0;
    this.oldBytes = 0;
  }

  private insert(key: string, value: string): void {
    const c = cost(key, value);
    const half = Math.floor(this.budgetBytes / 2);
    if (c > half) return;
    if (this.youngBytes + c > half) {
      this.old = this.young;
      this.oldBytes = this.youngBytes;
      this.young = new Map();
      this.youngBytes = 0;
    }
    this.young.set(key, value);
    this.youngBytes += c;
  }
}
