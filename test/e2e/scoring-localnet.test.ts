/**
 * Scoring on a 4-validator network, as issue #15 asks: two model servers (one answering 90% of an
 * eval set right, one 40%) registered with endpoints; four `blockai scorer` processes (one per
 * validator, signing with its operator key) evaluate them with the http evaluator, paying every
 * call from their own escrows, and commit and reveal in the same epoch. The consensus ranks the
 * better model higher, all four nodes compute the same app hash for every block up to the
 * consensus, and the evaluation calls are redeemed by the model owner as metered usage.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { rpc, status } from "../../src/node/rpc";
import { lastVoucherPerEscrow, ModelServers, RIGHT_40, RIGHT_90, startModelServers, writeEvalSet } from "../helpers/model-servers";
import { cli, cliJson } from "../helpers/cli";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(300_000);


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("scoring on a 4-validator localnet", () => {
  let net: TestNetwork;
  let home: string;
  let models: ModelServers;

  const ok = cliJson;

  beforeAll(async () => {
    // The localnet's own short epochs (20 blocks) and its reveal window, cut to the epoch length.
    net = await TestNetwork.start({ nodes: 4 });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-scoring-localnet-"));
    const keyFlags = ["--home", home, "--keyring-backend", "test"];
    expect((await cli(["keys", "add", "owner", "--recover", ...keyFlags], [net.layout.accounts[0].mnemonic])).code).toBe(0);
    for (const [i, op] of net.layout.operators.entries()) expect((await cli(["keys", "add", `op${i}`, "--recover", ...keyFlags], [op.mnemonic])).code).toBe(0);
    models = await startModelServers([RIGHT_90, RIGHT_40]);
  });
  afterAll(async () => {
    await models?.close();
    await net?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test("four http scorers pay for their calls, commit and reveal; the better model ranks higher; same app hash everywhere; the calls are metered usage", async () => {
    const keyFlags = ["--home", home, "--keyring-backend", "test"];
    const q = (args: string[]) => ok(["query", ...args, "--node", net.rpc]);
    const tx = (args: string[]) => ok(["tx", ...args, ...keyFlags, "--node", net.rpc, "--yes"]);
    const ids: string[] = [];
    for (const [k, name] of ["good", "bad"].entries()) {
      expect((await tx(["registry", "register-model", "owner", "--name", name, "--version", "1", "--task", "text-generation", "--artifact-digest", "ab".repeat(32), "--price", "1000usoa", "--unit", "call", "--bond", "10SOA", "--endpoint", models.servers[k].endpoint])).code).toBe(0);
      ids.push((await q(["registry", "models"])).models.find((m: { name: string }) => m.name === name).id);
    }
    const [good, bad] = ids;
    // 20 cases, all drawn (--sample 20): every validator measures 90% and 40% accuracy exactly.
    const setFile = path.join(home, "eval.jsonl");
    writeEvalSet(setFile, 20);

    // Start the scorers at a fresh epoch, so that all four commit in it.
    const start = (await q(["epochs", "current"])).number;
    let fresh = await q(["epochs", "current"]);
    while (fresh.number === start) {
      await sleep(300);
      fresh = await q(["epochs", "current"]);
    }
    const scorers = net.layout.nodes.map((node, i) => {
      const state = path.join(home, `state-${i}.json`);
      return cli(["scorer", "--from", `op${i}`, "--evaluator", "http", "--eval-set", setFile, "--sample", "20", "--state", state, "--stop-after", "reveal", "--poll", "300", "--node", node.rpc, ...keyFlags, "--output", "json"]);
    });
    const results = await Promise.all(scorers);
    for (const r of results) expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    const logs = results.map((r) => r.out.trim().split("\n").map((l) => JSON.parse(l)));
    // Local servers answer well within the 2 s latency target: 0.6 x accuracy + 0.3 + 0.1.
    for (const events of logs) {
      for (const e of events.filter((e) => e.event === "evaluated")) {
        expect(e).toMatchObject(e.model_id === good ? { score_ppm: 940_000, details: { calls: 20, accuracy_ppm: 900_000 } } : { model_id: bad, score_ppm: 640_000, details: { calls: 20, accuracy_ppm: 400_000 } });
      }
      expect(events.filter((e) => e.event === "escrow").map((e) => e.model_id).sort()).toEqual([...ids].sort());
    }
    const epochs = logs.map((events) => events.find((e) => e.event === "commit").epoch as string);
    expect(new Set(epochs).size).toBe(1);
    const epoch = epochs[0];
    // Each scorer opens two escrows and commits in the epoch it started in (about 6 blocks in on
    // an idle machine), before that epoch's last block as the scorer guarantees.
    expect(epoch).toBe(fresh.number);
    for (const events of logs) expect(events.find((e) => e.event === "commit").height).toBeLessThanOrEqual(Number(fresh.end_height));

    let result = await q(["scoring", "epoch-scores", epoch]);
    while (result.status === "revealing") {
      await sleep(500);
      result = await q(["scoring", "epoch-scores", epoch]);
    }
    expect(result).toMatchObject({ status: "consensus", revealers: "4" });
    const score = (id: string) => Number(result.scores.find((s: { model_id: string }) => s.model_id === id).score_ppm);
    expect(score(good)).toBe(940_000);
    expect(score(bad)).toBe(640_000);
    expect(score(good)).toBeGreaterThan(score(bad));

    // The same app hash on every node for every block up to the one after the consensus (a
    // header carries the app hash of the block before it).
    const end = Number(result.reveal_window.split("..")[1]);
    for (const n of net.layout.nodes) while ((await status(n.rpc)).height < end + 1) await sleep(300);
    const appHashes = async (node: string) => {
      const out: string[] = [];
      for (let lo = 1; lo <= end + 1; lo += 20) {
        const r = await rpc(node, "blockchain", { minHeight: lo, maxHeight: Math.min(end + 1, lo + 19) });
        for (const m of [...r.block_metas].reverse()) out.push(`${m.header.height}:${m.header.app_hash}`);
      }
      return out;
    };
    const chains = await Promise.all(net.layout.nodes.map((n) => appHashes(n.rpc)));
    expect(chains[0]).toHaveLength(end + 1);
    for (const c of chains) expect(c).toEqual(chains[0]);
    // And the same answer to the same query on every node.
    const answers = await Promise.all(net.layout.nodes.map((n) => ok(["query", "scoring", "epoch-scores", epoch, "--node", n.rpc])));
    for (const a of answers) expect(a).toEqual(answers[0]);

    // The owner redeems, per model, each scorer's last voucher: every evaluation call is paid usage.
    const operators = net.layout.operators.map((o) => o.address).sort();
    const firstEpoch = BigInt((await q(["epochs", "current"])).number);
    for (const [k, id] of ids.entries()) {
      const received = models.servers[k].vouchers;
      // 20 calls per evaluation (more if an epoch ended during one and it was evaluated again).
      expect(received.length % 20).toBe(0);
      expect(received.length).toBeGreaterThanOrEqual(80);
      const last = lastVoucherPerEscrow(received);
      const escrows = (await q(["metering", "escrows-by-model", id])).escrows as Array<{ id: string; consumer: string }>;
      // One escrow per scorer, each opened by that validator's operator.
      expect(escrows.map((e) => e.consumer).sort()).toEqual(operators);
      expect(last.map((v) => v.escrow_id)).toEqual(escrows.map((e) => e.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
      for (const v of last) {
        const calls = received.filter((r) => r.escrow_id === v.escrow_id).length;
        expect(v).toMatchObject({ cumulative_units: String(calls), cumulative_amount: String(1000 * calls) });
        const file = path.join(home, `voucher-${id}-${v.escrow_id}.json`);
        fs.writeFileSync(file, JSON.stringify(v));
        expect((await tx(["metering", "claim-usage", "owner", file])).code).toBe(0);
        expect(await q(["metering", "escrow", v.escrow_id])).toMatchObject({ claimed_units: String(calls), claimed: String(1000 * calls) });
      }
    }
    // Usage is recorded in the epoch of each claim; the claims may straddle an epoch boundary.
    const lastEpoch = BigInt((await q(["epochs", "current"])).number);
    for (const [k, id] of ids.entries()) {
      let units = 0n;
      let paid = 0n;
      for (let e = firstEpoch; e <= lastEpoch; e++) {
        const u = await q(["metering", "model-usage", id, "--epoch", e.toString()]);
        units += BigInt(u.units);
        paid += BigInt(u.amount_paid);
      }
      const n = models.servers[k].vouchers.length;
      expect({ units, paid }).toEqual({ units: BigInt(n), paid: BigInt(1000 * n) });
    }
  });
});
