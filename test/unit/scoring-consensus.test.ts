import fc from "fast-check";
import { computeCommitment, computeConsensus, commitmentPreimage, PPM, Score } from "../../src/modules/scoring";

/**
 * The reference, written without the module's algorithm: expand each revealer into `power` unit
 * votes (a revealer that omitted a model votes 0), sort, and take the lower median of the multiset:
 * the element at index ceil(T/2) - 1.
 */
function referenceMedian(votes: Array<{ power: number; score: number | undefined }>): number {
  const expanded: number[] = [];
  for (const v of votes) for (let i = 0; i < v.power; i++) expanded.push(v.score ?? 0);
  expanded.sort((a, b) => a - b);
  return expanded[Math.ceil(expanded.length / 2) - 1];
}

interface Voter {
  power: number;
  /** score per model index; undefined = omitted */
  scores: Array<number | undefined>;
}

const MODELS = 4;
const score = fc.integer({ min: 0, max: PPM });
const maybeScore = fc.option(score, { nil: undefined, freq: 4 });
const voter = (maxPower: number) =>
  fc.record({ power: fc.integer({ min: 1, max: maxPower }), scores: fc.array(maybeScore, { minLength: MODELS, maxLength: MODELS }) });

function toInputs(voters: Voter[]) {
  return voters.map((v) => ({
    power: BigInt(v.power),
    scores: v.scores.flatMap((s, m): Score[] => (s === undefined ? [] : [{ modelId: BigInt(m + 1), scorePpm: s }])),
  }));
}

/** Consensus per model index (undefined when nobody scored the model). */
function consensusOf(voters: Voter[]): Array<number | undefined> {
  const out = computeConsensus(toInputs(voters));
  const byId = new Map(out.models.map((m) => [Number(m.modelId), m.scorePpm]));
  return Array.from({ length: MODELS }, (_, m) => byId.get(m + 1));
}

describe("scoring consensus: the stake-weighted lower median", () => {
  test("equals the reference (expanded unit votes) for random stakes and scores; agreement = 1e6 - ceil(mean |deviation|)", () => {
    fc.assert(
      fc.property(fc.array(voter(20), { minLength: 1, maxLength: 8 }), (voters) => {
        const out = computeConsensus(toInputs(voters));
        const consensus = consensusOf(voters);
        const scored: number[] = [];
        for (let m = 0; m < MODELS; m++) {
          const anyone = voters.some((v) => v.scores[m] !== undefined);
          if (!anyone) {
            expect(consensus[m]).toBeUndefined();
            continue;
          }
          scored.push(m);
          expect(consensus[m]).toBe(referenceMedian(voters.map((v) => ({ power: v.power, score: v.scores[m] }))));
        }
        voters.forEach((v, i) => {
          if (scored.length === 0) return expect(out.agreements[i]).toBe(PPM);
          let sum = 0;
          for (const m of scored) sum += Math.abs((v.scores[m] ?? 0) - consensus[m]!);
          expect(out.agreements[i]).toBe(PPM - Math.ceil(sum / scored.length));
          expect(out.agreements[i]).toBeGreaterThanOrEqual(0);
          expect(out.agreements[i]).toBeLessThanOrEqual(PPM);
        });
        expect(out.revealedPower).toBe(voters.reduce((s, v) => s + BigInt(v.power), 0n));
      }),
      { numRuns: 500 },
    );
  });

  test("does not depend on the order of the reveals", () => {
    fc.assert(
      fc.property(fc.array(voter(20), { minLength: 1, maxLength: 8 }), fc.integer(), (voters, seed) => {
        const shuffled = [...voters].sort((a, b) => ((a.power * 31 + seed) % 7) - ((b.power * 31 + seed) % 7));
        expect(consensusOf(shuffled)).toEqual(consensusOf(voters));
      }),
    );
  });
});

describe("scoring consensus: a coalition with less than half the revealed stake", () => {
  /** Honest voters score every model; the coalition's power is strictly below the honest power. */
  const scenario = (maxHonest: number, maxCoalition: number) =>
    fc
      .array(fc.record({ power: fc.integer({ min: 2, max: 30 }), scores: fc.array(score, { minLength: MODELS, maxLength: MODELS }) }), { minLength: 1, maxLength: maxHonest })
      .chain((honest) => {
        const honestPower = honest.reduce((s, v) => s + v.power, 0);
        // Coalition power < honest power  <=>  coalition < half the revealed power. Members are
        // kept while the total stays below: the first always fits (powers are < honestPower).
        return fc.record({
          honest: fc.constant(honest as Voter[]),
          coalition: fc.array(fc.integer({ min: 1, max: honestPower - 1 }), { minLength: 1, maxLength: maxCoalition }).map((ps) => {
            const kept: number[] = [];
            let sum = 0;
            for (const p of ps) if (sum + p < honestPower) (kept.push(p), (sum += p));
            return kept;
          }),
        });
      });

  /** Strategies a coalition member may play per model: every honest score and its neighbours, the extremes, omission. */
  function strategies(honest: Voter[], m: number): Array<number | undefined> {
    const out = new Set<number | undefined>([0, 1, PPM - 1, PPM, undefined]);
    for (const h of honest) for (const d of [-1, 0, 1]) out.add(Math.min(PPM, Math.max(0, h.scores[m]! + d)));
    return [...out];
  }

  test("exhaustive search: the consensus stays within [min, max] of the honest scores whatever the coalition reveals", () => {
    fc.assert(
      fc.property(scenario(3, 2), ({ honest, coalition }) => {
        // Models are independent: the search covers one model per scenario.
        for (let m = 0; m < 1; m++) {
          const hs = honest.map((h) => h.scores[m]!);
          const lo = Math.min(...hs);
          const hi = Math.max(...hs);
          const options = strategies(honest, m);
          // Every combination of the members' choices (at most 2 members, up to 14 choices each).
          const combos = (k: number): Array<Array<number | undefined>> => (k === 0 ? [[]] : combos(k - 1).flatMap((c) => options.map((o) => [...c, o])));
          for (const choice of combos(coalition.length)) {
            const voters: Voter[] = [
              ...honest,
              ...coalition.map((power, i) => ({ power, scores: Array.from({ length: MODELS }, (_, j) => (j === m ? choice[i] : 0)) })),
            ];
            const c = consensusOf(voters)[m]!;
            expect(c).toBeGreaterThanOrEqual(lo);
            expect(c).toBeLessThanOrEqual(hi);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  test("random search: when the honest voters agree, the coalition cannot move the consensus at all, up or down", () => {
    fc.assert(
      fc.property(
        scenario(6, 3),
        fc.array(fc.array(maybeScore, { minLength: MODELS, maxLength: MODELS }), { minLength: 3, maxLength: 3 }),
        (s, attack) => {
          const agreed = s.honest.map((h) => ({ ...h, scores: s.honest[0].scores }));
          const honestOnly = consensusOf(agreed);
          const voters = [...agreed, ...s.coalition.map((power, i) => ({ power, scores: attack[i] }))];
          expect(consensusOf(voters)).toEqual(honestOnly);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("the bound is tight at one half: with exactly half the power a coalition can push down (the lower median), never up", () => {
    const honest: Voter = { power: 10, scores: [700_000, 700_000, 700_000, 700_000] };
    const down: Voter = { power: 10, scores: [0, 0, 0, 0] };
    const up: Voter = { power: 10, scores: [PPM, PPM, PPM, PPM] };
    expect(consensusOf([honest, down])).toEqual([0, 0, 0, 0]);
    expect(consensusOf([honest, up])).toEqual([700_000, 700_000, 700_000, 700_000]);
  });
});

describe("scoring simulation: copying the last consensus instead of evaluating", () => {
  /** A deterministic generator (the test's own; consensus code uses none). */
  function rng(seed: number) {
    let x = seed >>> 0 || 1;
    return (n: number) => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x % n;
    };
  }

  test("a copier earns lower agreement than every honest evaluator when model quality changes between epochs", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = rng(seed);
      const models = 20;
      let quality = Array.from({ length: models }, () => rand(PPM + 1));
      // Four honest evaluators (noise up to +-20,000 ppm) with 60% of the stake, one copier with 40%.
      const honestPowers = [15n, 15n, 15n, 15n];
      let previous: Score[] | undefined;
      const totals = { honest: [0, 0, 0, 0], copier: 0 };
      const epochs = 12;
      for (let e = 0; e < epochs; e++) {
        // Quality drifts between epochs by up to +-150,000 ppm.
        quality = quality.map((q) => Math.min(PPM, Math.max(0, q + rand(300_001) - 150_000)));
        const honest = honestPowers.map((power) => ({
          power,
          scores: quality.map((q, m) => ({ modelId: BigInt(m + 1), scorePpm: Math.min(PPM, Math.max(0, q + rand(40_001) - 20_000)) })),
        }));
        // The copier reveals the previous epoch's public consensus (in epoch 0 it guesses the middle).
        const copier = { power: 40n, scores: previous ?? quality.map((_, m) => ({ modelId: BigInt(m + 1), scorePpm: 500_000 })) };
        const out = computeConsensus([...honest, copier]);
        out.agreements.slice(0, 4).forEach((a, i) => (totals.honest[i] += a));
        totals.copier += out.agreements[4];
        // In every epoch the copier agrees less than each honest evaluator.
        for (const a of out.agreements.slice(0, 4)) expect(out.agreements[4]).toBeLessThan(a);
        previous = out.models;
      }
      for (const h of totals.honest) expect(totals.copier).toBeLessThan(h);
    }
  });
});

describe("scoring commitment", () => {
  test("byte layout: domain, chain id, epoch, validator, salt, scores; any change changes the commitment", () => {
    const validator = new Uint8Array(20).fill(3);
    const salt = new Uint8Array(32).fill(9);
    const scores = [{ modelId: 1n, scorePpm: 5 }, { modelId: 258n, scorePpm: 1_000_000 }];
    const pre = commitmentPreimage("c", 7n, validator, salt, scores);
    const hex = Buffer.from(pre).toString("hex");
    expect(hex).toBe(
      Buffer.from("blockai/scoring/v1/commit").toString("hex") +
        "01" + "63" + "0000000000000007" + "14" + "03".repeat(20) + "20" + "09".repeat(32) + "00000002" +
        "0000000000000001" + "00000005" + "0000000000000102" + "000f4240",
    );
    const base = Buffer.from(computeCommitment("c", 7n, validator, salt, scores)).toString("hex");
    const variants = [
      computeCommitment("d", 7n, validator, salt, scores),
      computeCommitment("c", 8n, validator, salt, scores),
      computeCommitment("c", 7n, new Uint8Array(20).fill(4), salt, scores),
      computeCommitment("c", 7n, validator, new Uint8Array(32).fill(8), scores),
      computeCommitment("c", 7n, validator, salt, [scores[0]]),
      computeCommitment("c", 7n, validator, salt, [scores[0], { modelId: 258n, scorePpm: 999_999 }]),
    ].map((c) => Buffer.from(c).toString("hex"));
    for (const v of variants) expect(v).not.toBe(base);
  });
});
