/**
 * The scoring module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md), under the
 * amino names of proto/blockai/scoring/v1/tx.proto. Browser-safe.
 */
import { MsgCommitScores, MsgRevealScores, MsgSetScorer, MsgUpdateParams } from "../../gen/blockai/scoring/v1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

const T = "/blockai.scoring.v1.";

export const ScoringAmino: AminoTable = {
  [`${T}MsgSetScorer`]: aminoType(`${T}MsgSetScorer`, "blockai/MsgSetScorer", MsgSetScorer),
  [`${T}MsgCommitScores`]: aminoType(`${T}MsgCommitScores`, "blockai/MsgCommitScores", MsgCommitScores),
  [`${T}MsgRevealScores`]: aminoType(`${T}MsgRevealScores`, "blockai/MsgRevealScores", MsgRevealScores),
  [`${T}MsgUpdateParams`]: aminoType(`${T}MsgUpdateParams`, "blockai/scoring/MsgUpdateParams", MsgUpdateParams),
};
