import type { Coin } from "../../types/coins";
import type { EventManager } from "../../framework/events";
import type { KVStore } from "../../store/kv";
import type { Delegation, UnbondingDelegation, Validator } from "../staking";

/** What distribution reads of staking (the SDK's StakingKeeper in x/distribution/types/expected_keepers.go). */
export interface DistributionStaking {
  bondDenom(root: KVStore): string;
  getValidator(root: KVStore, op: Uint8Array): Validator | undefined;
  mustGetValidator(root: KVStore, op: Uint8Array): Validator;
  getValidatorByConsAddr(root: KVStore, cons: Uint8Array): Validator | undefined;
  getDelegation(root: KVStore, del: Uint8Array, val: Uint8Array): Delegation | undefined;
  delegatorDelegations(root: KVStore, del: Uint8Array): Delegation[];
  allValidators(root: KVStore): Validator[];
  allUnbondingDelegations(root: KVStore): UnbondingDelegation[];
}

/** What distribution needs of bank: it holds rewards and the community pool in its module account. */
export interface DistributionBank {
  getAllBalances(root: KVStore, address: Uint8Array): Coin[];
  allBalances(root: KVStore): Array<{ address: Uint8Array; coins: Coin[] }>;
  getSupply(root: KVStore, denom: string): bigint;
  sendToModule(root: KVStore, events: EventManager | undefined, from: Uint8Array, module: string, coins: readonly Coin[]): void;
  sendFromModule(root: KVStore, events: EventManager | undefined, module: string, to: Uint8Array, coins: readonly Coin[]): void;
}

/** The part of an account distribution looks at: whether it is a module account. */
export interface ModuleAccountShape {
  readonly moduleName?: string;
}

/**
 * What distribution needs of auth at genesis: its account must be a module account, also when
 * bank genesis created it as a plain balance.
 */
export interface DistributionAccountKeeper<A extends ModuleAccountShape = ModuleAccountShape> {
  getAccount(root: KVStore, address: Uint8Array): A | undefined;
  setAccount(root: KVStore, account: A): void;
  ensureModuleAccount(root: KVStore, name: string): unknown;
}
