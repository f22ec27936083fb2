import { QueryDefinition } from "../../gen/blockai/pow/v1/query";
import { queryServiceFromDefinition } from "../../types/service";

/** The blockai.pow.v1.Query service, generated from proto/ (browser-safe). */
export const PowQuery = queryServiceFromDefinition(QueryDefinition);

/** "/blockai.pow.v1.Query": ABCI Query paths are "<this>/<Method>". */
export const POW_QUERY_SERVICE = `/${QueryDefinition.fullName}`;
