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
import { readAppConfig, writeAppConfig } from "../../src/node/config";
import { APP_NODE_FLAGS, createNetwork, readPids, startNetwork, stopNetwork, waitForHeight } from "../../src/node/network";
import { cometbftBinary } from "../../src/node/paths";
import { isAlive, spawnLogged, stopPid, waitFor } from "../../src/node/process";
import { rpc, status } from "../../src/node/rpc";
import { setTomlValue } from "../../src/node/toml";
import { freePorts } from "../helpers/ports";
import { gaiadBinary, GaiadNode, presignGaiadSends, startGaiad } from "./gaiad";
import { benchKeys, percentile, presignSends, progress } from "./lib";
import type { ResultTemplate } from "./null-app";

export interface LoadResult {
  mode: string;
  sent: number;
  accepted: number;
  committed: number;
  committedTxPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Blocks that carried the load, their mean size and the mean time between them (header times, from the second). */
  blocks: number;
  txsPerBlock: number;
  blockIntervalMs: number;
  /** Cores used during the load (CPU seconds / wall seconds) by each process, and this generator. */
  cores: Record<string, number>;
  /** Txs not accepted, by reason (none expected). */
  refused: Record<string, number>;
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
 * Requests in flight at saturation. broadcast_tx_sync waits for CheckTx, so enough must be in
 * flight to keep CometBFT's mempool and the app busy; 256 did best of 64 to 1,024 for BLOCKAI.
 */
export const SATURATION_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
/** Broadcasts with broadcast_tx_sync; undefined when CheckTx accepted the tx, else why not. */
function broadcast(agent: http.Agent, endpoint: string, tx: Uint8Array): Promise<string | undefined> {
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
            if (parsed.error) resolve(`rpc: ${String(parsed.error.data ?? parsed.error.message).slice(0, 80)}`);
            else if (parsed.result?.code !== 0) resolve(`CheckTx code ${parsed.result?.codespace}/${parsed.result?.code}`);
            else resolve(undefined);
          } catch {
            resolve(`HTTP ${res.statusCode}`);
          }
        });
      },
    );
    req.on("error", (err) => resolve(`connection: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
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

  // Connections of this load only: a kept-alive one from an earlier load may be closed by the
  // node's idle timeout just as a request goes out on it (more so after the node was paused),
  // and a lost MsgSend would leave its sender's later sequences unacceptable.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(concurrency, 1) });
  let accepted = 0;
  const refused: Record<string, number> = {};
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
      const refusal = await broadcast(agent, target.rpc, tx);
      if (refusal === undefined) accepted++;
      else {
        sendTime.delete(hash);
        refused[refusal] = (refused[refusal] ?? 0) + 1;
      }
      if (i % 200 === 0) progress(`${mode}: sent ${i}/${target.txs.length}, accepted ${accepted}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();

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
    refused,
    blocks: blockTimes.length,
    txsPerBlock: blockTimes.length ? committed / blockTimes.length : 0,
    // From the second loaded block on: a block's time is when its predecessor was committed
    // (CometBFT's BFT time), which for the first one may be before the load (or a pause).
    blockIntervalMs: blockTimes.length > 2 ? (blockTimes[blockTimes.length - 1] - blockTimes[1]) / (blockTimes.length - 2) : NaN,
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
   * BLOCKAI / kvstore committed tx/s at saturation, per round. The chains run side by side and
   * each round loads one after the other, so a slow spell of this shared machine tends to hit
   * every load of a round; the median round is the reported ratio.
   */
  roundRatios: number[];
  /**
   * A second BLOCKAI node whose app.json sets index_events to WALLET_INDEX_EVENTS, loaded in the
   * same rounds: how much of CometBFT's cost is indexing the SDK's events. Not the target.
   */
  blockaiWalletIndex: LoadResult[];
  walletIndexRoundRatios: number[];
  /**
   * CometBFT with null-app.ts, a zero-cost app that answers every tx with the result BLOCKAI gave
   * a real MsgSend (same events), loaded in the same rounds: the most any application emitting
   * the SDK's events can reach here. Not the target.
   */
  ceiling: LoadResult[];
  ceilingRoundRatios: number[];
  /** kvstore as a separate process over a unix socket (needs bin/abci-cli, `make abci-cli`). */
  kvstoreSocket?: LoadResult;
  txBytes: number;
  /**
   * gaiad (gaiad.ts: Go, Cosmos SDK, same CometBFT settings and load), loaded right after BLOCKAI
   * in each round; BLOCKAI / gaiad committed tx/s at saturation per round. Absent without bin/gaiad.
   */
  gaiad?: { version: string; loads: LoadResult[]; roundRatios: number[]; txBytes: number; gasPerSend: number };
  /** Median gas_used of BLOCKAI's MsgSends in the last loaded block. */
  gasPerSend?: number;
}

/** Saturation rounds (BLOCKAI, then kvstore) in one bench run. */
export const E2E_ROUNDS = Math.max(1, Number(process.env.BENCH_E2E_ROUNDS ?? (process.env.BENCH_QUICK === "1" ? 1 : 3)));

/** What an RPC node serving wallets must index (README, Node configuration). */
export const WALLET_INDEX_EVENTS = ["message.sender", "message.action", "transfer.sender", "transfer.recipient", "tx.acc_seq", "tx.signature", "tx.fee_payer"];

interface BenchNode {
  endpoint: string;
  /** The processes to report CPU for, by name. */
  pids: Record<string, number>;
  /** Every process of the node, to pause while another node is under load. */
  all: number[];
  /** Stops its processes and removes its files, or keeps them (the logs) when `keep` is set. */
  stop(keep?: boolean): Promise<void>;
}

/** A single-validator BLOCKAI network with the bench accounts funded at genesis. */
async function startBlockai(
  keys: { address: string }[],
  label: string,
  indexEvents: string[] = [],
): Promise<BenchNode & { config: string; blockParams?: Record<string, unknown> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-bench-e2e-"));
  const [rpcPort, p2pPort, grpcPort] = await freePorts(3);
  const stop = async (keep = false) => {
    await stopNetwork(dir);
    if (keep) progress(`end to end: ${label}: logs kept in ${dir}/node0\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    progress(`end to end: starting ${label}`);
    const layout = await createNetwork({
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
    const home = layout.nodes[0].home;
    tuneConfig(home);
    writeAppConfig(home, { ...readAppConfig(home), index_events: indexEvents });
    await startNetwork(layout);
    const nodePids = readPids(dir)[0];
    await waitForHeight(layout, 2, 60_000);
    const pids = { app: nodePids.app!, cometbft: nodePids.comet! };
    const config = fs.readFileSync(path.join(home, "config", "config.toml"), "utf8");
    const blockParams = JSON.parse(fs.readFileSync(path.join(home, "config", "genesis.json"), "utf8")).consensus_params?.block;
    return { endpoint: layout.nodes[0].rpc, pids, all: [pids.app, pids.cometbft], stop, config, blockParams };
  } catch (e) {
    // Keep the node's logs: a failure here is worth reading.
    await stopNetwork(dir);
    throw new Error(`${label}: ${(e as Error).message} (node logs kept in ${dir}/node0)`);
  }
}

async function accountNumbersOf(endpoint: string, keys: { address: string }[]): Promise<bigint[]> {
  const { QueryAccountRequest, QueryAccountResponse } = await import("cosmjs-types/cosmos/auth/v1beta1/query");
  const { BaseAccount } = await import("cosmjs-types/cosmos/auth/v1beta1/auth");
  const out: bigint[] = [];
  for (const k of keys) {
    const res = await rpc(endpoint, "abci_query", {
      path: '"/cosmos.auth.v1beta1.Query/Account"',
      data: "0x" + Buffer.from(QueryAccountRequest.encode({ address: k.address }).finish()).toString("hex"),
    });
    const any = QueryAccountResponse.decode(Buffer.from(res.response.value, "base64")).account!;
    out.push(BaseAccount.decode(any.value).accountNumber);
  }
  return out;
}

/** What benchEndToEnd loads besides BLOCKAI. */
export interface E2eParts {
  /** The wallet-indexing BLOCKAI node, kvstore, the zero-cost app and kvstore over the socket. */
  baselines: boolean;
  /** gaiad, when bin/gaiad (`make gaiad`) is there. */
  gaiad: boolean;
}

/**
 * The fixed-rate load against each chain, then `rounds` saturation rounds, each loading BLOCKAI,
 * gaiad, BLOCKAI with index_events narrowed to what wallets need, kvstore and the zero-cost app
 * answering as BLOCKAI in turn (all up throughout, the ones not under load paused with SIGSTOP so
 * their empty blocks take no CPU), then kvstore over the ABCI socket.
 */
export async function benchEndToEnd(total: number, fixedRate: number, rounds = E2E_ROUNDS, parts: E2eParts = { baselines: true, gaiad: true }): Promise<E2eBench> {
  const senders = 500;
  const perSender = Math.ceil(total / senders);
  const n = senders * perSender;
  const keys = benchKeys(senders, "e2e");
  const nodes: BenchNode[] = [];
  const results: E2eBench = { blockai: [], kvstore: [], roundRatios: [], blockaiWalletIndex: [], walletIndexRoundRatios: [], ceiling: [], ceilingRoundRatios: [], txBytes: 0 };
  // kvstore txs of the same size, unique across every load.
  const kvTx = (i: number) => {
    const head = `bench${i}=`;
    return new TextEncoder().encode(head + "v".repeat(Math.max(1, results.txBytes - head.length)));
  };
  const kvTxs = (load: number) => Array.from({ length: n }, (_, i) => kvTx(load * n + i));
  const gaiadBin = parts.gaiad ? gaiadBinary() : undefined;
  if (parts.gaiad && !gaiadBin) progress("end to end: no bin/gaiad (`make gaiad`, or BENCH_NO_GAIAD is set): gaiad left out\n");
  let ourConfig: string | undefined;
  try {
    const blockai = await startBlockai(keys, "a BLOCKAI validator");
    nodes.push(blockai);
    ourConfig = blockai.config;
    const walletIndex = parts.baselines ? await startBlockai(keys, "a BLOCKAI validator indexing only what wallets need", WALLET_INDEX_EVENTS) : undefined;
    if (walletIndex) nodes.push(walletIndex);
    const kv = parts.baselines ? await startComet(ourConfig, "kvstore") : undefined;
    if (kv) nodes.push(kv);
    let gaiad: GaiadNode | undefined;
    if (gaiadBin) {
      gaiad = await startGaiad(gaiadBin, keys, blockai.config, blockai.blockParams);
      nodes.push(gaiad);
    }

    // Same genesis, so the same account numbers and the same signed txs are valid on both BLOCKAI nodes.
    const all = presignSends(keys, await accountNumbersOf(blockai.endpoint, keys), perSender * (1 + rounds), "bench-e2e", (d, t) =>
      progress(`end to end: signing ${d}/${t}`),
    );
    // Round-major order: set j holds sequences j*perSender..(j+1)*perSender-1 of every sender.
    const set = (j: number) => all.slice(j * n, (j + 1) * n);
    results.txBytes = Math.round(all.reduce((sum, t) => sum + t.length, 0) / all.length);
    const gaiadAll = gaiad
      ? await presignGaiadSends(keys, gaiad.accountNumbers, perSender * (1 + rounds), (d, t) => progress(`end to end: signing for gaiad (CosmJS) ${d}/${t}`))
      : [];
    const gaiadSet = (j: number) => gaiadAll.slice(j * n, (j + 1) * n);
    if (gaiad) {
      results.gaiad = {
        version: gaiad.version,
        loads: [],
        roundRatios: [],
        txBytes: Math.round(gaiadAll.reduce((sum, t) => sum + t.length, 0) / gaiadAll.length),
        gasPerSend: NaN,
      };
    }

    const on = async (node: BenchNode, txs: Uint8Array[], mode: string, rate: number) => {
      const others = nodes.filter((x) => x !== node).flatMap((x) => x.all);
      return whilePaused(others, () => runLoad({ rpc: node.endpoint, txs, pids: node.pids }, mode, rate));
    };
    results.blockai.push(await on(blockai, set(0), `BLOCKAI fixed ${fixedRate} tx/s`, fixedRate));
    if (gaiad) results.gaiad!.loads.push(await on(gaiad, gaiadSet(0), `gaiad fixed ${fixedRate} tx/s`, fixedRate));
    if (walletIndex) results.blockaiWalletIndex.push(await on(walletIndex, set(0), `BLOCKAI, index_events: wallets', fixed ${fixedRate} tx/s`, fixedRate));
    if (kv) results.kvstore.push(await on(kv, kvTxs(0), `kvstore fixed ${fixedRate} tx/s`, fixedRate));
    let ceiling: BenchNode | undefined;
    if (parts.baselines) {
      // The null app answers with what BLOCKAI answered for the fixed-rate load's MsgSends.
      const template = await resultTemplate(blockai.endpoint);
      ceiling = await startComet(ourConfig, "a zero-cost app answering as BLOCKAI (the ceiling)", nullAppProcess(template));
      nodes.push(ceiling);
      results.ceiling.push(await on(ceiling, set(0), `zero-cost app with BLOCKAI's results, fixed ${fixedRate} tx/s`, fixedRate));
    }
    for (let r = 1; r <= rounds; r++) {
      const b = await on(blockai, set(r), `BLOCKAI saturation, round ${r}`, 0);
      results.blockai.push(b);
      if (gaiad) {
        const g = await on(gaiad, gaiadSet(r), `gaiad saturation, round ${r}`, 0);
        results.gaiad!.loads.push(g);
        results.gaiad!.roundRatios.push(b.committedTxPerSec / g.committedTxPerSec);
      }
      if (walletIndex && kv && ceiling) {
        const w = await on(walletIndex, set(r), `BLOCKAI, index_events: wallets', saturation, round ${r}`, 0);
        const k = await on(kv, kvTxs(r), `kvstore saturation, round ${r}`, 0);
        const c = await on(ceiling, set(r), `zero-cost app with BLOCKAI's results, saturation, round ${r}`, 0);
        results.blockaiWalletIndex.push(w);
        results.kvstore.push(k);
        results.ceiling.push(c);
        results.roundRatios.push(b.committedTxPerSec / k.committedTxPerSec);
        results.walletIndexRoundRatios.push(w.committedTxPerSec / k.committedTxPerSec);
        results.ceilingRoundRatios.push(c.committedTxPerSec / k.committedTxPerSec);
      }
    }
    results.gasPerSend = await gasPerSend(blockai.endpoint);
    if (gaiad) results.gaiad!.gasPerSend = await gasPerSend(gaiad.endpoint);
  } catch (e) {
    // Keep the nodes' logs: a failure here is worth reading.
    for (const node of nodes.splice(0)) await node.stop(true);
    throw e;
  } finally {
    for (const node of nodes) await node.stop();
  }

  // kvstore as a separate process over the ABCI socket, as BLOCKAI runs: what the connection costs.
  const abciCli = path.join(path.dirname(cometbftBinary()), "abci-cli");
  if (parts.baselines && fs.existsSync(abciCli)) {
    const socketKv = await startComet(ourConfig, "kvstore over the ABCI socket", {
      command: abciCli,
      args: (address) => ["kvstore", "--address", address, "--log_level", "error"],
    });
    try {
      results.kvstoreSocket = await runLoad({ rpc: socketKv.endpoint, txs: kvTxs(rounds + 1), pids: socketKv.pids }, "kvstore over the ABCI socket saturation", 0);
    } finally {
      await socketKv.stop();
    }
  }
  return results;
}

/** Median gas_used of the MsgSends in the last block with txs of the chain at `endpoint`. */
async function gasPerSend(endpoint: string): Promise<number> {
  for (let h = (await status(endpoint)).height; h >= 1; h--) {
    const res = await rpc(endpoint, "block_results", { height: h });
    const gas = ((res.txs_results ?? []) as Array<{ code: number; gas_used: string }>).filter((t) => t.code === 0).map((t) => Number(t.gas_used));
    if (gas.length) return gas.sort((a, b) => a - b)[Math.floor((gas.length - 1) / 2)];
  }
  return NaN;
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

/** An ABCI application process for startComet: listens on the unix socket address it is given. */
interface AppProcess {
  command: string;
  /** Its arguments, given the address to listen on and the node's home directory. */
  args: (address: string, home: string) => string[];
}

/** The null app (null-app.ts, next to this file), answering with `template`. */
function nullAppProcess(template: ResultTemplate): AppProcess {
  return {
    command: process.execPath,
    args: (address, home) => {
      const file = path.join(home, "template.json");
      fs.writeFileSync(file, JSON.stringify(template));
      return [...APP_NODE_FLAGS, path.join(__dirname, "null-app.js"), address, file];
    },
  };
}

/** The result of a MsgSend and the block events, from the first block of the chain at `endpoint` with a tx. */
async function resultTemplate(endpoint: string): Promise<ResultTemplate> {
  const height = (await status(endpoint)).height;
  for (let h = 2; h <= height; h++) {
    const res = await rpc(endpoint, "block_results", { height: h });
    const tx = res.txs_results?.[0];
    if (tx) {
      if (tx.code !== 0) throw new Error(`the template tx at height ${h} failed: ${tx.log}`);
      return { tx, blockEvents: res.finalize_block_events ?? [] };
    }
  }
  throw new Error("no block with a tx to take the null app's template from");
}

/**
 * CometBFT, same binary, with the BLOCKAI node's consensus timeouts and the same mempool
 * settings, running its built-in kvstore app, or `app` as a separate process on a unix socket.
 */
async function startComet(ourConfig: string | undefined, label: string, app?: AppProcess): Promise<BenchNode> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-bench-kv-"));
  let comet: ChildProcess | undefined;
  let appChild: ChildProcess | undefined;
  const stop = async (keep = false) => {
    if (comet?.pid && isAlive(comet.pid)) await stopPid(comet.pid);
    if (appChild?.pid && isAlive(appChild.pid)) await stopPid(appChild.pid);
    if (keep) progress(`end to end: ${label}: logs kept in ${home}\n`);
    else fs.rmSync(home, { recursive: true, force: true });
  };
  try {
    progress(`end to end: starting CometBFT with ${label}`);
    execFileSync(cometbftBinary(), ["init", "--home", home], { stdio: "pipe" });
    if (ourConfig) {
      // Reuse the BLOCKAI node's consensus section verbatim (fast local block times).
      const file = path.join(home, "config", "config.toml");
      let toml = fs.readFileSync(file, "utf8");
      for (const key of ["timeout_propose", "timeout_propose_delta", "timeout_prevote", "timeout_prevote_delta", "timeout_precommit", "timeout_precommit_delta", "timeout_commit"]) {
        const m = new RegExp(`^${key} = (.*)$`, "m").exec(ourConfig);
        if (m) toml = setTomlValue(toml, "consensus", key, m[1]);
      }
      fs.writeFileSync(file, toml);
    }
    tuneConfig(home);
    let proxyApp = "kvstore";
    if (app) {
      const socket = path.join(home, "app.sock");
      proxyApp = `unix://${socket}`;
      appChild = spawnLogged(app.command, app.args(proxyApp, home), path.join(home, "app.log"));
      await waitFor(`${label}: the app to listen`, 30_000, () => (fs.existsSync(socket) ? true : undefined), 50);
    }
    const [kvRpc, kvP2p] = await freePorts(2);
    comet = spawnLogged(
      cometbftBinary(),
      ["start", "--home", home, "--proxy_app", proxyApp, "--rpc.laddr", `tcp://127.0.0.1:${kvRpc}`, "--p2p.laddr", `tcp://127.0.0.1:${kvP2p}`],
      path.join(home, "cometbft.log"),
    );
    const endpoint = `http://127.0.0.1:${kvRpc}`;
    await waitFor(`${label} to produce blocks`, 60_000, async () => ((await status(endpoint)).height >= 2 ? true : undefined), 200);
    const pids: Record<string, number> = { cometbft: comet.pid! };
    if (appChild) pids.app = appChild.pid!;
    return { endpoint, pids, all: Object.values(pids), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
