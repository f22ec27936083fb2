/**
 * The miner's side of matmul certificates (docs/pow-matmul.md): the weights file, the job (seed,
 * noisy operands, Merkle paths), tickets of every tile, the certificate message of one tile, and
 * the denoised product A·B — the useful result the work was for.
 */
import type { MsgSubmitMatmulWork } from "../gen/blockai/pow/v1/tx";
import { matmul } from "../modules/pow";

const { TILE, RANK } = matmul;
type Int8Matrix = matmul.Int8Matrix;

// ---- weights file -------------------------------------------------------------------------
//
//   "BAIW" | u32 LE count | count x (u32 LE rows | u32 LE cols | rows*cols int8, row-major)

const MAGIC = Buffer.from("BAIW");

export function encodeWeights(mats: readonly Int8Matrix[]): Buffer {
  const parts: Buffer[] = [MAGIC, u32le(mats.length)];
  for (const m of mats) parts.push(u32le(m.rows), u32le(m.cols), Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  return Buffer.concat(parts);
}

export function decodeWeights(buf: Uint8Array): Int8Matrix[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || !b.subarray(0, 4).equals(MAGIC)) throw new Error('weights file: expected the magic "BAIW"');
  const count = b.readUInt32LE(4);
  const out: Int8Matrix[] = [];
  let o = 8;
  for (let i = 0; i < count; i++) {
    if (o + 8 > b.length) throw new Error(`weights file: truncated at matrix ${i}`);
    const rows = b.readUInt32LE(o);
    const cols = b.readUInt32LE(o + 4);
    o += 8;
    if (rows === 0 || cols === 0 || rows % TILE !== 0 || cols % TILE !== 0) throw new Error(`weights file: matrix ${i} is ${rows}x${cols}; dimensions must be positive multiples of ${TILE}`);
    if (o + rows * cols > b.length) throw new Error(`weights file: truncated in matrix ${i}`);
    out.push({ rows, cols, data: new Int8Array(b.buffer.slice(b.byteOffset + o, b.byteOffset + o + rows * cols)) });
    o += rows * cols;
  }
  if (o !== b.length) throw new Error("weights file: trailing bytes");
  return out;
}

function u32le(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

export function weightsRootOf(mats: readonly Int8Matrix[]): { root: Buffer; digests: Buffer[] } {
  const digests = mats.map((m) => matmul.matrixDigest(m));
  return { root: matmul.weightsRoot(digests), digests };
}

/** Deterministic int8 values (xorshift32), for example weights and random input batches. */
export function pseudoRandomInt8(seed: number, count: number): Int8Array {
  const out = new Int8Array(count);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = (x >>> 24) - 128;
  }
  return out;
}

/** A synthetic example model: three int8 matrices shaped like a small MLP (not a trained model). */
export function exampleWeights(): Int8Matrix[] {
  const shapes: Array<[number, number]> = [
    [256, 256],
    [256, 512],
    [512, 256],
  ];
  return shapes.map(([rows, cols], i) => ({ rows, cols, data: pseudoRandomInt8(0x5eed + i, rows * cols) }));
}

// ---- the job ------------------------------------------------------------------------------

// The weights are fixed while mining: their column leaves and digests are computed once.
const columnLeavesCache = new WeakMap<Int8Matrix, Buffer[]>();
const digestCache = new WeakMap<Int8Matrix, Buffer>();
function cachedColumnLeaves(m: Int8Matrix): Buffer[] {
  let v = columnLeavesCache.get(m);
  if (!v) columnLeavesCache.set(m, (v = matmul.columnLeaves(m)));
  return v;
}
function cachedDigest(m: Int8Matrix): Buffer {
  let v = digestCache.get(m);
  if (!v) digestCache.set(m, (v = matmul.matrixDigestFromColumnRoot(m.rows, m.cols, matmul.merkleRoot(cachedColumnLeaves(m)))));
  return v;
}

export interface MatmulJobFields {
  chainId: string;
  anchorHeight: bigint;
  anchorHash: Uint8Array;
  /** Raw address bytes of the miner, and its bech32 form for the message. */
  miner: Uint8Array;
  minerAddress: string;
  modelId: bigint;
  weights: readonly Int8Matrix[];
  matrixIndex: number;
  /** The miner's input batch: a_rows x inner, int8. */
  a: Int8Matrix;
}

/**
 * One product (A+E)(B+F): commitments, seed, noise and paths, computed once. Tiles are computed
 * by `ticket` (or by the engine's workers, which get `noisyColumns` and the noise factors).
 */
export class MatmulJob {
  readonly b: Int8Matrix;
  readonly inner: number;
  readonly digest: Buffer;
  readonly aRoot: Buffer;
  readonly seed: Buffer;
  readonly weightsPath: Buffer[];
  private readonly columnLeaves: Buffer[];
  private readonly rowLeaves: Buffer[];
  private vCache?: Int32Array;
  private pCache?: Int32Array;
  private columnsCache?: Int32Array[];

  constructor(readonly f: MatmulJobFields) {
    const b = f.weights[f.matrixIndex];
    if (!b) throw new Error(`no matrix ${f.matrixIndex} in the weights (${f.weights.length} matrices)`);
    if (b.rows > matmul.MAX_INNER) throw new Error(`matrix ${f.matrixIndex} has ${b.rows} rows; the chain verifies inner dimensions up to ${matmul.MAX_INNER}`);
    if (f.a.cols !== b.rows) throw new Error(`A has ${f.a.cols} columns, B ${b.rows} rows`);
    this.b = b;
    this.inner = b.rows;
    const digests = f.weights.map(cachedDigest);
    this.columnLeaves = cachedColumnLeaves(b);
    this.digest = digests[f.matrixIndex];
    this.weightsPath = matmul.merklePath(digests.map((d) => matmul.merkleLeaf(d)), f.matrixIndex);
    this.rowLeaves = matmul.rowLeaves(f.a);
    this.aRoot = matmul.merkleRoot(this.rowLeaves);
    this.seed = matmul.matmulSeed({ ...f, matrixDigest: this.digest, aRoot: this.aRoot, aRows: f.a.rows });
  }

  get tileRows(): number {
    return this.f.a.rows / TILE;
  }

  get tileCols(): number {
    return this.b.cols / TILE;
  }

  /** Useful multiply-accumulates of the product A·B. */
  get usefulMacs(): number {
    return this.f.a.rows * this.inner * this.b.cols;
  }

  get v(): Int32Array {
    return (this.vCache ??= matmul.noiseV(this.seed, this.inner));
  }

  get p(): Int32Array {
    return (this.pCache ??= matmul.noiseP(this.seed, this.inner));
  }

  /** Every column block of B' = B + F (n x 16 int32 each). */
  get noisyColumns(): Int32Array[] {
    return (this.columnsCache ??= Array.from({ length: this.tileCols }, (_, j) => matmul.noisyColumnBlock(this.seed, matmul.columnBlock(this.b, j), j, this.inner, this.p)));
  }

  noisyRows(i: number): Int32Array {
    return matmul.noisyRowBlock(this.seed, matmul.rowBlock(this.f.a, i), i, this.inner, this.v);
  }

  /** Tickets of every tile, row by row (an honest full product). */
  allTickets(): Array<{ tileRow: number; tileCol: number; ticket: Buffer }> {
    const out: Array<{ tileRow: number; tileCol: number; ticket: Buffer }> = [];
    const cols = this.noisyColumns;
    for (let i = 0; i < this.tileRows; i++) {
      const rows = this.noisyRows(i);
      for (let j = 0; j < this.tileCols; j++) out.push({ tileRow: i, tileCol: j, ticket: matmul.tileTicket(this.seed, i, j, rows, cols[j], this.inner).ticket });
    }
    return out;
  }

  /** The certificate message of tile (i, j). */
  message(i: number, j: number): MsgSubmitMatmulWork {
    const aBlock = matmul.rowBlock(this.f.a, i);
    const bBlock = matmul.columnBlock(this.b, j);
    return {
      miner: this.f.minerAddress,
      modelId: this.f.modelId,
      anchorHeight: this.f.anchorHeight,
      matrixIndex: this.f.matrixIndex,
      inner: this.inner,
      cols: this.b.cols,
      weightsPath: this.weightsPath,
      aRoot: this.aRoot,
      aRows: this.f.a.rows,
      tileRow: i,
      tileCol: j,
      aBlock: new Uint8Array(aBlock.buffer, aBlock.byteOffset, aBlock.byteLength),
      aPath: matmul.merklePath(this.rowLeaves, i),
      bBlock: new Uint8Array(bBlock.buffer, bBlock.byteOffset, bBlock.byteLength),
      bPath: matmul.merklePath(this.columnLeaves, j),
    };
  }

  /**
   * The useful result: A·B = (A+E)(B+F) - U·(V·B') - (A·P)·Q, rows 16i..16i+16 (16 x m int32,
   * row-major) from the tile results of that row block (`tiles[j]` = 16x16 tile of A'·B').
   */
  denoiseRows(i: number, tiles: readonly Int32Array[], vb = this.vTimesNoisyB()): Int32Array {
    const n = this.inner;
    const m = this.b.cols;
    const out = new Int32Array(TILE * m);
    for (let j = 0; j < tiles.length; j++) for (let r = 0; r < TILE; r++) for (let c = 0; c < TILE; c++) out[r * m + j * TILE + c] = tiles[j][r * TILE + c];
    const a = matmul.rowBlock(this.f.a, i);
    const p = this.p;
    const q = this.qAll();
    for (let r = 0; r < TILE; r++) {
      const u = matmul.noiseU(this.seed, i * TILE + r);
      const ap = new Int32Array(RANK); // (A·P) row
      for (let l = 0; l < n; l++) {
        const al = a[r * n + l];
        if (al !== 0) for (let k = 0; k < RANK; k++) ap[k] = (ap[k] + Math.imul(al, p[l * RANK + k])) | 0;
      }
      for (let k = 0; k < RANK; k++) {
        const uk = u[k];
        const apk = ap[k];
        for (let c = 0; c < m; c++) out[r * m + c] = (out[r * m + c] - Math.imul(uk, vb[k * m + c]) - Math.imul(apk, q[k * m + c])) | 0;
      }
    }
    return out;
  }

  private vbCache?: Int32Array;
  private qCache?: Int32Array;

  /** V·B' (R x m), shared by every row block's denoising. */
  vTimesNoisyB(): Int32Array {
    if (this.vbCache) return this.vbCache;
    const n = this.inner;
    const m = this.b.cols;
    const v = this.v;
    const out = new Int32Array(RANK * m);
    this.noisyColumns.forEach((col, j) => {
      for (let k = 0; k < RANK; k++) {
        for (let l = 0; l < n; l++) {
          const vkl = v[k * n + l];
          for (let c = 0; c < TILE; c++) out[k * m + j * TILE + c] = (out[k * m + j * TILE + c] + Math.imul(vkl, col[l * TILE + c])) | 0;
        }
      }
    });
    return (this.vbCache = out);
  }

  /** Q (R x m) row-major. */
  qAll(): Int32Array {
    if (this.qCache) return this.qCache;
    const m = this.b.cols;
    const q = new Int32Array(RANK * m);
    for (let c = 0; c < m; c++) {
      const col = matmul.noiseQ(this.seed, c);
      for (let k = 0; k < RANK; k++) q[k * m + c] = col[k];
    }
    return (this.qCache = q);
  }
}
