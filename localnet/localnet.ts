/**
 * `make localnet`, `localnet-stop`, `localnet-status`, `localnet-reset`: a real network of
 * CometBFT + BLOCKAI validators on 127.0.0.1, under localnet/.data.
 *
 * Environment (for tests and for running several networks side by side):
 *   BLOCKAI_LOCALNET_DIR    data directory instead of localnet/.data
 *   BLOCKAI_LOCALNET_PORTS  comma-separated ports, four per node (rpc,p2p,grpc,rest) or three
 *                           (no REST), instead of 26657+100i / 26656+100i / 9090+i / 1317+i;
 *                           with it, node0 serves the dashboard only on
 *                           BLOCKAI_LOCALNET_DASHBOARD_PORT, if set
 *   BLOCKAI_LOCALNET_DASHBOARD_PORT  node0's dashboard port instead of 26680 ("0": none)
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import {
  NodePorts,
  createNetwork,
  localnetPorts,
  readLayout,
  runningPids,
  startNetwork,
  stopNetwork,
} from "../src/node/network";
import { writeChainInfo } from "../src/node/chain-info";
import { repoRoot } from "../src/node/paths";
import { Keyring } from "../src/cli/keyring";
import { isAlive, sleep } from "../src/node/process";
import { rpc, status } from "../src/node/rpc";

const DATA_DIR = process.env.BLOCKAI_LOCALNET_DIR ? path.resolve(process.env.BLOCKAI_LOCALNET_DIR) : path.join(repoRoot(), "localnet", ".data");
const LOCK_FILE = path.join(DATA_DIR, "localnet.lock");
const CHAIN_ID = "blockai-localnet";
const TEST_ACCOUNTS = 5;
const DEFAULT_NODES = 4;
/** Blocks come every ~0.3-0.5 s; height 3 on every node is reached in seconds unless something is wrong. */
const READY_HEIGHT = 3;
const READY_TIMEOUT_MS = 60_000;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

/** Short paths inside the current directory, absolute ones elsewhere. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === "" || rel.startsWith("..") ? p : rel;
}

function portsFor(nodes: number): (i: number) => NodePorts {
  const raw = process.env.BLOCKAI_LOCALNET_PORTS;
  const dashboardEnv = process.env.BLOCKAI_LOCALNET_DASHBOARD_PORT;
  const dashboard = dashboardEnv === undefined || dashboardEnv === "" ? undefined : Number(dashboardEnv);
  if (dashboard !== undefined && (!Number.isInteger(dashboard) || dashboard < 0 || dashboard > 65535)) {
    throw new Error(`BLOCKAI_LOCALNET_DASHBOARD_PORT must be a port (0: no dashboard), got "${dashboardEnv}"`);
  }
  const withDashboard = (p: NodePorts, i: number): NodePorts => {
    const { dashboard: fallback, ...rest } = p;
    const port = dashboard ?? fallback;
    return i === 0 && port !== undefined && port !== 0 ? { ...rest, dashboard: port } : rest;
  };
  if (!raw) return (i) => withDashboard(localnetPorts(i), i);
  const ports = raw.split(",").map((p) => Number(p.trim()));
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new Error(`BLOCKAI_LOCALNET_PORTS: "${raw}" is not a list of ports`);
  // Four per node (rpc,p2p,grpc,rest), or three (rpc,p2p,grpc: no REST).
  if (ports.length >= 4 * nodes) return (i) => withDashboard({ rpc: ports[4 * i], p2p: ports[4 * i + 1], grpc: ports[4 * i + 2], api: ports[4 * i + 3] }, i);
  if (ports.length < 3 * nodes) throw new Error(`BLOCKAI_LOCALNET_PORTS needs ${4 * nodes} ports (rpc,p2p,grpc,rest per node) or ${3 * nodes} (no REST), got "${raw}"`);
  return (i) => withDashboard({ rpc: ports[3 * i], p2p: ports[3 * i + 1], grpc: ports[3 * i + 2] }, i);
}

/** Fails early and clearly when a port is taken, instead of timing out on a node that cannot bind. */
async function checkPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === "EADDRINUSE" ? `port ${port} (${what}) is already in use on 127.0.0.1; stop whatever uses it first` : `port ${port} (${what}): ${e.message}`)),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/**
 * One `make localnet` at a time: a lock file holding our pid, created exclusively. A lock left by
 * a process that is gone is taken over.
 */
function acquireLock(): boolean {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(LOCK_FILE, String(process.pid), { flag: "wx" });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(fs.readFileSync(LOCK_FILE, "utf8"));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) return false;
      fs.rmSync(LOCK_FILE, { force: true });
    }
  }
  return false;
}

function releaseLock(): void {
  if (fs.existsSync(LOCK_FILE) && fs.readFileSync(LOCK_FILE, "utf8") === String(process.pid)) fs.rmSync(LOCK_FILE, { force: true });
}

/** Empties the data dir but keeps the lock we hold. */
function wipeData(): void {
  for (const entry of fs.readdirSync(DATA_DIR)) {
    if (path.join(DATA_DIR, entry) !== LOCK_FILE) fs.rmSync(path.join(DATA_DIR, entry), { recursive: true, force: true });
  }
}

async function waitUntilReady(layout: ReturnType<typeof readLayout>): Promise<void> {
  const started = Date.now();
  let line = "";
  for (;;) {
    const heights = await Promise.all(layout.nodes.map((n) => status(n.rpc).then((s) => s.height, () => -1)));
    if (heights.every((h) => h >= READY_HEIGHT)) break;
    if (Date.now() - started > READY_TIMEOUT_MS) {
      throw new Error(`not every node reached height ${READY_HEIGHT} within ${READY_TIMEOUT_MS / 1000} s (heights: ${heights.map((h) => (h < 0 ? "down" : h)).join(", ")})`);
    }
    const next = `waiting for every node to reach height ${READY_HEIGHT}: heights ${heights.map((h) => (h < 0 ? "-" : h)).join(", ")}`;
    if (next !== line) process.stdout.write(`${next}\n`);
    line = next;
    await sleep(250);
  }
}

async function start(nodes: number): Promise<number> {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 10) {
    console.error(`NODES must be between 1 and 10, got ${nodes}`);
    return 2;
  }
  if (!acquireLock()) {
    console.error(`Another 'make localnet' is starting a network in ${shown(DATA_DIR)} right now (lock ${shown(LOCK_FILE)}).`);
    return 1;
  }
  try {
    const running = runningPids(DATA_DIR);
    if (running.length > 0) {
      console.error(`A localnet is already running in ${shown(DATA_DIR)} (pids ${running.join(", ")}); not starting a second one.`);
      console.error(`See it with 'make localnet-status', stop it with 'make localnet-stop'.`);
      return 1;
    }
    const ports = portsFor(nodes);
    for (let i = 0; i < nodes; i++) {
      const p = ports(i);
      await checkPortFree(p.rpc, `node${i} RPC`);
      await checkPortFree(p.p2p, `node${i} P2P`);
      await checkPortFree(p.grpc, `node${i} gRPC`);
      if (p.dashboard !== undefined) await checkPortFree(p.dashboard, `node${i} dashboard`);
      if (p.api !== undefined) await checkPortFree(p.api, `node${i} REST`);
      if (p.appMetrics !== undefined) await checkPortFree(p.appMetrics, `node${i} app metrics`);
      if (p.cometMetrics !== undefined) await checkPortFree(p.cometMetrics, `node${i} CometBFT metrics`);
    }
    wipeData();
    console.log(`Creating a ${nodes}-validator network in ${shown(DATA_DIR)} ...`);
    const layout = await createNetwork({ dir: DATA_DIR, nodes, chainId: CHAIN_ID, accounts: TEST_ACCOUNTS, ports });
    // The test accounts and validator operators in a test keyring, so the CLI can sign right away:
    // blockai tx bank send account0 ... --home localnet/.data --keyring-backend test
    const keyring = Keyring.open(DATA_DIR, "test", async () => "");
    for (const a of [...layout.accounts, ...layout.operators]) await keyring.add(a.name, a.mnemonic);
    const t0 = Date.now();
    try {
      await startNetwork(layout);
      await waitUntilReady(layout);
    } catch (e) {
      console.error(`\nlocalnet failed to start: ${(e as Error).message}`);
      console.error(`logs: ${shown(DATA_DIR)}/node*/app.log and cometbft.log`);
      await stopNetwork(DATA_DIR);
      return 1;
    }
    console.log(`Every node is at height >= ${READY_HEIGHT} (${((Date.now() - t0) / 1000).toFixed(1)} s after start).\n`);
    const rows = [["node", "rpc", "p2p", "grpc", "rest", "home"]];
    for (const n of layout.nodes) rows.push([n.moniker, n.rpc, n.p2p, n.grpc, n.api ?? "-", shown(n.home)]);
    console.log(table(rows));
    const dashboard = layout.nodes.find((n) => n.dashboard)?.dashboard;
    if (dashboard) console.log(`\ndashboard: ${dashboard}`);
    console.log(`\nchain id: ${CHAIN_ID}`);
    const first = layout.nodes[0];
    if (first.api) {
      const files = writeChainInfo(DATA_DIR, { chainId: CHAIN_ID, rpc: first.rpc, rest: first.api, grpc: first.grpc });
      console.log(`wallet and registry metadata for node0: ${files.map(shown).join(", ")}`);
    }
    console.log(`test accounts (mnemonics): ${shown(path.join(DATA_DIR, "accounts.json"))}`);
    for (const a of layout.accounts) console.log(`  ${a.name}  ${a.address}`);
    console.log(`keyring with these accounts: --home ${shown(DATA_DIR)} --keyring-backend test`);
    console.log(`\nTry: npx blockai tx bank send account0 ${layout.accounts[1].address} 1.5SOA --home ${shown(DATA_DIR)} --keyring-backend test --node ${layout.nodes[layout.nodes.length - 1].rpc}`);
    console.log(`Stop with 'make localnet-stop'; status with 'make localnet-status'.`);
    return 0;
  } finally {
    releaseLock();
  }
}

async function showStatus(): Promise<number> {
  if (!fs.existsSync(path.join(DATA_DIR, "network.json"))) {
    console.log("No localnet has been created (run 'make localnet').");
    return 1;
  }
  const layout = readLayout(DATA_DIR);
  const rows = [["node", "rpc", "height", "peers", "catching up", "app hash"]];
  let up = 0;
  for (const n of layout.nodes) {
    try {
      const s = await status(n.rpc);
      const info = await rpc(n.rpc, "net_info");
      rows.push([n.moniker, n.rpc, String(s.height), String(info.n_peers), s.catchingUp ? "yes" : "no", s.appHash]);
      up++;
    } catch {
      rows.push([n.moniker, n.rpc, "down", "-", "-", "-"]);
    }
  }
  console.log(table(rows));
  console.log(`\n${up} of ${layout.nodes.length} nodes up; chain id ${layout.chainId}; data in ${shown(DATA_DIR)}`);
  return 0;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const nodesIdx = rest.indexOf("--nodes");
  // `make localnet` passes NODES; an empty NODES= means the default.
  const nodesArg = nodesIdx >= 0 ? rest[nodesIdx + 1] : undefined;
  const nodes = nodesArg === undefined || nodesArg === "" ? DEFAULT_NODES : Number(nodesArg);
  switch (command) {
    case "start":
      return start(nodes);
    case "stop": {
      const running = runningPids(DATA_DIR);
      await stopNetwork(DATA_DIR);
      console.log(running.length > 0 ? `Stopped ${running.length} processes.` : "No localnet processes were running.");
      return 0;
    }
    case "status":
      return showStatus();
    case "reset":
      await stopNetwork(DATA_DIR);
      fs.rmSync(DATA_DIR, { recursive: true, force: true });
      console.log("localnet data removed.");
      return 0;
    default:
      console.error("usage: localnet.js start|stop|status|reset [--nodes N]");
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`localnet: ${(e as Error).message}`);
    process.exit(1);
  },
);
