/** The staking, slashing and distribution commands of the `blockai` CLI against a real node (in-process runs). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import type { Io } from "../../src/cli/command";
import { ScriptedPrompter } from "../../src/cli/prompt";
import { run } from "../../src/cli/run";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(240_000);

function capture(answers: string[] = []) {
  let out = "";
  const io: Io = {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: () => true } as unknown as NodeJS.WritableStream,
    prompter: new ScriptedPrompter(answers),
    env: {},
  };
  return { io, out: () => out };
}

describe("blockai tx/query staking, slashing, distribution", () => {
  let net: TestNetwork;
  let home: string;
  let valoper: string;
  const common = (args: string[]) => (args[0] === "tx" ? ["--home", home, "--keyring-backend", "test", "--node", net.rpc] : ["--node", net.rpc]);
  const cli = async (args: string[]) => {
    const c = capture();
    const code = await run([...args, ...common(args)], c.io);
    return { code, out: c.out() };
  };
  const json = async (args: string[]) => {
    const r = await cli([...args, "--output", "json"]);
    expect(r.code).toBe(0);
    return JSON.parse(r.out);
  };

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 1, params: { staking: { unbonding_time: "30s" } } });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-pos-cli-"));
    valoper = toBech32("soavaloper", fromBech32(net.layout.operators[0].address).data);
    for (const [name, mnemonic] of [["alice", net.layout.accounts[0].mnemonic], ["bob", net.layout.accounts[1].mnemonic], ["op", net.layout.operators[0].mnemonic]]) {
      const c = capture([mnemonic]);
      await run(["keys", "import", name, "--home", home, "--keyring-backend", "test"], c.io);
    }
  });

  afterAll(async () => {
    await net?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test("queries: validators, pool, params of the three modules", async () => {
    const v = await json(["query", "staking", "validators"]);
    expect(v.validators).toHaveLength(1);
    expect(v.validators[0]).toMatchObject({ operator_address: valoper, status: "bonded", tokens: "100000000", commission_rate: "0.1" });
    expect(await json(["query", "staking", "pool"])).toEqual({ bonded_tokens: "100000000", not_bonded_tokens: "0" });
    expect((await json(["query", "staking", "params"])).unbonding_time).toBe("30s");
    expect(await json(["query", "slashing", "params"])).toMatchObject({ signed_blocks_window: "20", slash_fraction_double_sign: "0.05" });
    expect(await json(["query", "distribution", "params"])).toEqual({ community_tax: "0.02", withdraw_addr_enabled: true });
    const text = await cli(["query", "staking", "validators"]);
    expect(text.out).toMatch(/OPERATOR\s+MONIKER\s+STATUS/);
    expect((await json(["query", "slashing", "signing-infos"])).signing_infos).toHaveLength(1);
  });

  test("delegate, unbond, rewards, withdraw (with commission), set-withdraw-addr", async () => {
    const alice = net.layout.accounts[0].address;
    expect((await cli(["tx", "staking", "delegate", valoper, "2SOA", "--from", "alice", "--yes"])).code).toBe(0);
    expect((await json(["query", "staking", "delegation", alice, valoper])).balance).toEqual({ denom: "usoa", amount: "2000000" });
    expect((await cli(["tx", "staking", "unbond", valoper, "0.5SOA", "--from", "alice", "--yes"])).code).toBe(0);
    const ubd = await json(["query", "staking", "unbonding-delegations", alice]);
    expect(ubd.unbonding).toHaveLength(1);
    expect(ubd.unbonding[0].balance).toBe("500000");
    const rewards = await json(["query", "distribution", "rewards", alice]);
    expect(rewards.rewards[0].validator).toBe(valoper);
    expect((await cli(["tx", "distribution", "set-withdraw-addr", net.layout.accounts[2].address, "--from", "op", "--yes"])).code).toBe(0);
    expect((await json(["query", "distribution", "withdraw-addr", net.layout.operators[0].address])).withdraw_address).toBe(net.layout.accounts[2].address);
    expect((await cli(["tx", "distribution", "withdraw-rewards", valoper, "--commission", "--from", "op", "--yes"])).code).toBe(0);
    expect((await cli(["tx", "distribution", "withdraw-all-rewards", "--from", "alice", "--yes"])).code).toBe(0);
    expect((await cli(["tx", "distribution", "fund-community-pool", "1000usoa", "--from", "alice", "--yes"])).code).toBe(0);
    expect((await json(["query", "distribution", "community-pool"])).pool[0].denom).toBe("usoa");
    expect((await json(["query", "distribution", "commission", valoper])).commission).toBeDefined();
  });

  test("create-validator with a given consensus key; unjail of a validator that is not jailed is refused before broadcasting", async () => {
    const key = Buffer.from(ed25519.getPublicKey(ed25519.utils.randomSecretKey())).toString("base64");
    expect((await cli(["tx", "staking", "create-validator", "10SOA", "--pubkey", key, "--moniker", "bob-validator", "--from", "bob", "--yes"])).code).toBe(0);
    const v = await json(["query", "staking", "validators"]);
    expect(v.validators.map((x: { moniker: string }) => x.moniker).sort()).toEqual(["bob-validator", "node0"]);
    await expect(cli(["tx", "slashing", "unjail", "--from", "op", "--yes"])).rejects.toThrow(/validator not jailed/);
    await expect(cli(["tx", "staking", "delegate", "soa1notanaddress", "1SOA", "--from", "alice", "--yes"])).rejects.toThrow(/invalid validator/);
  });
});
