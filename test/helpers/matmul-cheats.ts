/**
 * Cheating strategies against matmul certificates (docs/pow-matmul.md), used by the property
 * tests (which must be refused) and by the experiment (what the others cost). Each returns the
 * tickets it produces and the multiply-accumulates it spent on them.
 */
import { createHash } from "node:crypto";
import { matmul } from "../../src/modules/pow";
import type { MatmulJob } from "../../src/miner/matmul-prover";

const { TILE, STEP, RANK } = matmul;

export interface CheatResult {
  tickets: Array<{ tileRow: number; tileCol: number; ticket: Buffer }>;
  macs: number;
}

function u32be(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

/**
 * The low-rank shortcut: with A' = X·Y (X: M x rho, Y: rho x n; rho = rank(A) + R), each step's
 * partial sums of a tile are X_rows · (Y_step · B'_step): rho MACs per entry per step instead of
 * STEP, after a shared Y·B' of rho·n·m. Produces exactly the honest transcript (so the chain accepts
 * its tickets); the question is only its cost. `x(i)` gives rows 16i.. of X (16 x rho).
 */
export function lowRankTickets(job: MatmulJob, rho: number, x: (i: number) => Int32Array, y: Int32Array): CheatResult {
  const n = job.inner;
  const cols = job.noisyColumns;
  const steps = n / STEP;
  let macs = 0;
  // YB[j][s] = Y[:, step s] · B'[step s, column block j] : rho x 16
  const yb = cols.map((col) => {
    const out: Int32Array[] = [];
    for (let s = 0; s < steps; s++) {
      const m = new Int32Array(rho * TILE);
      for (let k = 0; k < rho; k++) {
        for (let l = s * STEP; l < (s + 1) * STEP; l++) {
          const ykl = y[k * n + l];
          for (let c = 0; c < TILE; c++) m[k * TILE + c] = (m[k * TILE + c] + Math.imul(ykl, col[l * TILE + c])) | 0;
        }
      }
      out.push(m);
    }
    return out;
  });
  macs += rho * n * job.b.cols;
  const tickets: CheatResult["tickets"] = [];
  const acc = new Int32Array(TILE * TILE);
  const bytes = new Uint8Array(acc.buffer);
  for (let i = 0; i < job.tileRows; i++) {
    const xr = x(i);
    for (let j = 0; j < job.tileCols; j++) {
      acc.fill(0);
      const h = createHash("sha256").update("blockai/matmul/v1/tile").update(job.seed).update(u32be(i)).update(u32be(j));
      for (let s = 0; s < steps; s++) {
        const m = yb[j][s];
        for (let r = 0; r < TILE; r++) {
          for (let k = 0; k < rho; k++) {
            const xk = xr[r * rho + k];
            for (let c = 0; c < TILE; c++) acc[r * TILE + c] = (acc[r * TILE + c] + Math.imul(xk, m[k * TILE + c])) | 0;
          }
        }
        h.update(bytes);
      }
      macs += TILE * TILE * rho * steps;
      tickets.push({ tileRow: i, tileCol: j, ticket: h.digest() });
    }
  }
  return { tickets, macs };
}

/** A = 0: A' = E = U·V, so X = U (rank R), Y = V. */
export function zeroInputTickets(job: MatmulJob): CheatResult {
  const x = (i: number) => {
    const out = new Int32Array(TILE * RANK);
    for (let r = 0; r < TILE; r++) out.set(matmul.noiseU(job.seed, i * TILE + r), r * RANK);
    return out;
  };
  return lowRankTickets(job, RANK, x, job.v);
}

/**
 * A = L·W of rank s (L: M x s, W: s x n, small ints): A' = [L | U]·[W ; V] of rank s + R.
 * Repeated rows are the case s = 1 (L a column of ones).
 */
export function lowRankInputTickets(job: MatmulJob, l: Int32Array, w: Int32Array, s: number): CheatResult {
  const rho = s + RANK;
  const n = job.inner;
  const y = new Int32Array(rho * n);
  y.set(w.subarray(0, s * n), 0);
  y.set(job.v, s * n);
  const x = (i: number) => {
    const out = new Int32Array(TILE * rho);
    for (let r = 0; r < TILE; r++) {
      for (let k = 0; k < s; k++) out[r * rho + k] = l[(i * TILE + r) * s + k];
      out.set(matmul.noiseU(job.seed, i * TILE + r), r * rho + s);
    }
    return out;
  };
  return lowRankTickets(job, rho, x, y);
}

/** Hashes only the final tile (the shortcut the intermediate sums are there to stop). */
export function finalOnlyTicket(job: MatmulJob, i: number, j: number): Buffer {
  const { tile } = matmul.tileTicket(job.seed, i, j, job.noisyRows(i), job.noisyColumns[j], job.inner);
  return createHash("sha256").update("blockai/matmul/v1/tile").update(job.seed).update(u32be(i)).update(u32be(j)).update(new Uint8Array(tile.buffer)).digest();
}

/** The multiply-accumulates an honest tile costs. */
export const honestTileMacs = (inner: number) => TILE * TILE * inner;
