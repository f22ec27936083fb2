/**
 * Client-side verification of BLOCKAI state proofs (the app hash is the root of a 16-ary
 * hashed-key sparse Merkle tree, see src/store/smt.ts for the prover).
 *
 * This module is part of the client SDK: it must run in browsers, so it depends only on
 * @noble/hashes (never node:crypto, never the server-side store).
 *
 * Tree, as committed to by the app hash (protocol, version 1):
 *   keyHash      = SHA-256(key); its 64 nibbles (high nibble of byte 0 first) are the path.
 *   leafHash     = SHA-256(0x00 || keyHash || SHA-256(value))
 *   internalHash = SHA-256(0x01 || bitmap (u16 big-endian, bit i set iff slot i non-empty)
 *                          || hashes of the non-empty children in increasing slot order)
 *   empty tree   = 32 zero bytes.
 * The shape is canonical: a prefix holding no leaf is absent, holding one leaf is that leaf,
 * holding two or more is an internal node.
 *
 * Binary proof encoding, version 1 (all integers big-endian):
 *   [0]      u8   version = 0x01
 *   [1]      u8   terminal: 0x00 leaf (membership), 0x01 empty, 0x02 otherLeaf
 *   [2]      u8   D = number of steps, 0..64
 *   D times  u16  bitmap of the internal node at depth i (root first), non-zero
 *            S*32 sibling hashes: the hashes of the node's non-empty children except the one on
 *                 the key's path, in slot order. S = popcount(bitmap) - 1, except for the last
 *                 step of an 'empty' proof, whose path slot is empty: S = popcount(bitmap).
 *                 S is never sent, so it must be in 0..15.
 *   if otherLeaf: 32-byte keyHash, then 32-byte valueHash of the leaf found on the path.
 *   Nothing may follow. The largest proof is 3 + 64*(2 + 15*32) + 64 = 30915 bytes.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { equalBytes } from "./bytes";

/** ProofOp type under which these proofs travel in ABCI query responses. */
export const PROOF_OP_TYPE = "blockai:smt";

/** Current (and only) version of the binary encoding; its first byte. */
export const PROOF_ENCODING_VERSION = 1;

/** One internal node on the path, root first. */
export interface ProofStep {
  /** Bit i (value 1 << i) set iff child slot i of this node is non-empty. */
  readonly bitmap: number;
  /** Hashes (32 bytes each) of the non-empty children other than the path child, in slot order. */
  readonly siblings: readonly Uint8Array[];
}

export type ProofTerminal =
  /** The key's own leaf ends the path: membership (the verifier supplies the value). */
  | { readonly type: "leaf" }
  /** The path's slot in the last step is empty, or the tree is empty (no steps). */
  | { readonly type: "empty" }
  /** A different key's leaf occupies the path position: non-membership. */
  | { readonly type: "otherLeaf"; readonly keyHash: Uint8Array; readonly valueHash: Uint8Array };

export interface MerkleProof {
  readonly steps: readonly ProofStep[];
  readonly terminal: ProofTerminal;
}

const MAX_STEPS = 64;
const HASH_LEN = 32;
const TAG_LEAF = 0;
const TAG_EMPTY = 1;
const TAG_OTHER_LEAF = 2;

function popcount16(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/** Number of siblings a step carries, or -1 if the bitmap cannot occur in such a step. */
function siblingCount(bitmap: number, pathSlotEmpty: boolean): number {
  if (!Number.isInteger(bitmap) || bitmap <= 0 || bitmap > 0xffff) return -1;
  const s = popcount16(bitmap) - (pathSlotEmpty ? 0 : 1);
  return s <= 15 ? s : -1;
}

function terminalTag(t: ProofTerminal): number {
  switch (t.type) {
    case "leaf":
      return TAG_LEAF;
    case "empty":
      return TAG_EMPTY;
    case "otherLeaf":
      return TAG_OTHER_LEAF;
    default:
      throw new Error(`unknown proof terminal type ${String((t as { type: unknown }).type)}`);
  }
}

/** Encodes a proof (layout in the module comment). Throws if the proof is not well-formed. */
export function encodeProof(p: MerkleProof): Uint8Array {
  const tag = terminalTag(p.terminal);
  const d = p.steps.length;
  if (d > MAX_STEPS) throw new Error(`proof has ${d} steps, at most ${MAX_STEPS} allowed`);
  let len = 3 + (tag === TAG_OTHER_LEAF ? 2 * HASH_LEN : 0);
  for (let i = 0; i < d; i++) {
    const step = p.steps[i];
    // The count is implied by the bitmap on the wire, so an inconsistent step cannot be encoded.
    const s = siblingCount(step.bitmap, tag === TAG_EMPTY && i === d - 1);
    if (s < 0 || step.siblings.length !== s) {
      throw new Error(`proof step ${i}: ${step.siblings.length} siblings do not match bitmap ${step.bitmap}`);
    }
    for (const h of step.siblings) {
      if (h.length !== HASH_LEN) throw new Error(`proof step ${i}: sibling hash is not ${HASH_LEN} bytes`);
    }
    len += 2 + s * HASH_LEN;
  }
  const out = new Uint8Array(len);
  out[0] = PROOF_ENCODING_VERSION;
  out[1] = tag;
  out[2] = d;
  let o = 3;
  for (const step of p.steps) {
    out[o++] = step.bitmap >>> 8;
    out[o++] = step.bitmap & 0xff;
    for (const h of step.siblings) {
      out.set(h, o);
      o += HASH_LEN;
    }
  }
  if (p.terminal.type === "otherLeaf") {
    if (p.terminal.keyHash.length !== HASH_LEN || p.terminal.valueHash.length !== HASH_LEN) {
      throw new Error(`otherLeaf keyHash and valueHash must be ${HASH_LEN} bytes`);
    }
    out.set(p.terminal.keyHash, o);
    out.set(p.terminal.valueHash, o + HASH_LEN);
  }
  return out;
}

/**
 * Decodes a proof. Throws an Error naming the defect on any malformed input. Work and
 * allocation are bounded by the input length (every length is checked before it is used).
 */
export function decodeProof(b: Uint8Array): MerkleProof {
  if (!(b instanceof Uint8Array)) throw new Error("proof must be a Uint8Array");
  if (b.length < 3) throw new Error(`proof too short: ${b.length} bytes`);
  if (b[0] !== PROOF_ENCODING_VERSION) throw new Error(`unsupported proof encoding version ${b[0]}`);
  const tag = b[1];
  if (tag !== TAG_LEAF && tag !== TAG_EMPTY && tag !== TAG_OTHER_LEAF) {
    throw new Error(`unknown proof terminal tag ${tag}`);
  }
  const d = b[2];
  if (d > MAX_STEPS) throw new Error(`proof has ${d} steps, at most ${MAX_STEPS} allowed`);
  const steps: ProofStep[] = [];
  let o = 3;
  for (let i = 0; i < d; i++) {
    if (o + 2 > b.length) throw new Error(`proof truncated in step ${i}`);
    const bitmap = (b[o] << 8) | b[o + 1];
    o += 2;
    const s = siblingCount(bitmap, tag === TAG_EMPTY && i === d - 1);
    if (s < 0) throw new Error(`proof step ${i}: invalid bitmap 0x${bitmap.toString(16)}`);
    if (o + s * HASH_LEN > b.length) throw new Error(`proof truncated in step ${i}`);
    const siblings: Uint8Array[] = [];
    for (let j = 0; j < s; j++, o += HASH_LEN) siblings.push(b.slice(o, o + HASH_LEN));
    steps.push({ bitmap, siblings });
  }
  let terminal: ProofTerminal;
  if (tag === TAG_OTHER_LEAF) {
    if (o + 2 * HASH_LEN > b.length) throw new Error("proof truncated in otherLeaf");
    terminal = {
      type: "otherLeaf",
      keyHash: b.slice(o, o + HASH_LEN),
      valueHash: b.slice(o + HASH_LEN, o + 2 * HASH_LEN),
    };
    o += 2 * HASH_LEN;
  } else {
    terminal = { type: tag === TAG_LEAF ? "leaf" : "empty" };
  }
  if (o !== b.length) throw new Error(`proof has ${b.length - o} trailing bytes`);
  return { steps, terminal };
}

function nibble(keyHash: Uint8Array, depth: number): number {
  const c = keyHash[depth >> 1];
  return depth & 1 ? c & 15 : c >> 4;
}

function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === HASH_LEN;
}

function leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  const pre = new Uint8Array(1 + 2 * HASH_LEN);
  pre[0] = 0x00;
  pre.set(keyHash, 1);
  pre.set(valueHash, 1 + HASH_LEN);
  return sha256(pre);
}

/**
 * Hash of an internal node given its bitmap, its siblings and (unless pathSlot is -1) the path
 * child's hash; null if the step is inconsistent with that. Proof objects may come from anywhere
 * (JSON, hand-built), so every field is checked instead of trusted.
 */
function internalHash(step: ProofStep, pathSlot: number, child: Uint8Array | null): Uint8Array | null {
  if (typeof step !== "object" || step === null || !Array.isArray(step.siblings)) return null;
  const bitmap = step.bitmap;
  const empty = child === null;
  const s = siblingCount(bitmap, empty);
  if (s < 0 || step.siblings.length !== s) return null;
  if (((bitmap >> pathSlot) & 1) !== (empty ? 0 : 1)) return null;
  const pre = new Uint8Array(3 + (s + (empty ? 0 : 1)) * HASH_LEN);
  pre[0] = 0x01;
  pre[1] = bitmap >>> 8;
  pre[2] = bitmap & 0xff;
  let o = 3;
  let j = 0;
  for (let slot = 0; slot < 16; slot++) {
    if (((bitmap >> slot) & 1) === 0) continue;
    const h = slot === pathSlot ? child : step.siblings[j++];
    if (!isHash(h)) return null;
    pre.set(h, o);
    o += HASH_LEN;
  }
  return sha256(pre);
}

/** Folds `below` (the hash found at depth `depth`) up through steps[depth-1..0] to a root. */
function foldUp(keyHash: Uint8Array, steps: readonly ProofStep[], depth: number, below: Uint8Array): Uint8Array | null {
  let h: Uint8Array | null = below;
  for (let i = depth - 1; i >= 0 && h !== null; i--) h = internalHash(steps[i], nibble(keyHash, i), h);
  return h;
}

function validShape(root: Uint8Array, proof: MerkleProof): boolean {
  return (
    isHash(root) &&
    typeof proof === "object" &&
    proof !== null &&
    Array.isArray(proof.steps) &&
    proof.steps.length <= MAX_STEPS &&
    typeof proof.terminal === "object" &&
    proof.terminal !== null
  );
}

/** True iff `proof` shows that `key` maps to `value` in the tree whose root is `root`. */
export function verifyMembership(root: Uint8Array, key: Uint8Array, value: Uint8Array, proof: MerkleProof): boolean {
  if (!validShape(root, proof) || proof.terminal.type !== "leaf") return false;
  const kh = sha256(key);
  const top = foldUp(kh, proof.steps, proof.steps.length, leafHash(kh, sha256(value)));
  return top !== null && equalBytes(top, root);
}

/** True iff `proof` shows that `key` is absent from the tree whose root is `root`. */
export function verifyNonMembership(root: Uint8Array, key: Uint8Array, proof: MerkleProof): boolean {
  if (!validShape(root, proof)) return false;
  const kh = sha256(key);
  const d = proof.steps.length;
  const t = proof.terminal;
  let top: Uint8Array | null;
  if (t.type === "empty") {
    // Only the empty tree has no internal node above an empty slot; its root is all zeros.
    if (d === 0) return root.every((x) => x === 0);
    const last = internalHash(proof.steps[d - 1], nibble(kh, d - 1), null);
    top = last === null ? null : foldUp(kh, proof.steps, d - 1, last);
  } else if (t.type === "otherLeaf") {
    if (!isHash(t.keyHash) || !isHash(t.valueHash) || equalBytes(t.keyHash, kh)) return false;
    // The other leaf sits where our path ends, so it must share our first d nibbles: only then
    // does its being alone under that prefix exclude our key.
    for (let i = 0; i < d; i++) if (nibble(t.keyHash, i) !== nibble(kh, i)) return false;
    top = foldUp(kh, proof.steps, d, leafHash(t.keyHash, t.valueHash));
  } else {
    return false;
  }
  return top !== null && equalBytes(top, root);
}
