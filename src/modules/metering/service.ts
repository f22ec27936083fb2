import { QueryDefinition } from "../../gen/blockai/metering/v1/query";
import { queryServiceFromDefinition } from "../../types/service";

/** The blockai.metering.v1.Query service, generated from proto/ (browser-safe). */
export const MeteringQuery = queryServiceFromDefinition(QueryDefinition);
