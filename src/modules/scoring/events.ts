/** Event types and attribute keys of the scoring module (docs/scoring.md lists them). */
export const ScoringEvents = {
  SetScorer: "scoring_set_scorer",
  Commit: "scoring_commit",
  Reveal: "scoring_reveal",
  /** One per epoch whose consensus is set. */
  Consensus: "scoring_consensus",
  /** One per epoch whose revealed power is below min_reveal_stake_fraction_ppm. */
  NoConsensus: "scoring_no_consensus",
  /** One per validator that committed (bonded at the epoch's end) but did not reveal. */
  MissedReveal: "scoring_missed_reveal",
} as const;

export const ScoringAttributes = {
  Validator: "validator",
  Scorer: "scorer",
  Epoch: "epoch",
  Commitment: "commitment",
  Scores: "scores",
  Models: "models",
  Revealers: "revealers",
  RevealedPower: "revealed_power",
  BondedPower: "bonded_power",
  Power: "power",
} as const;
