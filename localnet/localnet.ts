/**
 * `make localnet`, `localnet-stop`, `localnet-status`, `localnet-reset`: a real network of
 * CometBFT + BLOCKAI validators on 127.0.0.1, under localnet/.data.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  createNetwork,
  localnetPorts,
  readLayout,
  runningPids,
  startNetwork,
  stopNetwork,
  waitForHeight,
} from "../src/node/network";
import { repoRoot } from "../src/node/paths";
import { rpc, status } from "../src/node/rpc";

const DATA_DIR = path.join(repoRoot(), "localnet", ".data");
const CHAIN_ID = "blockai-localnet";
const TEST_ACCOUNTS = 5;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

async function start(nodes: number): Promise<number> {
  const running = runningPids(DATA_DIR);
  if (running.length > 0) {
    console.error(`A localnet is already running (pids ${running.join(", ")}). Stop it with 'make localnet-stop' first.`);
    return 1;
  }
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 10) {
    console.error(`NODES must be between 1 and 10, got ${nodes}`);
    return 1;
  }
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  console.log(`Creating a ${nodes}-validator network in ${path.relative(process.cwd(), DATA_DIR) || DATA_DIR} ...`);
  const layout = await createNetwork({ dir: DATA_DIR, nodes, chainId: CHAIN_ID, accounts: TEST_ACCOUNTS, ports: localnetPorts });
  try {
    await startNetwork(layout);
    process.stdout.write("Waiting for every node to reach height 3 ...");
    await waitForHeight(layout, 3, 90_000);
    process.stdout.write(" done\n\n");
  } catch (e) {
    console.error(`\nlocalnet failed to start: ${(e as Error).message}`);
    console.error(`logs: ${DATA_DIR}/node*/app.log and cometbft.log`);
    await stopNetwork(DATA_DIR);
    return 1;
  }
  const rows = [["node", "rpc", "p2p", "grpc", "abci", "home"]];
  for (const n of layout.nodes) {
    rows.push([n.moniker, n.rpc, n.p2p, n.grpc, n.abci.replace(`unix://${DATA_DIR}/`, "unix://"), path.relative(process.cwd(), n.home)]);
  }
  console.log(table(rows));
  console.log(`\nchain id: ${CHAIN_ID}`);
  console.log(`test accounts (mnemonics): ${path.relative(process.cwd(), path.join(DATA_DIR, "accounts.json"))}`);
  for (const a of layout.accounts) console.log(`  ${a.name}  ${a.address}`);
  console.log(`\nStop with 'make localnet-stop'; status with 'make localnet-status'.`);
  return 0;
}

async function showStatus(): Promise<number> {
  if (!fs.existsSync(path.join(DATA_DIR, "network.json"))) {
    console.log("No localnet has been created (run 'make localnet').");
    return 1;
  }
  const layout = readLayout(DATA_DIR);
  const rows = [["node", "rpc", "height", "peers", "app hash"]];
  for (const n of layout.nodes) {
    try {
      const s = await status(n.rpc);
      const net = await rpc(n.rpc, "net_info");
      rows.push([n.moniker, n.rpc, String(s.height), String(net.n_peers), s.appHash]);
    } catch {
      rows.push([n.moniker, n.rpc, "down", "-", "-"]);
    }
  }
  console.log(table(rows));
  return 0;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const nodesIdx = rest.indexOf("--nodes");
  const nodes = nodesIdx >= 0 ? Number(rest[nodesIdx + 1]) : 1;
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
