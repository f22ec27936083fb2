/**
 * gaiad (the Cosmos Hub's chain: Go, Cosmos SDK v0.53.3, CometBFT v0.38.19 in the same process) as
 * a peer for the end-to-end bench: a single-validator chain with BLOCKAI's bench CometBFT config,
 * the bench senders funded at genesis and the fee market disabled, loaded with MsgSends pre-signed
 * by CosmJS. bin/gaiad comes from `make gaiad` (test/bench/build-gaiad.sh).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1Wallet, encodePubkey, makeAuthInfoBytes, makeSignDoc, Registry } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { repoRoot } from "../../src/node/paths";
import { isAlive, spawnLogged, stopPid, waitFor } from "../../src/node/process";
import { status } from "../../src/node/rpc";
import { setTomlValue } from "../../src/node/toml";
import type { TestKey } from "../helpers/keys";
import { freePorts } from "../helpers/ports";
import { progress } from "./lib";

export const GAIAD_CHAIN_ID = "bench-gaiad";
export const GAIAD_DENOM = "stake";
/** The fee of every bench MsgSend on gaiad, and its gas limit (the same limit as BLOCKAI's). */
export const GAIAD_FEE = { denom: GAIAD_DENOM, amount: "1" };
export const GAIAD_GAS = 200_000n;
/** The fee market's floor: 10^-18 stake per gas, so 1stake for 200,000 gas always pays. */
const MIN_GAS_PRICE = "0.000000000000000001";

/** bin/gaiad (`make gaiad`), or GAIAD; undefined when there is none or BENCH_NO_GAIAD is set. */
export function gaiadBinary(): string | undefined {
  if (process.env.BENCH_NO_GAIAD) return undefined;
  const file = process.env.GAIAD || path.join(repoRoot(), "bin", "gaiad");
  return fs.existsSync(file) ? file : undefined;
}

/** The key's address on gaiad (same key bytes as on BLOCKAI, bech32 prefix "cosmos"). */
export function gaiadAddress(key: TestKey): string {
  return toBech32("cosmos", key.addressBytes);
}

export interface GaiadNode {
  endpoint: string;
  pids: Record<string, number>;
  all: number[];
  stop(keep?: boolean): Promise<void>;
  /** The bench senders' account numbers, as written into genesis. */
  accountNumbers: bigint[];
  version: string;
}

type Json = Record<string, any>;

/**
 * A single-validator gaiad chain: `gaiad init`, a validator's gentx, then genesis edited here (the
 * senders' accounts and balances, the fee market off, BLOCKAI's block limits) and BLOCKAI's
 * config.toml (`cometConfig`, every CometBFT setting) with this node's addresses.
 */
export async function startGaiad(
  binary: string,
  keys: TestKey[],
  cometConfig: string,
  blockParams: Json | undefined,
  label = "a gaiad validator",
): Promise<GaiadNode> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-bench-gaiad-"));
  let child: ReturnType<typeof spawnLogged> | undefined;
  const stop = async (keep = false) => {
    if (child?.pid && isAlive(child.pid)) await stopPid(child.pid);
    if (keep) progress(`end to end: ${label}: logs kept in ${home}\n`);
    else fs.rmSync(home, { recursive: true, force: true });
  };
  const gaiad = (...args: string[]) => execFileSync(binary, [...args, "--home", home], { stdio: "pipe", encoding: "utf8" });
  try {
    progress(`end to end: starting ${label}`);
    // `gaiad version` prints on stderr (cobra's Println).
    const v = spawnSync(binary, ["version"], { encoding: "utf8" });
    const version = `gaiad ${(v.stdout || v.stderr || "").trim()}`;
    gaiad("init", "bench", "--chain-id", GAIAD_CHAIN_ID, "--default-denom", GAIAD_DENOM);
    gaiad("keys", "add", "validator", "--keyring-backend", "test");
    gaiad("genesis", "add-genesis-account", "validator", `1000000000000${GAIAD_DENOM}`, "--keyring-backend", "test");
    gaiad("genesis", "gentx", "validator", `1000000000${GAIAD_DENOM}`, "--chain-id", GAIAD_CHAIN_ID, "--keyring-backend", "test");
    gaiad("genesis", "collect-gentxs");

    const genesisFile = path.join(home, "config", "genesis.json");
    const genesis = JSON.parse(fs.readFileSync(genesisFile, "utf8")) as Json;
    const accountNumbers = editGenesis(genesis, keys, blockParams);
    fs.writeFileSync(genesisFile, JSON.stringify(genesis, null, 2));

    const [rpcPort, p2pPort, proxyPort, grpcPort, apiPort] = await freePorts(5);
    const configFile = path.join(home, "config", "config.toml");
    let toml = cometConfig;
    toml = setTomlValue(toml, "", "moniker", '"bench-gaiad"');
    toml = setTomlValue(toml, "", "proxy_app", JSON.stringify(`tcp://127.0.0.1:${proxyPort}`));
    toml = setTomlValue(toml, "rpc", "laddr", JSON.stringify(`tcp://127.0.0.1:${rpcPort}`));
    toml = setTomlValue(toml, "rpc", "pprof_laddr", '""');
    toml = setTomlValue(toml, "p2p", "laddr", JSON.stringify(`tcp://127.0.0.1:${p2pPort}`));
    toml = setTomlValue(toml, "p2p", "persistent_peers", '""');
    fs.writeFileSync(configFile, toml);

    const appFile = path.join(home, "config", "app.toml");
    let app = fs.readFileSync(appFile, "utf8");
    app = setTomlValue(app, "", "minimum-gas-prices", JSON.stringify(`${MIN_GAS_PRICE}${GAIAD_DENOM}`));
    // No servers the bench does not use (and no fixed ports that another node may hold).
    app = setTomlValue(app, "api", "enable", "false");
    app = setTomlValue(app, "api", "address", JSON.stringify(`tcp://127.0.0.1:${apiPort}`));
    app = setTomlValue(app, "grpc", "enable", "false");
    app = setTomlValue(app, "grpc", "address", JSON.stringify(`127.0.0.1:${grpcPort}`));
    app = setTomlValue(app, "grpc-web", "enable", "false");
    // Like BLOCKAI's bench node, which takes no state-sync snapshots.
    app = setTomlValue(app, "state-sync", "snapshot-interval", "0");
    fs.writeFileSync(appFile, app);

    // log_level from the copied config.toml, as BLOCKAI's CometBFT.
    child = spawnLogged(binary, ["start", "--home", home], path.join(home, "gaiad.log"));
    const endpoint = `http://127.0.0.1:${rpcPort}`;
    await waitFor(`${label} to produce blocks`, 120_000, async () => {
      if (child?.pid && !isAlive(child.pid)) throw new Error(`gaiad exited (log: ${path.join(home, "gaiad.log")})`);
      return (await status(endpoint)).height >= 2 ? true : undefined;
    }, 200);
    const pid = child.pid!;
    return { endpoint, pids: { gaiad: pid }, all: [pid], stop, accountNumbers, version };
  } catch (e) {
    await stop(true);
    throw new Error(`${label}: ${(e as Error).message}`);
  }
}

/**
 * The senders as genesis accounts with explicit account numbers (after the validator's) and
 * balances; the fee market disabled with a floor of 10^-18 stake per gas; BLOCKAI's block limits.
 */
export function editGenesis(genesis: Json, keys: TestKey[], blockParams: Json | undefined): bigint[] {
  const state = genesis.app_state as Json;
  const accounts = state.auth.accounts as Json[];
  let next = accounts.reduce((max, a) => (BigInt(a.account_number ?? 0) >= max ? BigInt(a.account_number ?? 0) + 1n : max), 0n);
  const numbers: bigint[] = [];
  for (const k of keys) {
    const address = gaiadAddress(k);
    accounts.push({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address, pub_key: null, account_number: next.toString(), sequence: "0" });
    state.bank.balances.push({ address, coins: [{ denom: GAIAD_DENOM, amount: "1000000000000" }] });
    numbers.push(next++);
  }
  // The total supply is computed from the balances at InitChain when left empty.
  state.bank.supply = [];
  const feemarket = state.feemarket as Json | undefined;
  if (!feemarket) throw new Error("gaiad's genesis has no feemarket section");
  feemarket.params.enabled = false;
  feemarket.params.min_base_gas_price = MIN_GAS_PRICE;
  feemarket.params.fee_denom = GAIAD_DENOM;
  feemarket.state.base_gas_price = MIN_GAS_PRICE;
  if (blockParams) {
    const block = genesis.consensus?.params?.block as Json | undefined;
    if (!block) throw new Error("gaiad's genesis has no consensus.params.block");
    if (blockParams.max_bytes !== undefined) block.max_bytes = String(blockParams.max_bytes);
    if (blockParams.max_gas !== undefined) block.max_gas = String(blockParams.max_gas);
  }
  return numbers;
}

/**
 * `perSender` MsgSends of 1+seq stake from each key to the next one (sequences 0..perSender-1),
 * signed by CosmJS's DirectSecp256k1Wallet in the same round-major order as presignSends.
 */
export async function presignGaiadSends(
  keys: TestKey[],
  accountNumbers: bigint[],
  perSender: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Uint8Array[]> {
  const registry = new Registry();
  registry.register("/cosmos.bank.v1beta1.MsgSend", MsgSend);
  const wallets = await Promise.all(keys.map((k) => DirectSecp256k1Wallet.fromKey(k.privateKey, "cosmos")));
  const pubkeys = keys.map((k) => encodePubkey(encodeSecp256k1Pubkey(k.publicKey)));
  const total = keys.length * perSender;
  const txs: Uint8Array[] = [];
  for (let seq = 0; seq < perSender; seq++) {
    for (let i = 0; i < keys.length; i++) {
      const from = gaiadAddress(keys[i]);
      const to = gaiadAddress(keys[(i + 1) % keys.length]);
      const bodyBytes = registry.encode({
        typeUrl: "/cosmos.tx.v1beta1.TxBody",
        value: { messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from, toAddress: to, amount: [{ denom: GAIAD_DENOM, amount: String(1 + seq) }] } }] },
      });
      const authInfoBytes = makeAuthInfoBytes([{ pubkey: pubkeys[i], sequence: seq }], [GAIAD_FEE], Number(GAIAD_GAS), undefined, undefined);
      const signDoc = makeSignDoc(bodyBytes, authInfoBytes, GAIAD_CHAIN_ID, accountNumbers[i]);
      const { signed, signature } = await wallets[i].signDirect(from, signDoc);
      txs.push(
        TxRaw.encode({ bodyBytes: signed.bodyBytes, authInfoBytes: signed.authInfoBytes, signatures: [Buffer.from(signature.signature, "base64")] }).finish(),
      );
      if (onProgress && txs.length % 500 === 0) onProgress(txs.length, total);
    }
  }
  return txs;
}
