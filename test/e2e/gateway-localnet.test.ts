/**
 * Issue 17's walk-through end to end: a real one-node network, the example model
 * (examples/wink-model), `blockai gateway` (an operator's key) in front of it, `blockai consume`
 * (the consumer's key) and the official `openai` npm client pointed at consume. 50 calls, some
 * streaming, are served and paid; the gateway is SIGKILLed mid-run and restarted and still claims
 * everything; the chain shows the usage and the owner's balance grows by exactly price x units
 * less the protocol fee. Then the two-operator double spend, the unpaid 402 and the consumer
 * that stops paying. Every process is stopped by its pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import OpenAI from "openai";
import { BlockaiClient, privateKeyFromMnemonic, signedVoucherToJson, signVoucher, type PaymentRequiredBody } from "../../src/client";
import { blockaiEntry, repoRoot } from "../../src/node/paths";
import { cli } from "../helpers/cli";
import { TestNetwork } from "../helpers/network";
import { freePorts } from "../helpers/ports";

jest.setTimeout(300_000);

const PRICE = 2n;
const FEE_BPS = 200n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: ChildProcess;
  lines: any[];
  out: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], json = true): Proc {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], cwd: repoRoot() });
  const lines: any[] = [];
  let all = "";
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    all += d.toString();
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (json && line.trim().startsWith("{")) lines.push(JSON.parse(line));
    }
  });
  child.stderr!.on("data", (d: Buffer) => (all += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, out: () => all, exited };
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000, p?: Proc): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      const out = p ? p.out().split("\n").filter((l) => !l.includes('"event":"status"')).join("\n").slice(-4000) : "";
      throw new Error(`timed out waiting for ${what}${p ? ` (exit ${p.child.exitCode})\n${out}` : ""}`);
    }
    await sleep(100);
  }
}

describe("paid AI calls over HTTP on a real network", () => {
  let net: TestNetwork;
  let home: string;
  const procs: Proc[] = [];
  let ports: number[];
  let client: BlockaiClient;

  const keyFlags = () => ["--home", home, "--keyring-backend", "test"];
  const track = (p: Proc) => (procs.push(p), p);

  beforeAll(async () => {
    // The 4-validator network of `make localnet`: the gateway reads and claims through node0, the
    // consumer opens its escrow and pays through node1.
    net = await TestNetwork.start({
      nodes: 4,
      editGenesis: (g) => {
        g.app_state.metering = { params: { protocol_fee_bps: Number(FEE_BPS), claim_grace: "50", max_escrow_duration: "100000" } };
      },
    });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-gateway-e2e-"));
    for (const [name, i] of [["owner", 0], ["consumer", 1], ["operator", 2], ["quitter", 3]] as const) {
      expect((await cli(["keys", "add", name, "--recover", ...keyFlags()], [net.layout.accounts[i].mnemonic])).code).toBe(0);
    }
    // example model, gateway (operator), consume; then the second test's model and two gateways
    ports = await freePorts(8);
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(net.layout.accounts[0].mnemonic, { prefix: "soa" });
    client = await BlockaiClient.connectWithSigner(net.rpc, wallet, { gasPrice: GasPrice.fromString("0.025usoa"), broadcastPollIntervalMs: 300 });
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.exited));
    client?.disconnect();
    await net?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test("register, gateway, consume, 50 calls through the openai client (some streaming), SIGKILL and restart, everything claimed", async () => {
    const owner = net.layout.accounts[0].address;
    const operator = net.layout.accounts[2].address;
    const [modelPort, gatewayPort, consumePort] = ports;
    const model = track(start([path.join("examples", "wink-model", "server.js"), "--listen", `127.0.0.1:${modelPort}`], false));
    await waitFor("the example model", async () => (await fetch(`http://127.0.0.1:${modelPort}/v1/models`).then((r) => r.ok).catch(() => false)), 30_000, model);

    const { modelId } = await client.registerModel(owner, {
      name: "wink sentiment",
      version: "1",
      task: "text-classification",
      artifactDigest: new Uint8Array(32).fill(7),
      endpoint: `http://127.0.0.1:${gatewayPort}`,
      pricePerUnit: PRICE,
      unit: "token",
      bond: 10_000_000n,
      operators: [operator],
    });
    const ownerBefore = await client.getBalance(owner);

    const store = path.join(home, "gateway-store");
    const gatewayArgs = [blockaiEntry(), "gateway", "--model", modelId.toString(), "--upstream", `http://127.0.0.1:${modelPort}`, "--from", "operator", ...keyFlags(), "--node", net.rpc, "--listen", `127.0.0.1:${gatewayPort}`, "--store", store, "--claim-interval", "500", "--claim-threshold", "1500usoa", "--max-call-units", "512", "--output", "json"];
    let gateway = track(start(gatewayArgs));
    await waitFor("the gateway", () => gateway.lines.some((l) => l.event === "start"), 60_000, gateway);

    const consume = track(start([blockaiEntry(), "consume", "--model", modelId.toString(), "--from", "consumer", ...keyFlags(), "--node", net.layout.nodes[1].rpc, "--listen", `127.0.0.1:${consumePort}`, "--deposit", "3000usoa", "--state", path.join(home, "consume.json"), "--output", "json"]));
    await waitFor("consume", () => consume.lines.some((l) => l.event === "start"), 60_000, consume);
    const escrowId = BigInt(consume.lines.find((l) => l.event === "escrow").escrow_id);

    const openai = new OpenAI({ baseURL: `http://127.0.0.1:${consumePort}/v1`, apiKey: "not-used", maxRetries: 0 });
    let units = 0n;
    const texts = ["I love this wonderful city.", "The service was terrible and slow.", "Meet me on 5 May 2025 at 10 am.", "It is a table."];
    const oneCall = async (i: number) => {
      const content = texts[i % texts.length];
      if (i % 5 === 4) {
        const stream = await openai.chat.completions.create({ model: "wink", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content }] });
        let text = "";
        let total: number | undefined;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? "";
          if (chunk.usage) total = chunk.usage.total_tokens;
        }
        expect(text).toMatch(/^Sentiment: /);
        expect(total).toBeGreaterThan(0);
        units += BigInt(total!);
      } else {
        const r = await openai.chat.completions.create({ model: "wink", messages: [{ role: "user", content }] });
        expect(r.choices[0].message.content).toMatch(/^Sentiment: (positive|negative|neutral)/);
        units += BigInt(r.usage!.total_tokens);
      }
    };
    for (let i = 0; i < 25; i++) await oneCall(i);

    // SIGKILL mid-run: no shutdown claim, no flush beyond what the store already wrote.
    gateway.child.kill("SIGKILL");
    await gateway.exited;
    const killed = gateway;
    gateway = track(start(gatewayArgs));
    await waitFor("the restarted gateway", () => gateway.lines.some((l) => l.event === "start"), 60_000, gateway);
    for (let i = 25; i < 50; i++) await oneCall(i);
    expect(consume.lines.filter((l) => l.event === "top_up").length).toBeGreaterThan(0);

    // The consumer settles its last call on shutdown; the gateway claims everything on its own.
    consume.child.kill("SIGTERM");
    expect(await consume.exited).toBe(0);
    expect(consume.lines.find((l) => l.event === "settled")).toMatchObject({ accepted: (units * PRICE).toString() });
    gateway.child.kill("SIGTERM");
    expect(await gateway.exited).toBe(0);
    const claims = [...killed.lines, ...gateway.lines].filter((l) => l.event === "claim");
    expect(gateway.lines.filter((l) => l.event === "claim").length).toBeGreaterThan(0);
    expect(gateway.lines.some((l) => l.event === "claim_failed")).toBe(false);

    const total = units * PRICE;
    const escrow = (await client.getEscrow(escrowId))!;
    expect({ claimed: escrow.claimed?.amount, units: escrow.claimedUnits, provider: escrow.provider }).toEqual({ claimed: total.toString(), units, provider: operator });
    // The protocol fee by docs/models.md, claim by claim: floor(cumulative x bps / 10000) -
    // floor(claimed before x bps / 10000), at least 1 usoa on a non-zero claim. The owner signed
    // nothing since, so its balance moved by exactly the amount less that fee.
    let fee = 0n;
    let before = 0n;
    for (const c of claims) {
      const cum = BigInt(c.cumulative_amount);
      expect(BigInt(c.paid)).toBe(cum - before);
      const f = (cum * FEE_BPS) / 10_000n - (before * FEE_BPS) / 10_000n;
      fee += f < 1n ? 1n : f;
      before = cum;
    }
    expect(before).toBe(total);
    expect(await client.getBalance(owner)).toBe(ownerBefore + total - fee);
    let paid = 0n;
    let used = 0n;
    for (let epoch = 0n; epoch <= (await client.getCurrentEpoch()).number; epoch++) {
      const u = await client.getModelUsage(modelId, epoch);
      paid += BigInt(u?.amountPaid?.amount ?? "0");
      used += u?.units ?? 0n;
    }
    expect({ paid, used }).toEqual({ paid: total, used: units });
    model.child.kill("SIGTERM");
    await model.exited;
  });

  test("the two-operator double spend fails; an unpaid call gets 402; a consumer that stops paying gets one call of credit", async () => {
    const owner = net.layout.accounts[0].address;
    const operator = net.layout.accounts[2].address;
    const quitter = net.layout.accounts[3];
    const [, gatewayPort, , modelPort, opGatewayPort, ownerGatewayPort] = ports;
    const model = track(start([path.join("examples", "wink-model", "server.js"), "--listen", `127.0.0.1:${modelPort}`], false));
    await waitFor("the example model", async () => (await fetch(`http://127.0.0.1:${modelPort}/v1/models`).then((r) => r.ok).catch(() => false)), 30_000, model);
    const modelId = (await client.getModels({ owner })).models.find((m) => m.endpoint.endsWith(`:${gatewayPort}`))!.id;
    const common = ["--model", modelId.toString(), "--upstream", `http://127.0.0.1:${modelPort}`, ...keyFlags(), "--node", net.rpc, "--claim-interval", "500", "--output", "json"];
    const gwOp = track(start([blockaiEntry(), "gateway", ...common, "--from", "operator", "--listen", `127.0.0.1:${opGatewayPort}`, "--store", path.join(home, "store-op2")]));
    const gwOwner = track(start([blockaiEntry(), "gateway", ...common, "--from", "owner", "--listen", `127.0.0.1:${ownerGatewayPort}`, "--store", path.join(home, "store-owner")]));
    await waitFor("both gateways", () => [gwOp, gwOwner].every((g) => g.lines.some((l) => l.event === "start")), 60_000, gwOwner);

    // The quitter opens an escrow bound to the operator and signs vouchers itself.
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(quitter.mnemonic, { prefix: "soa" });
    const qc = await BlockaiClient.connectWithSigner(net.rpc, wallet, { gasPrice: GasPrice.fromString("0.025usoa"), broadcastPollIntervalMs: 300 });
    const key = await privateKeyFromMnemonic(quitter.mnemonic);
    const chainId = await qc.getChainId();
    const { escrowId } = await qc.openEscrow(quitter.address, modelId, 1_000_000n, BigInt(await qc.getHeight()) + 1000n, "auto", "", operator);
    const voucher = (amount: bigint, unitsSigned: bigint) => JSON.stringify(signedVoucherToJson(signVoucher({ chainId, escrowId, cumulativeUnits: unitsSigned, cumulativeAmount: amount }, key)));
    const post = async (port: number, v?: string) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (v) headers["x-blockai-voucher"] = v;
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: "POST", headers, body: JSON.stringify({ model: "wink", messages: [{ role: "user", content: "What a lovely day." }] }) });
      return { status: res.status, body: (await res.json()) as any, owed: res.headers.get("x-blockai-owed") };
    };

    // Unpaid: 402 with the machine-readable terms.
    const unpaid = await post(opGatewayPort);
    expect(unpaid.status).toBe(402);
    expect((unpaid.body as PaymentRequiredBody).error.blockai).toMatchObject({ chain_id: chainId, model_id: modelId.toString(), provider: operator, price_per_unit: PRICE.toString(), unit: "token", escrow_id: null });

    // One call on credit, then nothing more without paying it.
    const first = await post(opGatewayPort, voucher(0n, 0n));
    expect(first.status).toBe(200);
    const owed = BigInt(first.owed!);
    expect(owed).toBeGreaterThan(0n);
    for (let i = 0; i < 3; i++) {
      const again = await post(opGatewayPort, voucher(0n, 0n));
      expect(again.status).toBe(402);
      expect(again.body.error.blockai.sign_at_least).toBe(owed.toString());
    }

    // The same paying voucher offered to the owner's gateway: refused (bound to the operator) ...
    const paying = voucher(owed, owed / PRICE);
    const atOwner = await post(ownerGatewayPort, paying);
    expect([atOwner.status, atOwner.body.error.code]).toEqual([403, "wrong_provider"]);
    // ... and the owner cannot claim it on chain either; the operator's gateway takes it.
    const ownerWallet = await DirectSecp256k1HdWallet.fromMnemonic(net.layout.accounts[0].mnemonic, { prefix: "soa" });
    const oc = await BlockaiClient.connectWithSigner(net.rpc, ownerWallet, { gasPrice: GasPrice.fromString("0.025usoa"), broadcastPollIntervalMs: 300 });
    const signed = signVoucher({ chainId, escrowId, cumulativeUnits: owed / PRICE, cumulativeAmount: owed }, key);
    await expect(oc.claimUsage(owner, signed)).rejects.toMatchObject({ codespace: "sdk", code: 4 });
    oc.disconnect();
    expect((await post(opGatewayPort, paying)).status).toBe(200);

    const metrics = await (await fetch(`http://127.0.0.1:${opGatewayPort}/metrics`)).text();
    expect(metrics).toMatch(/blockai_gateway_unpaid_refused_total\{model="\d+"\} 4\n/);
    expect(metrics).toMatch(/blockai_gateway_calls_total\{model="\d+"\} 2\n/);
    for (const g of [gwOp, gwOwner]) g.child.kill("SIGTERM");
    expect(await gwOp.exited).toBe(0);
    expect(await gwOwner.exited).toBe(0);
    // Everything the operator accepted is claimed on its shutdown: the first call, paid by the second request.
    expect((await qc.getEscrow(escrowId))!.claimed?.amount).toBe(owed.toString());
    qc.disconnect();
    model.child.kill("SIGTERM");
    await model.exited;
  });
  test("a validator's scorer evaluates a model behind its gateway with the openai evaluator: escrow bound to the provider, calls paid and claimed, scores committed", async () => {
    const owner = net.layout.accounts[0].address;
    const operator = net.layout.accounts[2].address;
    const [, , , , , , modelPort, gatewayPort] = ports;
    const model = track(start([path.join("examples", "wink-model", "server.js"), "--listen", `127.0.0.1:${modelPort}`], false));
    await waitFor("the example model", async () => (await fetch(`http://127.0.0.1:${modelPort}/v1/models`).then((r) => r.ok).catch(() => false)), 30_000, model);
    const { modelId } = await client.registerModel(owner, {
      name: "wink scored", version: "1", task: "text-classification", artifactDigest: new Uint8Array(32).fill(9),
      endpoint: `http://127.0.0.1:${gatewayPort}/v1`, pricePerUnit: PRICE, unit: "token", bond: 10_000_000n, operators: [operator],
    });
    const gateway = track(start([blockaiEntry(), "gateway", "--model", modelId.toString(), "--upstream", `http://127.0.0.1:${modelPort}`, "--from", "operator", ...keyFlags(), "--node", net.rpc, "--listen", `127.0.0.1:${gatewayPort}`, "--store", path.join(home, "store-scored"), "--claim-interval", "500", "--output", "json"]));
    await waitFor("the gateway", () => gateway.lines.some((l) => l.event === "start"), 60_000, gateway);

    // The evaluation set: the model's own answers for three inputs (asked directly), and one
    // case whose expected answer it never gives: accuracy 3/4 whatever the draw.
    const inputs = ["I love this wonderful city.", "The service was terrible and slow.", "It is a table."];
    const lines: string[] = [];
    for (const input of inputs) {
      const res = await fetch(`http://127.0.0.1:${modelPort}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "default", messages: [{ role: "user", content: input }] }) });
      lines.push(JSON.stringify({ input, expected: ((await res.json()) as any).choices[0].message.content }));
    }
    lines.push(JSON.stringify({ input: "What a lovely day.", expected: "Sentiment: none" }));
    const setFile = path.join(home, "openai-eval.jsonl");
    fs.writeFileSync(setFile, lines.join("\n") + "\n");
    expect((await cli(["keys", "add", "op0", "--recover", ...keyFlags()], [net.layout.operators[0].mnemonic])).code).toBe(0);

    const stateFile = path.join(home, "scorer-openai.json");
    const r = await cli(["scorer", "--from", "op0", "--evaluator", "openai", "--eval-set", setFile, "--sample", "4", "--call-timeout", "5000", "--state", stateFile, "--stop-after", "commit", "--poll", "300", "--node", net.rpc, ...keyFlags(), "--output", "json"]);
    const events = r.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect({ code: r.code, out: r.code === 0 ? "" : r.out + r.err }).toEqual({ code: 0, out: "" });
    const opened = events.find((e) => e.event === "escrow" && e.model_id === modelId.toString());
    expect(opened).toMatchObject({ provider: operator });
    // The last evaluation (an epoch that ended during one is evaluated again): `paid` is cumulative on the escrow.
    const evaluated = events.filter((e) => e.event === "evaluated" && e.model_id === modelId.toString()).pop();
    expect(evaluated.details).toMatchObject({ calls: 4, accuracy_ppm: 750_000, availability_ppm: 1_000_000 });
    expect(BigInt(evaluated.details.paid)).toBeGreaterThan(0n);
    expect(events.some((e) => e.event === "commit")).toBe(true);

    // The gateway claims what the scorer paid (the last call settled) on its shutdown; the calls are the model's metered usage.
    gateway.child.kill("SIGTERM");
    expect(await gateway.exited).toBe(0);
    const escrow = (await client.getEscrow(BigInt(opened.escrow_id)))!;
    expect({ claimed: escrow.claimed?.amount, provider: escrow.provider, consumer: escrow.consumer }).toEqual({ claimed: evaluated.details.paid, provider: operator, consumer: net.layout.operators[0].address });
    let paid = 0n;
    for (let epoch = 0n; epoch <= (await client.getCurrentEpoch()).number; epoch++) paid += BigInt((await client.getModelUsage(modelId, epoch))?.amountPaid?.amount ?? "0");
    expect(paid).toBe(BigInt(evaluated.details.paid));
    model.child.kill("SIGTERM");
    await model.exited;
  });
});
