import { ErrorKind } from "../../types/errors";

const e = (code: number, description: string) => new ErrorKind("distribution", code, description);

/** The Cosmos SDK's distribution codespace (x/distribution/types/errors.go). */
export const DistributionErrors = {
  EmptyDelegatorAddr: e(2, "delegator address is empty"),
  EmptyWithdrawAddr: e(3, "withdraw address is empty"),
  EmptyValidatorAddr: e(4, "validator address is empty"),
  EmptyDelegationDistInfo: e(5, "no delegation distribution info"),
  NoValidatorDistInfo: e(6, "no validator distribution info"),
  NoValidatorCommission: e(7, "no validator commission to withdraw"),
  SetWithdrawAddrDisabled: e(8, "set withdraw address disabled"),
  BadDistribution: e(9, "community pool does not have sufficient coins to distribute"),
  NoValidatorExists: e(12, "validator does not exist"),
  NoDelegationExists: e(13, "delegation does not exist"),
} as const;
