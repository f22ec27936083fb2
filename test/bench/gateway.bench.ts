/**
 * The gateway's cost (docs/gateway.md): added latency per call against the same trivial upstream
 * called directly, in the same run, interleaved; and calls per second through the gateway with
 * many consumers (one escrow each, one call at a time each: the credit rule). The gateway runs in
 * a worker thread of its own (its own event loop, as in `blockai gateway`), the load generator
 * and the upstream on the main thread: "calls per gateway core-second" divides the calls served
 * by the CPU time of the gateway's threads (the worker and the threads started with it, e.g.
 * LevelDB's; Linux /proc/self/task), i.e. what one core running only the gateway would serve;
 * the worker's event-loop utilization and wall calls/s are reported beside it. Vouchers are signed
 * before timing (signing is the consumer's cost).
 * Two stores: LevelDB (each new voucher fsynced before its call is served, as `blockai gateway`
 * does) and in memory (the proxy and the checks alone). The chain side is a fixed escrow record.
 *   node dist/test/bench/gateway.bench.js [calls=2000]
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { sha256 } from "@noble/hashes/sha2.js";
import { signedVoucherToJson, signVoucher, voucherPublicKey } from "../../src/client";
import { Gateway, LevelVoucherStore, MemoryVoucherStore, createGatewayHttpServer, type GatewayChain, type GatewayEscrow, type VoucherStore } from "../../src/cli/gateway-server";
import { startUpstream } from "../helpers/openai-upstream";

const CHAIN = "bench-1";
const PRICE = 10n;
const UNITS_PER_CALL = 7n; // the trivial upstream's usage.total_tokens
const key = sha256(new TextEncoder().encode("gateway bench consumer"));

export interface GatewayBench {
  store: string;
  calls: number;
  directP50Ms: number;
  directP99Ms: number;
  gatewayP50Ms: number;
  gatewayP99Ms: number;
  addedP50Ms: number;
  addedP99Ms: number;
  /** Wall clock, load generator and upstream sharing the machine with the gateway. */
  callsPerSec: number;
  /** Calls served per CPU-second of the gateway's threads: one core running only the gateway. */
  callsPerGatewayCoreSec: number;
  /** How callsPerGatewayCoreSec was measured: thread CPU time, or event-loop busy time where /proc is missing. */
  gatewayCpuSource: "thread-cpu" | "event-loop";
  /** Share of the throughput phase the gateway's event loop was busy. */
  gatewayUtilization: number;
  concurrency: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function post(agent: http.Agent, url: URL, body: string, voucher?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
    if (voucher) headers["x-blockai-voucher"] = voucher;
    const req = http.request({ hostname: url.hostname, port: url.port, path: "/v1/chat/completions", method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(200) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Vouchers k = 0..n for one escrow: each pays for the k calls before it. */
function vouchers(escrowId: bigint, n: number): string[] {
  return Array.from({ length: n + 1 }, (_, k) =>
    JSON.stringify(signedVoucherToJson(signVoucher({ chainId: CHAIN, escrowId, cumulativeUnits: BigInt(k) * UNITS_PER_CALL, cumulativeAmount: BigInt(k) * UNITS_PER_CALL * PRICE }, key))),
  );
}

interface WorkerSetup {
  gatewayBench: true;
  upstream: string;
  concurrency: number;
  storeKind: "level" | "memory";
  dir: string;
}

/** The gateway thread: the same Gateway and HTTP server `blockai gateway` runs, over a fixed escrow table. */
async function gatewayWorker(setup: WorkerSetup): Promise<void> {
  const escrows = new Map<bigint, GatewayEscrow>();
  for (let i = 1n; i <= BigInt(setup.concurrency); i++) {
    escrows.set(i, { id: i, modelId: 1n, consumer: "soa1bench", consumerPublicKey: voucherPublicKey(key), deposit: 10n ** 15n, claimed: 0n, claimedUnits: 0n, expiryHeight: 10n ** 9n, status: "open", graceEndHeight: 0n, provider: "soa1provider" });
  }
  const chain: GatewayChain = { chainId: CHAIN, escrow: async (id) => escrows.get(id), height: () => 10n, claimGrace: () => 100n, othersCanClaimUnbound: () => false };
  const store: VoucherStore = setup.storeKind === "level" ? await LevelVoucherStore.open(setup.dir) : new MemoryVoucherStore();
  const gateway = new Gateway(
    { modelId: 1n, provider: "soa1provider", upstream: new URL(setup.upstream), pricePerUnit: PRICE, unit: "token", maxCallUnits: 4096n, unitsWithoutUsage: 1n, claimMarginBlocks: 20n, maxBodyBytes: 1 << 20, upstreamTimeoutMs: 30_000 },
    chain,
    store,
  );
  const server = createGatewayHttpServer(gateway);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  parentPort!.postMessage({ port: (server.address() as AddressInfo).port });
  parentPort!.once("message", async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await gateway.close();
    await store.close();
    parentPort!.postMessage({ closed: true });
  });
}

const TASKS = "/proc/self/task";
const threadIds = (): string[] => (fs.existsSync(TASKS) ? fs.readdirSync(TASKS) : []);

/** CPU seconds (user + system) of these threads; threads that ended count as 0 from then on. */
function threadCpuSeconds(tids: readonly string[]): number {
  let ticks = 0;
  for (const tid of tids) {
    try {
      // Fields after "(comm) ": state is [0], utime [11], stime [12] (proc(5)); clock ticks of 1/100 s.
      const fields = fs.readFileSync(`${TASKS}/${tid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the thread has ended
    }
  }
  return ticks / 100;
}

export async function benchGateway(calls = 2000, concurrency = 32, storeKind: "level" | "memory" = "level"): Promise<GatewayBench> {
  const upstream = await startUpstream({ words: 4 });
  const perConsumer = Math.ceil(calls / concurrency);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-gateway-bench-"));
  const setup: WorkerSetup = { gatewayBench: true, upstream: upstream.url, concurrency, storeKind, dir };
  const threadsBefore = new Set(threadIds());
  const worker = new Worker(__filename, { workerData: setup });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", (m: { port: number }) => resolve(m.port));
    worker.once("error", reject);
  });
  const gwUrl = new URL(`http://127.0.0.1:${port}`);
  const upUrl = new URL(upstream.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 });
  const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
  try {
    const all = new Map<bigint, string[]>();
    for (let id = 1n; id <= BigInt(concurrency); id++) all.set(id, vouchers(id, id === 1n ? calls + 200 : perConsumer + 50));
    // Latency: one call at a time, direct and through the gateway alternating (escrow 1).
    const v1 = all.get(1n)!;
    let k = 0;
    for (let i = 0; i < 100; i++) {
      await post(agent, upUrl, body);
      await post(agent, gwUrl, body, v1[k++]);
    }
    const direct: number[] = [];
    const through: number[] = [];
    for (let i = 0; i < calls; i++) {
      let t = performance.now();
      await post(agent, upUrl, body);
      direct.push(performance.now() - t);
      t = performance.now();
      await post(agent, gwUrl, body, v1[k++]);
      through.push(performance.now() - t);
    }
    // Throughput: `concurrency - 1` consumers, each its own escrow, one call at a time.
    const gatewayThreads = threadIds().filter((t) => !threadsBefore.has(t));
    const cpu0 = threadCpuSeconds(gatewayThreads);
    const elu0 = worker.performance.eventLoopUtilization();
    const t0 = performance.now();
    await Promise.all(
      [...all.keys()].filter((id) => id !== 1n).map(async (id) => {
        const vs = all.get(id)!;
        for (let i = 0; i < perConsumer; i++) await post(agent, gwUrl, body, vs[i]);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const elu = worker.performance.eventLoopUtilization(elu0);
    const cpu = threadCpuSeconds(gatewayThreads) - cpu0;
    const served = perConsumer * (concurrency - 1);
    return {
      store: storeKind,
      calls,
      directP50Ms: pct(direct, 50),
      directP99Ms: pct(direct, 99),
      gatewayP50Ms: pct(through, 50),
      gatewayP99Ms: pct(through, 99),
      addedP50Ms: pct(through, 50) - pct(direct, 50),
      addedP99Ms: pct(through, 99) - pct(direct, 99),
      callsPerSec: served / seconds,
      callsPerGatewayCoreSec: cpu > 0 ? served / cpu : served / (elu.active / 1000),
      gatewayCpuSource: cpu > 0 ? "thread-cpu" : "event-loop",
      gatewayUtilization: elu.utilization,
      concurrency: concurrency - 1,
    };
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => {
      worker.once("message", () => resolve());
      worker.once("exit", () => resolve());
      worker.postMessage("close");
    });
    await worker.terminate();
    await upstream.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread && (workerData as WorkerSetup | undefined)?.gatewayBench) {
  gatewayWorker(workerData as WorkerSetup).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

if (isMainThread && require.main === module) {
  const calls = Number(process.argv[2] ?? 2000);
  (async () => {
    for (const kind of ["memory", "level"] as const) console.log(JSON.stringify(await benchGateway(calls, 32, kind)));
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
