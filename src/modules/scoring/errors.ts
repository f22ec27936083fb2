import { ErrorKind } from "../../types/errors";

export const SCORING_CODESPACE = "scoring";

const e = (code: number, description: string) => new ErrorKind(SCORING_CODESPACE, code, description);

/**
 * The scoring module's error codes (codespace "scoring"): one per refused case, stable, listed in
 * docs/scoring.md. Code 1 is left unused, as in Cosmos SDK modules. Bad addresses are sdk/7.
 */
export const ScoringErrors = {
  InvalidCommitment: e(2, "commitment must be 32 bytes"),
  InvalidSalt: e(3, "salt must be 32 bytes"),
  DuplicateModelId: e(4, "duplicate model id in scores"),
  UnsortedModelIds: e(5, "model ids must be strictly increasing"),
  TooManyScores: e(6, "more scores than max_scores_per_reveal"),
  ScoreOutOfRange: e(7, "score_ppm must be at most 1000000"),
  /** The signer is neither a validator's scorer nor the operator of a validator without one. */
  UnauthorizedScorer: e(8, "signer is not a validator's scorer"),
  ValidatorNotFound: e(9, "validator does not exist"),
  /** Commit: not in the bonded set now; reveal: not in it at the commit epoch's end. */
  NotBonded: e(10, "validator is not bonded"),
  /** A commitment for an epoch other than the current one. */
  WrongEpoch: e(11, "commitment is not for the current epoch"),
  /** A reveal for an epoch that has not ended yet. */
  RevealTooEarly: e(12, "epoch has not ended; reveal in its reveal window"),
  RevealWindowClosed: e(13, "reveal window is closed"),
  NoCommitment: e(14, "no commitment for this validator and epoch"),
  CommitmentMismatch: e(15, "reveal does not match the commitment"),
  AlreadyRevealed: e(16, "already revealed"),
  UnknownModel: e(17, "unknown model"),
  ModelNotActive: e(18, "model is not active"),
  /** The scorer already signs for another validator, or is another validator's operator. */
  ScorerInUse: e(19, "scorer key is already used by another validator"),
} as const;
