/** The gov module's public face. */
export { createGovModule } from "./module";
export { GOV_MODULE, GovKeeper } from "./keeper";
export type { MsgRouter } from "./keeper";
export { GovErrors, GOV_CODESPACE } from "./errors";
export { GOV_TYPE_URLS } from "./msg-server";
export { DEFAULT_GOV_PARAMS, MAX_PROPOSAL_MSGS } from "./params";
export type { GovParams } from "./params";
export { defaultGovGenesis } from "./genesis";
export { GovAmino } from "./amino";
