import {
  QueryParamsRequest,
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import { defineQueryService } from "../../types/service";

/** The cosmos.slashing.v1beta1.Query service: every method this chain serves, described once (browser-safe). */
export const SlashingQuery = defineQueryService("cosmos.slashing.v1beta1.Query", {
  Params: [QueryParamsRequest, QueryParamsResponse],
  SigningInfo: [QuerySigningInfoRequest, QuerySigningInfoResponse],
  SigningInfos: [QuerySigningInfosRequest, QuerySigningInfosResponse],
});
