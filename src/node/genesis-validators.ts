import { VALIDATOR_OPERATOR_PREFIX, decodeAddress, encodeAddress, moduleAddress } from "../types/address";
import { addCoins, coinsToProto } from "../types/coins";
import { decFromInt, formatDec } from "../types/dec";
import {
  DEFAULT_STAKING_PARAMS,
  ED25519_PUBKEY_TYPE_URL,
  NOT_BONDED_POOL,
  POWER_REDUCTION as STAKING_POWER_REDUCTION,
  stakingParamsToJson,
} from "../modules/staking";
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
export const POWER_REDUCTION = STAKING_POWER_REDUCTION;

/** Commission of genesis validators: the SDK CLI's create-validator defaults. */
export const GENESIS_COMMISSION = Object.freeze({ rate: "0.100000000000000000", max_rate: "0.200000000000000000", max_change_rate: "0.010000000000000000" });

type BankGenesis = { balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>; supply: unknown[] };

function moveGenesisTokens(bank: BankGenesis, from: string, to: string, denom: string, amount: bigint): void {
  const source = bank.balances.find((b) => b.address === from);
  const have = BigInt(source?.coins.find((c) => c.denom === denom)?.amount ?? "0");
  if (!source || have < amount) {
    throw new Error(`the operator ${from} has ${have}${denom} in the genesis but self-delegates ${amount}${denom}; fund it first (addGenesisAccount)`);
  }
  source.coins = coinsToProto(addCoins(source.coins.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })), [{ denom, amount: -amount }]));
  const target = bank.balances.find((b) => b.address === to);
  if (target) target.coins = coinsToProto(addCoins(target.coins.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })), [{ denom, amount }]));
  else bank.balances.push({ address: to, coins: [{ denom, amount: amount.toString() }] });
  bank.balances = bank.balances.filter((b) => b.coins.length > 0);
  bank.supply = [];
}

/**
 * Adds a validator to a genesis, the way a gentx would: CometBFT's `validators` list, and in
 * `app_state.staking` an (unbonded) validator with the operator's self-delegation, whose tokens
 * move from the operator's genesis balance to the not_bonded_tokens_pool module account. At
 * InitChain the staking module bonds the top max_validators by power and answers CometBFT with
 * exactly that set (which must equal the `validators` list written here).
 */
export function addGenesisValidator(genesis: Genesis, v: GenesisValidator): void {
  if (genesis.validators.some((x) => x.pub_key.value === v.consensusPubKey.value)) {
    throw new Error(`a validator with consensus key ${v.consensusPubKey.value} is already in the genesis`);
  }
  if (v.consensusPubKey.type !== "tendermint/PubKeyEd25519") throw new Error(`consensus key type ${v.consensusPubKey.type} is not supported (ed25519 only)`);
  if (v.selfDelegation < POWER_REDUCTION) {
    throw new Error(`self-delegation ${v.selfDelegation}usoa is below 1 SOA (${POWER_REDUCTION}usoa): the validator would have no voting power`);
  }
  const operator = decodeAddress(v.operatorAddress, "operator address");
  const valoper = encodeAddress(operator, VALIDATOR_OPERATOR_PREFIX);

  const state = genesis.app_state;
  state.staking ??= { params: stakingParamsToJson(DEFAULT_STAKING_PARAMS), validators: [], delegations: [] };
  const staking = state.staking as { params?: { bond_denom?: string }; validators?: any[]; delegations?: any[] };
  staking.validators ??= [];
  staking.delegations ??= [];
  if (staking.validators.some((x) => x.operator_address === valoper)) throw new Error(`${v.operatorAddress} already operates a genesis validator`);
  const denom = staking.params?.bond_denom ?? DEFAULT_STAKING_PARAMS.bondDenom;

  moveGenesisTokens(state.bank as BankGenesis, v.operatorAddress, encodeAddress(moduleAddress(NOT_BONDED_POOL)), denom, v.selfDelegation);

  const shares = formatDec(decFromInt(v.selfDelegation));
  staking.validators.push({
    operator_address: valoper,
    consensus_pubkey: { "@type": ED25519_PUBKEY_TYPE_URL, key: v.consensusPubKey.value },
    jailed: false,
    status: "BOND_STATUS_UNBONDED",
    tokens: v.selfDelegation.toString(),
    delegator_shares: shares,
    description: { moniker: v.moniker, identity: "", website: "", security_contact: "", details: "" },
    unbonding_height: "0",
    unbonding_time: "1970-01-01T00:00:00Z",
    commission: { commission_rates: { ...GENESIS_COMMISSION }, update_time: genesis.genesis_time },
    min_self_delegation: "1",
  });
  staking.delegations.push({ delegator_address: v.operatorAddress, validator_address: valoper, shares });

  genesis.validators.push({
    address: v.consensusAddress,
    pub_key: v.consensusPubKey,
    power: (v.selfDelegation / POWER_REDUCTION).toString(),
    name: v.moniker,
  });
}
