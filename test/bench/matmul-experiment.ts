/**
 * The matmul experiment (docs/pow-matmul.md, "Measurements"): an honest miner against each
 * cheating strategy, in the same run, interleaved rounds, on the main thread. Reports, per
 * strategy, tickets (tiles) per CPU second, certificates the chain's verifier accepts per CPU
 * second at a target of one tile in 16, and multiply-accumulates per ticket. Not a jest test:
 *   npx tsc -p tsconfig.json --outDir dist (make build), then
 *   flock /tmp/blockai-heavy.lock node dist/test/bench/matmul-experiment.js [rounds]
 */
import { matmul, bytesToBigInt } from "../../src/modules/pow";
import { MatmulJob, exampleWeights, pseudoRandomInt8 } from "../../src/miner/matmul-prover";
import { finalOnlyTicket, honestTileMacs, lowRankInputTickets, zeroInputTickets } from "../helpers/matmul-cheats";

const ROUNDS = Number(process.argv[2] ?? "3");
const TARGET = (1n << 252n) - 1n; // one tile in 16
const weights = exampleWeights();
const B = weights[0]; // 256 x 256
const ROWS = 256;
const weightsRoot = matmul.weightsRoot(weights.map((m) => matmul.matrixDigest(m)));
const miner = Buffer.alloc(20, 0x44);
let anchorCounter = 0;

function fields(a: Int8Array) {
  anchorCounter++;
  const anchorHash = Buffer.alloc(32);
  anchorHash.writeUInt32BE(anchorCounter);
  return { chainId: "blockai-experiment", anchorHeight: BigInt(anchorCounter), anchorHash, miner, minerAddress: "x", modelId: 1n, weights, matrixIndex: 0, a: { rows: ROWS, cols: B.rows, data: a } };
}

interface Outcome {
  tickets: Array<{ tileRow: number; tileCol: number; ticket: Buffer }>;
  macs: number;
  job: MatmulJob;
}

/** The chain's verdict on every ticket below the target (recomputed by the verifier). */
function accepted(o: Outcome): { found: number; accepted: number } {
  let found = 0;
  let ok = 0;
  for (const t of o.tickets) {
    if (bytesToBigInt(t.ticket) > TARGET) continue;
    found++;
    const msg = o.job.message(t.tileRow, t.tileCol);
    const { ticket } = matmul.verifyTileClaim({ ...msg, chainId: o.job.f.chainId, anchorHash: o.job.f.anchorHash, miner, weightsRoot });
    if (ticket.equals(t.ticket) && bytesToBigInt(ticket) <= TARGET) ok++;
  }
  return { found, accepted: ok };
}

const n = B.rows;
const lowRank = (s: number, seed: number) => {
  const l = new Int32Array(ROWS * s);
  const w = new Int32Array(s * n);
  const lv = pseudoRandomInt8(seed, ROWS * s);
  const wv = pseudoRandomInt8(seed + 1, s * n);
  for (let k = 0; k < l.length; k++) l[k] = s === 1 ? 1 : lv[k] >> 5;
  for (let k = 0; k < w.length; k++) w[k] = s === 1 ? wv[k] : wv[k] >> 5;
  const a = new Int8Array(ROWS * n);
  for (let r = 0; r < ROWS; r++)
    for (let c = 0; c < n; c++) {
      let v = 0;
      for (let k = 0; k < s; k++) v += l[r * s + k] * w[k * n + c];
      a[r * n + c] = v;
    }
  return { l, w, a };
};

/** Each strategy computes tickets for one fresh seed and returns them (with its counted MACs). */
const strategies: Record<string, (round: number) => Outcome> = {
  "honest (random A, full product, tickets)": (r) => {
    const job = new MatmulJob(fields(pseudoRandomInt8(1000 + r, ROWS * n)));
    return { job, tickets: job.allTickets(), macs: (job.tileRows * job.tileCols) * honestTileMacs(n) };
  },
  "honest + denoise (the useful A·B too)": (r) => {
    const job = new MatmulJob(fields(pseudoRandomInt8(2000 + r, ROWS * n)));
    const cols = job.noisyColumns;
    const tickets: Outcome["tickets"] = [];
    const vb = job.vTimesNoisyB();
    for (let i = 0; i < job.tileRows; i++) {
      const rows = job.noisyRows(i);
      const tiles: Int32Array[] = [];
      for (let j = 0; j < job.tileCols; j++) {
        const t = matmul.tileTicket(job.seed, i, j, rows, cols[j], n);
        tickets.push({ tileRow: i, tileCol: j, ticket: t.ticket });
        tiles.push(t.tile);
      }
      job.denoiseRows(i, tiles, vb);
    }
    return { job, tickets, macs: tickets.length * honestTileMacs(n) };
  },
  "zero A, honest kernel": (r) => {
    const job = new MatmulJob(fields(new Int8Array(ROWS * n)));
    void r;
    return { job, tickets: job.allTickets(), macs: job.tileRows * job.tileCols * honestTileMacs(n) };
  },
  "zero A, low-rank shortcut (rank R = 16)": () => {
    const job = new MatmulJob(fields(new Int8Array(ROWS * n)));
    const c = zeroInputTickets(job);
    return { job, ...c };
  },
  "repeated rows, low-rank shortcut (rank 1 + 16)": (r) => {
    const { l, w, a } = lowRank(1, 3000 + r);
    const job = new MatmulJob(fields(a));
    return { job, ...lowRankInputTickets(job, l, w, 1) };
  },
  "rank-4 A, low-rank shortcut (rank 4 + 16)": (r) => {
    const { l, w, a } = lowRank(4, 4000 + r);
    const job = new MatmulJob(fields(a));
    return { job, ...lowRankInputTickets(job, l, w, 4) };
  },
  "grinding: one tile per seed (new A each time)": (r) => {
    // 64 seeds, one tile each: per seed the commitments, the noise for one row block and one column block.
    const tickets: Outcome["tickets"] = [];
    let job!: MatmulJob;
    for (let k = 0; k < 64; k++) {
      job = new MatmulJob(fields(pseudoRandomInt8(5000 + r * 64 + k, ROWS * n)));
      const rows = job.noisyRows(0);
      const col = matmul.noisyColumnBlock(job.seed, matmul.columnBlock(job.b, 0), 0, n, job.p);
      tickets.push({ tileRow: 0, tileCol: 0, ticket: matmul.tileTicket(job.seed, 0, 0, rows, col, n).ticket });
    }
    // Only the last job's tile is checked by `accepted` against its own job; the others' verdicts
    // follow the same rule (they are honest tiles of their own seeds).
    return { job, tickets: tickets.slice(-1), macs: honestTileMacs(n) + 2 * 16 * 16 * n, extraTickets: tickets.length - 1 } as Outcome & { extraTickets: number };
  },
  "final tile only (skips the partial sums)": (r) => {
    const job = new MatmulJob(fields(pseudoRandomInt8(6000 + r, ROWS * n)));
    const tickets: Outcome["tickets"] = [];
    for (let i = 0; i < job.tileRows; i++) for (let j = 0; j < job.tileCols; j++) tickets.push({ tileRow: i, tileCol: j, ticket: finalOnlyTicket(job, i, j) });
    return { job, tickets, macs: tickets.length * honestTileMacs(n) };
  },
};

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function main(): void {
  console.log(`matmul experiment: B = example matrix 0 (${B.rows}x${B.cols}), A ${ROWS}x${n}, T = ${matmul.TILE}, K = ${matmul.STEP}, R = ${matmul.RANK}, target 1/16, ${ROUNDS} interleaved rounds, node ${process.version}`);
  const totals = new Map<string, { cpu: number; tickets: number; found: number; accepted: number; macs: number }>();
  const entries = Object.entries(strategies);
  // A warm-up round (discarded) so that no strategy pays the JIT for the others; then each round
  // starts with another strategy, so drift and GC hit every side alike.
  for (const [, run] of entries) run(-1);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < entries.length; k++) {
      const [name, run] = entries[(k + round) % entries.length];
      const c0 = cpuSeconds();
      const o = run(round) as Outcome & { extraTickets?: number };
      const cpu = cpuSeconds() - c0;
      const verdict = accepted(o);
      const t = totals.get(name) ?? { cpu: 0, tickets: 0, found: 0, accepted: 0, macs: 0 };
      const tickets = o.tickets.length + (o.extraTickets ?? 0);
      totals.set(name, { cpu: t.cpu + cpu, tickets: t.tickets + tickets, found: t.found + verdict.found, accepted: t.accepted + verdict.accepted, macs: t.macs + o.macs * (o.extraTickets !== undefined ? tickets : 1) });
    }
  }
  const order = new Map(entries.map(([name], i) => [name, i]));
  const sorted = [...totals].sort((x, y) => order.get(x[0])! - order.get(y[0])!);
  const honest = totals.get("honest (random A, full product, tickets)")!;
  const base = honest.tickets / honest.cpu;
  console.log("\n| strategy | tickets per CPU s | vs honest | certificates found / accepted by the verifier | accepted per CPU s | MACs per ticket (counted) |");
  console.log("|---|---|---|---|---|---|");
  for (const [name, t] of sorted) {
    const rate = t.tickets / t.cpu;
    const acceptedRate = name.startsWith("grinding") ? `${((t.tickets / t.cpu) / 16).toFixed(1)} (expected)` : (t.accepted / t.cpu).toFixed(1);
    const verdict = name.startsWith("grinding") ? `${t.found} / ${t.accepted} (last tile of each round checked)` : `${t.found} / ${t.accepted}`;
    console.log(`| ${name} | ${rate.toFixed(0)} | ${(rate / base).toFixed(2)} | ${verdict} | ${acceptedRate} | ${Math.round(t.macs / t.tickets).toLocaleString("en-US")} |`);
  }
}

main();
