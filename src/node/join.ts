import * as fs from "node:fs";
import * as path from "node:path";
import { Genesis, genesisPath, writeGenesis } from "./home";
import { rpc } from "./rpc";
import { setTomlValue } from "./toml";

/**
 * What a fresh node needs to join a running chain by state sync, read from running nodes' RPC:
 * their genesis, their P2P addresses (as persistent peers), and a trusted height and block
 * hash for CometBFT's light client. The light client then verifies, from that trust root, the
 * header whose app hash every snapshot chunk is checked against (src/store/snapshot.ts).
 */
export interface JoinInfo {
  genesis: Genesis;
  peers: string[];
  rpcServers: string[];
  trustHeight: number;
  trustHash: string;
}

/**
 * Reads the join information from `rpcServers` (one or more CometBFT RPC URLs). The trust
 * height is the latest height minus `trustBack` (at least 1): recent enough to be within the
 * trust period, and a block the light client can verify snapshots forwards and backwards from.
 */
export async function fetchJoinInfo(rpcServers: readonly string[], trustBack = 1): Promise<JoinInfo> {
  if (rpcServers.length === 0) throw new Error("state sync needs at least one RPC server of the running chain");
  const genesis = (await rpc<{ genesis: Genesis }>(rpcServers[0], "genesis", {}, 10_000)).genesis;
  const peers: string[] = [];
  let latest = 0;
  for (const server of rpcServers) {
    const st = await rpc(server, "status", {}, 5000);
    if (st.node_info.network !== genesis.chain_id) throw new Error(`${server} is on chain ${st.node_info.network}, ${rpcServers[0]} on ${genesis.chain_id}`);
    const listen = String(st.node_info.listen_addr).replace(/^tcp:\/\//, "");
    // A node listening on all interfaces is reached on the host its RPC was reached on.
    const host = new URL(server).hostname;
    peers.push(`${st.node_info.id}@${listen.replace(/^0\.0\.0\.0:/, `${host}:`)}`);
    latest = Math.max(latest, Number(st.sync_info.latest_block_height));
  }
  const trustHeight = Math.max(1, latest - trustBack);
  const commit = await rpc(rpcServers[0], "commit", { height: trustHeight }, 5000);
  const trustHash = String(commit.signed_header.commit.block_id.hash);
  if (!/^[0-9A-F]{64}$/i.test(trustHash)) throw new Error(`${rpcServers[0]} returned no block hash for height ${trustHeight}`);
  return { genesis, peers, rpcServers: [...rpcServers], trustHeight, trustHash };
}

/**
 * Writes the join information into a home made by `initHome`: the chain's genesis replaces the
 * local one, the peers become persistent peers, and [statesync] is enabled with the trust root.
 * CometBFT wants two RPC servers (to cross-check the light client); one given is used twice.
 */
export function applyJoin(home: string, info: JoinInfo): void {
  writeGenesis(home, info.genesis);
  const file = path.join(home, "config", "config.toml");
  let toml = fs.readFileSync(file, "utf8");
  const servers = info.rpcServers.length >= 2 ? info.rpcServers : [info.rpcServers[0], info.rpcServers[0]];
  toml = setTomlValue(toml, "p2p", "persistent_peers", JSON.stringify(info.peers.join(",")));
  toml = setTomlValue(toml, "statesync", "enable", "true");
  toml = setTomlValue(toml, "statesync", "rpc_servers", JSON.stringify(servers.join(",")));
  toml = setTomlValue(toml, "statesync", "trust_height", String(info.trustHeight));
  toml = setTomlValue(toml, "statesync", "trust_hash", JSON.stringify(info.trustHash));
  // CometBFT sleeps discovery_time before it offers the first snapshot, however early the peers
  // answered (on a localnet within 0.2 s). 5 s is its floor: config validation refuses less than
  // 5 s but not 0, and 0 means "fail unless a snapshot is already known", which at start-up, before
  // the persistent peers are connected, stops state sync for good. The default is 15 s.
  toml = setTomlValue(toml, "statesync", "discovery_time", '"5s"');
  fs.writeFileSync(file, toml);
  if (!fs.existsSync(genesisPath(home))) throw new Error(`${genesisPath(home)} was not written`);
}
