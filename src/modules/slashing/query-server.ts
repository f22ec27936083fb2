import { VALIDATOR_CONSENSUS_PREFIX, decodeAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import type { QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { PrefixStore } from "../../store/kv";
import { signingInfoToProto, type SlashingKeeper } from "./keeper";
import * as K from "./keys";
import { slashingParamsToProto } from "./params";
import { SlashingQuery } from "./service";

/** The cosmos.slashing.v1beta1.Query service, served through its table (./service). */
export function slashingQueryHandlers(keeper: SlashingKeeper): QueryHandler[] {
  return serveQueries(SlashingQuery, {
    Params: (ctx) => ({ params: slashingParamsToProto(keeper.getParams(ctx.store)) }),
    SigningInfo(ctx, req) {
      if (req.consAddress === "") throw SdkErrors.InvalidRequest.wrap("empty consensus address");
      const cons = decodeAddress(req.consAddress, "consensus address", VALIDATOR_CONSENSUS_PREFIX);
      const info = keeper.getSigningInfo(ctx.store, cons);
      if (!info) throw SdkErrors.KeyNotFound.wrap(`rpc error: code = NotFound desc = SigningInfo not found for validator ${req.consAddress}`);
      return { valSigningInfo: signingInfoToProto(info) };
    },
    SigningInfos(ctx, req) {
      const store = new PrefixStore(ctx.store, K.SLASHING_STORE_PREFIX);
      const page = paginate(store, Uint8Array.of(K.SIGNING_INFO_PREFIX), Uint8Array.of(K.SIGNING_INFO_PREFIX + 1), req.pagination, (k) => {
        const info = keeper.getSigningInfo(ctx.store, k.subarray(2, 2 + k[1]));
        return info ? signingInfoToProto(info) : undefined;
      });
      return { info: page.items, pagination: page.pagination };
    },
  });
}
