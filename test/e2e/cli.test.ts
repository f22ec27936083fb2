import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isAlive, stopPid, waitFor } from "../../src/node/process";
import { blockaiEntry } from "../../src/node/paths";
import { status } from "../../src/node/rpc";
import { freePorts } from "../helpers/ports";

jest.setTimeout(120_000);

const PASSWORD = "cli e2e password";
const CHAIN_ID = "blockai-cli-e2e";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli/main.js ...` as a user would, with `input` on stdin. */
function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [blockaiEntry(), ...args], {
      env: { ...process.env, BLOCKAI_KEYRING_PASSWORD: undefined, BLOCKAI_HOME: undefined, BLOCKAI_DEBUG: undefined, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

async function ok(args: string[], opts?: Parameters<typeof cli>[1]): Promise<string> {
  const r = await cli(args, opts);
  if (r.code !== 0) throw new Error(`blockai ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe("the blockai command end to end: init, keys, genesis, start --with-comet, send, query", () => {
  let home: string;
  let rpcPort: number;
  let p2pPort: number;
  let grpcPort: number;
  let apiPort: number;
  let closedPort: number;
  let node: string;
  let start: ChildProcess | undefined;
  let startErr = "";
  let cometPid: number | undefined;
  const addr: Record<string, string> = {};
  const fileKey = (extra: string[] = []) => ["--home", home, ...extra];
  const testKey = (extra: string[] = []) => ["--home", home, "--keyring-backend", "test", ...extra];
  const pw = { env: { BLOCKAI_KEYRING_PASSWORD: PASSWORD } };

  function spawnStart(): ChildProcess {
    startErr = "";
    const child = spawn(process.execPath, [blockaiEntry(), "start", "--home", home, "--with-comet"], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr!.on("data", (d) => (startErr += d));
    return child;
  }

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-cli-e2e-"));
    [rpcPort, p2pPort, grpcPort, closedPort, apiPort] = await freePorts(5);
    node = `http://127.0.0.1:${rpcPort}`;
  });

  afterAll(async () => {
    // Stopped by pid; its CometBFT child must go down with it (checked in the tests, made sure here).
    if (start?.pid) await stopPid(start.pid);
    if (cometPid) await stopPid(cometPid);
    if (!process.env.KEEP_E2E_DATA) fs.rmSync(home, { recursive: true, force: true });
  });

  test("init writes the CometBFT home and the app config", async () => {
    const out = JSON.parse(
      await ok(["init", "cli-node", "--home", home, "--chain-id", CHAIN_ID, "--rpc-laddr", `tcp://127.0.0.1:${rpcPort}`, "--p2p-laddr", `tcp://127.0.0.1:${p2pPort}`, "--grpc-address", `127.0.0.1:${grpcPort}`, "--api-address", `127.0.0.1:${apiPort}`, "--fast-blocks", "--output", "json"]),
    );
    expect(out).toMatchObject({ moniker: "cli-node", chain_id: CHAIN_ID, home });
    expect(out.node_id).toMatch(/^[0-9a-f]{40}$/);
    for (const f of ["config/config.toml", "config/genesis.json", "config/priv_validator_key.json", "config/node_key.json", "config/app.json", "data/priv_validator_state.json"]) {
      expect(fs.existsSync(path.join(home, f))).toBe(true);
    }
    expect(JSON.parse(fs.readFileSync(path.join(home, "config/app.json"), "utf8"))).toMatchObject({ grpc_address: `127.0.0.1:${grpcPort}`, api_enable: true, api_address: `127.0.0.1:${apiPort}` });
    const again = await cli(["init", "cli-node", "--home", home, "--chain-id", CHAIN_ID]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: .* is already initialised/);
  });

  test("start --with-comet with a CometBFT binary that cannot run: a clear error and exit 1, no crash", async () => {
    const r = await cli(["start", "--with-comet", "--home", home], { env: { COMETBFT: path.join(home, "no-such-cometbft") } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CometBFT could not be started; stopping the app/);
    expect(r.stderr).toMatch(/ENOENT/);
    expect(r.stderr).not.toMatch(/Uncaught|at ChildProcess/);
    expect(fs.existsSync(path.join(home, "cometbft.pid"))).toBe(false);
  });

  test("keys: a test-backend validator key, an encrypted alice, bob imported from stdin", async () => {
    addr.validator = JSON.parse(await ok(["keys", "add", "validator", ...testKey(["--output", "json"])])).address;
    const alice = JSON.parse(await ok(["keys", "add", "alice", ...fileKey(["--output", "json"])], pw));
    addr.alice = alice.address;
    expect(alice.mnemonic.split(" ")).toHaveLength(24);
    const bobWallet = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";
    addr.bob = JSON.parse(await ok(["keys", "import", "bob", ...testKey(["--output", "json"])], { input: bobWallet + "\n" })).address;
    const aliceFile = path.join(home, "keyring-file", "alice.json");
    expect(fs.statSync(aliceFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(aliceFile, "utf8")).not.toContain(alice.mnemonic.split(" ")[0] + " " + alice.mnemonic.split(" ")[1]);
    expect(await ok(["keys", "show", "alice", "--address", ...fileKey()])).toBe(addr.alice + "\n");
  });

  test("genesis: add-validator insists on a funded operator; accounts by key name; validate", async () => {
    const unfunded = await cli(["genesis", "add-validator", "validator", "100SOA", ...testKey()]);
    expect(unfunded.code).toBe(1);
    expect(unfunded.stderr).toMatch(/^Error: operator soa1\S+ \(key validator\) has 0 SOA \(0usoa\) in the genesis, less than the self-delegation 100 SOA \(100000000usoa\); fund it first/);
    expect(unfunded.stderr.trim().split("\n")).toHaveLength(1);
    await ok(["genesis", "add-account", "validator", "200SOA", ...testKey()]);
    await ok(["genesis", "add-validator", "validator", "100SOA", ...testKey()]);
    await ok(["genesis", "add-account", "alice", "1000SOA", ...fileKey()]);
    await ok(["genesis", "add-account", addr.bob, "1usoa", ...fileKey()]);
    const v = JSON.parse(await ok(["genesis", "validate", "--home", home, "--output", "json"]));
    const balances = JSON.parse(fs.readFileSync(path.join(home, "config/genesis.json"), "utf8")).app_state.bank.balances;
    expect(v).toMatchObject({ valid: true, chain_id: CHAIN_ID, validators: 1, total_power: "100", accounts: balances.length });
    for (const a of [addr.validator, addr.alice, addr.bob]) expect(balances.map((b: { address: string }) => b.address)).toContain(a);
  });

  test("start --with-comet runs a validator: progress while waiting, then blocks", async () => {
    start = spawnStart();
    await waitFor("the node to run", 60_000, () => (/node running: chain blockai-cli-e2e/.test(startErr) ? true : start!.exitCode !== null ? Promise.reject(new Error(startErr)) : undefined), 100);
    expect(startErr).toMatch(/waiting for (CometBFT's RPC|the first block)/);
    cometPid = Number(fs.readFileSync(path.join(home, "cometbft.pid"), "utf8"));
    expect(isAlive(cometPid)).toBe(true);
    const s = JSON.parse(await ok(["status", "--node", node, "--output", "json"]));
    expect(s).toMatchObject({ chain_id: CHAIN_ID, moniker: "cli-node", catching_up: false, voting_power: "100" });
    expect(Number(s.latest_block_height)).toBeGreaterThanOrEqual(1);
  });

  let sendHash = "";
  test("send 1.5 SOA with the encrypted key, then read the balance, the tx and the account", async () => {
    const res = JSON.parse(
      await ok(["tx", "bank", "send", "alice", addr.bob, "1.5SOA", ...fileKey(["--node", node, "--chain-id", CHAIN_ID, "--yes", "--output", "json"])], pw),
    );
    expect(res).toMatchObject({ code: 0, codespace: "" });
    expect(res.txhash).toMatch(/^[0-9A-F]{64}$/);
    expect(BigInt(res.gas_used)).toBeLessThanOrEqual(BigInt(res.gas_wanted));
    sendHash = res.txhash;

    const bal = JSON.parse(await ok(["query", "bank", "balances", addr.bob, "--node", node, "--output", "json"]));
    expect(bal.balances).toEqual([{ denom: "usoa", amount: "1500001" }]);
    const text = await ok(["q", "bank", "balances", addr.bob, "--node", node]);
    expect(text).toBe("DENOM  AMOUNT\nusoa   1.500001 SOA (1500001usoa)\n");

    const tx = JSON.parse(await ok(["query", "tx", sendHash, "--node", node, "--output", "json"]));
    expect(tx).toMatchObject({ txhash: sendHash, code: 0, height: res.height });
    expect(tx.messages).toEqual([{ "@type": "/cosmos.bank.v1beta1.MsgSend", from_address: addr.alice, to_address: addr.bob, amount: [{ denom: "usoa", amount: "1500000" }] }]);
    expect(tx.fee.amount[0].denom).toBe("usoa");
    const txText = await ok(["query", "tx", sendHash.toLowerCase(), "--node", node]);
    expect(txText).toMatch(/status\s+success \(code 0\)/);
    expect(txText).toMatch(/amount\s+1\.5 SOA \(1500000usoa\)/);

    const acct = JSON.parse(await ok(["query", "auth", "account", addr.alice, "--node", node, "--output", "json"]));
    expect(acct).toMatchObject({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address: addr.alice, sequence: "1" });
    expect(acct.pub_key.key).toHaveLength(44);
  });

  test("without --yes the summary is shown and nothing is sent unless confirmed", async () => {
    const args = ["tx", "bank", "send", "bob", addr.alice, "1usoa", ...testKey(["--node", node, "--output", "json"])];
    const declined = await cli(args, { input: "n\n" });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toMatch(/Transaction to sign:\n {2}chain\s+blockai-cli-e2e/);
    expect(declined.stderr).toMatch(/amount\s+0\.000001 SOA \(1usoa\)/);
    expect(declined.stderr).toMatch(/Error: transaction not confirmed; nothing was broadcast/);
    const confirmed = JSON.parse(await ok(args, { input: "y\n" }));
    expect(confirmed.code).toBe(0);
  });

  describe("bad input: one line, non-zero exit, nothing broadcast", () => {
    let before: { sequence: string; balance: string };
    const snapshot = async () => ({
      sequence: JSON.parse(await ok(["query", "auth", "account", addr.alice, "--node", node, "--output", "json"])).sequence,
      balance: JSON.parse(await ok(["query", "bank", "balances", addr.alice, "--node", node, "--output", "json"])).balances[0].amount,
    });
    beforeAll(async () => {
      before = await snapshot();
    });
    afterAll(async () => {
      // Two more blocks: anything that had been broadcast would be committed by now.
      const h = (await status(node)).height;
      await waitFor("two more blocks", 20_000, async () => ((await status(node)).height >= h + 2 ? true : undefined));
      expect(await snapshot()).toEqual(before);
      const pending = (await (await fetch(`${node}/num_unconfirmed_txs`)).json()) as { result: { total: string } };
      expect(Number(pending.result.total)).toBe(0);
    });

    const send = (to: () => string, amount: string, extra: string[] = [], env: NodeJS.ProcessEnv = { BLOCKAI_KEYRING_PASSWORD: PASSWORD }, from = "alice") => async () =>
      cli(["tx", "bank", "send", from, to(), amount, "--home", home, "--node", node, "--yes", ...extra], { env });
    const cases: Array<[string, () => Promise<Result>, RegExp, number]> = [
      ["unknown key", send(() => addr.bob, "1usoa", [], undefined, "nobody"), /^Error: key "nobody" not found in the file keyring/, 1],
      ["wrong password", send(() => addr.bob, "1usoa", [], { BLOCKAI_KEYRING_PASSWORD: "not the password" }), /^Error: wrong keyring password: cannot decrypt key "alice"/, 1],
      ["no password and no terminal", send(() => addr.bob, "1usoa", [], {}), /^Error: no keyring password given: set BLOCKAI_KEYRING_PASSWORD/, 1],
      ["malformed bech32 address", send(() => "soa1qqqqqqqqqqqqqqqqqqqqqqqq", "1usoa"), /^Error: invalid recipient address "soa1q+": not a valid bech32 address/, 1],
      ["bad checksum", send(() => addr.bob.slice(0, -1) + (addr.bob.endsWith("q") ? "p" : "q"), "1usoa"), /^Error: invalid recipient address "soa1\w+": not a valid bech32 address/, 1],
      ["wrong prefix", send(() => toBech32("cosmos", fromBech32(addr.bob).data), "1usoa"), /^Error: invalid recipient address "cosmos1\w+": prefix "cosmos", but BLOCKAI addresses start with "soa1"/, 1],
      ["amount without denom", send(() => addr.bob, "100"), /^Error: amount "100" has no denomination: write e.g. 100usoa or 100SOA/, 1],
      ["negative amount", send(() => addr.bob, "-5usoa"), /^Error: amount "-5usoa" is negative: amounts must be positive/, 1],
      ["too many decimals", send(() => addr.bob, "0.0000001SOA"), /^Error: amount "0.0000001SOA": SOA has at most 6 decimals/, 1],
      ["nothing listening", async () => cli(["tx", "bank", "send", "alice", addr.bob, "1usoa", "--home", home, "--yes", "--node", `http://127.0.0.1:${closedPort}`], pw), /^Error: cannot reach the node at http:\/\/127\.0\.0\.1:\d+: connection refused/, 1],
      ["wrong chain id", send(() => addr.bob, "1usoa", ["--chain-id", "some-other-chain"]), /^Error: chain ID mismatch: --chain-id is "some-other-chain" but the node at http:\/\/127\.0\.0\.1:\d+ runs "blockai-cli-e2e"/, 1],
      ["more than the balance", send(() => addr.bob, "1000000SOA"), /^Error: simulation failed: .*insufficient funds.*; nothing was broadcast/, 1],
      ["missing argument", async () => cli(["tx", "bank", "send", "alice", addr.bob, "--home", home]), /^Error: "blockai tx bank send" needs 3 arguments, got 2/, 2],
      ["unknown flag", async () => cli(["tx", "bank", "send", "alice", addr.bob, "1usoa", "--fee", "1usoa"]), /^Error: unknown flag --fee/, 2],
      ["unknown command, even with --help", async () => cli(["nosuchcmd", "--help"]), /^Error: unknown command "nosuchcmd" for "blockai"/, 2],
      ["unknown module, even with --help", async () => cli(["tx", "nosuchmodule", "--help"]), /^Error: unknown command "nosuchmodule" for "blockai tx"/, 2],
      ["query of a bad address", async () => cli(["query", "bank", "balances", "soa1nope", "--node", node]), /^Error: invalid address "soa1nope": not a valid bech32 address/, 1],
      ["unknown account", async () => cli(["query", "auth", "account", toBech32("soa", new Uint8Array(20).fill(7)), "--node", node]), /^Error: account soa1\w+ not found: it has never received funds/, 1],
      ["unknown tx", async () => cli(["query", "tx", "AB".repeat(32), "--node", node]), /^Error: tx (AB){32} not found on http/, 1],
      ["malformed tx hash", async () => cli(["query", "tx", "xyz", "--node", node]), /^Error: invalid tx hash "xyz": expected 64 hexadecimal characters/, 1],
    ];
    test.each(cases)("%s", async (_name, runIt, message, code) => {
      const r = await runIt();
      expect(r.code).toBe(code);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  test("export refuses while the node runs: the database is locked", async () => {
    const r = await cli(["export", "--home", home]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: the state database .*blockai\.db is locked by another process: is a node already running on/);
  });

  test("Ctrl-C stops the node and its CometBFT cleanly; export then gives the state as a genesis", async () => {
    const bobOnChain = JSON.parse(await ok(["query", "bank", "balances", addr.bob, "--node", node, "--output", "json"])).balances;
    const lastHeight = (await status(node)).height;
    start!.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => start!.once("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    expect(isAlive(cometPid!)).toBe(false);
    expect(fs.existsSync(path.join(home, "cometbft.pid"))).toBe(false);
    expect(startErr).toMatch(/\[app\] stopped/);

    const file = path.join(home, "exported.json");
    const exp = await cli(["export", "--home", home, "--output-document", file]);
    expect(exp.code).toBe(0);
    if (exp.stderr.includes("warning")) console.log(`export: ${exp.stderr.trim()}`);
    const exported = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(exported.chain_id).toBe(CHAIN_ID);
    expect(Number(exported.initial_height)).toBeGreaterThanOrEqual(lastHeight + 1);
    const bob = exported.app_state.bank.balances.find((b: { address: string }) => b.address === addr.bob);
    expect(bob.coins).toEqual(bobOnChain);
    // CometBFT's list is the set the app starts with: this node, power 100 (100 SOA bonded).
    const key = JSON.parse(fs.readFileSync(path.join(home, "config/priv_validator_key.json"), "utf8"));
    expect(exported.validators).toEqual([expect.objectContaining({ address: key.address, pub_key: key.pub_key, power: "100" })]);
  });

  test("SIGKILL of the start process takes its CometBFT down too (no orphan)", async () => {
    start = spawnStart();
    await waitFor("the node to run again", 60_000, () => (/node running/.test(startErr) ? true : start!.exitCode !== null ? Promise.reject(new Error(startErr)) : undefined), 100);
    cometPid = Number(fs.readFileSync(path.join(home, "cometbft.pid"), "utf8"));
    start.kill("SIGKILL");
    await waitFor("CometBFT to exit after losing its app", 15_000, () => (isAlive(cometPid!) ? undefined : true), 100);
  });
});
