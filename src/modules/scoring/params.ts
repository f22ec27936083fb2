import { Params } from "../../gen/blockai/scoring/v1/scoring";
import { obj, u64 } from "../../types/genesis-json";

export { Params };

export const PPM = 1_000_000;
/** A reveal carrying more entries than this is refused whatever the parameters (bounds decoding). */
export const MAX_SCORES_HARD_CAP = 10_000;

export const DEFAULT_SCORING_PARAMS: Params = {
  revealWindow: 100n, // about 10 minutes at 6 s blocks
  maxScoresPerReveal: 1_000,
  minRevealStakeFractionPpm: 500_000,
};

/** Throws naming the bad field (`where` is the path of the params object). */
export function validateParams(p: Params, where = "scoring.params"): void {
  if (p.revealWindow < 1n) throw new Error(`${where}.reveal_window: must be at least 1 block`);
  if (p.maxScoresPerReveal < 1 || p.maxScoresPerReveal > MAX_SCORES_HARD_CAP) {
    throw new Error(`${where}.max_scores_per_reveal: must be within 1..${MAX_SCORES_HARD_CAP}`);
  }
  if (p.minRevealStakeFractionPpm > PPM) throw new Error(`${where}.min_reveal_stake_fraction_ppm: must be at most ${PPM}`);
}

const FIELDS = ["reveal_window", "max_scores_per_reveal", "min_reveal_stake_fraction_ppm"];

/** Strict JSON reader: unknown fields are refused, missing ones take their defaults. */
export function paramsFromJson(value: unknown, where = "scoring.params"): Params {
  const o = obj(value ?? {}, where);
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) throw new Error(`${where}.${k}: unknown parameter`);
  const d = DEFAULT_SCORING_PARAMS;
  const small = (v: unknown, field: string, max: bigint): number => {
    const n = u64(v, `${where}.${field}`);
    if (n > max) throw new Error(`${where}.${field}: must be at most ${max}`);
    return Number(n);
  };
  const p: Params = {
    revealWindow: o.reveal_window === undefined ? d.revealWindow : u64(o.reveal_window, `${where}.reveal_window`),
    maxScoresPerReveal:
      o.max_scores_per_reveal === undefined ? d.maxScoresPerReveal : small(o.max_scores_per_reveal, "max_scores_per_reveal", BigInt(MAX_SCORES_HARD_CAP)),
    minRevealStakeFractionPpm:
      o.min_reveal_stake_fraction_ppm === undefined
        ? d.minRevealStakeFractionPpm
        : small(o.min_reveal_stake_fraction_ppm, "min_reveal_stake_fraction_ppm", BigInt(PPM)),
  };
  validateParams(p, where);
  return p;
}

export function paramsToJson(p: Params) {
  return {
    reveal_window: p.revealWindow.toString(),
    max_scores_per_reveal: p.maxScoresPerReveal.toString(),
    min_reveal_stake_fraction_ppm: p.minRevealStakeFractionPpm.toString(),
  };
}
