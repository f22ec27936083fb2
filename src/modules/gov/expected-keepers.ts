/** What gov needs of other modules (the consumer owns the interface; src/app/modules.ts wires them). */
import type { Coin } from "../../types/coins";
import type { Dec } from "../../types/dec";
import type { EventManager } from "../../framework/events";
import type { Context } from "../../framework/module";
import type { KVStore } from "../../store/kv";

/** Bonded stake for the tally. */
export interface GovStakingKeeper {
  /** The bonded validators (status BONDED). */
  bondedValidators(root: KVStore): ReadonlyArray<{ readonly operator: Uint8Array; readonly tokens: bigint; readonly delegatorShares: Dec }>;
  delegatorDelegations(root: KVStore, delegator: Uint8Array): ReadonlyArray<{ readonly validator: Uint8Array; readonly shares: Dec }>;
  /** The bonded pool's balance is the total bonded stake quorum is measured against. */
  poolBalances(root: KVStore): { readonly bonded: bigint };
}

/** Deposits: escrow in the gov module account, refund, burn. */
export interface GovBankKeeper {
  getBalance(root: KVStore, address: Uint8Array, denom: string): bigint;
  sendToModule(root: KVStore, events: EventManager | undefined, from: Uint8Array, module: string, coins: readonly Coin[]): void;
  sendFromModule(root: KVStore, events: EventManager | undefined, module: string, to: Uint8Array, coins: readonly Coin[]): void;
  burn(root: KVStore, events: EventManager | undefined, module: string, coins: readonly Coin[]): void;
  isBlocked(address: Uint8Array): boolean;
}

export interface GovAccountKeeper {
  ensureModuleAccount(root: KVStore, name: string): unknown;
}

/** Where a cancellation charge goes when proposal_cancel_dest is the distribution module. */
export interface GovCommunityPool {
  fundCommunityPool(ctx: Context, fromModule: string, coins: readonly Coin[]): void;
}
