import {
  QueryAccountRequest,
  QueryAccountResponse,
  QueryAccountsRequest,
  QueryAccountsResponse,
  QueryModuleAccountByNameRequest,
  QueryModuleAccountByNameResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  Bech32PrefixRequest,
  Bech32PrefixResponse,
} from "cosmjs-types/cosmos/auth/v1beta1/query";
import { defineQueryService } from "../../types/service";

/** The cosmos.auth.v1beta1.Query service: every method this chain serves, described once (browser-safe). */
export const AuthQuery = defineQueryService("cosmos.auth.v1beta1.Query", {
  Account: [QueryAccountRequest, QueryAccountResponse],
  Accounts: [QueryAccountsRequest, QueryAccountsResponse],
  ModuleAccountByName: [QueryModuleAccountByNameRequest, QueryModuleAccountByNameResponse],
  Params: [QueryParamsRequest, QueryParamsResponse],
  Bech32Prefix: [Bech32PrefixRequest, Bech32PrefixResponse],
});
