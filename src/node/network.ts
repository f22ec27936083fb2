import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import * as fs from "node:fs";
import * as path from "node:path";
import { BASE_DENOM } from "../types/coins";
import { LOCALNET_MATMUL_TARGET, LOCALNET_POW_TARGET, targetToHex } from "../modules/pow";
import { addGenesisValidator } from "./genesis-validators";
import { addGenesisAccount, Genesis, initHome, nodeId, readGenesis, writeGenesis } from "./home";
import { readAppConfig } from "./config";
import { blockaiEntry, cometbftBinary } from "./paths";
import { isAlive, isProcessOf, spawnLogged, stopPid, waitFor } from "./process";
import { status } from "./rpc";
import { setTomlValue } from "./toml";

export interface NodePorts {
  rpc: number;
  p2p: number;
  grpc: number;
  /** The node serves the dashboard on this port (app.json dashboard_address); absent: it does not. */
  dashboard?: number;
  /** REST gateway port; without one the node serves no REST. */
  api?: number;
  /** Prometheus ports of the app and of CometBFT; without them neither serves metrics. */
  appMetrics?: number;
  cometMetrics?: number;
}

export interface NetworkOptions {
  dir: string;
  nodes: number;
  chainId: string;
  /** Test accounts funded in genesis (their mnemonics go to accounts.json). */
  accounts: number;
  accountBalance?: bigint;
  ports: (index: number) => NodePorts;
  minimumGasPrices?: string;
  checkInvariants?: boolean;
  /** Extra edits to the genesis before it is copied to every node. */
  editGenesis?: (genesis: Genesis) => void;
  /**
   * Module parameters merged over the localnet defaults (LOCALNET_PARAMS), e.g.
   * `{ staking: { unbonding_time: "10s" }, slashing: { signed_blocks_window: "10" } }`.
   */
  params?: ParamsOverride;
  /** A state-sync snapshot every this many blocks on every node (default 100; 0 = none). */
  snapshotInterval?: number;
  /**
   * app.json state_cache_mb of node i (default 0: all state in memory). Test networks run a node
   * in bounded-cache mode beside nodes holding everything in memory, so any difference between
   * the two modes shows as an app hash mismatch.
   */
  stateCacheMb?: (index: number) => number;
  /** Extra config.toml settings for every node: [section, key, TOML literal], e.g. ["consensus", "timeout_commit", '"50ms"']. */
  tomlEdits?: ReadonlyArray<readonly [string, string, string]>;
}

/** Genesis parameter overrides per module (JSON as in the genesis, e.g. "60s", "0.5"). */
export type ParamsOverride = Partial<Record<"staking" | "slashing" | "distribution" | "gov" | "mint" | "rewards", Record<string, unknown>>>;

/**
 * Localnets and test networks use the public-network defaults except where time matters: stake
 * unbonds in 60 s instead of 21 days, liveness is judged over 20 blocks instead of 100 and a
 * downtime jail lasts 30 s instead of 10 min, so the whole staking life cycle runs in minutes. A
 * proposal gathers deposits for 60 s and is voted on for 30 s instead of 2 days each.
 */
export const LOCALNET_PARAMS: Required<ParamsOverride> = {
  staking: { unbonding_time: "60s" },
  slashing: { signed_blocks_window: "20", downtime_jail_duration: "30s" },
  distribution: {},
  gov: { max_deposit_period: "60s", voting_period: "30s", expedited_voting_period: "15s" },
  mint: {},
  rewards: {},
};

/** Merges parameter overrides into a genesis app_state (module sections must exist). */
export function applyParams(genesis: Genesis, ...overrides: Array<ParamsOverride | undefined>): void {
  for (const o of overrides) {
    for (const [module, params] of Object.entries(o ?? {})) {
      if (!params) continue;
      const section = (genesis.app_state[module] ??= {});
      section.params = { ...(section.params ?? {}), ...params };
    }
  }
}

export interface TestAccount {
  name: string;
  mnemonic: string;
  address: string;
}

export interface NodeInfo {
  index: number;
  moniker: string;
  home: string;
  rpc: string;
  p2p: string;
  grpc: string;
  /** REST gateway URL, when the node serves one. */
  api?: string;
  abci: string;
  /** The dashboard's URL when this node serves it. */
  dashboard?: string;
}

export interface NetworkLayout {
  dir: string;
  chainId: string;
  nodes: NodeInfo[];
  accounts: TestAccount[];
  /** Operator account of each validator, by node index. */
  operators: TestAccount[];
}

export interface NodePids {
  app?: number;
  comet?: number;
}

/** The localnet's dashboard, served by node0. */
export const LOCALNET_DASHBOARD_PORT = 26680;

/**
 * The port scheme of `make localnet`: node i at 26657+100i (RPC), 26656+100i (P2P), 9090+i (gRPC),
 * 1317+i (REST), 26660+100i (CometBFT's Prometheus metrics), 26661+100i (the app's); node0 serves
 * the dashboard at 26680.
 */
export function localnetPorts(i: number): NodePorts {
  return {
    rpc: 26657 + 100 * i,
    p2p: 26656 + 100 * i,
    grpc: 9090 + i,
    api: 1317 + i,
    cometMetrics: 26660 + 100 * i,
    appMetrics: 26661 + 100 * i,
    ...(i === 0 ? { dashboard: LOCALNET_DASHBOARD_PORT } : {}),
  };
}

/** Localnet validators serve state-sync snapshots every 100 blocks (about a minute at localnet speed). */
export const DEFAULT_LOCALNET_SNAPSHOT_INTERVAL = 100;

export const DEFAULT_ACCOUNT_BALANCE = 10n ** 13n;
/** Blocks per epoch on localnets and test networks. */
export const LOCALNET_EPOCH_LENGTH = 20n;
/** Each localnet validator bonds 100 SOA at genesis (voting power 100). */
export const VALIDATOR_SELF_DELEGATION = 100_000_000n;

/**
 * Writes a fresh network under opts.dir: one home per validator (CometBFT config and keys, the
 * app's config), a shared genesis with every validator and the funded test accounts, peers wired
 * to each other on 127.0.0.1, and accounts.json with the test mnemonics.
 */
export async function createNetwork(opts: NetworkOptions): Promise<NetworkLayout> {
  // It holds mnemonics (test keys, but the validators' operators among them): owner only.
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const nodes: NodeInfo[] = [];
  for (let i = 0; i < opts.nodes; i++) {
    const ports = opts.ports(i);
    const home = path.join(opts.dir, `node${i}`);
    const moniker = `node${i}`;
    const abci = `unix://${path.resolve(home, "abci.sock")}`;
    initHome({
      home,
      moniker,
      chainId: opts.chainId,
      rpcAddress: `tcp://127.0.0.1:${ports.rpc}`,
      p2pAddress: `tcp://127.0.0.1:${ports.p2p}`,
      fastBlocks: true,
      cometPrometheusAddress: ports.cometMetrics !== undefined ? `127.0.0.1:${ports.cometMetrics}` : undefined,
      app: {
        abci_address: abci,
        grpc_address: `127.0.0.1:${ports.grpc}`,
        api_enable: ports.api !== undefined,
        api_address: `127.0.0.1:${ports.api ?? 1317}`,
        prometheus_address: ports.appMetrics !== undefined ? `127.0.0.1:${ports.appMetrics}` : "",
        minimum_gas_prices: opts.minimumGasPrices ?? "0.025usoa",
        check_invariants: opts.checkInvariants ?? false,
        dashboard_address: ports.dashboard === undefined ? "" : `127.0.0.1:${ports.dashboard}`,
        snapshot_interval: opts.snapshotInterval ?? DEFAULT_LOCALNET_SNAPSHOT_INTERVAL,
        state_cache_mb: opts.stateCacheMb?.(i) ?? 0,
      },
    });
    // A development network's RPC answers pages of any origin, so the dashboard opened from a
    // static host (or a file) can read it directly; the node's own dashboard needs no CORS.
    const file = path.join(home, "config", "config.toml");
    let toml = setTomlValue(fs.readFileSync(file, "utf8"), "rpc", "cors_allowed_origins", '["*"]');
    for (const [section, key, value] of opts.tomlEdits ?? []) toml = setTomlValue(toml, section, key, value);
    fs.writeFileSync(file, toml);
    nodes.push({
      index: i,
      moniker,
      home,
      rpc: `http://127.0.0.1:${ports.rpc}`,
      p2p: `127.0.0.1:${ports.p2p}`,
      grpc: `127.0.0.1:${ports.grpc}`,
      ...(ports.api !== undefined ? { api: `http://127.0.0.1:${ports.api}` } : {}),
      abci,
      ...(ports.dashboard === undefined ? {} : { dashboard: `http://127.0.0.1:${ports.dashboard}/` }),
    });
  }

  // One genesis for all: node0's, with every node as a validator bonded by its own operator key.
  const genesis = readGenesis(nodes[0].home);
  genesis.validators = [];
  // Short epochs on localnets and test networks (~10 s at 0.5 s blocks) so epoch-driven behaviour
  // (usage records, PoW retargeting, rewards) is observable quickly.
  genesis.app_state.epochs = { ...genesis.app_state.epochs, params: { epoch_length: LOCALNET_EPOCH_LENGTH.toString() } };
  applyParams(genesis, LOCALNET_PARAMS, opts.params);
  const operators: TestAccount[] = [];
  for (const n of nodes) {
    const key = JSON.parse(fs.readFileSync(path.join(n.home, "config", "priv_validator_key.json"), "utf8"));
    const wallet = await DirectSecp256k1HdWallet.generate(24, { prefix: "soa" });
    const [{ address }] = await wallet.getAccounts();
    operators.push({ name: `${n.moniker}-operator`, mnemonic: wallet.mnemonic, address });
    addGenesisAccount(genesis, address, [{ denom: BASE_DENOM, amount: VALIDATOR_SELF_DELEGATION + DEFAULT_ACCOUNT_BALANCE }]);
    addGenesisValidator(genesis, {
      moniker: n.moniker,
      consensusAddress: key.address,
      consensusPubKey: key.pub_key,
      operatorAddress: address,
      selfDelegation: VALIDATOR_SELF_DELEGATION,
    });
  }
  const accounts: TestAccount[] = [];
  for (let i = 0; i < opts.accounts; i++) {
    const wallet = await DirectSecp256k1HdWallet.generate(24, { prefix: "soa" });
    const [{ address }] = await wallet.getAccounts();
    accounts.push({ name: `account${i}`, mnemonic: wallet.mnemonic, address });
    addGenesisAccount(genesis, address, [{ denom: BASE_DENOM, amount: opts.accountBalance ?? DEFAULT_ACCOUNT_BALANCE }]);
  }
  // Proof of work: an easy target, so `blockai mine` gets certificates in within seconds on one
  // core, and a retarget goal of about one certificate per block (epochs are short here).
  if (genesis.app_state.pow) {
    genesis.app_state.pow.target = targetToHex(LOCALNET_POW_TARGET);
    genesis.app_state.pow.matmul_target = targetToHex(LOCALNET_MATMUL_TARGET);
    genesis.app_state.pow.params = { ...genesis.app_state.pow.params, target_certs_per_epoch: LOCALNET_EPOCH_LENGTH.toString() };
  }
  opts.editGenesis?.(genesis);
  for (const n of nodes) writeGenesis(n.home, genesis);

  // Everyone peers with everyone (small networks only).
  const ids = nodes.map((n) => nodeId(n.home));
  for (const n of nodes) {
    const peers = nodes.filter((m) => m !== n).map((m) => `${ids[m.index]}@${m.p2p}`).join(",");
    const file = path.join(n.home, "config", "config.toml");
    fs.writeFileSync(file, setTomlValue(fs.readFileSync(file, "utf8"), "p2p", "persistent_peers", JSON.stringify(peers)));
  }
  const layout: NetworkLayout = { dir: opts.dir, chainId: opts.chainId, nodes, accounts, operators };
  fs.writeFileSync(path.join(opts.dir, "accounts.json"), JSON.stringify(accounts, null, 2) + "\n", { mode: 0o600 });
  fs.writeFileSync(path.join(opts.dir, "validators.json"), JSON.stringify(operators, null, 2) + "\n", { mode: 0o600 });
  fs.writeFileSync(path.join(opts.dir, "network.json"), JSON.stringify(layout, null, 2) + "\n", { mode: 0o600 });
  return layout;
}

export function readLayout(dir: string): NetworkLayout {
  return JSON.parse(fs.readFileSync(path.join(dir, "network.json"), "utf8")) as NetworkLayout;
}

function pidsFile(dir: string): string {
  return path.join(dir, "pids.json");
}

export function readPids(dir: string): NodePids[] {
  const f = pidsFile(dir);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, "utf8")) as NodePids[]) : [];
}

function writePids(dir: string, pids: NodePids[]): void {
  fs.writeFileSync(pidsFile(dir), JSON.stringify(pids, null, 2) + "\n");
}

/**
 * Node flags for an app process. A larger young generation: a tx allocates many short-lived
 * objects, and with V8's default (16 MB semi-spaces) garbage collection took 17% of the main
 * thread at saturation; 64 MB gave about 10% more committed tx/s end to end.
 */
export const APP_NODE_FLAGS = ["--max-semi-space-size=64"];

/**
 * The Node flags for an app with `state_cache_mb` = `stateCacheMb`. A node that bounds its memory
 * keeps V8's default young generation: the 64 MB semi-spaces stay committed after a collection,
 * and with 10^6 accounts and a 256 MB cache (bench/rss.ts) they added 195 MB to the resident size
 * after loading and 105 MB to the peak.
 */
export function appNodeFlags(stateCacheMb: number): string[] {
  return stateCacheMb > 0 ? [] : APP_NODE_FLAGS;
}

/** Starts one node's app, waits for its ABCI socket, then starts its CometBFT. */
export async function startNode(layout: NetworkLayout, index: number): Promise<NodePids> {
  const node = layout.nodes[index];
  // BLOCKAI_APP_NODE_ARGS passes more Node flags to the app processes (e.g. "--cpu-prof").
  const config = readAppConfig(node.home);
  const nodeArgs = [...appNodeFlags(config.state_cache_mb), ...(process.env.BLOCKAI_APP_NODE_ARGS ?? "").split(" ").filter(Boolean)];
  const app = spawnLogged(process.execPath, [...nodeArgs, blockaiEntry(), "start", "--home", node.home], path.join(node.home, "app.log"));
  const socket = config.abci_address.replace(/^unix:\/\//, "");
  await waitFor(`the app of ${node.moniker} to listen on ${socket}`, 30_000, () => {
    if (app.exitCode !== null) throw new Error(`app exited with code ${app.exitCode}; see ${path.join(node.home, "app.log")}`);
    return fs.existsSync(socket) ? true : undefined;
  });
  const comet = spawnLogged(cometbftBinary(), ["start", "--home", node.home], path.join(node.home, "cometbft.log"));
  const pids: NodePids = { app: app.pid, comet: comet.pid };
  const all = readPids(layout.dir);
  all[index] = pids;
  writePids(layout.dir, all);
  return pids;
}

/**
 * Starts only the CometBFT of a node whose app is still running (after CometBFT alone stopped or
 * was killed): the handshake then replays to the app whatever it has not committed.
 */
export function startComet(layout: NetworkLayout, index: number): number | undefined {
  const node = layout.nodes[index];
  const comet = spawnLogged(cometbftBinary(), ["start", "--home", node.home], path.join(node.home, "cometbft.log"));
  const all = readPids(layout.dir);
  all[index] = { ...all[index], comet: comet.pid };
  writePids(layout.dir, all);
  return comet.pid;
}

/** Stops one node's processes by pid (CometBFT first, so the app sees no half-sent block). */
export async function stopNode(layout: NetworkLayout, index: number, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
  const all = readPids(layout.dir);
  const pids = all[index];
  if (!pids) return;
  for (const pid of [pids.comet, pids.app]) {
    // A stale pid that now belongs to another process is never signalled.
    if (pid === undefined || !isProcessOf(pid, layout.nodes[index].home)) continue;
    if (signal === "SIGKILL") {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
      await waitFor(`pid ${pid} to exit`, 10_000, () => (isAlive(pid) ? undefined : true), 20);
    } else {
      await stopPid(pid);
    }
  }
  all[index] = {};
  writePids(layout.dir, all);
}

export async function startNetwork(layout: NetworkLayout): Promise<void> {
  for (let i = 0; i < layout.nodes.length; i++) await startNode(layout, i);
}

export async function stopNetwork(dir: string): Promise<void> {
  if (!fs.existsSync(pidsFile(dir))) return;
  const layout = readLayout(dir);
  for (let i = 0; i < layout.nodes.length; i++) await stopNode(layout, i);
  fs.rmSync(pidsFile(dir), { force: true });
}

export function runningPids(dir: string): number[] {
  const homes = fs.existsSync(path.join(dir, "network.json")) ? readLayout(dir).nodes.map((n) => n.home) : [];
  return readPids(dir).flatMap((p, i) =>
    [p?.app, p?.comet].filter((pid): pid is number => pid !== undefined && (homes[i] ? isProcessOf(pid, homes[i]) : isAlive(pid))),
  );
}

/** Waits until every node reports at least `height`. */
export async function waitForHeight(layout: NetworkLayout, height: number, timeoutMs = 60_000): Promise<void> {
  for (const n of layout.nodes) {
    await waitFor(`${n.moniker} to reach height ${height}`, timeoutMs, async () => {
      const s = await status(n.rpc);
      return s.height >= height ? true : undefined;
    }, 200);
  }
}

