import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeAddress } from "../types/address";
import { Coin, addCoins, coinsToProto } from "../types/coins";
import { defaultAppGenesis } from "../app/modules";
import { AppConfig, DEFAULT_APP_CONFIG, writeAppConfig } from "./config";
import { cometbftBinary } from "./paths";
import { setTomlValue } from "./toml";

export interface Genesis {
  genesis_time: string;
  chain_id: string;
  initial_height: string;
  consensus_params: Record<string, unknown>;
  validators: Array<{ address: string; pub_key: { type: string; value: string }; power: string; name: string }>;
  app_hash: string;
  app_state: Record<string, any>;
}

export interface InitOptions {
  home: string;
  moniker: string;
  chainId: string;
  /** CometBFT RPC listen address, e.g. tcp://127.0.0.1:26657 */
  rpcAddress?: string;
  /** CometBFT P2P listen address, e.g. tcp://127.0.0.1:26656 */
  p2pAddress?: string;
  app?: Partial<AppConfig>;
  /** Sub-second block times for localnets and tests. */
  fastBlocks?: boolean;
  /** CometBFT's own Prometheus metrics ([instrumentation]) at this HOST:PORT. */
  cometPrometheusAddress?: string;
}

export function genesisPath(home: string): string {
  return path.join(home, "config", "genesis.json");
}

export function readGenesis(home: string): Genesis {
  return JSON.parse(fs.readFileSync(genesisPath(home), "utf8")) as Genesis;
}

export function writeGenesis(home: string, genesis: Genesis): void {
  fs.writeFileSync(genesisPath(home), JSON.stringify(genesis, null, 2) + "\n");
}

export function defaultAppState(): Record<string, unknown> {
  return defaultAppGenesis();
}

/**
 * Creates a node home: CometBFT's config, keys and genesis (by `cometbft init`, so the layout is
 * exactly what CometBFT expects), the genesis app_state with every module's defaults, and the
 * app's config/app.json. The ABCI socket defaults to a unix socket inside the home.
 */
export function initHome(opts: InitOptions): void {
  if (fs.existsSync(genesisPath(opts.home))) throw new Error(`${opts.home} is already initialised (${genesisPath(opts.home)} exists)`);
  execFileSync(cometbftBinary(), ["init", "--home", opts.home], { stdio: "pipe" });
  const abciAddress = opts.app?.abci_address ?? `unix://${path.resolve(opts.home, "abci.sock")}`;
  const configFile = path.join(opts.home, "config", "config.toml");
  let toml = fs.readFileSync(configFile, "utf8");
  toml = setTomlValue(toml, "", "moniker", JSON.stringify(opts.moniker));
  toml = setTomlValue(toml, "", "proxy_app", JSON.stringify(abciAddress));
  if (opts.rpcAddress) toml = setTomlValue(toml, "rpc", "laddr", JSON.stringify(opts.rpcAddress));
  if (opts.p2pAddress) toml = setTomlValue(toml, "p2p", "laddr", JSON.stringify(opts.p2pAddress));
  if (opts.fastBlocks) {
    toml = setTomlValue(toml, "consensus", "timeout_propose", '"400ms"');
    toml = setTomlValue(toml, "consensus", "timeout_propose_delta", '"100ms"');
    toml = setTomlValue(toml, "consensus", "timeout_prevote", '"200ms"');
    toml = setTomlValue(toml, "consensus", "timeout_prevote_delta", '"100ms"');
    toml = setTomlValue(toml, "consensus", "timeout_precommit", '"200ms"');
    toml = setTomlValue(toml, "consensus", "timeout_precommit_delta", '"100ms"');
    toml = setTomlValue(toml, "consensus", "timeout_commit", '"300ms"');
    toml = setTomlValue(toml, "p2p", "addr_book_strict", "false");
    toml = setTomlValue(toml, "p2p", "allow_duplicate_ip", "true");
  }
  if (opts.cometPrometheusAddress) {
    toml = setTomlValue(toml, "instrumentation", "prometheus", "true");
    toml = setTomlValue(toml, "instrumentation", "prometheus_listen_addr", JSON.stringify(opts.cometPrometheusAddress));
  }
  fs.writeFileSync(configFile, toml);
  const genesis = readGenesis(opts.home);
  genesis.chain_id = opts.chainId;
  genesis.initial_height = "1";
  genesis.app_state = defaultAppState();
  writeGenesis(opts.home, genesis);
  writeAppConfig(opts.home, { ...DEFAULT_APP_CONFIG, ...opts.app, abci_address: abciAddress });
}

/** Adds (or tops up) a funded account in the genesis app_state. */
export function addGenesisAccount(genesis: Genesis, address: string, coins: readonly Coin[]): void {
  decodeAddress(address);
  const bank = genesis.app_state.bank as { balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>; supply: unknown[] };
  const existing = bank.balances.find((b) => b.address === address);
  if (existing) {
    const merged = addCoins(existing.coins.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })), coins);
    existing.coins = coinsToProto(merged);
  } else {
    bank.balances.push({ address, coins: coinsToProto(addCoins(coins)) });
  }
  bank.supply = [];
}

/** The CometBFT node ID of a home (for persistent_peers). */
export function nodeId(home: string): string {
  return execFileSync(cometbftBinary(), ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
}
