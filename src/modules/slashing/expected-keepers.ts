import type { Dec } from "../../types/dec";
import type { Context } from "../../framework/module";
import type { KVStore } from "../../store/kv";
import type { Delegation, Validator } from "../staking";

/** What slashing reads and does of staking (the SDK's StakingKeeper in x/slashing/types/expected_keepers.go). */
export interface SlashingStaking {
  getValidator(root: KVStore, op: Uint8Array): Validator | undefined;
  getValidatorByConsAddr(root: KVStore, cons: Uint8Array): Validator | undefined;
  getDelegation(root: KVStore, del: Uint8Array, val: Uint8Array): Delegation | undefined;
  /** Burns `fraction` of the stake that backed `cons` at `infractionHeight`; returns the tokens burned from the validator. */
  slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, power: bigint, fraction: Dec): bigint;
  jail(ctx: Context, cons: Uint8Array): void;
  unjail(ctx: Context, cons: Uint8Array): void;
}
