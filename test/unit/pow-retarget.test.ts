import * as fc from "fast-check";
import { isqrt, retarget, retargetFactor, RetargetParams } from "../../src/modules/pow/retarget";
import { MAX_TARGET, TWO_256 } from "../../src/modules/pow/seal";

/** Deterministic PRNG for the simulation (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw (normal approximation above 50; the test only needs realistic noise). */
function poisson(mean: number, random: () => number): number {
  if (mean < 50) {
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= random();
    } while (p > l);
    return k - 1;
  }
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
}

/** Expected certificates in an epoch: hashes * P(seal <= target) = hashes * (target + 1) / 2^256. */
function expectedCerts(hashesPerEpoch: number, target: bigint): number {
  const p = Number((target + 1n) * 1_000_000_000_000n / TWO_256) / 1e12;
  return hashesPerEpoch * p;
}

const T = 1000n;
const params: RetargetParams = { targetCertsPerEpoch: T, minTarget: 1n, maxTarget: MAX_TARGET };
const CAP = 20 * 14_400; // max_certs_per_block * epoch_length: the most an epoch can hold

interface Step {
  epoch: number;
  certs: number;
  oldTarget: bigint;
  newTarget: bigint;
}

/** Runs `epochs` epochs with hashrate(epoch) hashes per epoch; returns every step. */
function simulate(start: bigint, epochs: number, hashrate: (epoch: number) => number, seed: number, noise = true): Step[] {
  const random = rng(seed);
  let target = start;
  const steps: Step[] = [];
  for (let e = 0; e < epochs; e++) {
    const mean = expectedCerts(hashrate(e), target);
    const certs = Math.min(CAP, noise ? poisson(mean, random) : Math.round(mean));
    const next = retarget(target, BigInt(certs), params);
    steps.push({ epoch: e, certs, oldTarget: target, newTarget: next });
    target = next;
  }
  return steps;
}

/** Asserts the per-epoch clamp: floor(old/4) <= new <= 4*old, and new within [min, max]. */
function expectClamped(steps: Step[]): void {
  for (const s of steps) {
    expect(s.newTarget <= s.oldTarget * 4n).toBe(true);
    expect(s.newTarget >= s.oldTarget / 4n).toBe(true);
    expect(s.newTarget >= params.minTarget && s.newTarget <= params.maxTarget).toBe(true);
  }
}

/** Epochs after `jump` until certs are within 20% of T and stay there until the end. */
function epochsToSettle(steps: Step[], jump: number): number {
  const within = (c: number) => Math.abs(c - Number(T)) <= 0.2 * Number(T);
  let last = jump;
  for (let e = jump; e < steps.length; e++) if (!within(steps[e].certs)) last = e + 1;
  if (last >= steps.length) throw new Error("never settled");
  return last - jump;
}

describe("pow retarget: integer controller", () => {
  test("isqrt is the floor square root", () => {
    for (const n of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, (1n << 128n) - 1n, 1n << 128n, (1n << 200n) + 12345n]) {
      const r = isqrt(n);
      expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true);
    }
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 300n }), (n) => {
      const r = isqrt(n);
      expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true);
    }));
  });

  test("properties: unchanged at target, never beyond 4x per epoch, harder with more certificates, within [min, max]", () => {
    expect(retarget(123456789n, T, params)).toBe(123456789n);
    expect(retargetFactor(0n, T)).toBe(4n << 64n);
    expect(retarget(1000n, 0n, params)).toBe(4000n);
    expect(retarget(1000n, 1_000_000_000n, params)).toBe(250n);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: MAX_TARGET }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        (old, a, b, t) => {
          const p = { ...params, targetCertsPerEpoch: t };
          const na = retarget(old, a, p);
          const nb = retarget(old, b, p);
          for (const n of [na, nb]) {
            expect(n <= old * 4n && n >= old / 4n).toBe(true);
            expect(n >= 1n && n <= MAX_TARGET).toBe(true);
          }
          if (a <= b) expect(na >= nb).toBe(true);
          else expect(na <= nb).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
    const bounded = { ...params, minTarget: 1000n, maxTarget: 5000n };
    expect(retarget(4000n, 0n, bounded)).toBe(5000n);
    expect(retarget(1100n, 10n ** 9n, bounded)).toBe(1000n);
  });

  test("no noise: a 10x hashrate jump up or down is back within 20% of target in 4 epochs", () => {
    const base = 1e9; // hashes per epoch
    const start = TWO_256 / BigInt(base / Number(T)) - 1n; // equilibrium: T certificates
    for (const factor of [10, 0.1]) {
      const steps = simulate(start, 30, (e) => (e < 10 ? base : base * factor), 1, false);
      expectClamped(steps);
      expect(Math.abs(steps[9].certs - 1000)).toBeLessThanOrEqual(1);
      expect(steps[10].certs).toBeCloseTo(1000 * factor, -1);
      expect(epochsToSettle(steps, 10)).toBe(4);
    }
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8])("with Poisson noise (seed %i): after a 10x jump up and a 10x drop, within 20% of target in <= 6 epochs; clamp never exceeded", (seed) => {
    const base = 5e9;
    const start = TWO_256 / BigInt(base / Number(T)) - 1n;
    // 15 steady epochs, 10x up for 25 epochs, then back down 10x (a 10x drop) for 25 epochs.
    const rate = (e: number) => (e < 15 ? base : e < 40 ? base * 10 : base);
    const steps = simulate(start, 65, rate, seed);
    expectClamped(steps);
    const up = epochsToSettle(steps.slice(0, 40), 15);
    const down = epochsToSettle(steps, 40);
    if (process.env.POW_SIM_LOG) console.log(`seed ${seed}: settled ${up} epochs after 10x up, ${down} after 10x down; certs ${steps.slice(14, 22).map((s) => s.certs).join(",")} | ${steps.slice(39, 47).map((s) => s.certs).join(",")}`);
    expect(up).toBeLessThanOrEqual(6);
    expect(down).toBeLessThanOrEqual(6);
    // Over the steady stretches the average is T within 3%.
    const avg = (from: number, to: number) => steps.slice(from, to).reduce((n, s) => n + s.certs, 0) / (to - from);
    expect(Math.abs(avg(25, 40) - 1000)).toBeLessThan(30);
    expect(Math.abs(avg(50, 65) - 1000)).toBeLessThan(30);
  });

  test("a 100x jump is limited to 4x per epoch (the clamp binds) and still settles; an idle network eases 4x per epoch up to max_target", () => {
    const base = 1e9;
    const start = TWO_256 / BigInt(base / Number(T)) - 1n;
    const steps = simulate(start, 40, (e) => (e < 5 ? base : base * 100), 3);
    expectClamped(steps);
    expect(steps[5].newTarget).toBe(steps[5].oldTarget / 4n); // the factor sqrt(1/100) was clamped to 1/4
    expect(steps[6].newTarget * 4n).toBeGreaterThanOrEqual(steps[6].oldTarget - 3n);
    expect(epochsToSettle(steps, 5)).toBeLessThanOrEqual(7);

    const idle = simulate(1n << 200n, 40, () => 0, 4);
    expectClamped(idle);
    idle.slice(0, 20).forEach((s) => expect(s.newTarget).toBe(s.oldTarget * 4n));
    expect(idle[idle.length - 1].newTarget).toBe(MAX_TARGET);
  });
});
