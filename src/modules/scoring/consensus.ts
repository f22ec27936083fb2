/**
 * The consensus rule, pure and deterministic (integers only; inputs in key order).
 *
 * Per model scored by any revealer: the stake-weighted LOWER median of the revealed scores, a
 * revealer that omitted the model scoring it 0 -- the smallest score s such that the power of the
 * revealers scoring <= s is at least half the revealed power. Whatever a coalition holding less
 * than half the revealed power reveals, the result lies within [min, max] of the other revealers'
 * scores (docs/scoring.md proves it; test/unit/scoring-consensus.test.ts searches for a
 * counter-example).
 *
 * Per revealer: agreement = 1,000,000 - ceil(sum over the consensus models of |score - consensus|
 * / number of consensus models), or 1,000,000 when no model was scored.
 */
import { PPM } from "./params";
import type { Score } from "./commitment";

export interface RevealInput {
  readonly power: bigint;
  /** Model ids strictly increasing (checked when revealed). */
  readonly scores: readonly Score[];
}

export interface ConsensusOutput {
  /** In model id order. */
  readonly models: Score[];
  /** One per input, in input order, ppm. */
  readonly agreements: number[];
  readonly revealedPower: bigint;
}

/** Lower weighted median of (score, power) pairs plus `zeroPower` at score 0; total > 0. */
export function lowerWeightedMedian(entries: Array<[score: number, power: bigint]>, zeroPower: bigint, total: bigint): number {
  let cum = zeroPower;
  if (2n * cum >= total) return 0;
  entries.sort((a, b) => a[0] - b[0]);
  for (const [score, power] of entries) {
    cum += power;
    if (2n * cum >= total) return score;
  }
  // Unreachable when the powers add up to total; the highest score is the safe answer.
  return entries.length > 0 ? entries[entries.length - 1][0] : 0;
}

export function computeConsensus(reveals: readonly RevealInput[]): ConsensusOutput {
  let total = 0n;
  for (const r of reveals) total += r.power;
  const byModel = new Map<bigint, { entries: Array<[number, bigint]>; scored: bigint }>();
  for (const r of reveals) {
    for (const s of r.scores) {
      let m = byModel.get(s.modelId);
      if (m === undefined) {
        m = { entries: [], scored: 0n };
        byModel.set(s.modelId, m);
      }
      m.entries.push([s.scorePpm, r.power]);
      m.scored += r.power;
    }
  }
  const ids = [...byModel.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const models: Score[] = [];
  const consensus = new Map<bigint, number>();
  let sumConsensus = 0;
  for (const id of ids) {
    const m = byModel.get(id)!;
    const score = total > 0n ? lowerWeightedMedian(m.entries, total - m.scored, total) : 0;
    models.push({ modelId: id, scorePpm: score });
    consensus.set(id, score);
    sumConsensus += score;
  }
  const n = BigInt(models.length);
  const agreements = reveals.map((r) => {
    if (n === 0n) return PPM;
    // Omitted models score 0, so they deviate by their consensus: start from the sum of all.
    let deviation = sumConsensus;
    for (const s of r.scores) {
      const c = consensus.get(s.modelId)!;
      deviation += Math.abs(s.scorePpm - c) - c;
    }
    const mean = (BigInt(deviation) + n - 1n) / n;
    return PPM - Number(mean);
  });
  return { models, agreements, revealedPower: total };
}
