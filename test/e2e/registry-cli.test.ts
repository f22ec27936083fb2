/**
 * The registry and metering CLI end to end, in process (`run`, as `blockai ...` would) against a
 * real one-node network: register a model, open an escrow, sign a voucher with `blockai voucher
 * sign`, check it with `blockai voucher verify`, claim it, read escrows and usage, close.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cli, cliJson } from "../helpers/cli";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(180_000);


describe("blockai tx/query registry and metering, blockai voucher sign|verify (CLI against a real network)", () => {
  let net: TestNetwork;
  let home: string;
  let owner: string;
  let consumer: string;
  const keyFlags = () => ["--home", home, "--keyring-backend", "test"];
  const node = () => ["--node", net.rpc];

  const ok = cliJson;

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 1 });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-registry-cli-"));
    const [a0, a1] = net.layout.accounts;
    owner = a0.address;
    consumer = a1.address;
    expect((await cli(["keys", "add", "owner", "--recover", ...keyFlags()], [a0.mnemonic])).code).toBe(0);
    expect((await cli(["keys", "add", "consumer", "--recover", ...keyFlags()], [a1.mnemonic])).code).toBe(0);
  });
  afterAll(async () => {
    await net?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test("the whole flow through the CLI", async () => {
    const tx = (args: string[]) => ok(["tx", ...args, ...keyFlags(), ...node(), "--yes"]);
    const q = (args: string[]) => ok(["query", ...args, ...node()]);
    const digest = "ab".repeat(32);
    let r = await tx(["registry", "register-model", "owner", "--name", "cli-model", "--version", "1.0", "--task", "text-generation", "--artifact-digest", digest, "--price", "1000usoa", "--unit", "call", "--bond", "10SOA"]);
    expect(r.code).toBe(0);
    const models = await q(["registry", "models", "--owner", owner]);
    expect(models.models).toHaveLength(1);
    const modelId = models.models[0].id;
    expect(models.models[0]).toMatchObject({ name: "cli-model", status: "active", artifact_digest: digest, price_per_unit: "1000", bond: "10000000" });
    expect(await q(["registry", "model", modelId])).toMatchObject({ id: modelId, owner });
    expect(await q(["registry", "params"])).toMatchObject({ min_model_bond: "10000000" });

    r = await tx(["metering", "open-escrow", "consumer", modelId, "2SOA", "--duration", "5000"]);
    expect(r.code).toBe(0);
    const escrows = await q(["metering", "escrows-by-consumer", consumer]);
    expect(escrows.escrows).toHaveLength(1);
    const escrowId = escrows.escrows[0].id;
    expect(escrows.escrows[0]).toMatchObject({ model_id: modelId, deposit: "2000000", status: "open" });

    // The consumer signs a voucher off chain; the provider checks it offline and online.
    const file = path.join(home, "voucher.json");
    const signed = await cli(["voucher", "sign", "consumer", ...keyFlags(), "--chain-id", "blockai-e2e", "--escrow-id", escrowId, "--units", "250", "--amount", "250000usoa", "--out", file]);
    expect(signed.code).toBe(0);
    const voucher = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(voucher).toMatchObject({ chain_id: "blockai-e2e", escrow_id: escrowId, cumulative_units: "250", cumulative_amount: "250000" });
    expect(await cli(["voucher", "verify", file, "--model", modelId, ...node()])).toMatchObject({ code: 0, out: "valid: adds 250000usoa\n" });
    // The escrow must pay for the model the provider serves, which the provider must say.
    expect(await cli(["voucher", "verify", file, "--model", String(Number(modelId) + 1), ...node()])).toMatchObject({ code: 1, out: `invalid: escrow ${escrowId} pays for model ${modelId}, not model ${Number(modelId) + 1}\n` });
    expect((await cli(["voucher", "verify", file, ...node()])).code).toBe(2);
    const wrongKey = await cli(["voucher", "verify", file, "--pubkey", "02" + "11".repeat(32)]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.out).toMatch(/invalid: signature/);

    const before = await q(["bank", "balances", owner, "--denom", "usoa"]);
    r = await tx(["metering", "claim-usage", "owner", file]);
    expect(r.code).toBe(0);
    expect(BigInt((await q(["bank", "balances", owner, "--denom", "usoa"])).balances[0].amount)).toBeGreaterThan(BigInt(before.balances[0].amount) + 200_000n);
    expect(await q(["metering", "escrow", escrowId])).toMatchObject({ claimed: "250000", claimed_units: "250" });
    // Replaying it is refused (the CLI exits non-zero with the chain's code).
    const replay = await cli(["tx", "metering", "claim-usage", "owner", file, ...keyFlags(), ...node(), "--yes"]);
    expect(replay.code).not.toBe(0);
    expect(replay.err + replay.out).toMatch(/metering|not newer/);
    expect(await cli(["voucher", "verify", file, "--model", modelId, ...node()])).toMatchObject({ code: 1 });

    const usage = await q(["metering", "model-usage", modelId, "--epoch", String((await q(["epochs", "current"])).number)]);
    expect(["250", "0"]).toContain(usage.units); // 0 if an epoch ended since the claim
    r = await tx(["metering", "close-escrow", "owner", escrowId]);
    expect(r.code).toBe(0);
    expect(await q(["metering", "escrow", escrowId])).toMatchObject({ status: "closed", refunded: "1750000" });
    r = await tx(["registry", "set-model-status", "owner", modelId, "paused"]);
    expect((await q(["registry", "models", "--status", "paused"])).models.map((m: { id: string }) => m.id)).toEqual([modelId]);
    expect(await q(["metering", "params"])).toHaveProperty("protocol_fee_bps");
  });

  test("usage errors are caught before anything is signed", async () => {
    const bad = await cli(["tx", "registry", "register-model", "owner", ...keyFlags(), ...node(), "--name", "x", "--version", "1", "--task", "t", "--artifact-digest", "abc", "--price", "1usoa", "--unit", "call", "--bond", "1SOA", "--yes"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/artifact-digest/);
    const help = await cli(["tx", "metering", "--help"]);
    expect(help.out).toMatch(/claim-usage/);
    expect((await cli(["voucher", "--help"])).out).toMatch(/sign/);
  });
});
