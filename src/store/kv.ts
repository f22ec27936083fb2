import { concatBytes } from "../types/bytes";

export { concatBytes };

/**
 * The one interface every piece of state goes through. Keys and values are bytes; keys sort
 * bytewise. Reads are synchronous because the whole state lives in memory (LevelDB is the
 * durable copy, see state.ts), which keeps transaction execution free of interleaving.
 */
export interface KVStore {
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /**
   * Entries with start <= key < end (end undefined = to the end), ascending or descending.
   * Returned as an array so callers may write to the store while walking the result.
   */
  range(start: Uint8Array, end: Uint8Array | undefined, options?: RangeOptions): Array<[Uint8Array, Uint8Array]>;
}

export interface RangeOptions {
  reverse?: boolean;
  limit?: number;
}

/*
 * Buffer's latin1 codec called directly on the Uint8Array: the same conversion as
 * Buffer.from(view).toString("latin1") without creating a Buffer object per key (a visible cost,
 * every store access converts its key). Falls back to the public API where it is missing.
 */
type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
type Latin1Write = (this: Uint8Array, text: string, offset: number, length: number) => number;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;
const latin1Write = (Buffer.prototype as unknown as { latin1Write?: Latin1Write }).latin1Write;

/** Internal key form: a latin1 string has one char per byte, so string order is byte order. */
export function keyToString(key: Uint8Array): string {
  if (latin1Slice !== undefined) return latin1Slice.call(key, 0, key.byteLength);
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

export function stringToKey(key: string): Uint8Array {
  if (latin1Write !== undefined) {
    const out = new Uint8Array(key.length);
    latin1Write.call(out, key, 0, key.length);
    return out;
  }
  return new Uint8Array(Buffer.from(key, "latin1"));
}

/** The smallest key greater than every key starting with `prefix` (undefined if there is none). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/** A view of `parent` restricted to keys under `prefix`: how a module gets its own part of the state. */
export class PrefixStore implements KVStore {
  constructor(
    private readonly parent: KVStore,
    private readonly prefix: Uint8Array,
  ) {}

  private full(key: Uint8Array): Uint8Array {
    const prefix = this.prefix;
    const out = new Uint8Array(prefix.length + key.length);
    out.set(prefix, 0);
    out.set(key, prefix.length);
    return out;
  }

  get(key: Uint8Array) {
    return this.parent.get(this.full(key));
  }
  has(key: Uint8Array) {
    return this.parent.has(this.full(key));
  }
  set(key: Uint8Array, value: Uint8Array) {
    this.parent.set(this.full(key), value);
  }
  delete(key: Uint8Array) {
    this.parent.delete(this.full(key));
  }
  range(start: Uint8Array, end: Uint8Array | undefined, options?: RangeOptions) {
    const fullEnd = end === undefined ? prefixEnd(this.prefix) : this.full(end);
    const n = this.prefix.length;
    return this.parent
      .range(this.full(start), fullEnd, options)
      .map(([k, v]) => [k.subarray(n), v] as [Uint8Array, Uint8Array]);
  }
}
