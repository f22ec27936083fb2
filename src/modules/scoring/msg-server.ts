import { MsgUpdateParams as MsgUpdateScoringParams } from "../../gen/blockai/scoring/v1/tx";
import { updateParamsHandler } from "../../framework/params";
import { Params as ScoringParams, validateParams as validateScoringParams } from "./params";
import {
  MsgCommitScores,
  MsgCommitScoresResponse,
  MsgRevealScores,
  MsgRevealScoresResponse,
  MsgSetScorer,
  MsgSetScorerResponse,
} from "../../gen/blockai/scoring/v1/tx";
import { decodeAddress, encodeAddress } from "../../types/address";
import type { MsgHandler, MsgResponse, ProtoCodec } from "../../framework/module";
import { COMMITMENT_LENGTH, SALT_LENGTH } from "./commitment";
import { ScoringErrors } from "./errors";
import { ScoringKeeper, valoperBytes } from "./keeper";
import { MAX_SCORES_HARD_CAP, PPM } from "./params";

const TYPE = "/blockai.scoring.v1.";
export const MSG_SET_SCORER_TYPE_URL = `${TYPE}MsgSetScorer`;
export const MSG_COMMIT_SCORES_TYPE_URL = `${TYPE}MsgCommitScores`;
export const MSG_REVEAL_SCORES_TYPE_URL = `${TYPE}MsgRevealScores`;

function respond<T>(name: string, codec: ProtoCodec<T>, value: T): MsgResponse {
  return { typeUrl: `${TYPE}${name}`, value: codec.encode(value).finish() };
}

function setScorerHandler(keeper: ScoringKeeper): MsgHandler<MsgSetScorer> {
  return {
    typeUrl: MSG_SET_SCORER_TYPE_URL,
    codec: MsgSetScorer,
    // The operator names its scorer: the operator account has the validator's address bytes.
    signers: (msg) => [encodeAddress(valoperBytes(msg.validator))],
    validateBasic(msg) {
      valoperBytes(msg.validator);
      if (msg.scorer !== "") decodeAddress(msg.scorer, "scorer address");
    },
    execute(ctx, msg) {
      keeper.setScorer(ctx, valoperBytes(msg.validator), msg.scorer === "" ? undefined : decodeAddress(msg.scorer, "scorer address"));
      return respond("MsgSetScorerResponse", MsgSetScorerResponse, {});
    },
  };
}

function commitHandler(keeper: ScoringKeeper): MsgHandler<MsgCommitScores> {
  return {
    typeUrl: MSG_COMMIT_SCORES_TYPE_URL,
    codec: MsgCommitScores,
    signers: (msg) => [msg.scorer],
    validateBasic(msg) {
      decodeAddress(msg.scorer, "scorer address");
      if (msg.commitment.length !== COMMITMENT_LENGTH) throw ScoringErrors.InvalidCommitment.wrap(`got ${msg.commitment.length} bytes`);
    },
    execute(ctx, msg) {
      keeper.commit(ctx, decodeAddress(msg.scorer, "scorer address"), msg.epoch, Uint8Array.from(msg.commitment));
      return respond("MsgCommitScoresResponse", MsgCommitScoresResponse, {});
    },
  };
}

/** Stateless checks of a reveal's scores: range, strictly increasing ids, a hard cap on their number. */
export function checkScores(scores: readonly { modelId: bigint; scorePpm: number }[]): void {
  if (scores.length > MAX_SCORES_HARD_CAP) throw ScoringErrors.TooManyScores.wrap(`${scores.length} > hard cap ${MAX_SCORES_HARD_CAP}`);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s.scorePpm > PPM) throw ScoringErrors.ScoreOutOfRange.wrap(`scores[${i}] (model ${s.modelId}) is ${s.scorePpm}`);
    if (i > 0) {
      const prev = scores[i - 1].modelId;
      if (s.modelId === prev) throw ScoringErrors.DuplicateModelId.wrap(`scores[${i}]: model ${s.modelId} again`);
      if (s.modelId < prev) throw ScoringErrors.UnsortedModelIds.wrap(`scores[${i}]: model ${s.modelId} after model ${prev}`);
    }
  }
}

function revealHandler(keeper: ScoringKeeper): MsgHandler<MsgRevealScores> {
  return {
    typeUrl: MSG_REVEAL_SCORES_TYPE_URL,
    codec: MsgRevealScores,
    signers: (msg) => [msg.scorer],
    validateBasic(msg) {
      decodeAddress(msg.scorer, "scorer address");
      if (msg.salt.length !== SALT_LENGTH) throw ScoringErrors.InvalidSalt.wrap(`got ${msg.salt.length} bytes`);
      checkScores(msg.scores);
    },
    execute(ctx, msg) {
      keeper.reveal(ctx, decodeAddress(msg.scorer, "scorer address"), msg.epoch, Uint8Array.from(msg.salt), msg.scores);
      return respond("MsgRevealScoresResponse", MsgRevealScoresResponse, {});
    },
  };
}

export function scoringMsgHandlers(keeper: ScoringKeeper): MsgHandler<any>[] {
  return [setScorerHandler(keeper), commitHandler(keeper), revealHandler(keeper), updateParamsHandlerOf(keeper)];
}

export function scoringParamsFromMsg(msg: MsgUpdateScoringParams): ScoringParams {
  const p = msg.params;
  if (!p) throw new Error("params must be set");
  const out: ScoringParams = {
    revealWindow: p.revealWindow,
    maxScoresPerReveal: p.maxScoresPerReveal,
    minRevealStakeFractionPpm: p.minRevealStakeFractionPpm,
  };
  validateScoringParams(out, "params");
  return out;
}

/**
 * A reveal window already open keeps the end height fixed when it opened; the new reveal_window
 * applies from the next epoch's window.
 */
function updateParamsHandlerOf(keeper: ScoringKeeper): MsgHandler<MsgUpdateScoringParams> {
  return updateParamsHandler<MsgUpdateScoringParams, ScoringParams>({
    typeUrl: "/blockai.scoring.v1.MsgUpdateParams",
    codec: MsgUpdateScoringParams,
    read: scoringParamsFromMsg,
    set: (ctx, p) => keeper.setParams(ctx.store, p),
  });
}
