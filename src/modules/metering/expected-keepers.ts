import type { EventManager } from "../../framework/events";
import type { Context } from "../../framework/module";
import type { ModelStatus } from "../../gen/blockai/registry/v1/registry";
import type { KVStore } from "../../store/kv";
import type { Coin } from "../../types/coins";

/** What metering reads of a model (the registry's Model has these fields). */
export interface MeteringModel {
  readonly id: bigint;
  readonly owner: string;
  readonly operators: readonly string[];
  readonly status: ModelStatus;
}

/** What metering needs of the registry. */
export interface ModelDirectory {
  /** The model, or the registry's own "model not found" error. */
  mustGetModel(root: KVStore, id: bigint): MeteringModel;
  /** True if `address` (bech32) is the model's owner or one of its operators. */
  isOwnerOrOperator(model: MeteringModel, address: string): boolean;
}

/** What metering needs of the bank: deposits, refunds, payments and fees. */
export interface MeteringBank {
  getBalance(root: KVStore, address: Uint8Array, denom: string): bigint;
  send(root: KVStore, events: EventManager | undefined, from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void;
  sendToModule(root: KVStore, events: EventManager | undefined, from: Uint8Array, module: string, coins: readonly Coin[]): void;
  sendFromModule(root: KVStore, events: EventManager | undefined, module: string, to: Uint8Array, coins: readonly Coin[]): void;
}

/** The account data metering needs: the consumer's public key. */
export interface PubKeyReader {
  getAccount(root: KVStore, address: Uint8Array): { pubKey?: Uint8Array } | undefined;
}

/** The epoch clock: usage is tallied per epoch. */
export interface EpochClock {
  currentEpoch(root: KVStore): bigint;
}

/**
 * Where protocol fees go at the end of each epoch: the distribution module's community pool
 * (its RewardsDistributor interface). Without a sink they stay in METERING_FEES_ACCOUNT.
 */
export interface ProtocolFeeSink {
  fundCommunityPool(ctx: Context, fromModule: string, coins: readonly Coin[]): void;
}

/** The rewards module's claim window: records of epochs before the oldest open one are not read. */
export interface ClaimWindow {
  oldestOpenEpoch(root: KVStore): bigint;
}
