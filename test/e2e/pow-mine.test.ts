import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createBlockaiRegistry } from "../../src/client/registry";
import { MsgRegisterModel, MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { QueryTargetRequest, QueryTargetResponse } from "../../src/gen/blockai/pow/v1/query";
import { CertificateSigner, CometMinerChain, powQuery } from "../../src/miner/chain";
import { AcceptedEvent, Miner, RejectedEvent } from "../../src/miner/miner";
import { LOCALNET_POW_TARGET, PowQuery, parseTargetHex } from "../../src/modules/pow";
import { blockaiEntry } from "../../src/node/paths";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(240_000);

describe("end to end: `blockai mine` and the miner engine against CometBFT + BLOCKAI (1 node, easy localnet target)", () => {
  let net: TestNetwork;
  let owner: SigningStargateClient;
  let ownerAddress: string;
  let comet: Comet38Client;
  let fresh: DirectSecp256k1HdWallet;
  let freshAddress: string;
  let modelId: bigint;

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 1 });
    comet = await Comet38Client.connect(net.rpc);
    const a0 = net.layout.accounts[0];
    ownerAddress = a0.address;
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(a0.mnemonic, { prefix: "soa" });
    owner = await SigningStargateClient.connectWithSigner(net.rpc, wallet, {
      registry: createBlockaiRegistry(),
      gasPrice: GasPrice.fromString("0.025usoa"),
      broadcastPollIntervalMs: 250,
    });
    fresh = await DirectSecp256k1HdWallet.generate(24, { prefix: "soa" });
    [{ address: freshAddress }] = await fresh.getAccounts();
    // The model, registered through the registry module, with the fresh key as an operator.
    const res = await owner.signAndBroadcast(
      ownerAddress,
      [
        {
          typeUrl: "/blockai.registry.v1.MsgRegisterModel",
          value: MsgRegisterModel.fromPartial({
            owner: ownerAddress,
            operators: [freshAddress],
            name: "e2e-miner-model",
            version: "1",
            task: "text-generation",
            artifactDigest: Buffer.alloc(32, 1),
            pricePerUnit: { denom: "usoa", amount: "0" },
            unit: "call",
            bond: { denom: "usoa", amount: "10000000" },
          }),
        },
      ],
      "auto",
    );
    expect(res.code).toBe(0);
    modelId = MsgRegisterModelResponse.decode(res.msgResponses[0].value).modelId;
    expect(modelId).toBeGreaterThan(0n);
  });
  afterAll(async () => {
    owner?.disconnect();
    comet?.disconnect();
    await net?.stop();
  });

  const minerWorkTotal = async (address: string): Promise<{ work: bigint; certificates: bigint }> => {
    const t = await powQuery(comet, PowQuery.Target, {});
    let work = 0n;
    let certificates = 0n;
    for (let e = 0n; e <= t.epoch; e++) {
      const r = await powQuery(comet, PowQuery.MinerWork, { miner: address, epoch: e });
      work += BigInt(r.total?.work || "0");
      certificates += r.total?.certificates ?? 0n;
    }
    return { work, certificates };
  };

  test("the genesis target is the easy localnet one (state at height 1, before any retarget)", async () => {
    const res = await comet.abciQuery({ path: "/blockai.pow.v1.Query/Target", data: QueryTargetRequest.encode({}).finish(), height: 1 });
    expect(res.code).toBe(0);
    const t = QueryTargetResponse.decode(res.value);
    expect(parseTargetHex(t.target, "target")).toBe(LOCALNET_POW_TARGET);
    expect(t.workPerCertificate).toBe("16384");
  });

  test("a miner with zero balance and no account mines: certificates accepted, its work grows, no fee paid", async () => {
    const chain = await CometMinerChain.connect(net.rpc);
    expect(await chain.account(freshAddress)).toBeUndefined();
    const miner = new Miner({ chain, signer: await CertificateSigner.create(fresh), modelId, workDigest: Buffer.alloc(32, 9), threads: 1, maxAccepted: 8, statusMs: 500 });
    const accepted: AcceptedEvent[] = [];
    const rejected: RejectedEvent[] = [];
    const samples: bigint[] = [];
    miner.on("accepted", (a: AcceptedEvent) => accepted.push(a));
    miner.on("rejected", (r: RejectedEvent) => rejected.push(r));
    miner.on("status", () => void minerWorkTotal(freshAddress).then((w) => samples.push(w.work), () => undefined));
    const started = Date.now();
    await miner.run();
    const seconds = (Date.now() - started) / 1000;
    chain.disconnect();
    const status = miner.status();
    console.log(`e2e miner: ${status.accepted} accepted, ${status.rejected} rejected, ${status.stale} stale in ${seconds.toFixed(1)} s; ${status.hashes} hashes; first accepted at height ${accepted[0]?.height}`);
    expect(status.accepted).toBeGreaterThanOrEqual(8);
    expect(rejected).toEqual([]);
    // The first certificate created the account; it never held a token.
    const account = await owner.getAccount(freshAddress);
    expect(account).not.toBeNull();
    expect(account!.sequence).toBeGreaterThanOrEqual(8);
    expect((await owner.getBalance(freshAddress, "usoa")).amount).toBe("0");
    const total = await minerWorkTotal(freshAddress);
    expect(total.certificates).toBe(BigInt(account!.sequence));
    expect(total.work).toBeGreaterThan(0n);
    // The work credited grew while mining.
    expect(samples.length).toBeGreaterThan(1);
    for (let i = 1; i < samples.length; i++) expect(samples[i] >= samples[i - 1]).toBe(true);
    expect(samples[samples.length - 1]).toBeGreaterThan(samples[0]);
  });

  const runCli = (args: string[]) => {
    const child = spawn(process.execPath, [blockaiEntry(), "mine", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const lines: any[] = [];
    let stderr = "";
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) lines.push(JSON.parse(line));
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, lines, exited, stderr: () => stderr };
  };

  test("`blockai mine --output json --max-certs 3` (owner key from a mnemonic file) prints JSON lines and exits 0", async () => {
    const file = path.join(net.layout.dir, "owner.mnemonic");
    fs.writeFileSync(file, net.layout.accounts[0].mnemonic + "\n", { mode: 0o600 });
    const before = await minerWorkTotal(ownerAddress);
    const cli = runCli(["--model", modelId.toString(), "--mnemonic-file", file, "--node", net.rpc, "--chain-id", "blockai-e2e", "--output", "json", "--threads", "1", "--max-certs", "3", "--work-digest", "ab".repeat(32)]);
    const code = await cli.exited;
    expect({ code, stderr: cli.stderr() }).toEqual({ code: 0, stderr: "" });
    const events = cli.lines.map((l) => l.event);
    expect(events).toContain("anchor");
    expect(events.filter((e) => e === "accepted").length).toBeGreaterThanOrEqual(3);
    const last = cli.lines[cli.lines.length - 1];
    expect(last).toMatchObject({ event: "stopped", rejected: 0 });
    expect(last.accepted).toBeGreaterThanOrEqual(3);
    expect(last.target).toMatch(/^[0-9a-f]{64}$/);
    const after = await minerWorkTotal(ownerAddress);
    expect(after.certificates - before.certificates).toBeGreaterThanOrEqual(3n);
  });

  test("Ctrl-C (SIGINT) stops `blockai mine` cleanly: workers terminated, final line, exit 0", async () => {
    const file = path.join(net.layout.dir, "owner.mnemonic");
    const cli = runCli(["--model", modelId.toString(), "--mnemonic-file", file, "--node", net.rpc, "--output", "json", "--threads", "2"]);
    const deadline = Date.now() + 60_000;
    while (!cli.lines.some((l) => l.event === "accepted") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(cli.lines.some((l) => l.event === "accepted")).toBe(true);
    const t0 = Date.now();
    cli.child.kill("SIGINT");
    const code = await cli.exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(cli.lines[cli.lines.length - 1].event).toBe("stopped");
  });

  test("a miner that is neither owner nor operator is told why and exits 1", async () => {
    const outsider = net.layout.accounts[1];
    const file = path.join(net.layout.dir, "outsider.mnemonic");
    fs.writeFileSync(file, outsider.mnemonic + "\n", { mode: 0o600 });
    const cli = runCli(["--model", modelId.toString(), "--mnemonic-file", file, "--node", net.rpc, "--output", "json"]);
    const code = await cli.exited;
    expect(code).toBe(1);
    expect(cli.stderr()).toMatch(/Error: cannot mine for model \d+: .*neither the model's owner nor one of its operators.*\(code pow\/10\)/);
    // The refusal that ends it is pow/10; a certificate mined just before a retarget may have been
    // refused before it as stale (pow/3: the seal is checked before the miner's rights).
    expect(cli.lines.filter((l) => l.event === "rejected")).toContainEqual(expect.objectContaining({ code: 10, codespace: "pow" }));
  });
});
