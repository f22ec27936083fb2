import type { Context } from "../../framework/module";
import type { KVStore } from "../../store/kv";

/** What scoring reads of staking: who is a validator and its bonded power (operator bytes). */
export interface StakingReader {
  getValidator(root: KVStore, operator: Uint8Array): { readonly operator: Uint8Array } | undefined;
  /** Power in the last bonded set (what CometBFT was told); undefined when not bonded. */
  getLastValidatorPower(root: KVStore, operator: Uint8Array): bigint | undefined;
  getLastTotalPower(root: KVStore): bigint;
}

/** What scoring needs of the registry: whether a model id exists and is ACTIVE. */
export interface ModelDirectory {
  modelStatus(root: KVStore, modelId: bigint): "active" | "inactive" | "unknown";
}

/** The epoch clock: the current epoch with its bounds, and the epoch-end hook. */
export interface EpochClock {
  current(root: KVStore): { readonly number: bigint; readonly startHeight: bigint; readonly endHeight: bigint };
  /** epochs' params; the epoch that starts after an epoch-end hook has this length. */
  getParams(root: KVStore): { readonly epochLength: bigint };
}

export type EpochEndHook = (ctx: Context, epoch: bigint) => void;

/** The rewards module's claim window: scores of epochs well before the oldest open one are not read. */
export interface ClaimWindow {
  oldestOpenEpoch(root: KVStore): bigint;
}
