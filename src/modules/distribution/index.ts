/**
 * The distribution module's public face: everything other modules, the app and the node may use
 * of it. The rest of this folder is private (keys.ts and service.ts are also public, to clients).
 */
export { createDistributionModule } from "./module";
export { DISTRIBUTION_MODULE, DistributionKeeper } from "./keeper";
export type { CurrentRewards, HistoricalRewards, RewardsDistributor, SlashEvent, StartingInfo } from "./keeper";
export type { DistributionAccountKeeper, DistributionBank, DistributionStaking } from "./expected-keepers";
export { DistributionErrors } from "./errors";
export { DistributionAttributes, DistributionEvents } from "./events";
export { DEFAULT_DISTRIBUTION_PARAMS, distributionParamsToJson, validateDistributionParams } from "./params";
export type { DistributionParams } from "./params";
export { amountOfDec } from "./deccoins";
export type { DecCoin, DecCoins } from "./deccoins";
export { defaultDistributionGenesis } from "./genesis";
export { DistributionAmino } from "./amino";
