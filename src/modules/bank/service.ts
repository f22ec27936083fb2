import {
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QuerySpendableBalancesRequest,
  QuerySpendableBalancesResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryDenomMetadataRequest,
  QueryDenomMetadataResponse,
  QueryDenomsMetadataRequest,
  QueryDenomsMetadataResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { defineQueryService } from "../../types/service";

/** The cosmos.bank.v1beta1.Query service: every method this chain serves, described once (browser-safe). */
export const BankQuery = defineQueryService("cosmos.bank.v1beta1.Query", {
  Balance: [QueryBalanceRequest, QueryBalanceResponse],
  AllBalances: [QueryAllBalancesRequest, QueryAllBalancesResponse],
  SpendableBalances: [QuerySpendableBalancesRequest, QuerySpendableBalancesResponse],
  TotalSupply: [QueryTotalSupplyRequest, QueryTotalSupplyResponse],
  SupplyOf: [QuerySupplyOfRequest, QuerySupplyOfResponse],
  Params: [QueryParamsRequest, QueryParamsResponse],
  DenomMetadata: [QueryDenomMetadataRequest, QueryDenomMetadataResponse],
  DenomsMetadata: [QueryDenomsMetadataRequest, QueryDenomsMetadataResponse],
});
