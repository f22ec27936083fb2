import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readPids, runningPids, stopNetwork } from "../../src/node/network";
import { repoRoot } from "../../src/node/paths";
import { isAlive } from "../../src/node/process";
import { status } from "../../src/node/rpc";
import { freePorts } from "../helpers/ports";

jest.setTimeout(120_000);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("localnet script (make localnet / localnet-status / localnet-stop / localnet-reset)", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  /** `node dist/localnet/localnet.js ...`, what the Makefile targets run, on a temp dir and free ports. */
  function localnet(...args: string[]): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(repoRoot(), "dist", "localnet", "localnet.js"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "blockai-localnet-")), "data");
    env = { ...process.env, BLOCKAI_LOCALNET_DIR: dir, BLOCKAI_LOCALNET_PORTS: (await freePorts(3)).join(",") };
  });
  afterAll(async () => {
    await stopNetwork(dir);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test("start brings up the network and prints where everything is", async () => {
    const r = await localnet("start", "--nodes", "1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Every node is at height >= 3/);
    expect(r.stdout).toMatch(/^node0\s+http:\/\/127\.0\.0\.1:\d+\s+127\.0\.0\.1:\d+\s+127\.0\.0\.1:\d+/m);
    expect(r.stdout).toMatch(/account4\s+soa1/);
    expect(runningPids(dir)).toHaveLength(2);
  });

  test("a second start while it runs refuses and leaves the running network alone", async () => {
    const layoutBefore = fs.readFileSync(path.join(dir, "network.json"), "utf8");
    const pidsBefore = runningPids(dir);
    const r = await localnet("start", "--nodes", "1");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/A localnet is already running in .* \(pids \d+, \d+\); not starting a second one/);
    expect(fs.readFileSync(path.join(dir, "network.json"), "utf8")).toBe(layoutBefore);
    expect(runningPids(dir)).toEqual(pidsBefore);
    const rpc = JSON.parse(layoutBefore).nodes[0].rpc;
    const h = (await status(rpc)).height;
    await new Promise((res) => setTimeout(res, 1500));
    expect((await status(rpc)).height).toBeGreaterThan(h);
  });

  test("a start while another start holds the lock refuses too", async () => {
    const lock = path.join(dir, "localnet.lock");
    fs.writeFileSync(lock, String(process.pid)); // a live process "is starting"
    try {
      const r = await localnet("start", "--nodes", "1");
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Another 'make localnet' is starting a network/);
    } finally {
      fs.rmSync(lock);
    }
  });

  test("status shows height, peers and app hash", async () => {
    const r = await localnet("status");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^node\s+rpc\s+height\s+peers\s+catching up\s+app hash$/m);
    expect(r.stdout).toMatch(/^node0\s+http\S+\s+\d+\s+0\s+no\s+[0-9A-F]{64}$/m);
  });

  test("stop stops exactly its processes; stale pids of other processes are never counted or killed", async () => {
    const pids = runningPids(dir);
    const r = await localnet("stop");
    expect(r.stdout).toMatch(/Stopped 2 processes/);
    for (const p of pids) expect(isAlive(p)).toBe(false);
    // A pids file whose pids now belong to someone else (here: this test process).
    fs.writeFileSync(path.join(dir, "pids.json"), JSON.stringify([{ app: process.pid, comet: process.pid }]));
    expect(runningPids(dir)).toEqual([]);
    const again = await localnet("stop");
    expect(again.stdout).toMatch(/No localnet processes were running/);
    expect(isAlive(process.pid)).toBe(true);
    expect(readPids(dir)).toEqual([]);
  });

  test("reset wipes the data", async () => {
    const r = await localnet("reset");
    expect(r.code).toBe(0);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
