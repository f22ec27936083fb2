import { QueryDefinition } from "../../gen/blockai/scoring/v1/query";
import { queryServiceFromDefinition } from "../../types/service";

/** The blockai.scoring.v1.Query service, generated from proto/ (browser-safe). */
export const ScoringQuery = queryServiceFromDefinition(QueryDefinition);
