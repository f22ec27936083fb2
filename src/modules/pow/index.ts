/** The pow module's public face: what other modules, the app, the node and the miner may use. */
export { createPowModule } from "./module";
export { POW_QUERY_SERVICE, PowQuery } from "./service";
export { PowKeeper, type Tally, type WorkRecord, isOwnerOrOperator, tallyToProto } from "./keeper";
export { POW_CODESPACE, PowErrors } from "./errors";
export { PowAttributes, PowEvents } from "./events";
export {
  MAX_MATMUL_TX_BYTES,
  MSG_SUBMIT_MATMUL_WORK_RESPONSE_TYPE_URL,
  MSG_SUBMIT_MATMUL_WORK_TYPE_URL,
  MSG_SUBMIT_WORK_RESPONSE_TYPE_URL,
  MSG_SUBMIT_WORK_TYPE_URL,
} from "./msg-server";
export * as matmul from "./matmul";
export { type KindName, TALLIES, WORK_UNITS } from "./keeper";
export {
  CertificateKind,
  DEFAULT_INITIAL_TARGET,
  DEFAULT_MATMUL_TARGET,
  DEFAULT_POW_PARAMS,
  KIND_NAMES,
  LOCALNET_MATMUL_TARGET,
  LOCALNET_POW_TARGET,
  parseKind,
  type PowParams,
  paramsFromProto,
  paramsToProto,
  validateParams,
} from "./params";
export { defaultPowGenesis } from "./genesis";
export type { ClaimWindow, EpochClock, ModelDirectory, ModelInfo } from "./expected-keepers";
export {
  HASH_LENGTH,
  MAX_TARGET,
  type SealFields,
  bytesToBigInt,
  computeSeal,
  doubleSha256,
  parseTargetHex,
  sealPrefix,
  targetToBytes,
  targetToHex,
  workForTarget,
} from "./seal";
export { PowAmino } from "./amino";
