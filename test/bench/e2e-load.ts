/**
 * End-to-end load: pre-signed transactions broadcast to a real single-validator network, at a
 * fixed rate and at saturation, measuring committed tx/s and broadcast-to-commit latency. The
 * same generator with transactions of the same size runs against CometBFT's built-in kvstore
 * app, from the same binary on the same machine, as the ceiling for any ABCI application.
 */
import { ChildProcess, execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { createNetwork, NetworkLayout, readPids, startNetwork, stopNetwork, waitForHeight } from "../../src/node/network";
import { cometbftBinary } from "../../src/node/paths";
import { isAlive, spawnLogged, stopPid, waitFor } from "../../src/node/process";
import { rpc, status } from "../../src/node/rpc";
import { setTomlValue } from "../../src/node/toml";
import { freePorts } from "../helpers/ports";
import { benchKeys, percentile, presignSends, progress } from "./lib";

export interface LoadResult {
  mode: string;
  sent: number;
  accepted: number;
  committed: number;
  committedTxPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Blocks that carried the load, their mean size and the mean time between them (header times). */
  blocks: number;
  txsPerBlock: number;
  blockIntervalMs: number;
  /** Cores used during the load (CPU seconds / wall seconds) by each process, and this generator. */
  cores: Record<string, number>;
}

/** CPU seconds (user + system, every thread) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ)
  } catch {
    return NaN;
  }
}

interface Target {
  rpc: string;
  /** Transactions to send, already encoded. */
  txs: Uint8Array[];
  /** Processes whose CPU use is reported, by name. */
  pids: Record<string, number>;
}

/**
 * Requests in flight at saturation. broadcast_tx_sync waits for CheckTx, and CometBFT's socket
 * client flushes CheckTx requests to an out-of-process app on a 20 ms timer (kvstore runs in
 * process and has no such wait), so too few in flight would measure that timer, not the app.
 */
export const SATURATION_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
const agent = new http.Agent({ keepAlive: true, maxSockets: SATURATION_CONCURRENCY });

function broadcast(endpoint: string, tx: Uint8Array): Promise<boolean> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "broadcast_tx_sync", params: { tx: Buffer.from(tx).toString("base64") } });
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: "POST", path: "/", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (data += c));
        res.on("end", () => {
          try {
            const parsed = JSON.parse(data);
            resolve(!parsed.error && parsed.result?.code === 0);
          } catch {
            resolve(false);
          }
        });
      },
    );
    req.on("error", () => resolve(false));
    req.end(body);
  });
}

/**
 * Sends every tx (at `rate` tx/s, or as fast as `concurrency` in-flight requests allow when rate
 * is 0), while a poller notes the local time each new height is first seen; then matches tx
 * hashes to blocks.
 */
export async function runLoad(target: Target, mode: string, rate: number, concurrency = SATURATION_CONCURRENCY): Promise<LoadResult> {
  const sendTime = new Map<string, number>();
  const seenAt = new Map<number, number>();
  const startHeight = (await status(target.rpc)).height;
  let polling = true;
  const poller = (async () => {
    let last = startHeight;
    while (polling) {
      try {
        const h = (await status(target.rpc)).height;
        for (let x = last + 1; x <= h; x++) seenAt.set(x, performance.now());
        last = Math.max(last, h);
      } catch {
        /* keep polling */
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  let accepted = 0;
  let next = 0;
  const cpuBefore = Object.fromEntries(Object.entries(target.pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const selfBefore = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= target.txs.length) return;
      if (rate > 0) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const tx = target.txs[i];
      const hash = crypto.createHash("sha256").update(tx).digest("hex").toUpperCase();
      sendTime.set(hash, performance.now());
      if (await broadcast(target.rpc, tx)) accepted++;
      else sendTime.delete(hash);
      if (i % 200 === 0) progress(`${mode}: sent ${i}/${target.txs.length}, accepted ${accepted}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  // Wait until every accepted tx is in a block (or nothing new arrives for 20 s).
  const latencies: number[] = [];
  let committed = 0;
  let lastCommitAt = t0;
  let scanned = startHeight;
  let idleSince = performance.now();
  const blockTimes: number[] = [];
  while (committed < accepted && performance.now() - idleSince < 20_000) {
    const h = (await status(target.rpc)).height;
    for (let x = scanned + 1; x <= h; x++) {
      const block = (await rpc(target.rpc, "block", { height: x })).block;
      const seen = seenAt.get(x) ?? performance.now();
      if ((block.data.txs ?? []).length > 0) blockTimes.push(Date.parse(block.header.time));
      for (const b64 of block.data.txs ?? []) {
        const hash = crypto.createHash("sha256").update(Buffer.from(b64, "base64")).digest("hex").toUpperCase();
        const sent = sendTime.get(hash);
        if (sent === undefined) continue;
        latencies.push(seen - sent);
        committed++;
        lastCommitAt = Math.max(lastCommitAt, seen);
        idleSince = performance.now();
      }
      scanned = x;
    }
    progress(`${mode}: committed ${committed}/${accepted}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const wallSeconds = (lastCommitAt - t0) / 1000;
  const cores: Record<string, number> = {};
  for (const [name, pid] of Object.entries(target.pids)) cores[name] = (cpuSeconds(pid) - cpuBefore[name]) / wallSeconds;
  const self = process.cpuUsage(selfBefore);
  cores.generator = (self.user + self.system) / 1e6 / wallSeconds;
  polling = false;
  await poller;
  latencies.sort((a, b) => a - b);
  return {
    mode,
    sent: target.txs.length,
    accepted,
    committed,
    committedTxPerSec: (committed * 1000) / (lastCommitAt - t0),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cores,
    blocks: blockTimes.length,
    txsPerBlock: blockTimes.length ? committed / blockTimes.length : 0,
    blockIntervalMs: blockTimes.length > 1 ? (blockTimes[blockTimes.length - 1] - blockTimes[0]) / (blockTimes.length - 1) : NaN,
  };
}

/** Config shared by both chains so only the application differs. */
function tuneConfig(home: string): void {
  const file = path.join(home, "config", "config.toml");
  let toml = fs.readFileSync(file, "utf8");
  toml = setTomlValue(toml, "mempool", "size", "100000");
  toml = setTomlValue(toml, "mempool", "cache_size", "200000");
  toml = setTomlValue(toml, "rpc", "max_open_connections", "2000");
  fs.writeFileSync(file, toml);
}

export interface E2eBench {
  /** The fixed-rate load, then one saturation load per round. */
  blockai: LoadResult[];
  /** The same for kvstore in process. */
  kvstore: LoadResult[];
  /**
   * BLOCKAI / kvstore committed tx/s at saturation, per round. Both chains run side by side and
   * each round loads one and then the other, so a slow spell of this shared machine tends to hit
   * both loads of a round; the median round is the reported ratio.
   */
  roundRatios: number[];
  /** kvstore as a separate process over a unix socket (needs bin/abci-cli, `make abci-cli`). */
  kvstoreSocket?: LoadResult;
  txBytes: number;
}

/** Saturation rounds (BLOCKAI, then kvstore) in one bench run. */
export const E2E_ROUNDS = Math.max(1, Number(process.env.BENCH_E2E_ROUNDS ?? (process.env.BENCH_QUICK === "1" ? 1 : 3)));

/**
 * The fixed-rate load against BLOCKAI and kvstore, then `rounds` saturation rounds alternating
 * between them (both chains up throughout; the idle one's CPU is reported with each load), then
 * kvstore over the ABCI socket.
 */
export async function benchEndToEnd(total: number, fixedRate: number, rounds = E2E_ROUNDS): Promise<E2eBench> {
  const senders = 500;
  const perSender = Math.ceil(total / senders);
  const n = senders * perSender;
  const keys = benchKeys(senders, "e2e");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-bench-e2e-"));
  const [rpcPort, p2pPort, grpcPort] = await freePorts(3);
  let layout: NetworkLayout | undefined;
  let kv: KvstoreNode | undefined;
  let ourConfig: string | undefined;
  const results: E2eBench = { blockai: [], kvstore: [], roundRatios: [], txBytes: 0 };
  // kvstore txs of the same size, unique across every load.
  const kvTx = (i: number) => {
    const head = `bench${i}=`;
    return new TextEncoder().encode(head + "v".repeat(Math.max(1, results.txBytes - head.length)));
  };
  const kvTxs = (load: number) => Array.from({ length: n }, (_, i) => kvTx(load * n + i));
  try {
    progress("end to end: starting a BLOCKAI validator");
    layout = await createNetwork({
      dir,
      nodes: 1,
      chainId: "bench-e2e",
      accounts: 0,
      ports: () => ({ rpc: rpcPort, p2p: p2pPort, grpc: grpcPort }),
      editGenesis: (g) => {
        const balances = g.app_state.bank.balances as Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>;
        for (const k of keys) balances.push({ address: k.address, coins: [{ denom: "usoa", amount: "1000000000000" }] });
      },
    });
    tuneConfig(layout.nodes[0].home);
    ourConfig = fs.readFileSync(path.join(layout.nodes[0].home, "config", "config.toml"), "utf8");
    await startNetwork(layout);
    const nodePids = readPids(dir)[0];
    const pids = { app: nodePids.app!, cometbft: nodePids.comet! };
    await waitForHeight(layout, 2, 60_000);
    const endpoint = layout.nodes[0].rpc;
    const accountNumbers: bigint[] = [];
    for (const k of keys) {
      const { QueryAccountRequest, QueryAccountResponse } = await import("cosmjs-types/cosmos/auth/v1beta1/query");
      const { BaseAccount } = await import("cosmjs-types/cosmos/auth/v1beta1/auth");
      const res = await rpc(endpoint, "abci_query", {
        path: '"/cosmos.auth.v1beta1.Query/Account"',
        data: "0x" + Buffer.from(QueryAccountRequest.encode({ address: k.address }).finish()).toString("hex"),
      });
      const any = QueryAccountResponse.decode(Buffer.from(res.response.value, "base64")).account!;
      accountNumbers.push(BaseAccount.decode(any.value).accountNumber);
    }
    const all = presignSends(keys, accountNumbers, perSender * (1 + rounds), "bench-e2e", (d, t) => progress(`end to end: signing ${d}/${t}`));
    // Round-major order: set j holds sequences j*perSender..(j+1)*perSender-1 of every sender.
    const set = (j: number) => all.slice(j * n, (j + 1) * n);
    results.txBytes = Math.round(all.reduce((sum, t) => sum + t.length, 0) / all.length);

    kv = await startKvstore(ourConfig, "kvstore");
    const kvNode = kv;
    // The chain not under load is paused (SIGSTOP), so its empty blocks take no CPU from the other.
    const onBlockai = (txs: Uint8Array[], mode: string, rate: number) => whilePaused([kvNode.pid], () => runLoad({ rpc: endpoint, txs, pids }, mode, rate));
    const onKvstore = (txs: Uint8Array[], mode: string, rate: number) =>
      whilePaused([pids.app, pids.cometbft], () => runLoad({ rpc: kvNode.endpoint, txs, pids: kvNode.pids }, mode, rate));
    results.blockai.push(await onBlockai(set(0), `BLOCKAI fixed ${fixedRate} tx/s`, fixedRate));
    results.kvstore.push(await onKvstore(kvTxs(0), `kvstore fixed ${fixedRate} tx/s`, fixedRate));
    for (let r = 1; r <= rounds; r++) {
      const b = await onBlockai(set(r), `BLOCKAI saturation, round ${r}`, 0);
      const k = await onKvstore(kvTxs(r), `kvstore saturation, round ${r}`, 0);
      results.blockai.push(b);
      results.kvstore.push(k);
      results.roundRatios.push(b.committedTxPerSec / k.committedTxPerSec);
    }
  } catch (e) {
    // Keep the node's logs: a failure here is worth reading.
    await kv?.stop();
    await stopNetwork(dir);
    throw new Error(`${(e as Error).message} (node logs kept in ${dir}/node0)`);
  } finally {
    await kv?.stop();
    await stopNetwork(dir);
  }
  fs.rmSync(dir, { recursive: true, force: true });

  // kvstore as a separate process over the ABCI socket, as BLOCKAI runs: what the connection costs.
  const abciCli = path.join(path.dirname(cometbftBinary()), "abci-cli");
  if (fs.existsSync(abciCli)) {
    const socketKv = await startKvstore(ourConfig, "kvstore over the ABCI socket", abciCli);
    try {
      results.kvstoreSocket = await runLoad({ rpc: socketKv.endpoint, txs: kvTxs(rounds + 1), pids: socketKv.pids }, "kvstore over the ABCI socket saturation", 0);
    } finally {
      await socketKv.stop();
    }
  }
  return results;
}

/** Runs `fn` with the processes `pids` stopped (SIGSTOP), continuing them afterwards in any case. */
async function whilePaused<T>(pids: number[], fn: () => Promise<T>): Promise<T> {
  for (const pid of pids) process.kill(pid, "SIGSTOP");
  try {
    return await fn();
  } finally {
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, "SIGCONT");
  }
}

interface KvstoreNode {
  endpoint: string;
  /** CometBFT's pid (kvstore runs in it, or in abci-cli). */
  pid: number;
  /** The processes to report CPU for: cometbft, and the app when it is separate. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * CometBFT with its kvstore app, same binary, the BLOCKAI node's consensus timeouts and the same
 * mempool settings: built into the cometbft process, or with `abciCli` as a separate process on a
 * unix socket.
 */
async function startKvstore(ourConfig: string | undefined, label: string, abciCli?: string): Promise<KvstoreNode> {
  const kvHome = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-bench-kv-"));
  let comet: ChildProcess | undefined;
  let app: ChildProcess | undefined;
  const stop = async () => {
    if (comet?.pid && isAlive(comet.pid)) await stopPid(comet.pid);
    if (app?.pid && isAlive(app.pid)) await stopPid(app.pid);
    fs.rmSync(kvHome, { recursive: true, force: true });
  };
  try {
    progress(`end to end: starting CometBFT's ${label}`);
    execFileSync(cometbftBinary(), ["init", "--home", kvHome], { stdio: "pipe" });
    if (ourConfig) {
      // Reuse the BLOCKAI node's consensus section verbatim (fast local block times).
      const file = path.join(kvHome, "config", "config.toml");
      let toml = fs.readFileSync(file, "utf8");
      for (const key of ["timeout_propose", "timeout_propose_delta", "timeout_prevote", "timeout_prevote_delta", "timeout_precommit", "timeout_precommit_delta", "timeout_commit"]) {
        const m = new RegExp(`^${key} = (.*)$`, "m").exec(ourConfig);
        if (m) toml = setTomlValue(toml, "consensus", key, m[1]);
      }
      fs.writeFileSync(file, toml);
    }
    tuneConfig(kvHome);
    let proxyApp = "kvstore";
    if (abciCli) {
      const socket = path.join(kvHome, "kvstore.sock");
      proxyApp = `unix://${socket}`;
      app = spawnLogged(abciCli, ["kvstore", "--address", proxyApp, "--log_level", "error"], path.join(kvHome, "kvstore.log"));
      await waitFor("abci-cli kvstore to listen", 30_000, () => (fs.existsSync(socket) ? true : undefined), 50);
    }
    const [kvRpc, kvP2p] = await freePorts(2);
    comet = spawnLogged(
      cometbftBinary(),
      ["start", "--home", kvHome, "--proxy_app", proxyApp, "--rpc.laddr", `tcp://127.0.0.1:${kvRpc}`, "--p2p.laddr", `tcp://127.0.0.1:${kvP2p}`],
      path.join(kvHome, "cometbft.log"),
    );
    const endpoint = `http://127.0.0.1:${kvRpc}`;
    await waitFor(`${label} to produce blocks`, 60_000, async () => ((await status(endpoint)).height >= 2 ? true : undefined), 200);
    const pids: Record<string, number> = { cometbft: comet.pid! };
    if (app) pids.app = app.pid!;
    return { endpoint, pid: comet.pid!, pids, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
