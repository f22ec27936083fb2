/**
 * Property tests of matmul certificates (docs/pow-matmul.md): an honest tile verifies; a tampered
 * tile, a wrong noise seed, another anchor, another miner and the structured-input cheats are
 * refused or cost at least an honest tile. Replays are refused by the chain (integration test
 * pow-matmul.test.ts).
 */
import fc from "fast-check";
import { matmul } from "../../src/modules/pow";
import { MatmulJob, type MatmulJobFields, decodeWeights, encodeWeights } from "../../src/miner/matmul-prover";
import { finalOnlyTicket, honestTileMacs, lowRankInputTickets, zeroInputTickets } from "../helpers/matmul-cheats";

const { TILE, RANK } = matmul;

const dims = fc.record({
  inner: fc.constantFrom(16, 32, 48),
  aRows: fc.constantFrom(16, 32, 48),
  cols: fc.constantFrom(16, 32),
  extra: fc.integer({ min: 0, max: 2 }), // other matrices in the weights
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

function rnd(seed: number, count: number): Int8Array {
  const out = new Int8Array(count);
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) | 0;
    out[i] = x >> 24;
  }
  return out;
}

type Dims = { inner: number; aRows: number; cols: number; extra: number; seed: number };

function fields(d: Dims, over: Partial<MatmulJobFields> = {}): MatmulJobFields {
  const b = { rows: d.inner, cols: d.cols, data: rnd(d.seed, d.inner * d.cols) };
  const weights = [b, ...Array.from({ length: d.extra }, (_, k) => ({ rows: 16, cols: 16, data: rnd(d.seed + k + 1, 256) }))];
  return {
    chainId: "blockai-test",
    anchorHeight: 10n,
    anchorHash: Buffer.alloc(32, d.seed & 0xff),
    miner: Buffer.alloc(20, 0x22),
    minerAddress: "unused",
    modelId: 3n,
    weights,
    matrixIndex: 0,
    a: { rows: d.aRows, cols: d.inner, data: rnd(d.seed ^ 0x5555, d.aRows * d.inner) },
    ...over,
  };
}

/** The chain's check of tile (i, j) of `job`, with the chain's own view of anchor, miner, root. */
function verify(job: MatmulJob, i: number, j: number, chain: { anchorHash?: Uint8Array; miner?: Uint8Array; anchorHeight?: bigint } = {}, msgOver: Record<string, unknown> = {}) {
  const root = matmul.weightsRoot(job.f.weights.map((m) => matmul.matrixDigest(m)));
  const msg = { ...job.message(i, j), ...msgOver };
  return matmul.verifyTileClaim({
    ...(msg as ReturnType<MatmulJob["message"]>),
    chainId: job.f.chainId,
    anchorHash: chain.anchorHash ?? job.f.anchorHash,
    anchorHeight: chain.anchorHeight ?? job.f.anchorHeight,
    miner: chain.miner ?? job.f.miner,
    weightsRoot: root,
  }).ticket;
}

const tile = (d: Dims) => fc.record({ i: fc.integer({ min: 0, max: d.aRows / TILE - 1 }), j: fc.integer({ min: 0, max: d.cols / TILE - 1 }) });
const withTile = dims.chain((d) => tile(d).map((t) => ({ d, ...t })));
const RUNS = { numRuns: 25 };

describe("matmul certificates: properties", () => {
  test("an honest tile's certificate verifies to the miner's ticket", () => {
    fc.assert(
      fc.property(withTile, ({ d, i, j }) => {
        const job = new MatmulJob(fields(d));
        const honest = job.allTickets().find((t) => t.tileRow === i && t.tileCol === j)!;
        expect(verify(job, i, j).equals(honest.ticket)).toBe(true);
      }),
      RUNS,
    );
  });

  test("a tampered tile (a byte of A's rows, of B's columns, a path hash, an index) is refused", () => {
    fc.assert(
      fc.property(withTile, fc.nat(), fc.constantFrom("a_block", "b_block", "a_path", "b_path", "tile_row", "matrix_index"), ({ d, i, j }, at, what) => {
        const job = new MatmulJob(fields(d));
        const msg = job.message(i, j);
        const flip = (b: Uint8Array) => {
          const c = Uint8Array.from(b);
          c[at % c.length] ^= 1 << (at % 8);
          return c;
        };
        let over: Record<string, unknown>;
        if (what === "a_block") over = { aBlock: flip(msg.aBlock) };
        else if (what === "b_block") over = { bBlock: flip(msg.bBlock) };
        else if (what === "a_path") over = msg.aPath.length ? { aPath: msg.aPath.map((p, k) => (k === 0 ? flip(p) : p)) } : { aPath: [Buffer.alloc(32)] };
        else if (what === "b_path") over = msg.bPath.length ? { bPath: msg.bPath.map((p, k) => (k === 0 ? flip(p) : p)) } : { bPath: [Buffer.alloc(32)] };
        else if (what === "tile_row") over = { tileRow: (i + 1) % (d.aRows / TILE) === i ? i + 1 : (i + 1) % (d.aRows / TILE) };
        else over = { matrixIndex: 1 };
        expect(() => verify(job, i, j, {}, over)).toThrow(matmul.MatmulClaimError);
      }),
      RUNS,
    );
  });

  test("a wrong noise seed: the tickets of another anchor (height or hash) or another miner are not this one's", () => {
    fc.assert(
      fc.property(withTile, fc.constantFrom("anchor_hash", "anchor_height", "miner"), ({ d, i, j }, what) => {
        const job = new MatmulJob(fields(d));
        const mine = verify(job, i, j);
        // The chain computes the seed from its own anchor hash and the tx's signer: a transcript
        // made for one anchor/miner yields another ticket under any other.
        const other =
          what === "anchor_hash"
            ? verify(job, i, j, { anchorHash: Buffer.alloc(32, (d.seed + 1) & 0xff) })
            : what === "anchor_height"
              ? verify(job, i, j, { anchorHeight: 11n })
              : verify(job, i, j, { miner: Buffer.alloc(20, 0x33) });
        expect(other.equals(mine)).toBe(false);
        // And what the miner would have to mine for that other seed is a different product.
        const theirs = new MatmulJob(
          fields(d, what === "miner" ? { miner: Buffer.alloc(20, 0x33) } : what === "anchor_height" ? { anchorHeight: 11n } : { anchorHash: Buffer.alloc(32, (d.seed + 1) & 0xff) }),
        );
        expect(theirs.seed.equals(job.seed)).toBe(false);
      }),
      RUNS,
    );
  });

  test("the final-tile-only shortcut gives a ticket the chain does not compute (inner > one step)", () => {
    fc.assert(
      fc.property(withTile, ({ d, i, j }) => {
        if (d.inner === matmul.STEP) return; // one step: the final tile is the whole transcript
        const job = new MatmulJob(fields(d));
        expect(finalOnlyTicket(job, i, j).equals(verify(job, i, j))).toBe(false);
      }),
      RUNS,
    );
  });

  test("A = -E chosen after seeing the noise (zero A'): refused, whether the miner keeps its a_root or commits to the new A", () => {
    fc.assert(
      fc.property(withTile, ({ d, i, j }) => {
        const job = new MatmulJob(fields(d));
        // E's rows wrap around int8: the best int8 A cancelling E is E mod 256 (the miner's best try).
        const e = new Int8Array(d.aRows * d.inner);
        for (let r = 0; r < d.aRows / TILE; r++) {
          const rows = job.noisyRows(r);
          const a = matmul.rowBlock(job.f.a, r);
          for (let k = 0; k < rows.length; k++) e[r * TILE * d.inner + k] = -((rows[k] - a[k]) | 0);
        }
        const forged = { rows: d.aRows, cols: d.inner, data: e };
        // (1) keep the old a_root: the rows do not reach it.
        const kept = new MatmulJob({ ...job.f, a: forged });
        expect(() => verify(job, i, j, {}, { aBlock: kept.message(i, j).aBlock })).toThrow(matmul.MatmulClaimError);
        // (2) commit to the forged A: the seed changes, so the noise no longer cancels; the
        // ticket the chain computes is not the all-small transcript the cheater hoped to hash.
        expect(kept.seed.equals(job.seed)).toBe(false);
        const rows = kept.noisyRows(i);
        expect(rows.some((w) => w < -128 || w > 127)).toBe(true);
      }),
      RUNS,
    );
  });

  test("structured inputs (zero, repeated rows, low rank): the shortcut's tickets are the honest ones and cost at least an honest tile's MACs", () => {
    fc.assert(
      fc.property(dims, fc.constantFrom("zero", "repeated", "rank2"), (d, kind) => {
        const s = kind === "zero" ? 0 : kind === "repeated" ? 1 : 2;
        const l = new Int32Array(d.aRows * Math.max(s, 1));
        const w = new Int32Array(Math.max(s, 1) * d.inner);
        const a = new Int8Array(d.aRows * d.inner);
        if (s > 0) {
          const lv = rnd(d.seed + 7, d.aRows * s);
          const wv = rnd(d.seed + 9, s * d.inner);
          for (let k = 0; k < lv.length; k++) l[k] = kind === "repeated" ? 1 : lv[k] >> 5; // small factors: A stays int8
          for (let k = 0; k < wv.length; k++) w[k] = kind === "repeated" ? wv[k] : wv[k] >> 4;
          for (let r = 0; r < d.aRows; r++) for (let c = 0; c < d.inner; c++) {
            let v = 0;
            for (let k = 0; k < s; k++) v += l[r * s + k] * w[k * d.inner + c];
            a[r * d.inner + c] = v;
          }
        }
        const job = new MatmulJob(fields(d, { a: { rows: d.aRows, cols: d.inner, data: a } }));
        const honest = job.allTickets();
        const cheat = s === 0 ? zeroInputTickets(job) : lowRankInputTickets(job, l, w, s);
        expect(cheat.tickets.map((t) => t.ticket.toString("hex"))).toEqual(honest.map((t) => t.ticket.toString("hex")));
        const perTicket = cheat.macs / cheat.tickets.length;
        expect(perTicket).toBeGreaterThanOrEqual(honestTileMacs(d.inner));
        expect(RANK).toBeGreaterThanOrEqual(matmul.STEP); // the rule the bound rests on
      }),
      { numRuns: 15 },
    );
  });
});

describe("matmul decoders and claims: arbitrary input", () => {
  test("a claim with arbitrary shapes, sizes and paths is refused with MatmulClaimError, never anything else", () => {
    const bytes = (max: number) => fc.uint8Array({ maxLength: max });
    fc.assert(
      fc.property(
        fc.record({
          matrixIndex: fc.integer({ min: -1, max: 70 }),
          inner: fc.oneof(fc.constantFrom(0, 16, 32, 520, 512), fc.integer()),
          cols: fc.oneof(fc.constantFrom(0, 16, 32), fc.integer()),
          aRows: fc.oneof(fc.constantFrom(16, 32), fc.integer()),
          tileRow: fc.integer({ min: -2, max: 4 }),
          tileCol: fc.integer({ min: -2, max: 4 }),
          aBlock: bytes(600),
          bBlock: bytes(600),
          aRoot: bytes(40),
          aPath: fc.array(bytes(40), { maxLength: 3 }),
          bPath: fc.array(bytes(40), { maxLength: 3 }),
          weightsPath: fc.array(bytes(40), { maxLength: 3 }),
        }),
        (c) => {
          try {
            matmul.verifyTileClaim({ ...c, chainId: "c", anchorHeight: 1n, anchorHash: Buffer.alloc(32), miner: Buffer.alloc(20), modelId: 1n, weightsRoot: Buffer.alloc(32, 9) });
          } catch (e) {
            expect(e).toBeInstanceOf(matmul.MatmulClaimError);
            return;
          }
          throw new Error("an arbitrary claim reached a random weights_root");
        },
      ),
      { numRuns: 300 },
    );
  });

  test("weights files: arbitrary bytes decode or fail with an Error; encode/decode round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const withMagic = Buffer.concat([Buffer.from("BAIW"), Buffer.from(b)]);
        for (const input of [Buffer.from(b), withMagic]) {
          try {
            decodeWeights(input);
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
          }
        }
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ r: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }), seed: fc.nat() }), { maxLength: 3 }), (ms) => {
        const mats = ms.map(({ r, c, seed }) => ({ rows: 16 * r, cols: 16 * c, data: rnd(seed, 256 * r * c) }));
        const back = decodeWeights(encodeWeights(mats));
        expect(back.map((m) => [m.rows, m.cols, Buffer.from(m.data.buffer).toString("hex")])).toEqual(mats.map((m) => [m.rows, m.cols, Buffer.from(m.data.buffer).toString("hex")]));
      }),
      { numRuns: 30 },
    );
  });
});
