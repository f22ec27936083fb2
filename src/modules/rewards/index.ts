/** The rewards module's public face. */
export { REWARDS_MODULE, RewardKind, RewardsKeeper } from "./keeper";
export { createRewardsModule } from "./module";
export { REWARDS_TYPE_URLS } from "./msg-server";
export { NO_SCORES, type ModelPerformance, type RewardsModel, type RewardsRegistry } from "./expected-keepers";
export { DEFAULT_REWARDS_PARAMS, type RewardsParams } from "./params";
export { defaultRewardsGenesis } from "./genesis";
export { RewardsAmino } from "./amino";
