import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { indexEventsSet } from "../app/index-events";
import { VERIFY_THREAD_NICE } from "../app/sigverify";

/** The app's own settings, in <home>/config/app.json next to CometBFT's config.toml. */
export interface AppConfig {
  /** Where the ABCI server listens; CometBFT's proxy_app must point here. */
  abci_address: string;
  /** gRPC query server address ("" disables it). */
  grpc_address: string;
  /** Serve the REST gateway (gRPC-gateway paths, proto3 JSON) at api_address. */
  api_enable: boolean;
  /** REST gateway listen address, HOST:PORT. */
  api_address: string;
  /** Origins browsers may call the REST gateway from ("*" = any); empty = no CORS headers. */
  api_cors_origins: string[];
  /** Prometheus metrics of the app (GET /metrics) at HOST:PORT; "" = off (the default). */
  prometheus_address: string;
  /** Node-local minimum gas prices enforced in CheckTx, e.g. "0.025usoa". */
  minimum_gas_prices: string;
  log_level: "debug" | "info" | "error" | "none";
  /** Check the invariants after each block and halt if one breaks (see docs/pruning.md#invariants). */
  check_invariants: boolean;
  /**
   * With check_invariants: each block's writes are checked every block; each module's full walk
   * of its state once every this many blocks, one module at a time (1: all, every block).
   */
  invariants_full_every: number;
  /** Worker threads verifying signatures in parallel (0 = main thread only). */
  verify_threads: number;
  /**
   * Nice value of those threads (0 to 19; 0 = the main thread's priority). The main thread
   * executes and is the critical path; on a host shared with other busy processes a lower value
   * keeps verification from being starved by them.
   */
  verify_threads_nice: number;
  /**
   * The Cosmos SDK's index-events: the "{eventType}.{attributeKey}" attributes CometBFT's tx
   * indexer indexes, e.g. ["message.sender", "transfer.recipient"]; empty = all (the default).
   */
  index_events: string[];
  /**
   * Where `blockai start` serves the dashboard (dist/dashboard) with CometBFT's RPC proxied under
   * /rpc, e.g. "127.0.0.1:26680"; "" (the default) serves nothing.
   */
  dashboard_address: string;
  /** A state-sync snapshot every this many blocks (0 = none; see docs/state-sync.md). */
  snapshot_interval: number;
  /** How many of the newest snapshots are kept on disk. */
  snapshot_keep_recent: number;
  /**
   * 0 (the default): the whole state is held in memory. N > 0: state values are read from
   * LevelDB through a cache of N MiB, and only keys and the Merkle tree stay in memory, for a
   * state larger than memory (see README, "State larger than memory"). App hashes are the same.
   */
  state_cache_mb: number;
}

export const DEFAULT_APP_CONFIG: AppConfig = {
  abci_address: "tcp://127.0.0.1:26658",
  grpc_address: "127.0.0.1:9090",
  // Off unless configured, as the SDK's app.toml: `blockai init` and the localnet turn it on.
  api_enable: false,
  api_address: "127.0.0.1:1317",
  api_cors_origins: [],
  prometheus_address: "",
  minimum_gas_prices: "0.025usoa",
  log_level: "info",
  check_invariants: false,
  invariants_full_every: 1000,
  verify_threads: Math.min(2, os.availableParallelism()),
  verify_threads_nice: VERIFY_THREAD_NICE,
  index_events: [],
  dashboard_address: "",
  snapshot_interval: 0,
  snapshot_keep_recent: 2,
  state_cache_mb: 0,
};

export function appConfigPath(home: string): string {
  return path.join(home, "config", "app.json");
}

export function readAppConfig(home: string): AppConfig {
  const file = appConfigPath(home);
  if (!fs.existsSync(file)) throw new Error(`${file} not found: is ${home} a BLOCKAI home? (create one with 'blockai init')`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const config = { ...DEFAULT_APP_CONFIG, ...(parsed as Partial<AppConfig>) };
  if (config.prometheus_address !== "" && !/^[^\s]+:[0-9]{1,5}$/.test(config.prometheus_address)) throw new Error(`${file}: prometheus_address must look like 127.0.0.1:26661 (or "" for none), got "${config.prometheus_address}"`);
  if (typeof config.api_enable !== "boolean") throw new Error(`${file}: api_enable must be true or false`);
  if (!/^[^\s]+:[0-9]{1,5}$/.test(config.api_address)) throw new Error(`${file}: api_address must look like 127.0.0.1:1317, got "${config.api_address}"`);
  if (!Array.isArray(config.api_cors_origins) || config.api_cors_origins.some((o) => typeof o !== "string")) throw new Error(`${file}: api_cors_origins must be a list of origins, e.g. ["https://app.example"] or ["*"]`);
  try {
    indexEventsSet(config.index_events);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (!Number.isSafeInteger(config.snapshot_interval) || config.snapshot_interval < 0) throw new Error(`${file}: snapshot_interval must be a whole number of blocks >= 0, got ${JSON.stringify(config.snapshot_interval)}`);
  if (!Number.isSafeInteger(config.snapshot_keep_recent) || config.snapshot_keep_recent < 1) throw new Error(`${file}: snapshot_keep_recent must be a whole number >= 1, got ${JSON.stringify(config.snapshot_keep_recent)}`);
  if (!Number.isSafeInteger(config.verify_threads_nice) || config.verify_threads_nice < 0 || config.verify_threads_nice > 19) throw new Error(`${file}: verify_threads_nice must be a whole number from 0 to 19, got ${JSON.stringify(config.verify_threads_nice)}`);
  if (!Number.isSafeInteger(config.state_cache_mb) || config.state_cache_mb < 0) throw new Error(`${file}: state_cache_mb must be a whole number of MiB >= 0 (0 = all state in memory), got ${JSON.stringify(config.state_cache_mb)}`);
  return config;
}

export function writeAppConfig(home: string, config: AppConfig): void {
  fs.mkdirSync(path.join(home, "config"), { recursive: true });
  fs.writeFileSync(appConfigPath(home), JSON.stringify(config, null, 2) + "\n");
}

export function appDataDir(home: string): string {
  return path.join(home, "data", "blockai.db");
}

export function snapshotDir(home: string): string {
  return path.join(home, "data", "snapshots");
}
