import { EpochStatus, ModelScore } from "../../gen/blockai/scoring/v1/scoring";
import { encodeAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import type { QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { PrefixStore, prefixEnd } from "../../store/kv";
import { ScoringKeeper, valoperBytes } from "./keeper";
import * as K from "./keys";
import { ScoringQuery } from "./service";

export function scoringQueryHandlers(keeper: ScoringKeeper): QueryHandler[] {
  return serveQueries(ScoringQuery, {
    ModelScore(ctx, req) {
      const score = keeper.consensusScore(ctx.store, req.epoch, req.modelId);
      if (score === undefined) throw SdkErrors.NotFound.wrap(`epoch ${req.epoch} has no consensus`);
      return { score: { epoch: req.epoch, modelId: req.modelId, scorePpm: score } };
    },
    EpochScores(ctx, req) {
      const result = keeper.getEpochResult(ctx.store, req.epoch);
      if (!result) throw SdkErrors.NotFound.wrap(`epoch ${req.epoch} has not ended`);
      const prefix = K.modelScoresPrefix(req.epoch);
      const view = new PrefixStore(ctx.store, K.SCORING_STORE_PREFIX);
      const { items, pagination } = paginate(view, prefix, prefixEnd(prefix), req.pagination, (_k, v) => ModelScore.decode(v));
      return { result, scores: result.status === EpochStatus.EPOCH_STATUS_CONSENSUS ? items : [], pagination: { nextKey: Buffer.from(pagination.nextKey), total: pagination.total } };
    },
    ValidatorAgreement(ctx, req) {
      const agreement = keeper.getAgreement(ctx.store, req.epoch, valoperBytes(req.validator));
      if (!agreement) throw SdkErrors.NotFound.wrap(`no agreement of ${req.validator} for epoch ${req.epoch}`);
      return { agreement };
    },
    Commitment(ctx, req) {
      const commitment = keeper.getCommitment(ctx.store, req.epoch, valoperBytes(req.validator));
      if (!commitment) throw SdkErrors.NotFound.wrap(`no commitment of ${req.validator} for epoch ${req.epoch}`);
      return { commitment };
    },
    Scorer(ctx, req) {
      const scorer = keeper.getScorer(ctx.store, valoperBytes(req.validator));
      return { scorer: scorer ? encodeAddress(scorer) : "" };
    },
    Params: (ctx) => ({ params: keeper.getParams(ctx.store) }),
  });
}
