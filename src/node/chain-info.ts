import * as fs from "node:fs";
import * as path from "node:path";
import { ACCOUNT_PREFIX, VALIDATOR_CONSENSUS_PREFIX, VALIDATOR_OPERATOR_PREFIX } from "../types/address";
import { BASE_DENOM, DISPLAY_DENOM, DISPLAY_EXPONENT } from "../types/coins";

/**
 * Chain metadata for wallets and registries, for one node's endpoints:
 * - Keplr's ChainInfo (the argument of window.keplr.experimentalSuggestChain);
 * - the cosmos/chain-registry's chain.json and assetlist.json (what cosmos-kit and explorers read).
 */
export interface ChainEndpoints {
  chainId: string;
  /** CometBFT RPC URL. */
  rpc: string;
  /** REST gateway URL (api_address). */
  rest: string;
  /** gRPC address, host:port. */
  grpc?: string;
  /** Node-local minimum gas price in usoa (the low gas price step). */
  minGasPrice?: number;
}

/** SLIP-44 coin type of the keys: the Cosmos Hub's 118 (m/44'/118'/0'/0/0), as `blockai keys` derives them. */
export const SLIP44_COIN_TYPE = 118;

const currency = { coinDenom: DISPLAY_DENOM, coinMinimalDenom: BASE_DENOM, coinDecimals: DISPLAY_EXPONENT };

function gasPrices(min: number) {
  // The SDK's usual steps above the floor: a wallet's "average" and "high" still clear a busy mempool.
  return { low: min, average: Number((min * 1.2).toFixed(6)), high: Number((min * 1.6).toFixed(6)) };
}

export function keplrChainInfo(e: ChainEndpoints) {
  const steps = gasPrices(e.minGasPrice ?? 0.025);
  return {
    chainId: e.chainId,
    chainName: `BLOCKAI (${e.chainId})`,
    rpc: e.rpc,
    rest: e.rest,
    bip44: { coinType: SLIP44_COIN_TYPE },
    bech32Config: {
      bech32PrefixAccAddr: ACCOUNT_PREFIX,
      bech32PrefixAccPub: `${ACCOUNT_PREFIX}pub`,
      bech32PrefixValAddr: VALIDATOR_OPERATOR_PREFIX,
      bech32PrefixValPub: `${VALIDATOR_OPERATOR_PREFIX}pub`,
      bech32PrefixConsAddr: VALIDATOR_CONSENSUS_PREFIX,
      bech32PrefixConsPub: `${VALIDATOR_CONSENSUS_PREFIX}pub`,
    },
    currencies: [currency],
    feeCurrencies: [{ ...currency, gasPriceStep: steps }],
    stakeCurrency: currency,
    features: [] as string[],
  };
}

/** The chain-registry name: lower-case letters and digits of the chain id. */
export function registryChainName(chainId: string): string {
  return chainId.toLowerCase().replace(/[^a-z0-9]/g, "") || "blockai";
}

export function chainRegistryChain(e: ChainEndpoints) {
  const steps = gasPrices(e.minGasPrice ?? 0.025);
  return {
    $schema: "../chain.schema.json",
    chain_name: registryChainName(e.chainId),
    chain_type: "cosmos",
    status: "live",
    network_type: "devnet",
    pretty_name: `BLOCKAI (${e.chainId})`,
    chain_id: e.chainId,
    bech32_prefix: ACCOUNT_PREFIX,
    daemon_name: "blockai",
    node_home: "$HOME/.blockai",
    key_algos: ["secp256k1"],
    slip44: SLIP44_COIN_TYPE,
    fees: { fee_tokens: [{ denom: BASE_DENOM, fixed_min_gas_price: steps.low, low_gas_price: steps.low, average_gas_price: steps.average, high_gas_price: steps.high }] },
    staking: { staking_tokens: [{ denom: BASE_DENOM }] },
    apis: {
      rpc: [{ address: e.rpc, provider: "local node" }],
      rest: [{ address: e.rest, provider: "local node" }],
      grpc: e.grpc ? [{ address: e.grpc, provider: "local node" }] : [],
    },
  };
}

export function chainRegistryAssetList(e: ChainEndpoints) {
  return {
    $schema: "../assetlist.schema.json",
    chain_name: registryChainName(e.chainId),
    assets: [
      {
        description: "SOA, the staking and fee token of BLOCKAI",
        denom_units: [
          { denom: BASE_DENOM, exponent: 0 },
          { denom: DISPLAY_DENOM, exponent: DISPLAY_EXPONENT },
        ],
        base: BASE_DENOM,
        name: DISPLAY_DENOM,
        display: DISPLAY_DENOM,
        symbol: DISPLAY_DENOM,
        type_asset: "sdk.coin",
      },
    ],
  };
}

/** Writes keplr-chain-info.json, chain.json and assetlist.json into `dir`; returns their paths. */
export function writeChainInfo(dir: string, e: ChainEndpoints): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: Array<[string, unknown]> = [
    ["keplr-chain-info.json", keplrChainInfo(e)],
    ["chain.json", chainRegistryChain(e)],
    ["assetlist.json", chainRegistryAssetList(e)],
  ];
  return files.map(([name, json]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
    return file;
  });
}
