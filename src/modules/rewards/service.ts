import { QueryDefinition } from "../../gen/blockai/rewards/v1/query";
import { queryServiceFromDefinition } from "../../types/service";

/** The blockai.rewards.v1.Query service, generated from proto/ (browser-safe). */
export const RewardsQuery = queryServiceFromDefinition(QueryDefinition);
