import type { Coin } from "../../types/coins";
import type { EventManager } from "../../framework/events";
import type { Context } from "../../framework/module";
import type { KVStore } from "../../store/kv";

/** What rewards needs of bank. */
export interface RewardsBank {
  getBalance(root: KVStore, address: Uint8Array, denom: string): bigint;
  sendFromModule(root: KVStore, events: EventManager | undefined, module: string, to: Uint8Array, coins: readonly Coin[]): void;
  isBlocked(address: Uint8Array): boolean;
}

/** Distribution: validators' rewards (commission, then F1 to delegators) and the community pool. */
export interface RewardsDistribution {
  allocateToValidator(ctx: Context, fromModule: string, valoperAddress: Uint8Array, coins: readonly Coin[]): void;
  fundCommunityPool(ctx: Context, fromModule: string, coins: readonly Coin[]): void;
}

/** Staking: the bonded validators and their tokens (bounded by max_validators). */
export interface RewardsStaking {
  bondedValidators(root: KVStore): ReadonlyArray<{ operator: Uint8Array; tokens: bigint }>;
}

/** PoW: the work certified in an epoch, in total and by one miner. */
export interface RewardsPow {
  /** Work of one certificate kind (each in its own unit: hashes for sha256, MACs for matmul). */
  epochWork(root: KVStore, epoch: bigint, kind: "sha256" | "matmul"): { work: bigint };
  minerWork(root: KVStore, miner: Uint8Array, epoch: bigint, kind: "sha256" | "matmul"): { work: bigint };
  /** The governed share of the miners' pool paid for matmul work, basis points. */
  matmulRewardShareBps(root: KVStore): number;
}

/** Metering: what consumers paid each model in an epoch (never self-declared units). */
export interface RewardsMetering {
  usageForEpoch(root: KVStore, epoch: bigint): ReadonlyArray<{ modelId: bigint; amountPaid?: { amount: string }; protocolFees?: { amount: string } }>;
}

export interface RewardsModel {
  readonly id: bigint;
  readonly owner: string;
  /** blockai.registry.v1.ModelStatus: 1 ACTIVE, 2 PAUSED, 3 RETIRED. */
  readonly status: number;
  readonly artifactDigest: Uint8Array;
}

/** Registry: models, and the earliest ACTIVE registration of an artifact digest. */
export interface RewardsRegistry {
  getModel(root: KVStore, id: bigint): RewardsModel | undefined;
  earliestActiveWithDigest(root: KVStore, digest: Uint8Array): bigint | undefined;
}

/**
 * Scores: each model's consensus score for an epoch and each validator's agreement with the
 * consensus, in parts per million. The scoring module provides it; until it lands the app wires
 * NO_SCORES, so the performance stream and the scorers' share go to the community pool.
 */
export interface ModelPerformance {
  /** Models scored in the epoch, any order (the keeper sorts). */
  scoredModels(root: KVStore, epoch: bigint): ReadonlyArray<{ modelId: bigint; scorePpm: bigint }>;
  agreementPpm(root: KVStore, epoch: bigint, validatorOperator: Uint8Array): bigint;
}

export const NO_SCORES: ModelPerformance = {
  scoredModels: () => [],
  agreementPpm: () => 0n,
};

export const MODEL_STATUS_ACTIVE = 1;
export const MODEL_STATUS_RETIRED = 3;

/** The epoch clock (queries report the epoch in progress). */
export interface EpochsReader {
  currentEpoch(root: KVStore): bigint;
}
