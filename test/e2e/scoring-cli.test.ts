/**
 * The scoring CLI end to end, in process (`run`, as `blockai ...` would) against a real one-node
 * network with short epochs: the validator names a scorer key, the scorer commits with a salt
 * file, reveals after the epoch from the same file, and the consensus and agreement are read back.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RIGHT_40, RIGHT_90, startModelServers, writeEvalSet } from "../helpers/model-servers";
import { cli, cliJson } from "../helpers/cli";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(240_000);


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("blockai tx/query scoring (CLI against a real network)", () => {
  let net: TestNetwork;
  let home: string;

  const ok = cliJson;

  beforeAll(async () => {
    net = await TestNetwork.start({
      nodes: 1,
      editGenesis: (g) => {
        g.app_state.epochs = { params: { epoch_length: "60" } };
        g.app_state.scoring = { params: { reveal_window: "15", max_scores_per_reveal: "100", min_reveal_stake_fraction_ppm: "500000" } };
      },
    });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-scoring-cli-"));
    expect((await cli(["keys", "add", "operator", "--recover", "--home", home, "--keyring-backend", "test"], [net.layout.operators[0].mnemonic])).code).toBe(0);
    expect((await cli(["keys", "add", "scorer", "--recover", "--home", home, "--keyring-backend", "test"], [net.layout.accounts[0].mnemonic])).code).toBe(0);
    expect((await cli(["keys", "add", "owner", "--recover", "--home", home, "--keyring-backend", "test"], [net.layout.accounts[1].mnemonic])).code).toBe(0);
  });
  afterAll(async () => {
    await net?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test("set a scorer, commit, reveal, read the consensus", async () => {
    const keyFlags = ["--home", home, "--keyring-backend", "test"];
    const tx = (args: string[]) => ok(["tx", ...args, ...keyFlags, "--node", net.rpc, "--yes"]);
    const q = (args: string[]) => ok(["query", ...args, "--node", net.rpc]);
    const scorer = net.layout.accounts[0].address;
    const valoper = (await q(["staking", "validators"])).validators[0].operator_address as string;

    expect((await tx(["scoring", "set-scorer", "operator", scorer])).code).toBe(0);
    expect(await q(["scoring", "scorer", valoper])).toEqual({ validator: valoper, scorer });
    expect((await tx(["registry", "register-model", "scorer", "--name", "m", "--version", "1", "--task", "text-generation", "--artifact-digest", "cd".repeat(32), "--price", "0usoa", "--unit", "call", "--bond", "10SOA"])).code).toBe(0);
    const modelId = (await q(["registry", "models"])).models[0].id as string;

    // Start at a fresh epoch so that the commit lands in the epoch it names.
    const first = BigInt((await q(["epochs", "current"])).number);
    while (BigInt((await q(["epochs", "current"])).number) === first) await sleep(300);
    const epoch = (await q(["epochs", "current"])).number as string;
    const saltFile = path.join(home, `salt-${epoch}.json`);
    // A usage error before any network access: no salt.
    expect((await cli(["tx", "scoring", "commit", "scorer", "--scores", `${modelId}:700000`, ...keyFlags, "--node", net.rpc, "--yes"])).code).toBe(2);
    expect((await tx(["scoring", "commit", "scorer", "--scores", `${modelId}:700000`, "--salt-file", saltFile, "--validator", valoper, "--epoch", epoch])).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(saltFile, "utf8")).epoch).toBe(epoch);
    expect(await q(["scoring", "commitment", valoper, epoch])).toMatchObject({ validator: valoper, epoch, revealed: false });

    while ((await q(["epochs", "current"])).number === epoch) await sleep(300);
    expect((await tx(["scoring", "reveal", "scorer", "--scores", `${modelId}:700000`, "--salt-file", saltFile, "--epoch", epoch])).code).toBe(0);
    let result = await q(["scoring", "epoch-scores", epoch]);
    while (result.status === "revealing") {
      await sleep(500);
      result = await q(["scoring", "epoch-scores", epoch]);
    }
    expect(result).toMatchObject({ status: "consensus", revealers: "1", scores: [{ model_id: modelId, score_ppm: "700000" }] });
    expect(await q(["scoring", "model-score", modelId, epoch])).toEqual({ model_id: modelId, epoch, score_ppm: "700000" });
    expect(await q(["scoring", "agreement", valoper, epoch])).toMatchObject({ agreement_ppm: "1000000", revealed: true });
    expect(await q(["scoring", "params"])).toEqual({ reveal_window: "15", max_scores_per_reveal: "100", min_reveal_stake_fraction_ppm: "500000" });
  });

  test("blockai scorer: evaluates with a command, commits, survives a restart before the reveal, reveals", async () => {
    const keyFlags = ["--home", home, "--keyring-backend", "test"];
    const q = (args: string[]) => ok(["query", ...args, "--node", net.rpc]);
    const valoper = (await q(["staking", "validators"])).validators[0].operator_address as string;
    const modelId = (await q(["registry", "models"])).models[0].id as string;
    const evaluator = `node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const m=JSON.parse(s);console.log(JSON.stringify({score_ppm:m.name==="m"?650000:1,details:{id:m.id}}))})'`;
    const stateFile = path.join(home, "scorer-state.json");
    const scorer = (stop: string) =>
      cli(["scorer", "--from", "scorer", "--validator", valoper, "--evaluator", evaluator, "--state", stateFile, "--stop-after", stop, "--poll", "300", "--node", net.rpc, ...keyFlags, "--output", "json"]);
    const first = await scorer("commit");
    expect({ code: first.code, err: first.err }).toEqual({ code: 0, err: "" });
    const events = first.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.find((e) => e.event === "evaluated")).toMatchObject({ model_id: modelId, score_ppm: 650000 });
    const commit = events.find((e) => e.event === "commit");
    expect(commit).toMatchObject({ models: 1 });
    const saved = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    expect(saved.epochs[0]).toMatchObject({ epoch: commit.epoch, commit_height: commit.height });
    expect(saved.epochs[0].salt).toMatch(/^[0-9a-f]{64}$/);
    // A new process (a restart) reveals from the state file once the epoch has ended.
    const second = await scorer("reveal");
    expect({ code: second.code, err: second.err }).toEqual({ code: 0, err: "" });
    expect(second.out).toContain(`"event":"reveal","epoch":"${commit.epoch}"`);
    let result = await q(["scoring", "epoch-scores", commit.epoch]);
    while (result.status === "revealing") {
      await sleep(500);
      result = await q(["scoring", "epoch-scores", commit.epoch]);
    }
    expect(result).toMatchObject({ status: "consensus", scores: [{ model_id: modelId, score_ppm: "650000" }] });
  });

  test("blockai scorer --evaluator http: two model servers (90% and 40% right), paid calls, better model ranks higher, calls claimed as usage", async () => {
    const keyFlags = ["--home", home, "--keyring-backend", "test"];
    const tx = (args: string[]) => ok(["tx", ...args, ...keyFlags, "--node", net.rpc, "--yes"]);
    const q = (args: string[]) => ok(["query", ...args, "--node", net.rpc]);
    const valoper = (await q(["staking", "validators"])).validators[0].operator_address as string;
    // The eval set: 20 cases; server "good" answers all but every tenth right, "bad" 4 in 10.
    const setFile = path.join(home, "eval.jsonl");
    writeEvalSet(setFile, 20);
    const models = await startModelServers([RIGHT_90, RIGHT_40]);
    const vouchers = models.servers.map((s) => s.vouchers);
    try {
      const ids: string[] = [];
      for (const [k, name] of ["good-server", "bad-server"].entries()) {
        const r = await tx(["registry", "register-model", "owner", "--name", name, "--version", "1", "--task", "text-generation", "--artifact-digest", "ef".repeat(32), "--price", "1000usoa", "--unit", "call", "--bond", "10SOA", "--endpoint", models.servers[k].endpoint]);
        expect(r.code).toBe(0);
        ids.push((await q(["registry", "models"])).models.find((m: { name: string }) => m.name === name).id);
      }
      // Only these two models are ACTIVE for this run.
      for (const m of (await q(["registry", "models", "--status", "active"])).models) {
        if (!ids.includes(m.id)) expect((await tx(["registry", "set-model-status", "scorer", m.id, "paused"])).code).toBe(0);
      }
      const stateFile = path.join(home, "http-state.json");
      const r = await cli(["scorer", "--from", "scorer", "--validator", valoper, "--evaluator", "http", "--eval-set", setFile, "--sample", "20", "--state", stateFile, "--stop-after", "reveal", "--poll", "300", "--node", net.rpc, ...keyFlags, "--output", "json"]);
      expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
      const events = r.out.trim().split("\n").map((l) => JSON.parse(l));
      const evaluated = events.filter((e) => e.event === "evaluated");
      // Local servers answer well within the 2 s latency target: 0.6 x accuracy + 0.3 + 0.1.
      expect(evaluated.find((e) => e.model_id === ids[0])).toMatchObject({ score_ppm: 940_000, details: { calls: 20, accuracy_ppm: 900_000, availability_ppm: 1_000_000, latency_ppm: 1_000_000 } });
      expect(evaluated.find((e) => e.model_id === ids[1])).toMatchObject({ score_ppm: 640_000, details: { calls: 20, accuracy_ppm: 400_000, availability_ppm: 1_000_000, latency_ppm: 1_000_000 } });
      const epoch = events.find((e) => e.event === "commit").epoch as string;
      let result = await q(["scoring", "epoch-scores", epoch]);
      while (result.status === "revealing") {
        await sleep(500);
        result = await q(["scoring", "epoch-scores", epoch]);
      }
      const score = (id: string) => Number(result.scores.find((s: { model_id: string }) => s.model_id === id).score_ppm);
      expect(score(ids[0])).toBeGreaterThan(score(ids[1]));
      // Each server claims the last voucher it was paid with: the calls are metered usage.
      for (const [k, id] of ids.entries()) {
        // 20 calls per evaluation (more if an epoch ended during one and it was evaluated again).
        const n = vouchers[k].length;
        expect(n % 20).toBe(0);
        expect(vouchers[k][n - 1]).toMatchObject({ cumulative_units: String(n), cumulative_amount: String(1000 * n) });
        const file = path.join(home, `voucher-${k}.json`);
        fs.writeFileSync(file, JSON.stringify(vouchers[k][n - 1]));
        expect((await tx(["metering", "claim-usage", "owner", file])).code).toBe(0);
        const usage = await q(["metering", "model-usage", id]);
        expect(usage).toMatchObject({ units: String(n), amount_paid: String(1000 * n) });
      }
    } finally {
      await models.close();
    }
  });
});
