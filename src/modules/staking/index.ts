/**
 * The staking module's public face: everything other modules, the app and the node may use of
 * it. The rest of this folder is private (keys.ts and service.ts are also public, to clients).
 */
export { createStakingModule } from "./module";
export { StakingKeeper } from "./keeper";
export type { ModuleAccountKeeper, ModuleAccountShape, StakingBank, StakingHooks, TombstoneCheck } from "./expected-keepers";
export { StakingErrors } from "./errors";
export { StakingAttributes, StakingEvents } from "./events";
export { DEFAULT_STAKING_PARAMS, stakingParamsToJson, validateStakingParams } from "./params";
export type { StakingParams } from "./params";
export {
  BONDED_POOL,
  BondStatus,
  ED25519_PUBKEY_TYPE_URL,
  NOT_BONDED_POOL,
  POWER_REDUCTION,
  STAKING_MODULE,
  accAddr,
  consAddressOf,
  consensusPower,
  hex,
  operatorAccount,
  tokensFromShares,
  tokensFromSharesTruncated,
  valcons,
  validatorPower,
  valoper,
  valoperBytes,
} from "./types";
export type { Delegation, Redelegation, UnbondingDelegation, Validator } from "./types";
export { defaultStakingGenesis } from "./genesis";
export { StakingAmino } from "./amino";
