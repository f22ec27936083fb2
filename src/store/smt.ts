/**
 * The state commitment: a persistent 16-ary hashed-key sparse Merkle tree whose root is the
 * app hash. The protocol (hashing, canonical shape, proof format) is documented in
 * src/client/proof.ts, next to the verifier clients use.
 *
 * Representation, chosen for memory (the whole state is in the tree: 10^6 keys and more;
 * ~165 bytes of heap per key measured at 10^6 keys):
 *  - A leaf is a 64-char latin1 string, keyHash || valueHash (one char per byte). V8 stores it
 *    in 80 bytes, where a 64-byte Uint8Array costs ~270 bytes of heap in Node 20; and strings
 *    are immutable, which is what nodes shared between versions need.
 *  - An internal node is one array: its bitmap, the hashes of its children concatenated in one
 *    latin1 string, then the children. Every hash is thus stored once, in its parent, already
 *    laid out as the parent's hash preimage.
 *  - The root hash lives in the MerkleTree version object.
 * Hashing uses node:crypto with latin1 ("binary") string output, ~3x cheaper than a Buffer
 * result (no ArrayBuffer per digest).
 *
 * An update is one batch: the changes are hashed, then routed down the tree by a stable MSD
 * radix partition on their key nibbles. Each dirty node is rebuilt and hashed once, after its
 * children (deferred Merkleization), however many changed keys lie below it; untouched
 * subtrees are shared with the previous version (path copying).
 */
import * as crypto from "node:crypto";
import type { MerkleProof, ProofStep, ProofTerminal } from "../types/proof";

const HASH_CHARS = 32;
/** A leaf: keyHash (32 chars) || valueHash (32 chars). */
const LEAF_CHARS = 64;
const MAX_DEPTH = 64;
const SLOTS = 16;
/** Nibbles cached per change in Batch.prefix (one uint32). */
const PREFIX_NIBBLES = 8;

type Leaf = string;

/**
 * An internal node: [bitmap, hashes, ...children], i.e. the bitmap (bit i set iff slot i is
 * non-empty), the children's hashes concatenated (HASH_CHARS latin1 chars each, in slot order)
 * and the non-empty children in slot order. One array rather than an object holding an array
 * saves an object per node (~40 bytes) and a pointer to chase on every visit.
 */
type Internal = [bitmap: number, hashes: string, ...children: Node[]];

type Node = Leaf | Internal;

const bitmapOf = (node: Internal): number => node[0];
const hashesOf = (node: Internal): string => node[1];
const childCount = (node: Internal): number => node.length - 2;
const childOf = (node: Internal, k: number): Node => node[2 + k] as Node;

/** SHA-256 with the digest as a 32-char latin1 string. */
const sha256Latin1: (data: Uint8Array) => string =
  typeof crypto.hash === "function"
    ? (data) => crypto.hash("sha256", data, "binary")
    : (data) => crypto.createHash("sha256").update(data).digest("binary");

/** Nibble `depth` of a keyHash; leaves and delete markers both start with their keyHash. */
function nibble(s: string, depth: number): number {
  const c = s.charCodeAt(depth >> 1);
  return depth & 1 ? c & 15 : c >> 4;
}

function sameKeyHash(a: string, b: string, fromChar: number): boolean {
  for (let i = fromChar; i < HASH_CHARS; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** Index of the lowest set bit of x (x !== 0). */
function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function popcount16(x: number): number {
  let v = x - ((x >>> 1) & 0x5555);
  v = (v & 0x3333) + ((v >>> 2) & 0x3333);
  v = (v + (v >>> 4)) & 0x0f0f;
  return (v + (v >>> 8)) & 0x1f;
}

function latin1Bytes(s: string, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = s.charCodeAt(i);
  return out;
}

/** Hash of the child at index k of `node` (a slice of its hashes string). */
function childHash(node: Internal, k: number): string {
  return hashesOf(node).substring(k * HASH_CHARS, (k + 1) * HASH_CHARS);
}

function checkBytes(x: unknown, what: string): asserts x is Uint8Array {
  if (!(x instanceof Uint8Array)) throw new TypeError(`MerkleTree: ${what} must be a Uint8Array`);
}

/**
 * The changes of one call, in input order. items[i] is a leaf (LEAF_CHARS) to insert or
 * overwrite, or a bare keyHash (HASH_CHARS) to delete; hashes[i] is that leaf's hash, or ""
 * (a delete, or a leaf to be hashed where it is placed).
 */
class Changes {
  readonly items: string[] = [];
  readonly hashes: string[] = [];
  /** First PREFIX_NIBBLES nibbles of each keyHash (see Batch.prefix). */
  readonly prefixes: number[] = [];
  /** 0x00 || keyHash || valueHash. */
  private readonly leafPre = Buffer.alloc(1 + LEAF_CHARS);

  /**
   * @param hashLeaves hash each leaf now, while it is at hand (update(): batches are small and
   *   a moved or collapsed leaf then needs no rehash); fromEntries() rather hashes leaves as
   *   their parents are built, so that 10^6 leaf hashes are not all kept alive meanwhile (they
   *   would all survive into the old generation, which costs more GC than the extra copy).
   */
  constructor(private readonly hashLeaves: boolean) {}

  add(key: Uint8Array, value: Uint8Array | null): void {
    checkBytes(key, "key");
    const kh = sha256Latin1(key);
    if (value === null) {
      this.push(kh, "");
      return;
    }
    checkBytes(value, "value");
    // Concatenation makes a cons string; reading its characters (push() does) flattens it in
    // place, and the next scavenge drops the cons wrapper, leaving one flat string: cheaper than
    // writes into a buffer and a toString(). It must happen while the string is young: a cons
    // string promoted to the old generation keeps its wrapper (+32 bytes per leaf).
    const leaf = kh + sha256Latin1(value);
    if (this.hashLeaves) {
      this.leafPre.write(leaf, 1, LEAF_CHARS, "latin1");
      this.push(leaf, sha256Latin1(this.leafPre));
    } else {
      this.push(leaf, "");
    }
  }

  private push(item: string, hash: string): void {
    this.items.push(item);
    this.hashes.push(hash);
    this.prefixes.push(
      ((item.charCodeAt(0) << 24) | (item.charCodeAt(1) << 16) | (item.charCodeAt(2) << 8) | item.charCodeAt(3)) >>> 0,
    );
  }
}

/**
 * Scratch space shared by all batches. update() and fromEntries() are synchronous and run no
 * caller code while a batch is applied, so one set suffices; making it per call would cost more
 * than a small batch (Buffer views are expensive to create).
 */
class Scratch {
  /** Per depth: start of each nibble's bucket in the segment, then its end (17 entries). */
  readonly bounds = new Int32Array(MAX_DEPTH * (SLOTS + 1));
  readonly cursor = new Int32Array(SLOTS);
  /** Per depth: the new children of the node being rebuilt and, if known, their hashes. */
  readonly kids: (Node | null)[] = new Array<Node | null>(MAX_DEPTH * SLOTS).fill(null);
  readonly kidHashes: string[] = new Array<string>(MAX_DEPTH * SLOTS).fill("");
  /** Preimage of an internal node: 0x01, bitmap, child hashes. */
  readonly work = Buffer.alloc(3 + SLOTS * HASH_CHARS);
  /** views[n]: the preimage of a node with n children. */
  readonly views: Buffer[] = [];
  /** 0x00 || leaf, for a leaf whose hash is not at hand. */
  readonly leafPre = Buffer.alloc(1 + LEAF_CHARS);

  constructor() {
    this.work[0] = 0x01;
    for (let n = 0; n <= SLOTS; n++) this.views.push(this.work.subarray(0, 3 + n * HASH_CHARS));
  }

  /**
   * Resets the kids of one depth that `mask` says were set: later nodes rely on unset kids being
   * null, and stale references would keep old versions from being collected.
   */
  clear(kb: number, mask: number): void {
    for (let m = mask; m !== 0; m &= m - 1) {
      const s = kb + lowestBit(m);
      this.kids[s] = null;
      this.kidHashes[s] = "";
    }
  }
}

let shared: Scratch | null = null;

/**
 * One update()/fromEntries() call. Every recursive call owns a segment [lo, hi) of `order` (the
 * changes, by index) whose keys share their first `depth` nibbles; partitioning is stable, so a
 * segment stays in input order and the last change to a key wins.
 */
class Batch {
  /** Change in the number of leaves. */
  delta = 0;
  /**
   * Set by apply()/build() for the node they return: whether it differs from the node they
   * were given (false: the parent keeps its old child and that child's hash), and its hash
   * when it differs ("" for an absent node, or a leaf whose hash is not at hand: see Changes).
   *
   * Nodes are never compared with ===: leaves are strings, so that would compare contents
   * through a generic builtin, and it was the single largest cost of rebuilding a 16-way node.
   */
  changed = false;
  retHash = "";

  private readonly items: string[];
  private readonly hashes: string[];
  /**
   * Partitioning permutes `order` (indices into items/hashes) and `prefix` (the first
   * PREFIX_NIBBLES nibbles of each keyHash, in the same order), never the string arrays: typed
   * arrays are dense and need no GC write barrier, and the nibbles are read without touching
   * the strings (cache misses dominate at 10^6 changes).
   */
  private readonly order: Int32Array;
  private readonly prefix: Uint32Array;
  private readonly nibs: Uint8Array;
  private readonly tmpOrder: Int32Array;
  private readonly tmpPrefix: Uint32Array;
  private readonly sc: Scratch;

  constructor(changes: Changes) {
    const n = changes.items.length;
    this.items = changes.items;
    this.hashes = changes.hashes;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.prefix = Uint32Array.from(changes.prefixes);
    this.nibs = new Uint8Array(n);
    this.tmpOrder = new Int32Array(n);
    this.tmpPrefix = new Uint32Array(n);
    this.sc = shared ??= new Scratch();
  }

  /** Runs `f`; if it throws, the shared scratch may hold stale kids, so it is discarded. */
  run<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      shared = null;
      throw e;
    }
  }

  leafHash(leaf: Leaf): string {
    this.sc.leafPre.write(leaf, 1, LEAF_CHARS, "latin1");
    return sha256Latin1(this.sc.leafPre);
  }

  /** Applies changes [lo, hi) to the subtree `node` (hash `nodeHash` if a leaf) at `depth`. */
  apply(node: Node | null, nodeHash: string, depth: number, lo: number, hi: number): Node | null {
    if (lo === hi) {
      this.changed = false;
      return node;
    }
    if (node === null) return this.build(depth, lo, hi, null, "");
    if (typeof node === "string") return this.build(depth, lo, hi, node, nodeHash);
    let changedMask = 0;
    if (hi - lo === 1) {
      // One change (the common case below the top levels): no need to partition.
      changedMask = this.applySlot(node, depth, this.nibbleOf(lo, depth), lo, hi);
    } else {
      this.partition(depth, lo, hi);
      const bounds = this.sc.bounds;
      const b = depth * (SLOTS + 1);
      for (let s = 0; s < SLOTS; s++) {
        const start = bounds[b + s];
        const end = bounds[b + s + 1];
        if (start !== end) changedMask |= this.applySlot(node, depth, s, start, end);
      }
    }
    if (changedMask === 0) {
      // Nothing below changed: keep sharing the old node.
      this.changed = false;
      return node;
    }
    return this.assemble(depth, node, changedMask);
  }

  /**
   * Applies changes [lo, hi), all in slot s of `node`, to that slot's child; if the child
   * changes, it goes to the kids of `depth` and the slot's bit is returned (else 0).
   */
  private applySlot(node: Internal, depth: number, s: number, lo: number, hi: number): number {
    const bitmap = bitmapOf(node);
    const k = popcount16(bitmap & ((1 << s) - 1));
    const old = (bitmap >> s) & 1 ? childOf(node, k) : null;
    const isLeaf = typeof old === "string";
    const kid = this.apply(old, isLeaf ? childHash(node, k) : "", depth + 1, lo, hi);
    // build() reports every result as changed; the two cheap no-op cases are caught here
    // (deletes of absent keys: nothing stays nothing, or a leaf comes back as it was).
    if (!this.changed || (kid === null && old === null) || (isLeaf && typeof kid === "string" && kid === old)) return 0;
    const i = depth * SLOTS + s;
    this.sc.kids[i] = kid;
    this.sc.kidHashes[i] = this.retHash;
    return 1 << s;
  }

  /** Nibble `depth` of the key of change lo (in partition order). */
  private nibbleOf(lo: number, depth: number): number {
    return depth < PREFIX_NIBBLES ? (this.prefix[lo] >>> (28 - 4 * depth)) & 15 : nibble(this.items[this.order[lo]], depth);
  }

  /**
   * Builds the canonical subtree at `depth` for changes [lo, hi) on top of `base`, the leaf that
   * was there (or null), whose hash is baseHash. base is reused as is if it survives.
   * The result always counts as changed (see apply()).
   */
  build(depth: number, lo: number, hi: number, base: Leaf | null, baseHash: string): Node | null {
    this.changed = true;
    if (lo === hi) {
      this.retHash = baseHash;
      return base;
    }
    if (hi - lo === 1 && base === null) return this.take(lo);
    if (this.allSameKey(depth, lo, hi, base)) {
      // Only the last change to a key counts (duplicates in a batch, or a change to `base`).
      if (base !== null) this.delta--;
      return this.take(hi - 1);
    }
    // At least two distinct keys, which differ at some nibble >= depth: so depth < 64 here.
    this.partition(depth, lo, hi);
    const { bounds, kids, kidHashes } = this.sc;
    const baseSlot = base === null ? -1 : nibble(base, depth);
    const b = depth * (SLOTS + 1);
    const kb = depth * SLOTS;
    let mask = 0;
    for (let s = 0; s < SLOTS; s++) {
      const start = bounds[b + s];
      const end = bounds[b + s + 1];
      if (start === end && s !== baseSlot) continue;
      kids[kb + s] = s === baseSlot ? this.build(depth + 1, start, end, base, baseHash) : this.build(depth + 1, start, end, null, "");
      kidHashes[kb + s] = this.retHash;
      mask |= 1 << s;
    }
    return this.assemble(depth, null, mask);
  }

  /** The result of change i (in partition order) alone: its leaf, or nothing for a delete. */
  private take(i: number): Leaf | null {
    const it = this.items[this.order[i]];
    this.retHash = this.hashes[this.order[i]];
    if (it.length !== LEAF_CHARS) return null;
    this.delta++;
    return it;
  }

  private allSameKey(depth: number, lo: number, hi: number, base: Leaf | null): boolean {
    const { items, order } = this;
    const ref = base ?? items[order[lo]];
    // The segment shares its first `depth` nibbles, so those bytes need no comparison.
    const from = depth >> 1;
    for (let i = base === null ? lo + 1 : lo; i < hi; i++) if (!sameKeyHash(ref, items[order[i]], from)) return false;
    return true;
  }

  /** Stable counting sort of changes [lo, hi) by nibble `depth`; bucket bounds go to `bounds`. */
  private partition(depth: number, lo: number, hi: number): void {
    const { order, prefix, nibs, tmpOrder, tmpPrefix } = this;
    const { bounds, cursor } = this.sc;
    const b = depth * (SLOTS + 1);
    for (let s = 0; s <= SLOTS; s++) bounds[b + s] = 0;
    for (let i = lo; i < hi; i++) nibs[i] = this.nibbleOf(i, depth);
    for (let i = lo; i < hi; i++) bounds[b + nibs[i] + 1]++;
    bounds[b] = lo;
    for (let s = 0; s < SLOTS; s++) {
      bounds[b + s + 1] += bounds[b + s];
      cursor[s] = bounds[b + s];
    }
    for (let i = lo; i < hi; i++) {
      const d = cursor[nibs[i]]++;
      tmpOrder[d] = order[i];
      tmpPrefix[d] = prefix[i];
    }
    for (let i = lo; i < hi; i++) {
      order[i] = tmpOrder[i];
      prefix[i] = tmpPrefix[i];
    }
  }

  /**
   * Makes the node at `depth` that replaces `old` (null when building afresh): the slots in
   * `changedMask` take the kids of that depth (null = now empty), the others keep old's
   * children, whose hashes are reused. Restores the canonical shape: no child -> absent, a
   * single leaf child -> that leaf moves up.
   */
  private assemble(depth: number, old: Internal | null, changedMask: number): Node | null {
    const sc = this.sc;
    const { kids, kidHashes, work } = sc;
    const kb = depth * SLOTS;
    const oldBitmap = old === null ? 0 : bitmapOf(old);
    let filled = 0; // changed slots that hold a node now
    for (let m = changedMask; m !== 0; m &= m - 1) {
      const s = lowestBit(m);
      if (kids[kb + s] !== null) filled |= 1 << s;
    }
    const bitmap = (oldBitmap & ~changedMask) | filled;
    const n = popcount16(bitmap);
    this.changed = true;
    if (n === 0) {
      sc.clear(kb, changedMask);
      this.retHash = "";
      return null;
    }
    if (n === 1) {
      const s = lowestBit(bitmap);
      const fresh = ((changedMask >> s) & 1) === 1;
      const j = popcount16(oldBitmap & ((1 << s) - 1));
      const only = fresh ? kids[kb + s] : childOf(old as Internal, j);
      if (typeof only === "string") {
        // A leaf moving up keeps its hash: new, or found in the node it leaves.
        this.retHash = fresh ? kidHashes[kb + s] : childHash(old as Internal, j);
        sc.clear(kb, changedMask);
        return only;
      }
    }
    // The new hashes string is concatenated from runs of the old one and the new hashes, then
    // written to the preimage buffer; that write flattens it (see Changes.add), so each rebuilt
    // node costs two native calls (write, hash) whatever changed in it.
    const oldHashes = old === null ? "" : hashesOf(old);
    const node = new Array<number | string | Node>(n + 2);
    node[0] = bitmap;
    let hashes = "";
    let pieces = 0;
    let lastFromOld = false;
    let runFrom = -1; // old index where the pending run of unchanged children starts
    let j = 0; // old index of slot s
    let k = 2; // index in `node` of slot s
    for (let m = bitmap | oldBitmap; m !== 0; m &= m - 1) {
      const s = lowestBit(m);
      if (((changedMask >> s) & 1) === 0) {
        if (runFrom < 0) runFrom = j;
        node[k++] = childOf(old as Internal, j);
      } else {
        if (runFrom >= 0) {
          hashes += oldHashes.substring(runFrom * HASH_CHARS, j * HASH_CHARS);
          pieces++;
          lastFromOld = true;
          runFrom = -1;
        }
        const kid = kids[kb + s];
        if (kid !== null) {
          hashes += this.kidHash(kb + s);
          pieces++;
          lastFromOld = false;
          node[k++] = kid;
        }
      }
      j += (oldBitmap >> s) & 1;
    }
    if (runFrom >= 0) {
      hashes += oldHashes.substring(runFrom * HASH_CHARS);
      pieces++;
      lastFromOld = true;
    }
    sc.clear(kb, changedMask);
    work[1] = bitmap >>> 8;
    work[2] = bitmap & 0xff;
    work.write(hashes, 3, n * HASH_CHARS, "latin1");
    this.retHash = sha256Latin1(sc.views[n]);
    // A lone substring of the old string is a slice of it (no copy), which would keep the whole
    // old string alive: store a copy instead.
    if (pieces === 1 && lastFromOld) hashes = work.toString("latin1", 3, 3 + n * HASH_CHARS);
    node[1] = hashes;
    return node as Internal;
  }

  /** Hash of kids[i], computed if not at hand (a leaf: see Changes). */
  private kidHash(i: number): string {
    const h = this.sc.kidHashes[i];
    if (h.length > 0) return h;
    const kid = this.sc.kids[i];
    if (typeof kid !== "string") throw new Error("MerkleTree: internal node without hash");
    return this.leafHash(kid);
  }
}

export class MerkleTree {
  private static readonly EMPTY = new MerkleTree(null, "", 0);

  private constructor(
    private readonly rootNode: Node | null,
    /** Root hash as latin1, "" for the empty tree. */
    private readonly rootHash: string,
    /** Number of leaves (keys). */
    readonly size: number,
  ) {}

  static empty(): MerkleTree {
    return MerkleTree.EMPTY;
  }

  /**
   * New version with the changes applied (value null = delete); `this` stays valid and
   * unchanged (path copying; nodes shared between versions). Batch: each dirty node is hashed
   * once per call, however many keys below it changed. Duplicate keys in one batch: last wins.
   * Returns `this` when nothing changes.
   */
  update(changes: Iterable<readonly [key: Uint8Array, value: Uint8Array | null]>): MerkleTree {
    const c = new Changes(true);
    for (const [key, value] of changes) c.add(key, value);
    if (c.items.length === 0) return this;
    const batch = new Batch(c);
    const root = batch.run(() => batch.apply(this.rootNode, this.rootHash, 0, 0, c.items.length));
    if (!batch.changed || root === this.rootNode) return this;
    return MerkleTree.version(batch, root, this.size + batch.delta);
  }

  /** Builds from scratch (startup loads the whole state). Duplicate keys: last wins. */
  static fromEntries(entries: Iterable<readonly [Uint8Array, Uint8Array]>): MerkleTree {
    const builder = MerkleTree.builder();
    for (const [key, value] of entries) builder.add(key, value);
    return builder.build();
  }

  /**
   * A tree built from entries added one at a time (a state loaded from LevelDB): each value is
   * hashed as it is added and not kept, so the values need not all be in memory at once.
   */
  static builder(): { add(key: Uint8Array, value: Uint8Array): void; build(): MerkleTree } {
    const c = new Changes(false);
    return {
      add(key, value) {
        checkBytes(value, "value"); // Changes.add() would take a null value for a delete
        c.add(key, value);
      },
      build() {
        if (c.items.length === 0) return MerkleTree.EMPTY;
        const batch = new Batch(c);
        const root = batch.run(() => batch.build(0, 0, c.items.length, null, ""));
        return MerkleTree.version(batch, root, batch.delta);
      },
    };
  }

  private static version(batch: Batch, root: Node | null, size: number): MerkleTree {
    if (root === null) return MerkleTree.EMPTY;
    // A leaf root's known hash may be a slice of a dropped node's string: hash it afresh.
    const hash = typeof root === "string" ? batch.leafHash(root) : batch.retHash;
    if (hash === "") throw new Error("MerkleTree: new root without hash");
    return new MerkleTree(root, hash, size);
  }

  /** The root hash (the app hash): 32 bytes, all zero for the empty tree. */
  root(): Uint8Array {
    return this.rootHash === "" ? new Uint8Array(HASH_CHARS) : latin1Bytes(this.rootHash, 0, HASH_CHARS);
  }

  /**
   * Proof for `key` at this version: membership if present (the verifier supplies the value),
   * else non-membership. Check it with verifyMembership / verifyNonMembership (client/proof.ts).
   */
  prove(key: Uint8Array): MerkleProof {
    checkBytes(key, "key");
    const kh = sha256Latin1(key);
    const steps: ProofStep[] = [];
    let node = this.rootNode;
    let terminal: ProofTerminal = { type: "empty" };
    for (let depth = 0; node !== null; depth++) {
      if (typeof node === "string") {
        terminal = node.startsWith(kh)
          ? { type: "leaf" }
          : {
              type: "otherLeaf",
              keyHash: latin1Bytes(node, 0, HASH_CHARS),
              valueHash: latin1Bytes(node, HASH_CHARS, LEAF_CHARS),
            };
        break;
      }
      const slot = nibble(kh, depth);
      const bitmap = bitmapOf(node);
      const present = ((bitmap >> slot) & 1) === 1;
      const pathIndex = present ? popcount16(bitmap & ((1 << slot) - 1)) : -1;
      const siblings: Uint8Array[] = [];
      for (let k = 0; k < childCount(node); k++) {
        if (k !== pathIndex) siblings.push(latin1Bytes(hashesOf(node), k * HASH_CHARS, (k + 1) * HASH_CHARS));
      }
      steps.push({ bitmap, siblings });
      node = present ? childOf(node, pathIndex) : null;
    }
    return { steps, terminal };
  }
}
