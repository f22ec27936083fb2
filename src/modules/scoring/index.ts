/**
 * The scoring module's public face. The rewards module reads results through `ModelScores`.
 */
import type { KVStore } from "../../store/kv";
import type { ScoringKeeper } from "./keeper";

export { createScoringModule } from "./module";
export { ScoringKeeper, EpochStatus } from "./keeper";
export type { EpochResult, ModelScore, ValidatorAgreement, Commitment } from "./keeper";
export type { StakingReader, ModelDirectory, EpochClock } from "./expected-keepers";
export { ScoringErrors, SCORING_CODESPACE } from "./errors";
export { ScoringEvents } from "./events";
export { computeCommitment, commitmentPreimage, SALT_LENGTH } from "./commitment";
export type { Score } from "./commitment";
export { computeConsensus, lowerWeightedMedian } from "./consensus";
export { DEFAULT_SCORING_PARAMS, PPM } from "./params";
export { MSG_SET_SCORER_TYPE_URL, MSG_COMMIT_SCORES_TYPE_URL, MSG_REVEAL_SCORES_TYPE_URL } from "./msg-server";

/** What a rewards module may read: consensus scores and agreements, per epoch, in key order. */
export interface ModelScores {
  /** undefined: the epoch has no consensus (not computed yet, or no quorum); 0: nobody scored the model. */
  consensusScore(root: KVStore, epoch: bigint, modelId: bigint): number | undefined;
  /** ppm; undefined when the validator has no agreement for the epoch (did not commit, or no consensus). */
  agreement(root: KVStore, epoch: bigint, operator: Uint8Array): number | undefined;
  /** The models somebody scored, in model id order, with their consensus scores. */
  epochScores(root: KVStore, epoch: bigint): Array<{ modelId: bigint; scorePpm: number }>;
  /** Every validator that committed (bonded at the epoch's end), in operator key order. */
  epochAgreements(root: KVStore, epoch: bigint): Array<{ validator: string; agreementPpm: number; power: bigint; revealed: boolean }>;
}

export function modelScoresReader(keeper: ScoringKeeper): ModelScores {
  return {
    consensusScore: (root, epoch, modelId) => keeper.consensusScore(root, epoch, modelId),
    agreement: (root, epoch, operator) => keeper.getAgreement(root, epoch, operator)?.agreementPpm,
    epochScores: (root, epoch) => keeper.epochScores(root, epoch).map((s) => ({ modelId: s.modelId, scorePpm: s.scorePpm })),
    epochAgreements: (root, epoch) => keeper.epochAgreements(root, epoch),
  };
}
export { defaultScoringGenesis } from "./genesis";
export { ScoringAmino } from "./amino";
