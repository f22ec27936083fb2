/**
 * The BLOCKAI client SDK: everything an application imports. Browser-safe (no Node-only imports,
 * no server code): state proofs, verified queries, the CosmJS registry of BLOCKAI messages, the
 * typed BlockaiClient, metering vouchers, and the client-visible state layouts.
 *
 * Importing it also corrects cosmjs-types' encoding of int64s from 2^31 to 2^32 - 1 (see
 * varint64-fix.ts): without it, CosmJS writes e.g. a gas limit of 3,000,000,000 as five zero
 * bytes and the chain refuses the tx. Every other value is encoded exactly as before.
 */
import "../proto/varint64-fix";
export * from "../types/proof";
export * from "./verified-query";
export * from "../types/voucher";
export * from "./registry";
export * from "./blockai-client";
export * from "./payment";
export * from "./pagination";
export { balanceStateKey } from "../modules/bank/keys";
export { modelStateKey } from "../modules/registry/keys";
export { escrowStateKey } from "../modules/metering/keys";
// The query tables, for BlockaiClient.query(table.Method, request): every query the chain serves.
export type { QueryMethod, RequestOf, ResponseOf } from "../types/service";
export { AuthQuery } from "../modules/auth/service";
export { BankQuery } from "../modules/bank/service";
export { StakingQuery } from "../modules/staking/service";
export { DistributionQuery } from "../modules/distribution/service";
export { SlashingQuery } from "../modules/slashing/service";
export { EpochsQuery } from "../modules/epochs/service";
export { RegistryQuery } from "../modules/registry/service";
export { MeteringQuery } from "../modules/metering/service";
export { PowQuery } from "../modules/pow/service";
export { GovQuery, GovQueryV1beta1 } from "../modules/gov/service";
export { UpgradeQuery } from "../modules/upgrade/service";
export { MintQuery } from "../modules/mint/service";
export { ScoringQuery } from "../modules/scoring/service";
export { RewardsQuery } from "../modules/rewards/service";
export * from "./amino";
