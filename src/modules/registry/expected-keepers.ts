import type { EventManager } from "../../framework/events";
import type { KVStore } from "../../store/kv";
import type { Coin } from "../../types/coins";

/** What the registry needs of the bank: bonds locked in, and returned from, its module account. */
export interface RegistryBank {
  getBalance(root: KVStore, address: Uint8Array, denom: string): bigint;
  sendToModule(root: KVStore, events: EventManager | undefined, from: Uint8Array, module: string, coins: readonly Coin[]): void;
  sendFromModule(root: KVStore, events: EventManager | undefined, module: string, to: Uint8Array, coins: readonly Coin[]): void;
}
