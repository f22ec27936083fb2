import { QueryDefinition } from "../../gen/blockai/epochs/v1/epochs";
import { queryServiceFromDefinition } from "../../types/service";

/** The blockai.epochs.v1.Query service, generated from proto/ (browser-safe). */
export const EpochsQuery = queryServiceFromDefinition(QueryDefinition);
