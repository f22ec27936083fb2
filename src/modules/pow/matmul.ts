/**
 * Matmul certificates (protocol matmul/v1): Merkle commitments to int8 matrices, the noise seed,
 * the low-rank noise, and the tile transcript whose hash is the ticket. The chain's verifier and
 * the miner's engine both use these functions; docs/pow-matmul.md specifies every byte, and
 * test/vectors/matmul_ref.py is an independent implementation checked against this one.
 *
 * Arithmetic is in Z/2^32: int8 inputs sign-extended, products by Math.imul, sums wrapped by `| 0`.
 */
import { createHash, hash as oneShotHash } from "node:crypto";
import { endianness } from "node:os";

/** Tile side: a tile is TILE rows of A' by TILE columns of B'. */
export const TILE = 16;
/** Transcript step: the tile's partial sums are hashed after every STEP inner indices. */
export const STEP = 16;
/** Rank of each noise matrix; must be >= STEP (docs/pow-matmul.md, "Structure does not help"). */
export const RANK = 16;
/** Largest inner dimension (rows of B): bounds the verifier's work and the certificate size. */
export const MAX_INNER = 512;
/** Largest row count of A and column count of B. */
export const MAX_OUTER = 1 << 24;
/** Bytes of one A row block or B column block at inner dimension n. */
export const blockBytes = (inner: number) => TILE * inner;

const HASH_LENGTH = 32;
const enc = (s: string) => new TextEncoder().encode(s);
const MATRIX_TAG = enc("blockai/matmul/v1/matrix");
const SEED_TAG = enc("blockai/matmul/v1/seed");
const TILE_TAG = enc("blockai/matmul/v1/tile");

// The transcript hashes Int32Array views as little-endian words; every platform Node supports is
// little-endian, and a big-endian one would silently compute other tickets.
if (endianness() !== "LE") throw new Error("matmul: a little-endian platform is required");

const sha256 = (data: Uint8Array): Buffer => oneShotHash("sha256", data, "buffer");

function u32be(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

// ---- Merkle trees -------------------------------------------------------------------------

export function merkleLeaf(data: Uint8Array): Buffer {
  return sha256(Buffer.concat([Uint8Array.of(0), data]));
}

function merkleNode(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Buffer.concat([Uint8Array.of(1), left, right]));
}

/** ceil(log2(leaves)): the length of every path in a tree of `leaves` leaves. */
export function merkleDepth(leaves: number): number {
  let d = 0;
  while (1 << d < leaves) d++;
  return d;
}

const EMPTY = Buffer.alloc(HASH_LENGTH);

function levels(leafHashes: readonly Uint8Array[]): Uint8Array[][] {
  if (leafHashes.length === 0) throw new Error("merkle: no leaves");
  const width = 1 << merkleDepth(leafHashes.length);
  let level: Uint8Array[] = [...leafHashes];
  while (level.length < width) level.push(EMPTY);
  const out = [level];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(merkleNode(level[i], level[i + 1]));
    out.push(next);
    level = next;
  }
  return out;
}

export function merkleRoot(leafHashes: readonly Uint8Array[]): Buffer {
  const l = levels(leafHashes);
  return Buffer.from(l[l.length - 1][0]);
}

/** The siblings of leaf `index`, from the leaf level up. */
export function merklePath(leafHashes: readonly Uint8Array[], index: number): Buffer[] {
  const l = levels(leafHashes);
  const path: Buffer[] = [];
  let i = index;
  for (let d = 0; d < l.length - 1; d++) {
    path.push(Buffer.from(l[d][i ^ 1]));
    i >>= 1;
  }
  return path;
}

/** The root a leaf hash and its path lead to (the caller checks the path length). */
export function rootFromPath(leafHash: Uint8Array, index: number, path: readonly Uint8Array[]): Buffer {
  let h: Uint8Array = leafHash;
  let i = index;
  for (const sibling of path) {
    h = i & 1 ? merkleNode(sibling, h) : merkleNode(h, sibling);
    i >>>= 1;
  }
  return Buffer.from(h);
}

// ---- matrices -----------------------------------------------------------------------------

/** An int8 matrix, row-major. */
export interface Int8Matrix {
  rows: number;
  cols: number;
  data: Int8Array;
}

function checkShape(rows: number, cols: number, what: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0 || rows % TILE !== 0 || cols % TILE !== 0) {
    throw new Error(`${what}: dimensions must be positive multiples of ${TILE}, got ${rows}x${cols}`);
  }
}

/** Column block J of B (n x m): the n x TILE sub-matrix B[0..n, TILE*J..TILE*J+TILE], row-major. */
export function columnBlock(b: Int8Matrix, j: number): Int8Array {
  const out = new Int8Array(b.rows * TILE);
  for (let l = 0; l < b.rows; l++) out.set(b.data.subarray(l * b.cols + j * TILE, l * b.cols + j * TILE + TILE), l * TILE);
  return out;
}

/** Row block I of A (M x n): rows TILE*I..TILE*I+TILE, row-major. */
export function rowBlock(a: Int8Matrix, i: number): Int8Array {
  return a.data.slice(i * TILE * a.cols, (i + 1) * TILE * a.cols);
}

const asBytes = (x: Int8Array | Int32Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

export function columnLeaves(b: Int8Matrix): Buffer[] {
  checkShape(b.rows, b.cols, "matrix");
  const out: Buffer[] = [];
  for (let j = 0; j < b.cols / TILE; j++) out.push(merkleLeaf(asBytes(columnBlock(b, j))));
  return out;
}

export function matrixDigestFromColumnRoot(inner: number, cols: number, columnRoot: Uint8Array): Buffer {
  return sha256(Buffer.concat([MATRIX_TAG, u32be(inner), u32be(cols), columnRoot]));
}

export function matrixDigest(b: Int8Matrix): Buffer {
  return matrixDigestFromColumnRoot(b.rows, b.cols, merkleRoot(columnLeaves(b)));
}

/** A model's weights_root: the Merkle root over its matrices' digests, in order. */
export function weightsRoot(digests: readonly Uint8Array[]): Buffer {
  return merkleRoot(digests.map(merkleLeaf));
}

export function rowLeaves(a: Int8Matrix): Buffer[] {
  checkShape(a.rows, a.cols, "input batch");
  const out: Buffer[] = [];
  for (let i = 0; i < a.rows / TILE; i++) out.push(merkleLeaf(asBytes(rowBlock(a, i))));
  return out;
}

/** The miner's commitment to its input batch A: the Merkle root over its TILE-row blocks. */
export function inputRoot(a: Int8Matrix): Buffer {
  return merkleRoot(rowLeaves(a));
}

// ---- seed and noise -----------------------------------------------------------------------

export interface SeedFields {
  chainId: string;
  anchorHeight: bigint;
  anchorHash: Uint8Array;
  miner: Uint8Array;
  modelId: bigint;
  matrixIndex: number;
  matrixDigest: Uint8Array;
  aRoot: Uint8Array;
  aRows: number;
}

export function matmulSeed(f: SeedFields): Buffer {
  const chain = Buffer.from(f.chainId, "utf8");
  if (chain.length === 0 || chain.length > 255) throw new Error("chain id must be 1..255 bytes");
  if (f.miner.length === 0 || f.miner.length > 255) throw new Error("miner address must be 1..255 bytes");
  if (f.anchorHash.length !== HASH_LENGTH || f.matrixDigest.length !== HASH_LENGTH || f.aRoot.length !== HASH_LENGTH) {
    throw new Error("anchor hash, matrix digest and a_root must be 32 bytes");
  }
  const h = Buffer.alloc(8);
  h.writeBigUInt64BE(f.anchorHeight);
  const id = Buffer.alloc(8);
  id.writeBigUInt64BE(f.modelId);
  return sha256(
    Buffer.concat([
      SEED_TAG,
      Uint8Array.of(chain.length),
      chain,
      h,
      f.anchorHash,
      Uint8Array.of(f.miner.length),
      f.miner,
      id,
      u32be(f.matrixIndex),
      f.matrixDigest,
      f.aRoot,
      u32be(f.aRows),
    ]),
  );
}

/** `words` little-endian u32 words of SHAKE-256(input), as int32. */
function xofWords(input: Uint8Array, words: number): Int32Array {
  const out = createHash("shake256", { outputLength: 4 * words }).update(input).digest();
  return new Int32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
}

const label = (seed: Uint8Array, tag: number, index?: number) =>
  index === undefined ? Buffer.concat([seed, Uint8Array.of(tag)]) : Buffer.concat([seed, Uint8Array.of(tag), u32be(index)]);

/** Row i of U (M x RANK). */
export const noiseU = (seed: Uint8Array, i: number) => xofWords(label(seed, 1, i), RANK);
/** V (RANK x n), row-major. */
export const noiseV = (seed: Uint8Array, inner: number) => xofWords(label(seed, 2), RANK * inner);
/** P (n x RANK), row-major. */
export const noiseP = (seed: Uint8Array, inner: number) => xofWords(label(seed, 3), inner * RANK);
/** Column j of Q (RANK x m). */
export const noiseQ = (seed: Uint8Array, j: number) => xofWords(label(seed, 4, j), RANK);

/**
 * Rows TILE*I.. of A' = A + U·V for an A row block (TILE x n int8): TILE x n int32, row-major.
 * `v` may be passed in when several blocks share it (the miner).
 */
export function noisyRowBlock(seed: Uint8Array, aBlock: Int8Array, tileRow: number, inner: number, v = noiseV(seed, inner)): Int32Array {
  const out = new Int32Array(TILE * inner);
  for (let r = 0; r < TILE; r++) {
    const u = noiseU(seed, tileRow * TILE + r);
    const row = r * inner;
    for (let l = 0; l < inner; l++) out[row + l] = aBlock[row + l];
    for (let k = 0; k < RANK; k++) {
      const uk = u[k];
      const vk = k * inner;
      for (let l = 0; l < inner; l++) out[row + l] = (out[row + l] + Math.imul(uk, v[vk + l])) | 0;
    }
  }
  return out;
}

/** Columns TILE*J.. of B' = B + P·Q for a B column block (n x TILE int8): n x TILE int32, row-major. */
export function noisyColumnBlock(seed: Uint8Array, bBlock: Int8Array, tileCol: number, inner: number, p = noiseP(seed, inner)): Int32Array {
  const q = new Int32Array(RANK * TILE); // q[k*TILE + c] = Q[k][TILE*J + c]
  for (let c = 0; c < TILE; c++) {
    const col = noiseQ(seed, tileCol * TILE + c);
    for (let k = 0; k < RANK; k++) q[k * TILE + c] = col[k];
  }
  const out = new Int32Array(inner * TILE);
  for (let l = 0; l < inner; l++) {
    const o = l * TILE;
    for (let c = 0; c < TILE; c++) out[o + c] = bBlock[o + c];
    for (let k = 0; k < RANK; k++) {
      const pk = p[l * RANK + k];
      const qk = k * TILE;
      for (let c = 0; c < TILE; c++) out[o + c] = (out[o + c] + Math.imul(pk, q[qk + c])) | 0;
    }
  }
  return out;
}

/**
 * The tile's ticket: SHA-256 of the tag, the seed, the tile indices and the TILE x TILE partial
 * sums after every STEP inner indices. `aRows` is TILE x n, `bCols` n x TILE (both noisy, int32).
 * Returns the ticket and the final tile (= the tile of A'·B').
 */
export function tileTicket(seed: Uint8Array, tileRow: number, tileCol: number, aRows: Int32Array, bCols: Int32Array, inner: number): { ticket: Buffer; tile: Int32Array } {
  const h = createHash("sha256").update(TILE_TAG).update(seed).update(u32be(tileRow)).update(u32be(tileCol));
  const acc = new Int32Array(TILE * TILE);
  const bytes = asBytes(acc);
  for (let s = 0; s < inner; s += STEP) {
    for (let r = 0; r < TILE; r++) {
      const ar = r * inner;
      const o = r * TILE;
      for (let l = s; l < s + STEP; l++) {
        const a = aRows[ar + l];
        const bl = l * TILE;
        for (let c = 0; c < TILE; c++) acc[o + c] = (acc[o + c] + Math.imul(a, bCols[bl + c])) | 0;
      }
    }
    h.update(bytes);
  }
  return { ticket: h.digest(), tile: acc };
}

// ---- verification of one certificate ----------------------------------------------------

/** What the verifier needs, decoded from MsgSubmitMatmulWork plus the chain's own data. */
export interface TileClaim {
  chainId: string;
  anchorHeight: bigint;
  anchorHash: Uint8Array;
  miner: Uint8Array;
  modelId: bigint;
  weightsRoot: Uint8Array;
  matrixIndex: number;
  inner: number;
  cols: number;
  weightsPath: readonly Uint8Array[];
  aRoot: Uint8Array;
  aRows: number;
  tileRow: number;
  tileCol: number;
  aBlock: Uint8Array;
  aPath: readonly Uint8Array[];
  bBlock: Uint8Array;
  bPath: readonly Uint8Array[];
}

/** A certificate refused for its shape or commitments (the chain maps it to pow/13). */
export class MatmulClaimError extends Error {}

const isDim = (v: number, max: number) => Number.isInteger(v) && v >= TILE && v <= max && v % TILE === 0;
const int8View = (b: Uint8Array) => new Int8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * Checks the shapes and both Merkle commitments, then recomputes the tile: returns the seed and
 * the ticket (the caller compares it with the target). Throws MatmulClaimError.
 */
export function verifyTileClaim(c: TileClaim): { seed: Buffer; ticket: Buffer } {
  if (!isDim(c.inner, MAX_INNER)) throw new MatmulClaimError(`inner must be a multiple of ${TILE} in ${TILE}..${MAX_INNER}, got ${c.inner}`);
  if (!isDim(c.cols, MAX_OUTER)) throw new MatmulClaimError(`cols must be a multiple of ${TILE} in ${TILE}..${MAX_OUTER}, got ${c.cols}`);
  if (!isDim(c.aRows, MAX_OUTER)) throw new MatmulClaimError(`a_rows must be a multiple of ${TILE} in ${TILE}..${MAX_OUTER}, got ${c.aRows}`);
  if (!Number.isInteger(c.tileRow) || c.tileRow < 0 || c.tileRow >= c.aRows / TILE) throw new MatmulClaimError(`tile_row ${c.tileRow} out of range`);
  if (!Number.isInteger(c.tileCol) || c.tileCol < 0 || c.tileCol >= c.cols / TILE) throw new MatmulClaimError(`tile_col ${c.tileCol} out of range`);
  const size = blockBytes(c.inner);
  if (c.aBlock.length !== size) throw new MatmulClaimError(`a_block must be ${size} bytes, got ${c.aBlock.length}`);
  if (c.bBlock.length !== size) throw new MatmulClaimError(`b_block must be ${size} bytes, got ${c.bBlock.length}`);
  if (c.aRoot.length !== HASH_LENGTH) throw new MatmulClaimError(`a_root must be ${HASH_LENGTH} bytes`);
  const paths: Array<[readonly Uint8Array[], number, string]> = [
    [c.bPath, merkleDepth(c.cols / TILE), "b_path"],
    [c.aPath, merkleDepth(c.aRows / TILE), "a_path"],
  ];
  for (const [path, depth, name] of paths) {
    if (path.length !== depth) throw new MatmulClaimError(`${name} must have ${depth} hashes, got ${path.length}`);
    if (path.some((p) => p.length !== HASH_LENGTH)) throw new MatmulClaimError(`${name}: every hash must be ${HASH_LENGTH} bytes`);
  }
  // The weights tree's width is not on chain; its depth is bounded by the matrix index only.
  if (c.weightsPath.length > 32 || c.weightsPath.some((p) => p.length !== HASH_LENGTH)) throw new MatmulClaimError("weights_path: at most 32 hashes of 32 bytes");
  if (!Number.isInteger(c.matrixIndex) || c.matrixIndex < 0 || c.matrixIndex >= 2 ** c.weightsPath.length) {
    throw new MatmulClaimError(`matrix_index ${c.matrixIndex} does not fit a weights_path of ${c.weightsPath.length} hashes`);
  }
  const columnRoot = rootFromPath(merkleLeaf(c.bBlock), c.tileCol, c.bPath);
  const digest = matrixDigestFromColumnRoot(c.inner, c.cols, columnRoot);
  if (!rootFromPath(merkleLeaf(digest), c.matrixIndex, c.weightsPath).equals(Buffer.from(c.weightsRoot))) {
    throw new MatmulClaimError(`b_block with b_path and weights_path does not reach the model's weights_root`);
  }
  if (!rootFromPath(merkleLeaf(c.aBlock), c.tileRow, c.aPath).equals(Buffer.from(c.aRoot))) {
    throw new MatmulClaimError("a_block with a_path does not reach a_root");
  }
  const seed = matmulSeed({ ...c, matrixDigest: digest });
  const aRows = noisyRowBlock(seed, int8View(c.aBlock), c.tileRow, c.inner);
  const bCols = noisyColumnBlock(seed, int8View(c.bBlock), c.tileCol, c.inner);
  return { seed, ticket: tileTicket(seed, c.tileRow, c.tileCol, aRows, bCols, c.inner).ticket };
}

/** Work one matmul certificate proves: expected tiles per certificate x MACs per tile. */
export function matmulWork(expectedTiles: bigint, inner: number): bigint {
  return expectedTiles * BigInt(TILE * TILE * inner);
}
