/**
 * The chain's matmul/v1 implementation (src/modules/pow/matmul.ts) and the miner's (MatmulJob)
 * against the independent Python reference (test/vectors/matmul_ref.py): its committed output,
 * and a fresh run when python3 is installed.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { matmul } from "../../src/modules/pow";
import { MatmulJob } from "../../src/miner/matmul-prover";

const DIR = join(__dirname, "..", "vectors");
const vectors = JSON.parse(readFileSync(join(DIR, "matmul_vectors.json"), "utf8"));

/** The reference's test inputs (its lcg_int8; not part of the protocol). */
function lcgInt8(seed: number, count: number): Int8Array {
  let x = BigInt(seed);
  const out = new Int8Array(count);
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245n + 12345n) % (1n << 31n);
    out[i] = Number((x >> 16n) & 0xffn) << 24 >> 24;
  }
  return out;
}

const shapes: Array<[number, number]> = [
  [32, 48],
  [16, 16],
  [48, 32],
];
const weights = shapes.map(([rows, cols], i) => ({ rows, cols, data: lcgInt8(100 + i, rows * cols) }));
const a = { rows: 48, cols: 32, data: lcgInt8(7, 48 * 32) };
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const anchorHash = Buffer.from(vectors.anchor_hash, "hex");
const miner = Buffer.from(vectors.miner, "hex");

describe("matmul/v1 known-answer vectors (independent Python reference)", () => {
  test("the committed vectors are what test/vectors/matmul_ref.py prints (when python3 is installed)", () => {
    const run = spawnSync("python3", [join(DIR, "matmul_ref.py")], { encoding: "utf8" });
    if (run.error) {
      console.warn("python3 not available: checked against the committed vectors only");
      return;
    }
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(vectors);
  });

  test("matrix digests, weights_root, a_root and Merkle paths", () => {
    const digests = weights.map((m) => matmul.matrixDigest(m));
    expect(digests.map(hex)).toEqual(vectors.matrix_digests);
    expect(hex(matmul.weightsRoot(digests))).toBe(vectors.weights_root);
    expect(matmul.merklePath(digests.map(matmul.merkleLeaf), 0).map(hex)).toEqual(vectors.weights_path_0);
    expect(hex(matmul.inputRoot(a))).toBe(vectors.a_root);
    expect(matmul.merklePath(matmul.rowLeaves(a), 1).map(hex)).toEqual(vectors.a_path_1);
    expect(matmul.merklePath(matmul.columnLeaves(weights[0]), 2).map(hex)).toEqual(vectors.b_path_2);
  });

  test("seed, noise and every tile's ticket: the chain's verifier and the miner's job agree with the reference", () => {
    const job = new MatmulJob({
      chainId: vectors.chain_id,
      anchorHeight: BigInt(vectors.anchor_height),
      anchorHash,
      miner,
      minerAddress: "unused",
      modelId: BigInt(vectors.model_id),
      weights,
      matrixIndex: 0,
      a,
    });
    expect(hex(job.seed)).toBe(vectors.seed);
    expect(Array.from(matmul.noiseU(job.seed, 0), (w) => w >>> 0)).toEqual(vectors.noise_u_row_0);
    const tickets: string[][] = vectors.tickets;
    for (const t of job.allTickets()) expect(hex(t.ticket)).toBe(tickets[t.tileRow][t.tileCol]);
    // The verifier, from the certificate message of each tile.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const msg = job.message(i, j);
        const { ticket } = matmul.verifyTileClaim({ ...msg, chainId: vectors.chain_id, anchorHash, miner, weightsRoot: Buffer.from(vectors.weights_root, "hex") });
        expect(hex(ticket)).toBe(tickets[i][j]);
      }
    }
  });

  test("denoising recovers A·B exactly (the useful result)", () => {
    const job = new MatmulJob({ chainId: "c", anchorHeight: 1n, anchorHash, miner, minerAddress: "x", modelId: 1n, weights, matrixIndex: 0, a });
    const b = weights[0];
    const cols = job.noisyColumns;
    for (let i = 0; i < job.tileRows; i++) {
      const rows = job.noisyRows(i);
      const tiles = cols.map((col, j) => matmul.tileTicket(job.seed, i, j, rows, col, job.inner).tile);
      const c = job.denoiseRows(i, tiles);
      for (let r = 0; r < 16; r++) {
        for (let col = 0; col < b.cols; col++) {
          let want = 0;
          for (let l = 0; l < a.cols; l++) want += a.data[(i * 16 + r) * a.cols + l] * b.data[l * b.cols + col];
          expect(c[r * b.cols + col]).toBe(want);
        }
      }
    }
  });
});
