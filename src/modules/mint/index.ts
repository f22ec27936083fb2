/** The mint module's public face. */
export { MintKeeper } from "./keeper";
export { createMintModule } from "./module";
export type { EmissionSplit, MintHooks, MintBank } from "./expected-keepers";
export { DEFAULT_MINT_PARAMS, communityBps, splitEmission, type MintParams } from "./params";
export { cumulativeEmission, rewardAt, scheduledReward, scheduledTotal, type Schedule } from "./emission";
export { defaultMintGenesis } from "./genesis";
export { MintAmino } from "./amino";
