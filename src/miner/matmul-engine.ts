/**
 * The matmul mining engine: worker threads multiply the noisy input batch by the noisy weight
 * matrix, tile row blocks split between threads, stream every tile's partial sums into SHA-256
 * (the ticket), and denoise their rows of the product (the useful A·B). The main thread builds the
 * job (MatmulJob: seed, B' columns, the noise factors); workers get copies.
 *
 * The worker runs from its own source (`new Worker(source, { eval: true })`, as the SHA-256
 * engine's): self-contained, Node built-ins only. Its tile kernel follows docs/pow-matmul.md; the
 * unit test test/unit/matmul-engine.test.ts checks its tickets against src/modules/pow/matmul.ts.
 */
import { Worker } from "node:worker_threads";
import { matmul } from "../modules/pow";
import type { MatmulJob } from "./matmul-prover";

export interface TileFind {
  tileRow: number;
  tileCol: number;
  ticket: Buffer;
}

export interface ProductResult {
  finds: TileFind[];
  tiles: number;
  /** A·B's multiply-accumulates (the useful work). */
  usefulMacs: number;
  seconds: number;
  /** Sum of the denoised product's entries mod 2^32 (proof the useful result was computed). */
  checksum: number;
}

interface ProductMessage {
  type: "product";
  id: number;
  seed: Uint8Array;
  inner: number;
  cols: number;
  rows: number[];
  a: Int8Array;
  v: Int32Array;
  p: Int32Array;
  bCols: Int32Array;
  vb: Int32Array;
  q: Int32Array;
  target: Uint8Array;
}

interface DoneMessage {
  type: "done";
  id: number;
  finds: Array<{ i: number; j: number; ticket: Uint8Array }>;
  tiles: number;
  checksum: number;
}

export function matmulWorkerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort } = require("node:worker_threads") as typeof import("node:worker_threads");
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  const T = 16;
  const STEP = 16;
  const R = 16;
  const be32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return b;
  };
  parentPort!.on("message", (m: ProductMessage) => {
    const n = m.inner;
    const cols = m.cols;
    const tileCols = cols / T;
    const target = Buffer.from(m.target);
    const finds: DoneMessage["finds"] = [];
    let tiles = 0;
    let checksum = 0;
    const acc = new Int32Array(T * T);
    const accBytes = new Uint8Array(acc.buffer);
    const aRows = new Int32Array(T * n);
    const c = new Int32Array(T * cols);
    m.rows.forEach((i, slot) => {
      const aOff = slot * T * n;
      const u = new Int32Array(T * R);
      // A' = A + U·V for this row block.
      for (let r = 0; r < T; r++) {
        const raw = createHash("shake256", { outputLength: 4 * R }).update(Buffer.concat([m.seed, Uint8Array.of(1), be32(i * T + r)])).digest();
        for (let k = 0; k < R; k++) u[r * R + k] = raw.readInt32LE(4 * k);
        for (let l = 0; l < n; l++) aRows[r * n + l] = m.a[aOff + r * n + l];
        for (let k = 0; k < R; k++) {
          const uk = u[r * R + k];
          for (let l = 0; l < n; l++) aRows[r * n + l] = (aRows[r * n + l] + Math.imul(uk, m.v[k * n + l])) | 0;
        }
      }
      for (let j = 0; j < tileCols; j++) {
        const bOff = j * n * T;
        const h = createHash("sha256").update("blockai/matmul/v1/tile").update(m.seed).update(be32(i)).update(be32(j));
        acc.fill(0);
        for (let s = 0; s < n; s += STEP) {
          for (let r = 0; r < T; r++) {
            for (let l = s; l < s + STEP; l++) {
              const a = aRows[r * n + l];
              const b = bOff + l * T;
              for (let x = 0; x < T; x++) acc[r * T + x] = (acc[r * T + x] + Math.imul(a, m.bCols[b + x])) | 0;
            }
          }
          h.update(accBytes);
        }
        const ticket = h.digest();
        if (ticket.compare(target) <= 0) finds.push({ i, j, ticket });
        tiles++;
        for (let r = 0; r < T; r++) for (let x = 0; x < T; x++) c[r * cols + j * T + x] = acc[r * T + x];
      }
      // Denoise: A·B = A'B' - U·(V·B') - (A·P)·Q.
      for (let r = 0; r < T; r++) {
        const ap = new Int32Array(R);
        for (let l = 0; l < n; l++) {
          const al = m.a[aOff + r * n + l];
          for (let k = 0; k < R; k++) ap[k] = (ap[k] + Math.imul(al, m.p[l * R + k])) | 0;
        }
        for (let k = 0; k < R; k++) {
          const uk = u[r * R + k];
          const apk = ap[k];
          for (let x = 0; x < cols; x++) c[r * cols + x] = (c[r * cols + x] - Math.imul(uk, m.vb[k * cols + x]) - Math.imul(apk, m.q[k * cols + x])) | 0;
        }
        for (let x = 0; x < cols; x++) checksum = (checksum + c[r * cols + x]) | 0;
      }
    });
    parentPort!.postMessage({ type: "done", id: m.id, finds, tiles, checksum } satisfies DoneMessage);
  });
}

const WORKER_SOURCE = `(${matmulWorkerMain.toString()})();`;

export class MatmulEngine {
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, (m: DoneMessage) => void>();
  private failure: Error | undefined;

  constructor(readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
    for (let k = 0; k < threads; k++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on("message", (m: DoneMessage) => {
        const resolve = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        resolve?.(m);
      });
      w.on("error", (e) => (this.failure = e));
      this.workers.push(w);
    }
  }

  /** Computes the whole product of `job`: every tile's ticket, the finds below `target`, A·B. */
  async product(job: MatmulJob, target: bigint): Promise<ProductResult> {
    if (this.failure) throw this.failure;
    const started = process.hrtime.bigint();
    const bCols = new Int32Array(job.inner * job.b.cols);
    job.noisyColumns.forEach((col, j) => bCols.set(col, j * col.length));
    const common = { seed: job.seed, inner: job.inner, cols: job.b.cols, v: job.v, p: job.p, bCols, vb: job.vTimesNoisyB(), q: job.qAll(), target: targetBytes(target) };
    const parts = this.workers.map((w, k) => {
      const rows: number[] = [];
      for (let i = k; i < job.tileRows; i += this.threads) rows.push(i);
      const a = new Int8Array(rows.length * matmul.TILE * job.inner);
      rows.forEach((i, slot) => a.set(matmul.rowBlock(job.f.a, i), slot * matmul.TILE * job.inner));
      const id = this.nextId++;
      return new Promise<DoneMessage>((resolve) => {
        this.waiting.set(id, resolve);
        w.postMessage({ type: "product", id, rows, a, ...common } satisfies ProductMessage);
      });
    });
    const done = await Promise.all(parts);
    const finds = done.flatMap((d) => d.finds.map((f) => ({ tileRow: f.i, tileCol: f.j, ticket: Buffer.from(f.ticket) })));
    finds.sort((x, y) => x.tileRow - y.tileRow || x.tileCol - y.tileCol);
    return {
      finds,
      tiles: done.reduce((s, d) => s + d.tiles, 0),
      usefulMacs: job.usefulMacs,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      checksum: done.reduce((s, d) => (s + d.checksum) | 0, 0),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function targetBytes(target: bigint): Uint8Array {
  return Buffer.from(target.toString(16).padStart(64, "0"), "hex");
}
