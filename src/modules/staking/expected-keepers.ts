import type { Coin } from "../../types/coins";
import type { Dec } from "../../types/dec";
import type { EventManager } from "../../framework/events";
import type { Context } from "../../framework/module";
import type { KVStore } from "../../store/kv";
import type { Validator } from "./types";

/** What staking needs of bank: tokens move between accounts and the two pool module accounts. */
export interface StakingBank {
  getBalance(root: KVStore, address: Uint8Array, denom: string): bigint;
  sendToModule(root: KVStore, events: EventManager | undefined, from: Uint8Array, module: string, coins: readonly Coin[]): void;
  sendFromModule(root: KVStore, events: EventManager | undefined, module: string, to: Uint8Array, coins: readonly Coin[]): void;
  burn(root: KVStore, events: EventManager | undefined, module: string, coins: readonly Coin[]): void;
}

/** The part of an account staking looks at: whether it is a module account. */
export interface ModuleAccountShape {
  readonly moduleName?: string;
}

/**
 * What staking (and distribution) need of auth at genesis: the pool accounts must be module
 * accounts, also when bank genesis created them as plain balances.
 */
export interface ModuleAccountKeeper<A extends ModuleAccountShape = ModuleAccountShape> {
  getAccount(root: KVStore, address: Uint8Array): A | undefined;
  setAccount(root: KVStore, account: A): void;
  ensureModuleAccount(root: KVStore, name: string): unknown;
}

/** Whether a consensus key is tombstoned (slashing answers; staking refuses new stake for it). */
export type TombstoneCheck = (store: KVStore, consAddr: Uint8Array) => boolean;

/**
 * Called by staking when validators and delegations change (the SDK's StakingHooks). Distribution
 * uses them to close F1 periods and pay rewards before a stake changes; slashing to keep signing
 * infos. Hooks run in registration order (src/app/modules.ts); a hook that throws fails the
 * enclosing transaction.
 */
export interface StakingHooks {
  afterValidatorCreated?(ctx: Context, v: Validator): void;
  afterValidatorBonded?(ctx: Context, consAddr: Uint8Array, op: Uint8Array): void;
  afterValidatorBeginUnbonding?(ctx: Context, consAddr: Uint8Array, op: Uint8Array): void;
  afterValidatorRemoved?(ctx: Context, consAddr: Uint8Array, op: Uint8Array): void;
  beforeDelegationCreated?(ctx: Context, del: Uint8Array, op: Uint8Array): void;
  beforeDelegationSharesModified?(ctx: Context, del: Uint8Array, op: Uint8Array): void;
  afterDelegationModified?(ctx: Context, del: Uint8Array, op: Uint8Array): void;
  beforeValidatorSlashed?(ctx: Context, op: Uint8Array, fraction: Dec): void;
}
