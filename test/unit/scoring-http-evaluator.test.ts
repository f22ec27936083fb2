import { combineScore, matches, sampleCases } from "../../src/cli/http-evaluator";

describe("scorer http evaluator", () => {
  const cases = Array.from({ length: 50 }, (_, i) => ({ input: i, expected: i }));
  const v1 = new Uint8Array(20).fill(1);
  const v2 = new Uint8Array(20).fill(2);

  test("each (epoch, validator) draws its own subset of the set, the same every time", () => {
    const a = sampleCases(cases, 7n, v1, 10);
    expect(sampleCases(cases, 7n, v1, 10)).toEqual(a);
    expect(a).toHaveLength(10);
    expect(new Set(a.map((c) => c.input)).size).toBe(10);
    expect(sampleCases(cases, 7n, v2, 10)).not.toEqual(a);
    expect(sampleCases(cases, 8n, v1, 10)).not.toEqual(a);
    expect(sampleCases(cases, 7n, v1, 500)).toHaveLength(50);
  });

  test("matching: normalized for strings (case, spaces), exact and key-order-free for JSON", () => {
    expect(matches("  Paris \n", "paris")).toBe(true);
    expect(matches("Pa ris", "paris")).toBe(false);
    expect(matches({ b: 1, a: [1, 2] }, { a: [1, 2], b: 1 })).toBe(true);
    expect(matches({ a: [2, 1] }, { a: [1, 2] })).toBe(false);
    expect(matches(1, "1")).toBe(false);
  });

  test("score = 0.6 accuracy + 0.3 availability + 0.1 latency (target / p50 when slower)", () => {
    const call = (correct: boolean, answered = true, latencyMs = 10) => ({ correct, answered, latencyMs });
    expect(combineScore([call(true), call(true)], 100).scorePpm).toBe(1_000_000);
    // 1 of 2 right, both answered, fast: 0.6 * 0.5 + 0.3 + 0.1.
    expect(combineScore([call(true), call(false)], 100).scorePpm).toBe(700_000);
    // One unanswered: availability 0.5; the median of the answered (200 ms) is twice the target.
    const r = combineScore([call(true, true, 200), call(false, false, 0)], 100);
    expect(r).toMatchObject({ accuracyPpm: 500_000, availabilityPpm: 500_000, latencyPpm: 500_000, p50Ms: 200 });
    expect(r.scorePpm).toBe(300_000 + 150_000 + 50_000);
    expect(combineScore([], 100).scorePpm).toBe(0);
    expect(combineScore([call(false, false)], 100).scorePpm).toBe(0);
  });
});
