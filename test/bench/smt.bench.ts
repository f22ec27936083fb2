/**
 * Benchmark of the state tree (src/store/smt.ts). Not a jest test: compile with tsc and run
 *   node --expose-gc dist/test/bench/smt.bench.js [rounds]
 *
 * For trees of 10^4, 10^5 and 10^6 keys it reports the time of fromEntries(), the cost per
 * written key of update() batches of 1,000 random keys (half new keys, half overwrites), and
 * the heap held by the 10^6-key tree (heapUsed + arrayBuffers delta, after forced GCs).
 *
 * Batches for the three sizes are interleaved round by round, so that load from other
 * processes and GC cycles hit all sizes alike and the ratios stay meaningful on a busy machine.
 * Costs are process CPU time (user + system, GC threads included), which unlike wall time does
 * not count the time the process waits for a CPU; wall time is printed too.
 * Each batch is applied to the same base version, so the tree size stays fixed.
 */
import { MerkleTree } from "../../src/store/smt";

const SIZES = [1e4, 1e5, 1e6];
const BATCH = 1000;
const WARMUP_ROUNDS = 10;

/** Keys are derived from an index, so entries are generated lazily and never all held. */
function keyOf(i: number): Uint8Array {
  // A prefix shaped like a module store key, then i as 8 big-endian bytes (set byte by byte:
  // a DataView would force V8 to move the small array out of the JS heap).
  const k = Uint8Array.of(0x01, 0x62, 0x6b, 0x79, 0, 0, 0, 0, 0, 0, 0, 0);
  for (let j = 11, v = i; j >= 4; j--, v = Math.floor(v / 256)) k[j] = v & 0xff;
  return k;
}

/** xorshift32 values: crypto.randomBytes is too slow for 10^6 values on some VMs. */
let seed = 0x9e3779b9;
function randomValue(): Uint8Array {
  const v = new Uint8Array(40);
  for (let i = 0; i < v.length; i += 4) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    v[i] = seed;
    v[i + 1] = seed >>> 8;
    v[i + 2] = seed >>> 16;
    v[i + 3] = seed >>> 24;
  }
  return v;
}

function* entries(n: number): Generator<[Uint8Array, Uint8Array]> {
  for (let i = 0; i < n; i++) yield [keyOf(i), randomValue()];
}

const gcFn = (globalThis as { gc?: () => void }).gc;

function gc(): void {
  if (gcFn) {
    gcFn();
    gcFn();
  }
}

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function msSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

interface Subject {
  n: number;
  tree: MerkleTree;
  /** fromEntries(): wall-clock and CPU ms. */
  buildMs: number;
  buildCpuMs: number;
  nextKey: number;
  /** CPU µs per written key, one entry per batch. */
  cpu: number[];
  /** Wall-clock µs per written key. */
  wall: number[];
}

function build(n: number): Subject {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const tree = MerkleTree.fromEntries(entries(n));
  const buildMs = msSince(t0);
  const c = process.cpuUsage(c0);
  if (tree.size !== n) throw new Error(`size ${tree.size}, expected ${n}`);
  return { n, tree, buildMs, buildCpuMs: (c.user + c.system) / 1000, nextKey: n, cpu: [], wall: [] };
}

function batchFor(s: Subject): [Uint8Array, Uint8Array][] {
  const batch: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < BATCH; i++) {
    const k = i % 2 === 0 ? keyOf(s.nextKey++) : keyOf(Math.floor(Math.random() * s.n));
    batch.push([k, randomValue()]);
  }
  return batch;
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 60);
  if (!gcFn) console.warn("no global gc: run node with --expose-gc for the memory figure");

  // The largest tree first, on a clean heap, to measure its memory.
  const largest = SIZES[SIZES.length - 1];
  gc();
  const before = heapBytes();
  const big = build(largest);
  gc();
  const heapMB = (heapBytes() - before) / 1e6;
  const subjects = [...SIZES.slice(0, -1).map(build), big];

  for (let r = 0; r < WARMUP_ROUNDS + rounds; r++) {
    for (const s of subjects) {
      const batch = batchFor(s);
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      s.tree.update(batch);
      const wall = (msSince(t0) * 1000) / BATCH;
      const c = process.cpuUsage(c0);
      if (r >= WARMUP_ROUNDS) {
        s.cpu.push((c.user + c.system) / BATCH);
        s.wall.push(wall);
      }
    }
  }

  const base = quantile(subjects[0].cpu, 0.5);
  console.log(`update(): batches of ${BATCH} keys (half new, half overwrites), ${rounds} per size`);
  console.log("keys       fromEntries (wall / CPU)   update CPU µs/key: median   p10    p90   vs 10^4   wall median");
  for (const s of subjects) {
    const med = quantile(s.cpu, 0.5);
    console.log(
      `${String(s.n).padEnd(10)} ${(s.buildMs / 1000).toFixed(2).padStart(6)} s / ${(s.buildCpuMs / 1000).toFixed(2).padStart(5)} s ` +
        `${med.toFixed(2).padStart(24)} ${quantile(s.cpu, 0.1).toFixed(2).padStart(6)} ` +
        `${quantile(s.cpu, 0.9).toFixed(2).padStart(6)} ${(med / base).toFixed(2).padStart(7)}x ` +
        `${quantile(s.wall, 0.5).toFixed(2).padStart(12)}`,
    );
  }
  console.log(`heap held by the ${largest}-key tree: ${heapMB.toFixed(0)} MB (${((heapMB * 1e6) / largest).toFixed(0)} B/key)`);
}

main();
