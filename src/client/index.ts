/**
 * The BLOCKAI client SDK: everything an application imports. Browser-safe (no Node-only imports,
 * no server code): state proofs, verified queries, the CosmJS registry of BLOCKAI messages, the
 * typed BlockaiClient, metering vouchers, and the client-visible state layouts.
 */
export * from "./proof";
export * from "./verified-query";
export * from "./voucher";
export * from "./registry";
export * from "./blockai-client";
export { balanceStateKey } from "../modules/bank/keys";
export { modelStateKey } from "../modules/registry/keys";
export { escrowStateKey } from "../modules/metering/keys";
