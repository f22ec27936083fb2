/**
 * End to end: a real CometBFT v0.38 node drives a tiny key/value app through AbciServer over a
 * unix socket. Proves the framing, the four-connection setup, the Info handshake, block
 * production (Prepare/Process/Finalize/Commit) and CheckTx/Query against the actual binary.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type {
  RequestCheckTx,
  RequestFinalizeBlock,
  RequestQuery,
  ResponseCheckTx,
  ResponseCommit,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";
import { type AbciApplication, type AbciMethod, AbciServer } from "../../src/abci";
import { freePorts } from "../helpers/ports";

const COMETBFT = path.resolve(__dirname, "../..", process.env.COMETBFT ?? "bin/cometbft");
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

interface KvState {
  height: bigint;
  appHash: Uint8Array;
  store: Map<string, string>;
}

/** "k=v" transactions; state is only replaced in Commit, as ABCI's crash-recovery rules require. */
class KvApp implements AbciApplication {
  committed: KvState = { height: 0n, appHash: new Uint8Array(), store: new Map() };
  private pending: KvState | undefined;
  readonly executed: string[] = [];
  /** Committed app hash per height, hex, to compare with block headers. */
  readonly appHashes = new Map<number, string>();

  info(): ResponseInfo {
    return {
      data: "kv",
      version: "1.0.0",
      appVersion: 1n,
      lastBlockHeight: this.committed.height,
      lastBlockAppHash: this.committed.appHash,
    };
  }

  checkTx(request: RequestCheckTx): ResponseCheckTx {
    const ok = parseTx(request.tx) !== undefined;
    return {
      code: ok ? 0 : 2,
      data: new Uint8Array(),
      log: ok ? "" : "expected key=value",
      info: "",
      gasWanted: 1n,
      gasUsed: 0n,
      events: [],
      codespace: ok ? "" : "kv",
    };
  }

  async finalizeBlock(request: RequestFinalizeBlock): Promise<ResponseFinalizeBlock> {
    await sleep(1); // exercise the async path on the consensus connection
    const store = new Map(this.committed.store);
    const txResults = request.txs.map((tx) => {
      const kv = parseTx(tx);
      if (kv) {
        store.set(kv[0], kv[1]);
        this.executed.push(utf8(tx));
      }
      return {
        code: kv ? 0 : 2,
        data: new Uint8Array(),
        log: "",
        info: "",
        gasWanted: 1n,
        gasUsed: 1n,
        events: [],
        codespace: kv ? "" : "kv",
      };
    });
    const hash = createHash("sha256").update(`height:${request.height}`);
    for (const [k, v] of [...store].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${k}=${v};`);
    const appHash = new Uint8Array(hash.digest());
    this.pending = { height: request.height, appHash, store };
    return { events: [], txResults, validatorUpdates: [], appHash };
  }

  commit(): ResponseCommit {
    if (!this.pending) throw new Error("commit without finalizeBlock");
    this.committed = this.pending;
    this.pending = undefined;
    const { height, appHash } = this.committed;
    this.appHashes.set(Number(height), Buffer.from(appHash).toString("hex"));
    return { retainHeight: 0n };
  }

  query(request: RequestQuery): ResponseQuery {
    const value = this.committed.store.get(utf8(request.data));
    return {
      code: value === undefined ? 3 : 0,
      log: value === undefined ? "not found" : "",
      info: "",
      index: 0n,
      key: request.data,
      value: Buffer.from(value ?? ""),
      height: this.committed.height,
      codespace: value === undefined ? "kv" : "",
    };
  }
}

function parseTx(tx: Uint8Array): [string, string] | undefined {
  const match = /^([^=]+)=(.*)$/s.exec(utf8(tx));
  return match ? [match[1], match[2]] : undefined;
}

/** Sets `key = value` inside `[section]` of CometBFT's config.toml. */
function setToml(toml: string, section: string, key: string, value: string): string {
  const start = toml.indexOf(`\n[${section}]\n`);
  if (start < 0) throw new Error(`no [${section}] in config.toml`);
  const re = new RegExp(`^${key} = .*$`, "m");
  const tail = toml.slice(start);
  if (!re.test(tail)) throw new Error(`no ${key} in [${section}]`);
  return toml.slice(0, start) + tail.replace(re, `${key} = ${value}`);
}

describe("AbciServer with a real CometBFT node", () => {
  const app = new KvApp();
  const fatals: [unknown, AbciMethod][] = [];
  const errors: string[] = [];
  let server: AbciServer;
  let node: ChildProcess | undefined;
  let home: string;
  let rpc: string;

  async function rpcGet<T>(route: string): Promise<T> {
    const response = await fetch(`${rpc}/${route}`);
    const body = (await response.json()) as { result?: T; error?: unknown };
    if (body.error !== undefined || body.result === undefined) {
      throw new Error(`${route}: ${JSON.stringify(body.error)}`);
    }
    return body.result;
  }

  async function height(): Promise<number> {
    const status = await rpcGet<{ sync_info: { latest_block_height: string } }>("status");
    return Number(status.sync_info.latest_block_height);
  }

  function nodeLog(): string {
    try {
      return fs.readFileSync(path.join(home, "node.log"), "utf8").split("\n").slice(-40).join("\n");
    } catch {
      return "(no node log)";
    }
  }

  beforeAll(async () => {
    if (!fs.existsSync(COMETBFT)) {
      throw new Error(`CometBFT binary not found at ${COMETBFT} (run make cometbft)`);
    }
    home = fs.mkdtempSync(path.join(os.tmpdir(), "abci-e2e-"));
    execFileSync(COMETBFT, ["init", "--home", home], { stdio: "ignore" });
    const configPath = path.join(home, "config", "config.toml");
    let toml = fs.readFileSync(configPath, "utf8");
    toml = setToml(toml, "consensus", "timeout_commit", '"100ms"');
    toml = setToml(toml, "consensus", "timeout_propose", '"500ms"');
    fs.writeFileSync(configPath, toml);

    const socket = path.join(home, "app.sock");
    server = new AbciServer(app, {
      logger: { info: () => undefined, error: (message) => errors.push(message) },
      onFatal: (err, method) => fatals.push([err, method]),
    });
    await server.listen(`unix://${socket}`);

    const [rpcPort, p2pPort] = await freePorts(2);
    rpc = `http://127.0.0.1:${rpcPort}`;
    const log = fs.openSync(path.join(home, "node.log"), "w");
    node = spawn(
      COMETBFT,
      [
        "start",
        "--home", home,
        "--proxy_app", `unix://${socket}`,
        "--rpc.laddr", `tcp://127.0.0.1:${rpcPort}`,
        "--p2p.laddr", `tcp://127.0.0.1:${p2pPort}`,
      ],
      { stdio: ["ignore", log, log] },
    );
    fs.closeSync(log);

    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await height()) >= 1) break;
      } catch {
        // RPC not up yet
      }
      if (node.exitCode !== null || Date.now() > deadline) {
        throw new Error(`CometBFT did not start (exit ${node.exitCode}):\n${nodeLog()}`);
      }
      await sleep(100);
    }
  }, 30_000);

  afterAll(async () => {
    if (node && node.exitCode === null && node.signalCode === null) {
      const exited = new Promise((resolve) => node!.once("exit", resolve));
      node.kill("SIGTERM");
      const timer = setTimeout(() => node!.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await server?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 15_000);

  test("produces blocks and executes broadcast txs", async () => {
    expect(server.connections).toBe(4); // query, snapshot, mempool, consensus

    const txs = ["alpha=1", "beta=2", "alpha=3"];
    for (const tx of txs) {
      const result = await rpcGet<{
        check_tx: { code: number };
        tx_result: { code: number };
        height: string;
      }>(`broadcast_tx_commit?tx=${encodeURIComponent(JSON.stringify(tx))}`);
      expect(result.check_tx.code).toBe(0);
      expect(result.tx_result.code).toBe(0);
      expect(Number(result.height)).toBeGreaterThan(0);
    }
    const rejected = await rpcGet<{ code: number; log: string }>(
      `broadcast_tx_sync?tx=${encodeURIComponent('"no-equals-sign"')}`,
    );
    expect(rejected.code).toBe(2);
    expect(rejected.log).toBe("expected key=value");

    const deadline = Date.now() + 15_000;
    while ((await height()) < 5) {
      if (Date.now() > deadline) throw new Error(`chain stalled:\n${nodeLog()}`);
      await sleep(100);
    }

    expect(app.executed).toEqual(txs);
    expect(app.committed.store.get("alpha")).toBe("3");

    // The query connection, through CometBFT's RPC.
    const query = await rpcGet<{ response: { code: number; value: string; height: string } }>(
      `abci_query?data=0x${Buffer.from("beta").toString("hex")}`,
    );
    expect(query.response.code).toBe(0);
    expect(Buffer.from(query.response.value, "base64").toString()).toBe("2");

    // The app hash returned by FinalizeBlock at H is in the header of block H+1.
    for (const h of [1, 2, 3, 4]) {
      const next = await rpcGet<{ block: { header: { app_hash: string } } }>(`block?height=${h + 1}`);
      expect(next.block.header.app_hash.toLowerCase()).toBe(app.appHashes.get(h));
    }

    type AbciInfo = { response: { last_block_height: string; data: string } };
    const info = await rpcGet<AbciInfo>("abci_info");
    expect(info.response.data).toBe("kv");
    expect(Number(info.response.last_block_height)).toBeGreaterThanOrEqual(5);

    expect(fatals).toEqual([]);
    expect(errors).toEqual([]);
  }, 30_000);
});
