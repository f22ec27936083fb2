/** The epochs module's public face: what other modules, the app and the node may use. */
export { createEpochsModule } from "./module";
export { EpochsKeeper, type EpochEndHook } from "./keeper";
export { EpochsAttributes, EpochsEvents } from "./events";
export { DEFAULT_EPOCH_LENGTH, DEFAULT_EPOCHS_PARAMS, validateEpochsParams } from "./params";
export { defaultEpochsGenesis } from "./genesis";
export { EpochsAmino } from "./amino";
