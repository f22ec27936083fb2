import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { AbciServer } from "../abci";
import { BlockaiApp } from "../app/app";
import { parseDecCoins } from "../types/coins";
import { createLogger, Logger } from "../app/logger";
import { ChainServices } from "../grpc/chain-services";
import { appHandlers } from "../grpc/handlers";
import { protoRoot } from "../grpc/protos";
import { RestGateway, RestServer } from "../grpc/rest";
import { GrpcQueryServer } from "../grpc/server";
import { AppMetrics } from "../app/metrics";
import { MetricsServer } from "../node/metrics-server";
import { AppConfig, appDataDir, readAppConfig, snapshotDir } from "../node/config";
import { DashboardServer } from "../node/dashboard-server";
import { genesisPath, readGenesis } from "../node/home";
import { cometbftBinary } from "../node/paths";
import { sleep } from "../node/process";
import { status } from "../node/rpc";
import { getTomlValue } from "../node/toml";
import { Progress } from "./output";

export interface StartOptions {
  home: string;
  withComet: boolean;
  abciAddress?: string;
  /** Overrides api_enable of app.json (the --api.enable flag). */
  apiEnable?: boolean;
}

/** LevelDB allows one process per database: a second `start` on a home fails here, clearly. */
export async function openAppState(home: string, config: AppConfig, logger: Logger, metrics?: AppMetrics): Promise<BlockaiApp> {
  const dataDir = appDataDir(home);
  try {
    return await BlockaiApp.open({
      dataDir,
      minGasPrices: parseDecCoins(config.minimum_gas_prices),
      logger,
      checkInvariants: config.check_invariants,
      invariantsFullEvery: config.invariants_full_every,
      verifyThreads: config.verify_threads,
      verifyThreadsNice: config.verify_threads_nice,
      indexEvents: config.index_events,
      metrics,
      snapshots: { dir: snapshotDir(home), interval: config.snapshot_interval, keepRecent: config.snapshot_keep_recent },
      stateCacheBytes: config.state_cache_mb * 1024 * 1024,
      genesis: genesisLimits(home),
    });
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code === "LEVEL_LOCKED") {
      throw new Error(`the state database ${dataDir} is locked by another process: is a node already running on ${home}? (stop it first)`);
    }
    throw e;
  }
}

/**
 * The chain id and block limits of this home's genesis, which a state-sync snapshot must match
 * (undefined when the home has no genesis, e.g. in-process tools).
 */
function genesisLimits(home: string): { chainId: string; maxBytes: number; maxGas: bigint } | undefined {
  if (!fs.existsSync(genesisPath(home))) return undefined;
  const g = readGenesis(home);
  const block = (g.consensus_params?.block ?? {}) as { max_bytes?: string; max_gas?: string };
  // Absent block params leave the app's defaults (app.ts), which InitChain would also keep.
  return { chainId: g.chain_id, maxBytes: Number(block.max_bytes ?? 1024 * 1024), maxGas: BigInt(block.max_gas ?? "-1") };
}

/** CometBFT's RPC address from config.toml, as a URL this machine can reach. */
export function cometRpcUrl(home: string): string {
  const toml = fs.readFileSync(path.join(home, "config", "config.toml"), "utf8");
  const laddr = getTomlValue(toml, "rpc", "laddr") ?? "tcp://127.0.0.1:26657";
  return laddr.replace(/^tcp:\/\//, "http://").replace("://0.0.0.0:", "://127.0.0.1:");
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * Runs the application: opens the state, serves ABCI and gRPC, and with withComet spawns and
 * supervises `cometbft start` on the same home, so one command runs a validator. Stops cleanly on
 * SIGINT/SIGTERM: CometBFT first (it is the one sending blocks), then gRPC, ABCI, and the database,
 * so the last commit is on disk. A second Ctrl-C while stopping kills CometBFT and exits at once.
 */
export async function startNode(opts: StartOptions): Promise<void> {
  const home = path.resolve(opts.home);
  const config = readAppConfig(home);
  if (!fs.existsSync(genesisPath(home))) throw new Error(`${genesisPath(home)} not found: create the home with "blockai init" first`);
  // Before anything is opened: a missing CometBFT binary must not leave a half-started node.
  const cometBinary = opts.withComet ? cometbftBinary() : undefined;
  const logger = createLogger(config.log_level, "app");
  const abciLogger = createLogger(config.log_level, "abci");
  const metrics = config.prometheus_address !== "" ? new AppMetrics() : undefined;
  const app = await openAppState(home, config, logger, metrics);
  logger.info("state loaded", { height: app.lastHeight, app_hash: Buffer.from(app.lastAppHash).toString("hex") });
  const server = new AbciServer(app, {
    logger: {
      info: (m: string) => abciLogger.info(m),
      // Keep the stack: a handler failure here is a bug to be found from the log.
      error: (m: string, e?: unknown) => abciLogger.error(m, e === undefined ? undefined : { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    },
  });
  const address = opts.abciAddress ?? config.abci_address;
  try {
    await server.listen(address);
  } catch (e) {
    await app.close();
    throw new Error(`cannot listen for ABCI on ${address}: ${(e as Error).message}`);
  }
  logger.info("ABCI server listening", { address });

  // The tx and tendermint services read blocks, the tx index and the mempool from this node's CometBFT.
  const chainServices = new ChainServices(cometRpcUrl(home)).handlers();
  let grpcServer: GrpcQueryServer | undefined;
  if (config.grpc_address !== "") {
    try {
      grpcServer = await GrpcQueryServer.start(config.grpc_address, app, createLogger(config.log_level, "grpc"), chainServices);
    } catch (e) {
      await server.close();
      await app.close();
      throw new Error(`${(e as Error).message} (set grpc_address in ${path.join(home, "config", "app.json")}; "" disables gRPC)`);
    }
    logger.info("gRPC server listening", { address: config.grpc_address, services: grpcServer.services.length });
  }

  let restServer: RestServer | undefined;
  if (opts.apiEnable ?? config.api_enable) {
    try {
      const restLogger = createLogger(config.log_level, "api");
      const gateway = new RestGateway(protoRoot(), new Map([...appHandlers(app), ...chainServices]));
      if (gateway.unrouted.length > 0) restLogger.info("methods without an HTTP annotation (gRPC only)", { methods: gateway.unrouted });
      restServer = await RestServer.start(gateway, { address: config.api_address, corsOrigins: config.api_cors_origins, logger: restLogger });
    } catch (e) {
      await grpcServer?.close();
      await server.close();
      await app.close();
      throw new Error(`${(e as Error).message} (set api_address or api_enable in ${path.join(home, "config", "app.json")})`);
    }
    logger.info("REST server listening", { address: config.api_address, routes: restServer.gateway.routes.length });
  }

  let metricsServer: MetricsServer | undefined;
  if (metrics) {
    try {
      metricsServer = await MetricsServer.start(config.prometheus_address, metrics);
    } catch (e) {
      await restServer?.close();
      await grpcServer?.close();
      await server.close();
      await app.close();
      throw new Error(`${(e as Error).message} (set prometheus_address in ${path.join(home, "config", "app.json")}; "" disables it)`);
    }
    logger.info("Prometheus metrics", { address: `http://${config.prometheus_address}/metrics` });
  }

  let dashboard: DashboardServer | undefined;
  if (config.dashboard_address !== "") {
    try {
      dashboard = await DashboardServer.start({ address: config.dashboard_address, rpcUrl: cometRpcUrl(home) });
    } catch (e) {
      await metricsServer?.close();
      await restServer?.close();
      await grpcServer?.close();
      await server.close();
      await app.close();
      throw new Error(`${(e as Error).message} (set dashboard_address in ${path.join(home, "config", "app.json")}; "" disables the dashboard)`);
    }
    logger.info("dashboard listening", { url: dashboard.url });
  }

  const progress = new Progress(process.stderr);
  const pidFile = path.join(home, "cometbft.pid");
  let comet: ChildProcess | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    progress.done();
    logger.info("stopping");
    if (comet && comet.pid !== undefined && comet.exitCode === null && comet.signalCode === null) {
      const child = comet;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    }
    fs.rmSync(pidFile, { force: true });
    await dashboard?.close();
    await metricsServer?.close();
    await restServer?.close();
    await grpcServer?.close();
    await server.close();
    await app.close();
    logger.info("stopped");
    process.exit(code);
  };
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) {
      // Impatient second Ctrl-C: do not leave CometBFT behind, but do not wait for it either.
      comet?.kill("SIGKILL");
      process.exit(130);
    }
    void shutdown(0);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  if (!cometBinary) return;
  const logFile = path.join(home, "cometbft.log");
  const out = fs.openSync(logFile, "a");
  // Its own process group: a Ctrl-C in the terminal reaches only this process, which then stops
  // CometBFT first and the app after it, in that order (and exits 0), instead of both racing.
  comet = spawn(cometBinary, ["start", "--home", home], { stdio: ["ignore", out, out], detached: true });
  fs.closeSync(out);
  // A binary that cannot be run (missing, not executable) is reported here, not as a crash.
  comet.on("error", (err) => {
    if (stopping) return;
    progress.done();
    logger.error("CometBFT could not be started; stopping the app", { binary: cometBinary, error: err.message });
    void shutdown(1);
  });
  if (comet.pid === undefined) return;
  fs.writeFileSync(pidFile, String(comet.pid));
  logger.info("CometBFT started", { pid: comet.pid, log: logFile });
  comet.on("exit", (code, signal) => {
    if (stopping) return;
    progress.done();
    logger.error("CometBFT exited; stopping the app", { code, signal, log: logFile });
    const last = tail(logFile, 5);
    if (last) process.stderr.write(`last lines of ${logFile}:\n${last}\n`);
    void shutdown(1);
  });
  void watchStartup(cometRpcUrl(home), progress, () => stopping, config.grpc_address, restServer ? config.api_address : "", dashboard?.url);
}

/** Progress on stderr until the node has a block and is not catching up. */
async function watchStartup(rpcUrl: string, progress: Progress, stopped: () => boolean, grpcAddress: string, apiAddress: string, dashboardUrl?: string): Promise<void> {
  while (!stopped()) {
    try {
      const s = await status(rpcUrl);
      if (s.height >= 1 && !s.catchingUp) {
        progress.done(`node running: chain ${s.network}, height ${s.height}, RPC ${rpcUrl}${grpcAddress ? `, gRPC ${grpcAddress}` : ""}${apiAddress ? `, REST http://${apiAddress}` : ""}${dashboardUrl ? `, dashboard ${dashboardUrl}` : ""} (Ctrl-C to stop)`);
        return;
      }
      progress.update(s.catchingUp ? `syncing with peers: at height ${s.height} ({s})` : `waiting for the first block ({s})`);
    } catch {
      progress.update(`waiting for CometBFT's RPC at ${rpcUrl} ({s})`);
    }
    await sleep(500);
  }
}
