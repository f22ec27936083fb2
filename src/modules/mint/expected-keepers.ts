import type { Coin } from "../../types/coins";
import type { EventManager } from "../../framework/events";
import type { Context } from "../../framework/module";
import type { KVStore } from "../../store/kv";

/** What mint needs of bank: create coins in a module account, read the supply. */
export interface MintBank {
  mint(root: KVStore, events: EventManager | undefined, module: string, coins: readonly Coin[]): void;
  getSupply(root: KVStore, denom: string): bigint;
}

/** One block's emission by recipient (community = the rest), computed from mint's shares. */
export interface EmissionSplit {
  readonly total: bigint;
  readonly stakers: bigint;
  readonly scorers: bigint;
  readonly miners: bigint;
  readonly models: bigint;
  readonly community: bigint;
}

/** Told of every block's emission, right after it is minted into the recipient module account. */
export interface MintHooks {
  afterMint(ctx: Context, split: EmissionSplit): void;
}
