import type { KVStore } from "../../store/kv";

/** What the pow module needs to know about a model (the registry's Model has these fields). */
export interface ModelInfo {
  readonly owner: string;
  readonly operators: readonly string[];
  /** blockai.registry.v1.ModelStatus: 1 ACTIVE, 2 PAUSED, 3 RETIRED. */
  readonly status: number;
  /** Merkle root over the artifact's int8 matrices (docs/pow-matmul.md); empty or absent if none. */
  readonly weightsRoot?: Uint8Array;
}

/** Where models are looked up (the registry keeper in the app; a fake in unit tests). */
export interface ModelDirectory {
  getModel(root: KVStore, id: bigint): ModelInfo | undefined;
}

/** The epoch clock: work is tallied per epoch. */
export interface EpochClock {
  currentEpoch(root: KVStore): bigint;
}

/** The rewards module's claim window: tallies of epochs before the oldest open one are not read. */
export interface ClaimWindow {
  oldestOpenEpoch(root: KVStore): bigint;
}
