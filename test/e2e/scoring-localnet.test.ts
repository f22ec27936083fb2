/**
 * Scoring on a 4-validator network: two models registered, four `blockai scorer` processes (one
 * per validator, signing with its operator key, a command evaluator) commit and reveal in the same
 * epoch; the consensus ranks the better model higher, and all four nodes compute the same app hash
 * for the blocks that carry the reveals and the consensus.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Io } from "../../src/cli/command";
import { ScriptedPrompter } from "../../src/cli/prompt";
import { run } from "../../src/cli/run";
import { UsageError } from "../../src/cli/args";
import { rpc, status } from "../../src/node/rpc";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(300_000);

function io(answers: string[] = []) {
  let out = "";
  let err = "";
  const value: Io = {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    prompter: new ScriptedPrompter(answers),
    env: {},
  };
  return { io: value, out: () => out, err: () => err };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("scoring on a 4-validator localnet", () => {
  let net: TestNetwork;
  let home: string;

  async function cli(args: string[], answers: string[] = []): Promise<{ code: number | "running"; out: string; err: string }> {
    const c = io(answers);
    try {
      const code = await run(args, c.io);
      return { code, out: c.out(), err: c.err() };
    } catch (e) {
      return { code: e instanceof UsageError ? 2 : 1, out: c.out(), err: c.err() + (e as Error).message };
    }
  }
  async function ok(args: string[]): Promise<any> {
    const r = await cli([...args, "--output", "json"]);
    if (r.code !== 0) throw new Error(`blockai ${args.join(" ")} exited ${r.code}: ${r.err}${r.out}`);
    return JSON.parse(r.out);
  }

  beforeAll(async () => {
    net = await TestNetwork.start({
      nodes: 4,
      editGenesis: (g) => {
        g.app_state.epochs = { params: { epoch_length: "30" } };
        g.app_state.scoring = { params: { reveal_window: "20", max_scores_per_reveal: "100", min_reveal_stake_fraction_ppm: "500000" } };
      },
    });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-scoring-localnet-"));
    const keyFlags = ["--home", home, "--keyring-backend", "test"];
    expect((await cli(["keys", "add", "owner", "--recover", ...keyFlags], [net.layout.accounts[0].mnemonic])).code).toBe(0);
    for (const [i, op] of net.layout.operators.entries()) expect((await cli(["keys", "add", `op${i}`, "--recover", ...keyFlags], [op.mnemonic])).code).toBe(0);
  });
  afterAll(async () => {
    await net?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test("four scorers commit and reveal; the better model ranks higher; every node has the same app hash", async () => {
    const keyFlags = ["--home", home, "--keyring-backend", "test"];
    const q = (args: string[]) => ok(["query", ...args, "--node", net.rpc]);
    const register = (name: string) =>
      ok(["tx", "registry", "register-model", "owner", "--name", name, "--version", "1", "--task", "text-generation", "--artifact-digest", "ab".repeat(32), "--price", "0usoa", "--unit", "call", "--bond", "10SOA", ...keyFlags, "--node", net.rpc, "--yes"]);
    await register("good");
    await register("bad");
    const models = (await q(["registry", "models"])).models as Array<{ id: string; name: string }>;
    const good = models.find((m) => m.name === "good")!.id;
    const bad = models.find((m) => m.name === "bad")!.id;

    // Start the scorers at a fresh epoch, so that all four commit in it.
    const start = (await q(["epochs", "current"])).number;
    while ((await q(["epochs", "current"])).number === start) await sleep(300);
    const scorers = net.layout.nodes.map((node, i) => {
      // Validator i's evaluation: good about 90%, bad about 40%, each validator a little off.
      const evaluator = `node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const m=JSON.parse(s);console.log(JSON.stringify({score_ppm:m.name==="good"?${900_000 - 10_000 * i}:${400_000 + 10_000 * i}}))})'`;
      const state = path.join(home, `state-${i}.json`);
      return cli(["scorer", "--from", `op${i}`, "--evaluator", evaluator, "--state", state, "--stop-after", "reveal", "--poll", "500", "--node", node.rpc, ...keyFlags, "--output", "json"]);
    });
    const results = await Promise.all(scorers);
    for (const r of results) expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    const epochs = results.map((r) => r.out.split("\n").filter((l) => l.includes('"event":"commit"')).map((l) => JSON.parse(l).epoch)[0]);
    expect(new Set(epochs).size).toBe(1);
    const epoch = epochs[0] as string;

    let result = await q(["scoring", "epoch-scores", epoch]);
    while (result.status === "revealing") {
      await sleep(500);
      result = await q(["scoring", "epoch-scores", epoch]);
    }
    expect(result).toMatchObject({ status: "consensus", revealers: "4" });
    const score = (id: string) => Number(result.scores.find((s: { model_id: string }) => s.model_id === id).score_ppm);
    // Lower median of four equal stakes: the second lowest score.
    expect(score(good)).toBe(880_000);
    expect(score(bad)).toBe(410_000);
    expect(score(good)).toBeGreaterThan(score(bad));

    // The same app hash on every node for every block from the first commit to the consensus.
    const end = Number((await q(["scoring", "epoch-scores", epoch])).reveal_window.split("..")[1]);
    const from = Math.max(1, end - 60);
    for (const n of net.layout.nodes) while ((await status(n.rpc)).height < end + 1) await sleep(300);
    for (let h = from; h <= end + 1; h++) {
      const hashes = await Promise.all(net.layout.nodes.map(async (n) => (await rpc(n.rpc, "block", { height: h })).block.header.app_hash as string));
      expect(new Set(hashes).size).toBe(1);
    }
    // And the same answer to the same query on every node.
    const answers = await Promise.all(net.layout.nodes.map((n) => ok(["query", "scoring", "epoch-scores", epoch, "--node", n.rpc])));
    for (const a of answers) expect(a).toEqual(answers[0]);
  });
});
