/** The metering module's public face: what other modules, the app and the node may use. */
export { createMeteringModule } from "./module";
export { METERING_ESCROW_ACCOUNT, METERING_FEES_ACCOUNT, MeteringKeeper, VOUCHER_VERIFY_GAS } from "./keeper";
export { MeteringErrors } from "./errors";
export { MeteringAttributes, MeteringEvents } from "./events";
export { METERING_TYPE_URLS, parseClaimVoucher } from "./msg-server";
export { BPS_DENOMINATOR, DEFAULT_METERING_PARAMS, validateMeteringParams } from "./params";
export { defaultMeteringGenesis } from "./genesis";
export type { ClaimWindow, EpochClock, MeteringBank, MeteringModel, ModelDirectory, ProtocolFeeSink, PubKeyReader } from "./expected-keepers";
export { MeteringAmino } from "./amino";
