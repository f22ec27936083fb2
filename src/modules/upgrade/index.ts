/** The upgrade module's public face. */
export { createUpgradeModule, UPGRADE_TYPE_URLS } from "./module";
export { UpgradeKeeper, UpgradeNeededError } from "./keeper";
export type { UpgradeHandler } from "./keeper";
export { defaultUpgradeGenesis } from "./module";
export { UpgradeAmino } from "./amino";
