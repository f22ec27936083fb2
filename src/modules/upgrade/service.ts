import * as q from "cosmjs-types/cosmos/upgrade/v1beta1/query";
import { defineQueryService } from "../../types/service";

/** The cosmos.upgrade.v1beta1.Query methods this chain serves (browser-safe). */
export const UpgradeQuery = defineQueryService("cosmos.upgrade.v1beta1.Query", {
  CurrentPlan: [q.QueryCurrentPlanRequest, q.QueryCurrentPlanResponse],
  AppliedPlan: [q.QueryAppliedPlanRequest, q.QueryAppliedPlanResponse],
  Authority: [q.QueryAuthorityRequest, q.QueryAuthorityResponse],
});
