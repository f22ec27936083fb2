import {
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorDistributionInfoRequest,
  QueryValidatorDistributionInfoResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorSlashesRequest,
  QueryValidatorSlashesResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryCommunityPoolRequest,
  QueryCommunityPoolResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { defineQueryService } from "../../types/service";

/** The cosmos.distribution.v1beta1.Query service: every method this chain serves, described once (browser-safe). */
export const DistributionQuery = defineQueryService("cosmos.distribution.v1beta1.Query", {
  Params: [QueryParamsRequest, QueryParamsResponse],
  ValidatorDistributionInfo: [QueryValidatorDistributionInfoRequest, QueryValidatorDistributionInfoResponse],
  ValidatorOutstandingRewards: [QueryValidatorOutstandingRewardsRequest, QueryValidatorOutstandingRewardsResponse],
  ValidatorCommission: [QueryValidatorCommissionRequest, QueryValidatorCommissionResponse],
  ValidatorSlashes: [QueryValidatorSlashesRequest, QueryValidatorSlashesResponse],
  DelegationRewards: [QueryDelegationRewardsRequest, QueryDelegationRewardsResponse],
  DelegationTotalRewards: [QueryDelegationTotalRewardsRequest, QueryDelegationTotalRewardsResponse],
  DelegatorValidators: [QueryDelegatorValidatorsRequest, QueryDelegatorValidatorsResponse],
  DelegatorWithdrawAddress: [QueryDelegatorWithdrawAddressRequest, QueryDelegatorWithdrawAddressResponse],
  CommunityPool: [QueryCommunityPoolRequest, QueryCommunityPoolResponse],
});
