/** The matmul engine's worker kernel against the protocol implementation (src/modules/pow/matmul.ts). */
import { MatmulEngine } from "../../src/miner/matmul-engine";
import { MatmulJob, decodeWeights, encodeWeights, exampleWeights, pseudoRandomInt8, weightsRootOf } from "../../src/miner/matmul-prover";

describe("matmul engine", () => {
  let engine: MatmulEngine;
  beforeAll(() => (engine = new MatmulEngine(2)));
  afterAll(async () => engine.stop());

  test("two worker threads find exactly the tiles below the target, and compute A·B", async () => {
    const weights = [{ rows: 48, cols: 64, data: pseudoRandomInt8(5, 48 * 64) }];
    const a = { rows: 80, cols: 48, data: pseudoRandomInt8(6, 80 * 48) };
    const job = new MatmulJob({ chainId: "c", anchorHeight: 3n, anchorHash: Buffer.alloc(32, 3), miner: Buffer.alloc(20, 1), minerAddress: "x", modelId: 1n, weights, matrixIndex: 0, a });
    const target = (1n << 254n) - 1n; // a quarter of the tiles
    const all = job.allTickets();
    const want = all.filter((t) => BigInt("0x" + t.ticket.toString("hex")) <= target);
    const r = await engine.product(job, target);
    expect(r.tiles).toBe(all.length);
    expect(r.finds.map((f) => [f.tileRow, f.tileCol, f.ticket.toString("hex")])).toEqual(want.map((t) => [t.tileRow, t.tileCol, t.ticket.toString("hex")]));
    let checksum = 0;
    for (let i = 0; i < a.rows; i++) for (let c = 0; c < 64; c++) {
      let v = 0;
      for (let l = 0; l < 48; l++) v += a.data[i * 48 + l] * weights[0].data[l * 64 + c];
      checksum = (checksum + v) | 0;
    }
    expect(r.checksum).toBe(checksum);
    expect(r.usefulMacs).toBe(80 * 48 * 64);
  });

  test("weights files round-trip; the example model's root is stable", () => {
    const w = exampleWeights();
    const again = decodeWeights(encodeWeights(w));
    expect(again.map((m) => [m.rows, m.cols])).toEqual(w.map((m) => [m.rows, m.cols]));
    expect(weightsRootOf(again).root.equals(weightsRootOf(w).root)).toBe(true);
    expect(() => decodeWeights(Buffer.from("nope"))).toThrow(/BAIW/);
    const bad = encodeWeights([{ rows: 16, cols: 16, data: new Int8Array(256) }]);
    bad.writeUInt32LE(15, 8);
    expect(() => decodeWeights(bad)).toThrow(/multiples of 16/);
  });
});
