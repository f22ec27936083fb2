import { MiningEngine, Find } from "../../src/miner/engine";
import { MAX_TARGET, bytesToBigInt, computeSeal, sealPrefix } from "../../src/modules/pow";

jest.setTimeout(60_000);

const fields = {
  chainId: "blockai-test",
  anchorHeight: 42n,
  anchorHash: Buffer.alloc(32, 0x11),
  miner: Buffer.alloc(20, 0x22),
  modelId: 7n,
  workDigest: Buffer.alloc(32, 0x33),
};

function collect(engine: MiningEngine, n: number, timeoutMs = 30_000): Promise<Find[]> {
  return new Promise((resolve, reject) => {
    const finds: Find[] = [];
    const t = setTimeout(() => reject(new Error(`only ${finds.length} of ${n} finds`)), timeoutMs);
    const on = (f: Find) => {
      finds.push(f);
      if (finds.length === n) {
        clearTimeout(t);
        engine.off("find", on);
        resolve(finds);
      }
    };
    engine.on("find", on);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("mining engine (worker threads, native SHA-256)", () => {
  let engine: MiningEngine | undefined;
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });

  test("finds certificates the chain accepts: every seal equals the chain's computeSeal and is <= target", async () => {
    engine = new MiningEngine({ threads: 2 });
    const target = (1n << 246n) - 1n; // 1024 expected hashes
    engine.want(24);
    const got = collect(engine, 24);
    engine.setJob({ tag: "42", prefix: sealPrefix(fields), target });
    const finds = await got;
    for (const f of finds) {
      expect(f.job.tag).toBe("42");
      expect(computeSeal(fields, f.nonce)).toEqual(f.seal);
      expect(bytesToBigInt(f.seal) <= target).toBe(true);
    }
    expect(new Set(finds.map((f) => f.nonce)).size).toBe(24);
    expect(engine.hashes()).toBeGreaterThan(0n);
  });

  test("each thread walks its own nonce range; the 32-bit carry is right", async () => {
    engine = new MiningEngine({ threads: 2, chunk: 16 });
    // Every hash meets MAX_TARGET, so finds are consecutive nonces from each start.
    const starts = [(1n << 32n) - 3n, 1n << 40n];
    engine.want(10);
    const got = collect(engine, 10);
    engine.setJobAt({ tag: "t", prefix: sealPrefix(fields), target: MAX_TARGET }, starts);
    const finds = await got;
    const a = finds.filter((f) => f.nonce < 1n << 40n).map((f) => f.nonce);
    const b = finds.filter((f) => f.nonce >= 1n << 40n).map((f) => f.nonce);
    expect(a.length + b.length).toBe(10);
    a.forEach((n, i) => expect(n).toBe(starts[0] + BigInt(i)));
    b.forEach((n, i) => expect(n).toBe(starts[1] + BigInt(i)));
    for (const f of finds) expect(computeSeal(fields, f.nonce)).toEqual(f.seal);
    // Past the 2^32 boundary of the first range.
    if (a.length > 3) expect(a[3]).toBe(1n << 32n);
  });

  test("credits: with none wanted the threads idle; a new job replaces the old (no stale finds)", async () => {
    engine = new MiningEngine({ threads: 2, chunk: 256 });
    engine.want(0);
    engine.setJob({ tag: "idle", prefix: sealPrefix(fields), target: (1n << 250n) - 1n });
    await sleep(200);
    const h1 = engine.hashes();
    await sleep(300);
    expect(engine.hashes()).toBe(h1); // nothing hashed while nothing is wanted
    const other = { ...fields, anchorHeight: 43n };
    engine.setJob({ tag: "43", prefix: sealPrefix(other), target: (1n << 250n) - 1n });
    engine.want(5);
    const finds = await collect(engine, 5);
    for (const f of finds) {
      expect(f.job.tag).toBe("43");
      expect(computeSeal(other, f.nonce)).toEqual(f.seal);
    }
    await sleep(200);
    expect(engine.wanted()).toBe(0);
  });

  test("stop() terminates every worker thread", async () => {
    const e = new MiningEngine({ threads: 3 });
    engine = e; // stopped by afterEach if an expectation fails
    e.want(1_000_000);
    e.setJob({ tag: "x", prefix: sealPrefix(fields), target: 1n });
    for (let i = 0; i < 100 && !e.hashesPerThread().every((x) => x > 0n); i++) await sleep(100);
    expect(e.liveWorkers).toBe(3);
    expect(e.hashesPerThread().every((x) => x > 0n)).toBe(true);
    await e.stop();
    expect(e.liveWorkers).toBe(0);
    expect(e.isStopped).toBe(true);
    expect(() => e.setJob({ tag: "y", prefix: sealPrefix(fields), target: 1n })).toThrow(/stopped/);
    await e.stop(); // idempotent
  });
});
