/** The registry module's public face: what other modules, the app and the node may use. */
export { createRegistryModule } from "./module";
export { REGISTRY_BOND_ACCOUNT, RegistryKeeper, statusName } from "./keeper";
export { RegistryErrors } from "./errors";
export { RegistryAttributes, RegistryEvents } from "./events";
export { REGISTRY_TYPE_URLS } from "./msg-server";
export { DEFAULT_REGISTRY_PARAMS, validateRegistryParams } from "./params";
export { defaultRegistryGenesis } from "./genesis";
export type { RegistryBank } from "./expected-keepers";
export { RegistryAmino } from "./amino";
