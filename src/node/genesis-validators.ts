import type { Genesis } from "./home";

export interface GenesisValidator {
  /** Moniker shown in CometBFT and in staking queries. */
  moniker: string;
  /** The validator's CometBFT consensus key, from priv_validator_key.json (`address`, `pub_key`). */
  consensusAddress: string;
  consensusPubKey: { type: string; value: string };
  /** Account (soa1...) that operates the validator and self-delegates; must be funded in genesis. */
  operatorAddress: string;
  /** usoa bonded at genesis by the operator. */
  selfDelegation: bigint;
}

/** CometBFT voting power of a bonded amount: 1 power per SOA (10^6 usoa), as the SDK's PowerReduction. */
export const POWER_REDUCTION = 1_000_000n;

/**
 * Adds a validator to a genesis. Today this writes CometBFT's `validators` list only; the staking
 * module will also record the validator and its self-delegation in `app_state.staking` and take
 * the bonded tokens from the operator's genesis balance.
 */
export function addGenesisValidator(genesis: Genesis, v: GenesisValidator): void {
  if (genesis.validators.some((x) => x.pub_key.value === v.consensusPubKey.value)) {
    throw new Error(`a validator with consensus key ${v.consensusPubKey.value} is already in the genesis`);
  }
  genesis.validators.push({
    address: v.consensusAddress,
    pub_key: v.consensusPubKey,
    power: (v.selfDelegation / POWER_REDUCTION).toString(),
    name: v.moniker,
  });
}
