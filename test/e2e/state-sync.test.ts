import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { blockaiEntry } from "../../src/node/paths";
import { NodeInfo, startNode } from "../../src/node/network";
import { sleep, waitFor } from "../../src/node/process";
import { rpc, status } from "../../src/node/rpc";
import { setTomlValue } from "../../src/node/toml";
import { freePorts } from "../helpers/ports";
import { TestNetwork } from "../helpers/network";
import { broadcastSends } from "../helpers/sends";

jest.setTimeout(900_000);

const SNAPSHOT_INTERVAL = 100;
const JOIN_ABOVE = 500;

/**
 * A new node made with `blockai init --join` (genesis, peers and trust root from the running
 * nodes' RPC), added to the network's layout so that stopping the network stops it too.
 */
async function joinNode(net: TestNetwork, stateSync: boolean): Promise<NodeInfo> {
  const layout = net.layout;
  const index = layout.nodes.length;
  const [rpcPort, p2pPort] = await freePorts(2);
  const home = path.join(layout.dir, `node${index}`);
  execFileSync(process.execPath, [
    blockaiEntry(), "init", `node${index}`, "--home", home,
    "--join", `${layout.nodes[0].rpc},${layout.nodes[1].rpc}`,
    "--rpc-laddr", `tcp://127.0.0.1:${rpcPort}`, "--p2p-laddr", `tcp://127.0.0.1:${p2pPort}`,
    "--grpc-address", "", "--api-address", "", "--fast-blocks",
  ], { stdio: "pipe" });
  if (!stateSync) {
    const file = path.join(home, "config", "config.toml");
    fs.writeFileSync(file, setTomlValue(fs.readFileSync(file, "utf8"), "statesync", "enable", "false"));
  }
  const node: NodeInfo = { index, moniker: `node${index}`, home, rpc: `http://127.0.0.1:${rpcPort}`, p2p: `127.0.0.1:${p2pPort}`, grpc: "", abci: `unix://${path.resolve(home, "abci.sock")}` };
  layout.nodes.push(node);
  fs.writeFileSync(path.join(layout.dir, "network.json"), JSON.stringify(layout, null, 2) + "\n", { mode: 0o600 });
  return node;
}

/** Starts a joined node and waits until it has caught up with node0; returns the time taken. */
async function syncTime(net: TestNetwork, node: NodeInfo): Promise<{ ms: number; height: number }> {
  const t0 = Date.now();
  await startNode(net.layout, node.index);
  let height = 0;
  await waitFor(`${node.moniker} to catch up`, 600_000, async () => {
    const [mine, theirs] = await Promise.all([status(node.rpc), status(net.rpc)]);
    if (!mine.catchingUp && mine.height >= theirs.height - 1) {
      height = mine.height;
      return true;
    }
    return undefined;
  }, 100);
  return { ms: Date.now() - t0, height };
}

describe("state sync: a fifth node joins a running 4-validator localnet from a snapshot", () => {
  let net: TestNetwork;
  afterAll(async () => net?.stop());

  test(`joined above height ${JOIN_ABOVE} by state sync (no replay), then follows with identical app hashes`, async () => {
    net = await TestNetwork.start({
      nodes: 4,
      accounts: 2,
      checkInvariants: false,
      snapshotInterval: SNAPSHOT_INTERVAL,
      // Short rounds so that 500 blocks take minutes, not the localnet's ~4.
      tomlEdits: [["consensus", "timeout_commit", '"20ms"'], ["consensus", "timeout_propose", '"300ms"']],
    });
    // Some state beyond genesis: transfers spread over the run.
    const [a, b] = net.layout.accounts;
    let sent = 0;
    await waitFor(`height ${JOIN_ABOVE + 20}`, 800_000, async () => {
      const h = (await status(net.rpc)).height;
      if (sent < 10 && h > sent * 50) {
        await broadcastSends(net.layout.chainId, net.rpc, a, b.address, 3);
        sent++;
      }
      return h >= JOIN_ABOVE + 20 ? true : undefined;
    }, 500);
    const snapshotsAt = (await rpc(net.rpc, "status")).sync_info.latest_block_height;

    const synced = await joinNode(net, true);
    const bySnapshot = await syncTime(net, synced);
    const log = fs.readFileSync(path.join(synced.home, "app.log"), "utf8");
    const restored = /state sync: state restored height=(\d+)/.exec(log);
    expect(restored).not.toBeNull();
    const snapshotHeight = Number(restored![1]);
    expect(snapshotHeight).toBeGreaterThanOrEqual(JOIN_ABOVE);
    expect(snapshotHeight % SNAPSHOT_INTERVAL).toBe(0);
    // No replay: the node's block store starts after the snapshot height.
    const earliest = Number((await rpc(synced.rpc, "status")).sync_info.earliest_block_height);
    expect(earliest).toBeGreaterThan(snapshotHeight);

    // The same join without state sync replays every block from genesis.
    const replayed = await joinNode(net, false);
    const byReplay = await syncTime(net, replayed);
    expect(Number((await rpc(replayed.rpc, "status")).sync_info.earliest_block_height)).toBe(1);
    console.log(
      `state sync: node${synced.index} joined at height ${bySnapshot.height} from the snapshot of height ${snapshotHeight} ` +
        `in ${(bySnapshot.ms / 1000).toFixed(1)} s; node${replayed.index} replaying from genesis took ${(byReplay.ms / 1000).toFixed(1)} s ` +
        `(chain at ${snapshotsAt} when the join began)`,
    );

    // It follows: 20 more blocks, then the same app hash and block at every height it has.
    await broadcastSends(net.layout.chainId, net.rpc, a, b.address, 3);
    const top = (await status(net.rpc)).height + 20;
    await waitFor("20 more blocks on the joined node", 120_000, async () => ((await status(synced.rpc)).height >= top ? true : undefined), 200);
    await sleep(500);
    let compared = 0;
    for (let h = earliest; h <= top; h++) {
      const [mine, ref] = await Promise.all([rpc(synced.rpc, "block", { height: h }), rpc(net.rpc, "block", { height: h })]);
      expect({ h, app: mine.block.header.app_hash, id: mine.block_id.hash }).toEqual({ h, app: ref.block.header.app_hash, id: ref.block_id.hash });
      compared++;
    }
    const [infoMine, infoRef] = await Promise.all([rpc(synced.rpc, "abci_info"), rpc(net.rpc, "abci_info")]);
    expect(Number(infoMine.response.last_block_height)).toBeGreaterThanOrEqual(top);
    if (infoMine.response.last_block_height === infoRef.response.last_block_height) expect(infoMine.response.last_block_app_hash).toBe(infoRef.response.last_block_app_hash);
    console.log(`state sync: node${synced.index} matches node0 at all ${compared} heights ${earliest}..${top}`);
    expect(compared).toBeGreaterThanOrEqual(20);
  });
});
