/**
 * The slashing module's public face: everything other modules, the app and the node may use of
 * it. The rest of this folder is private (service.ts and keys.ts are also public, to clients).
 */
export { createSlashingModule } from "./module";
export { DOUBLE_SIGN_JAIL_END_NS, SlashingKeeper } from "./keeper";
export type { SigningInfo } from "./keeper";
export type { SlashingStaking } from "./expected-keepers";
export { SlashingErrors } from "./errors";
export { SlashReasons, SlashingAttributes, SlashingEvents } from "./events";
export { DEFAULT_SLASHING_PARAMS, slashingParamsToJson, validateSlashingParams } from "./params";
export type { SlashingParams } from "./params";
export { defaultSlashingGenesis } from "./genesis";
export { SlashingAmino } from "./amino";
