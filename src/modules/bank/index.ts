/** The bank module's public face: what other modules, the app and the node may use. */
export { createBankModule } from "./module";
export { BankKeeper } from "./keeper";
export { BankErrors } from "./errors";
export { BankAttributes, BankEvents } from "./events";
export { type BankParams, DEFAULT_BANK_PARAMS } from "./params";
export { defaultBankGenesis } from "./genesis";
export type { BankAccountKeeper } from "./expected-keepers";
export { BankAmino } from "./amino";
