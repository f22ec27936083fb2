import { QueryDefinition } from "../../gen/blockai/registry/v1/query";
import { queryServiceFromDefinition } from "../../types/service";

/** The blockai.registry.v1.Query service, generated from proto/ (browser-safe). */
export const RegistryQuery = queryServiceFromDefinition(QueryDefinition);
