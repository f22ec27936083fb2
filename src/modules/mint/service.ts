import { QueryDefinition } from "../../gen/blockai/mint/v1/mint";
import {
  QueryAnnualProvisionsRequest,
  QueryAnnualProvisionsResponse,
  QueryInflationRequest,
  QueryInflationResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "cosmjs-types/cosmos/mint/v1beta1/query";
import { defineQueryService, queryServiceFromDefinition } from "../../types/service";

/** The blockai.mint.v1.Query service, generated from proto/ (browser-safe). */
export const MintQuery = queryServiceFromDefinition(QueryDefinition);

/** The Cosmos SDK's x/mint queries explorers read, answered from the halving schedule. */
export const CosmosMintQuery = defineQueryService("cosmos.mint.v1beta1.Query", {
  Params: [QueryParamsRequest, QueryParamsResponse],
  Inflation: [QueryInflationRequest, QueryInflationResponse],
  AnnualProvisions: [QueryAnnualProvisionsRequest, QueryAnnualProvisionsResponse],
} as const);
