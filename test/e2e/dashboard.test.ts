/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against a
 * 2-validator network with activity: two models registered, one paid through an escrow and
 * vouchers, the other directly; the validators commit and reveal scores for both; `blockai mine`
 * gets certificates in. Node0 serves the dashboard (`dashboard_address`), proxying its RPC.
 *
 * Every view is loaded and the numbers it shows are checked against the chain's own queries at
 * the height the view read (its data-height); the model page is reached by clicking; screenshots
 * go to .tmp/dashboard/; any console error or page error fails the test.
 *
 * Heavy (CometBFT processes and a browser): run it under the shared lock,
 * `flock /tmp/blockai-heavy.lock npx jest test/e2e/dashboard.test.ts`.
 */
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, type StdFee } from "@cosmjs/stargate";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import {
  BankQuery,
  BlockaiClient,
  EpochsQuery,
  MeteringQuery,
  MintQuery,
  PowQuery,
  RewardsQuery,
  ScoringQuery,
  StakingQuery,
  privateKeyFromMnemonic,
  signVoucher,
} from "../../src/client";
import { MsgCommitScores, MsgRevealScores } from "../../src/gen/blockai/scoring/v1/tx";
import { computeCommitment, type Score } from "../../src/modules/scoring";
import { decodeAddress, encodeAddress, VALIDATOR_OPERATOR_PREFIX } from "../../src/types/address";
import { blockaiEntry, repoRoot } from "../../src/node/paths";
import { waitFor } from "../../src/node/process";
import { groupDigits, ppm, soa } from "../../dashboard/src/format";
import { saltOf } from "../helpers/scoring";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(300_000);

// The functions given to page.evaluate run in the page; the project compiles without the DOM's
// types (lib "dom" would leak into the Node code), so these globals are typed loosely here.
declare const document: any;
declare const window: any;

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = path.join(repoRoot(), ".tmp", "dashboard");
const FEE: StdFee = { amount: [{ denom: "usoa", amount: "20000" }], gas: "800000" };
const EPOCH_LENGTH = 10;

/** Every number of the current view: data-k -> data-v (and text), read in one go. */
interface Shown {
  height: number;
  values: Array<{ k: string; v: string | null; text: string; row: string | null }>;
}

async function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const view = document.getElementById("view")!;
    const heightEl = view.querySelector("[data-height]");
    return {
      height: Number(heightEl?.getAttribute("data-height") ?? "0"),
      values: Array.from(view.querySelectorAll("[data-k]") as ArrayLike<any>).map((el: any) => ({
        k: el.getAttribute("data-k")!,
        v: el.getAttribute("data-v"),
        text: (el.textContent ?? "").trim(),
        row: el.closest("tr")?.getAttribute("data-model") ?? el.closest("tr")?.getAttribute("data-epoch") ?? el.closest("tr")?.getAttribute("data-validator") ?? el.closest("tr")?.getAttribute("data-miner") ?? null,
      })),
    };
  });
}

const one = (s: Shown, k: string, row: string | null = null) => {
  const found = s.values.filter((x) => x.k === k && (row === null || x.row === row));
  if (found.length !== 1) throw new Error(`expected one "${k}"${row ? ` in row ${row}` : ""}, found ${found.length}`);
  return found[0];
};

describe("dashboard: every view in headless chromium against a localnet with activity", () => {
  let net: TestNetwork;
  let browser: Browser | undefined;
  let page: Page;
  let reader: BlockaiClient;
  let miner: ChildProcess | undefined;
  const clients: BlockaiClient[] = [];
  const consoleErrors: string[] = [];
  let dashboardUrl: string;
  let modelA: bigint;
  let modelB: bigint;
  let scored: bigint;
  /** The models view read before any epoch had a score consensus. */
  let beforeConsensus: Shown;
  /** The consumer's client (pays for models). */
  let consumer: BlockaiClient;

  const signer = async (mnemonic: string) => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "soa" });
    const c = await BlockaiClient.connectWithSigner(net.rpc, wallet, { gasPrice: GasPrice.fromString("0.025usoa"), broadcastPollIntervalMs: 250 });
    clients.push(c);
    return c;
  };
  const epochInfo = async () => (await reader.query(EpochsQuery.CurrentEpoch)).epoch!;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run 'make browser' (installs Debian's chromium)`);
    if (!fs.existsSync(path.join(repoRoot(), "dist", "dashboard", "index.html"))) throw new Error("dist/dashboard is not built: run 'make build'");
    fs.mkdirSync(SHOTS, { recursive: true });
    net = await TestNetwork.start({
      nodes: 2,
      dashboard: true,
      editGenesis: (g) => {
        (g.app_state.epochs as { params: unknown }).params = { epoch_length: String(EPOCH_LENGTH) };
      },
    });
    dashboardUrl = net.layout.nodes[0].dashboard!;
    reader = await BlockaiClient.connect(net.rpc);
    clients.push(reader);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => consoleErrors.push(`page error: ${e.message}`));
    // A navigation cancels the previous page's reads (net::ERR_ABORTED); any other failure counts.
    page.on("requestfailed", (r) => {
      if (!/ERR_ABORTED/.test(r.failure()?.errorText ?? "")) consoleErrors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`);
    });

    // ---- activity ----
    const [ownerAcc, consumerAcc] = net.layout.accounts;
    const owner = await signer(ownerAcc.mnemonic);
    consumer = await signer(consumerAcc.mnemonic);
    const digest = (b: number) => new Uint8Array(32).fill(b);
    modelA = (await owner.registerModel(ownerAcc.address, { name: "sentiment-en", version: "1.2", task: "text-classification", artifactDigest: digest(1), endpoint: "https://models.example/sentiment", pricePerUnit: 1000n, unit: "call", bond: 10_000_000n }, FEE)).modelId;
    modelB = (await owner.registerModel(ownerAcc.address, { name: "summarizer", version: "0.9", task: "summarization", artifactDigest: digest(2), pricePerUnit: 5000n, unit: "call", bond: 10_000_000n }, FEE)).modelId;

    // Before any score consensus, the models view shows the models and says the scores are missing.
    await open("models", "models");
    beforeConsensus = await shown(page);

    // Escrow and vouchers for model A: 3 calls signed off chain, the last voucher claimed.
    const height = await reader.getHeight();
    const { escrowId } = await consumer.openEscrow(consumerAcc.address, modelA, 5_000_000n, BigInt(height + 10_000), FEE);
    const key = await privateKeyFromMnemonic(consumerAcc.mnemonic);
    let last;
    for (let call = 1n; call <= 3n; call++) last = signVoucher({ chainId: net.layout.chainId, escrowId, cumulativeUnits: call, cumulativeAmount: call * 1000n }, key);
    expect((await owner.claimUsage(ownerAcc.address, last!, FEE)).units).toBe(3n);
    // Model B is paid directly.
    await consumer.payForUsage(consumerAcc.address, modelB, 2n, 10_000n, FEE);

    // `blockai mine` for model A until 3 certificates are in.
    const file = path.join(net.layout.dir, "owner.mnemonic");
    fs.writeFileSync(file, ownerAcc.mnemonic + "\n", { mode: 0o600 });
    miner = spawn(process.execPath, [blockaiEntry(), "mine", "--model", modelA.toString(), "--mnemonic-file", file, "--node", net.rpc, "--chain-id", net.layout.chainId, "--output", "json", "--threads", "1", "--max-certs", "3", "--work-digest", "ab".repeat(32)], { stdio: ["ignore", "ignore", "pipe"] });
    let minerErr = "";
    miner.stderr!.on("data", (d: Buffer) => (minerErr += d.toString()));
    const minerExit = new Promise<number | null>((resolve) => miner!.on("exit", (c) => resolve(c)));

    // Both validators score both models: commit in epoch `scored` (with blocks to spare), reveal
    // in the next; its end sets the consensus.
    const ops = net.layout.operators;
    const opClients = await Promise.all(ops.map((o) => signer(o.mnemonic)));
    const scores = (i: number): Score[] => [
      { modelId: modelA, scorePpm: 900_000 - 20_000 * i },
      { modelId: modelB, scorePpm: 600_000 + 10_000 * i },
    ];
    let info = await epochInfo();
    if (info.endHeight - BigInt(await reader.getHeight()) < 4n) {
      const next = info.number + 1n;
      await waitFor("a fresh epoch", 60_000, async () => ((await epochInfo()).number >= next ? true : undefined));
      info = await epochInfo();
    }
    scored = info.number;
    await Promise.all(
      opClients.map((c, i) =>
        c.signAndBroadcast(ops[i].address, [{ typeUrl: "/blockai.scoring.v1.MsgCommitScores", value: MsgCommitScores.fromPartial({ scorer: ops[i].address, epoch: scored, commitment: computeCommitment(net.layout.chainId, scored, decodeAddress(ops[i].address), saltOf(`dash-${i}`), scores(i)) }) }], FEE),
      ),
    );
    await waitFor("the reveal window", 60_000, async () => ((await epochInfo()).number > scored ? true : undefined));
    const reveals = await Promise.all(
      opClients.map((c, i) => c.signAndBroadcast(ops[i].address, [{ typeUrl: "/blockai.scoring.v1.MsgRevealScores", value: MsgRevealScores.fromPartial({ scorer: ops[i].address, epoch: scored, salt: saltOf(`dash-${i}`), scores: scores(i) }) }], FEE)),
    );
    expect(reveals.map((r) => r.code)).toEqual([0, 0]);
    expect({ code: await minerExit, minerErr }).toEqual({ code: 0, minerErr: "" });
    await waitFor("the scores' consensus", 60_000, async () => ((await epochInfo()).number > scored + 1n ? true : undefined));

  });

  afterAll(async () => {
    await browser?.close();
    if (miner?.pid !== undefined && miner.exitCode === null) miner.kill("SIGINT");
    for (const c of clients) c.disconnect();
    await net?.stop();
  });

  afterEach(() => {
    expect(consoleErrors).toEqual([]);
  });

  /** Opens a route and waits until its view has rendered (not the error view). */
  const open = async (hash: string, view: string, query = "") => {
    // A hash change keeps the document: forget the last view so the wait sees only the new one.
    await page.evaluate(() => document.getElementById("view")?.removeAttribute("data-view")).catch(() => undefined);
    const t0 = Date.now();
    await page.goto(`${dashboardUrl}${query}#/${hash}`);
    await page.waitForSelector(`#view[data-view="${view}"], #view[data-view="error"]`, { timeout: 30_000 });
    const error = await page.$eval("#view", (el) => (el.getAttribute("data-view") === "error" ? el.textContent : null));
    if (error) throw new Error(`the dashboard could not read the node: ${error}`);
    console.log(`dashboard #/${hash}: shown after ${Date.now() - t0} ms (its reads took ${await page.$eval("#view", (el) => el.getAttribute("data-load-ms"))} ms)`);
  };
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  test("overview: height, validators, bonded ratio, supply, emission and the epoch as the chain says", async () => {
    await open("overview", "overview");
    const s = await shown(page);
    const at = { height: s.height };
    expect(s.height).toBeGreaterThan(0);
    expect(one(s, "height").v).toBe(String(s.height));
    expect(one(s, "chain-id").text).toBe(net.layout.chainId);
    expect(one(s, "validators").v).toBe("2");
    const supply = BigInt((await reader.query(BankQuery.SupplyOf, { denom: "usoa" }, at)).amount!.amount);
    expect(one(s, "supply").v).toBe(supply.toString());
    expect(one(s, "supply").text).toBe(soa(supply, 2));
    const bonded = BigInt((await reader.query(StakingQuery.Pool, {}, at)).pool!.bondedTokens);
    expect(one(s, "bonded").v).toBe(bonded.toString());
    expect(one(s, "bonded-ratio").v).toBe(`${bonded}/${supply}`);
    const reward = BigInt((await reader.query(MintQuery.BlockReward, { height: BigInt(s.height + 1) }, at)).scheduled);
    expect(reward).toBeGreaterThan(0n);
    expect(one(s, "emission-block").v).toBe(reward.toString());
    expect(one(s, "emission-block").text).toBe(soa(reward));
    expect(one(s, "emission-epoch").v).toBe((reward * BigInt(EPOCH_LENGTH)).toString());
    const epoch = (await reader.query(EpochsQuery.CurrentEpoch, {}, at)).epoch!;
    expect(one(s, "epoch").v).toBe(epoch.number.toString());
    expect(one(s, "epoch-start").v).toBe(epoch.startHeight.toString());
    expect(one(s, "epoch-end").v).toBe(epoch.endHeight.toString());
    expect(one(s, "blocks-left").v).toBe(String(Number(epoch.endHeight) - s.height));
    expect(Number(one(s, "block-time").v)).toBeGreaterThan(0);
    expect(one(s, "minted").v).toBe((await reader.query(MintQuery.Minted, {}, at)).minted);
    await shot("overview");
  });

  test("before any consensus the models view lists the models and says what is missing", () => {
    expect(beforeConsensus.values.filter((x) => x.k === "id").map((x) => x.v)).toEqual([modelA.toString(), modelB.toString()]);
    expect(beforeConsensus.values.filter((x) => x.k === "score").map((x) => x.v)).toEqual([null, null]);
    expect(one(beforeConsensus, "missing").text).toMatch(/consensus scores: no epoch has a score consensus yet/);
  });

  test("models: the table's scores, usage, payments and rewards are the chain's; sorting; click to the model page", async () => {
    // Usage in the current epoch, so the table's "this epoch" columns have something to show.
    const consumerAddress = net.layout.accounts[1].address;
    const { epoch: paidIn } = await consumer.payForUsage(consumerAddress, modelA, 4n, 4000n, FEE);
    await consumer.payForUsage(consumerAddress, modelB, 1n, 5000n, FEE);
    await open("models", "models");
    const s = await shown(page);
    const at = { height: s.height };
    const usageEpoch = BigInt(one(s, "usage-epoch").v!);
    const scoreEpoch = BigInt(one(s, "score-epoch").v!);
    const rewardsEpoch = BigInt(one(s, "rewards-epoch").v!);
    expect(scoreEpoch).toBe(scored);
    if (usageEpoch === paidIn) expect(BigInt(one(s, "units", modelA.toString()).v!)).toBeGreaterThanOrEqual(4n);
    for (const id of [modelA, modelB]) {
      const row = id.toString();
      const usage = (await reader.query(MeteringQuery.ModelUsage, { modelId: id, epoch: usageEpoch }, at)).usage!;
      expect(one(s, "units", row).v).toBe(usage.units.toString());
      expect(one(s, "paid", row).v).toBe(usage.amountPaid?.amount ?? "0");
      const score = (await reader.query(ScoringQuery.ModelScore, { modelId: id, epoch: scoreEpoch }, at)).score!.scorePpm;
      expect(one(s, "score", row).v).toBe(String(score));
      expect(one(s, "score", row).text).toBe(ppm(score));
      const r = (await reader.query(RewardsQuery.ModelRewards, { modelId: id, epoch: rewardsEpoch }, at)).reward;
      expect(one(s, "rewards", row).v).toBe(r ? (BigInt(r.usageReward) + BigInt(r.performanceReward)).toString() : "0");
    }
    // The consensus of two validators' scores: A scored higher than B, so A is first by score.
    expect(Number(one(s, "score", modelA.toString()).v)).toBeGreaterThan(Number(one(s, "score", modelB.toString()).v));
    const order = () => page.$$eval("table.models tbody tr", (rows) => rows.map((r) => r.getAttribute("data-model")));
    expect(await order()).toEqual([modelA.toString(), modelB.toString()]);
    await shot("models");

    // Sorting by name (ascending: "sentiment-en" < "summarizer"), then descending.
    await page.click('th[data-sort="name"]');
    await page.waitForSelector('th[data-sort="name"].asc');
    expect(await order()).toEqual([modelA.toString(), modelB.toString()]);
    await page.click('th[data-sort="name"]');
    await page.waitForSelector('th[data-sort="name"].desc');
    expect(await order()).toEqual([modelB.toString(), modelA.toString()]);

    // Click through to model A.
    await page.click(`tr[data-model="${modelA}"] a[data-k="link"]`);
    await page.waitForSelector('[data-k="model-name"]');
    const m = await shown(page);
    const mAt = { height: m.height };
    expect(one(m, "model-id").v).toBe(modelA.toString());
    expect(one(m, "endpoint").text).toBe("https://models.example/sentiment");
    expect(one(m, "price").v).toBe("1000");
    const escrows = await reader.query(MeteringQuery.EscrowsByModel, { modelId: modelA, pagination: { countTotal: true } }, mAt);
    expect(one(m, "escrows").v).toBe(String(escrows.escrows.length));
    expect(escrows.escrows.length).toBe(1);
    // Every epoch of the history, as ModelUsage and ModelScore say.
    const epochs = m.values.filter((x) => x.k === "h-units").map((x) => BigInt(x.row!));
    expect(epochs.length).toBeGreaterThan(2);
    let units = 0n;
    for (const e of epochs) {
      const usage = (await reader.query(MeteringQuery.ModelUsage, { modelId: modelA, epoch: e }, mAt)).usage!;
      expect({ e, units: one(m, "h-units", e.toString()).v }).toEqual({ e, units: usage.units.toString() });
      expect({ e, paid: one(m, "h-paid", e.toString()).v }).toEqual({ e, paid: usage.amountPaid?.amount ?? "0" });
      units += usage.units;
    }
    expect(units).toBeGreaterThanOrEqual(3n);
    const consensus = (await reader.query(ScoringQuery.ModelScore, { modelId: modelA, epoch: scored }, mAt)).score!.scorePpm;
    expect(one(m, "h-score", scored.toString()).v).toBe(String(consensus));
    // The two validators' evaluations, as they revealed them.
    const evals = m.values.filter((x) => x.k === "eval-score").map((x) => Number(x.v)).sort();
    expect(evals).toEqual([880_000, 900_000]);
    expect(await page.$$eval(".chart canvas", (c) => c.length)).toBeGreaterThanOrEqual(2);
    await shot("model");
  });

  test("miners: certificates, work and the top miner as the pow queries say", async () => {
    await open("miners", "miners");
    const s = await shown(page);
    const at = { height: s.height };
    const target = await reader.query(PowQuery.Target, {}, at);
    expect(one(s, "epoch").v).toBe(target.epoch.toString());
    expect(one(s, "epoch-certs").v).toBe(target.epochCertificates.toString());
    expect(one(s, "work-per-cert").v).toBe(target.workPerCertificate);
    expect(one(s, "target").v).toBe(target.target);
    let certs = 0n;
    for (const x of s.values.filter((v) => v.k === "h-certs")) {
      const w = (await reader.query(PowQuery.EpochWork, { epoch: BigInt(x.row!) }, at)).total;
      expect({ epoch: x.row, certs: x.v }).toEqual({ epoch: x.row, certs: (w?.certificates ?? 0n).toString() });
      certs += w?.certificates ?? 0n;
    }
    expect(certs).toBeGreaterThanOrEqual(3n);
    // The top miner's certificates and work over the epochs shown, and in this one.
    const owner = net.layout.accounts[0].address;
    let minerCerts = 0n;
    let minerWork = 0n;
    for (const x of s.values.filter((v) => v.k === "h-certs")) {
      const t = (await reader.query(PowQuery.MinerWork, { miner: owner, epoch: BigInt(x.row!) }, at)).total;
      minerCerts += t?.certificates ?? 0n;
      minerWork += BigInt(t?.work || "0");
    }
    expect(minerCerts).toBeGreaterThanOrEqual(3n);
    expect(one(s, "m-certs", owner).v).toBe(minerCerts.toString());
    expect(one(s, "m-work", owner).v).toBe(minerWork.toString());
    const current = await reader.query(PowQuery.MinerWork, { miner: owner, epoch: target.epoch }, at);
    expect(one(s, "m-current", owner).v).toBe((current.total?.certificates ?? 0n).toString());
    // Certified work over elapsed time: positive once certificates are in.
    expect(Number(one(s, "hashrate").v)).toBeGreaterThan(0);
    expect(await page.$$eval(".chart canvas", (c) => c.length)).toBeGreaterThanOrEqual(2);
    await shot("miners");
  });

  test("validators: power, commission, uptime and agreement as staking, slashing and scoring say", async () => {
    await open("validators", "validators");
    const s = await shown(page);
    const at = { height: s.height };
    const { validators } = await reader.query(StakingQuery.Validators, { status: "" }, at);
    expect(validators.length).toBe(2);
    expect(one(s, "score-epoch").v).toBe(scored.toString());
    for (const v of validators) {
      expect(one(s, "power", v.operatorAddress).v).toBe((BigInt(v.tokens) / 1_000_000n).toString());
      expect(one(s, "power", v.operatorAddress).text).toBe(groupDigits(BigInt(v.tokens) / 1_000_000n));
      const agreement = (await reader.query(ScoringQuery.ValidatorAgreement, { validator: v.operatorAddress, epoch: scored }, at)).agreement!;
      expect(one(s, "agreement", v.operatorAddress).v).toBe(String(agreement.agreementPpm));
      expect(one(s, "uptime", v.operatorAddress).v).toMatch(/^\d+\/\d+$/);
    }
    const operators = net.layout.operators.map((o) => encodeAddress(decodeAddress(o.address), VALIDATOR_OPERATOR_PREFIX)).sort();
    expect(s.values.filter((x) => x.k === "power").map((x) => x.row).sort()).toEqual(operators);
    await shot("validators");
  });

  test("transactions: the live feed decodes recent txs by type and links to each", async () => {
    const paid = await consumer.payForUsage(net.layout.accounts[1].address, modelB, 1n, 5000n, FEE);
    await open("txs", "txs");
    const hash = paid.tx.transactionHash.toUpperCase();
    await page.waitForSelector(`tr[data-tx="${hash}"]`, { timeout: 30_000 });
    expect(await page.$eval(`tr[data-tx="${hash}"] [data-k="msg"]`, (el) => el.getAttribute("data-v"))).toBe("/blockai.metering.v1.MsgPayForUsage");
    await shot("txs");
    await page.click(`tr[data-tx="${hash}"] a[data-k="tx-link"]`);
    await page.waitForSelector('[data-k="tx-hash"]');
    expect(await page.$eval('[data-k="tx-hash"]', (el) => el.textContent)).toBe(hash);
    expect(await page.$eval('[data-k="tx-height"]', (el) => el.getAttribute("data-v"))).toBe(String(paid.tx.height));
  });

  test("phone width: no horizontal overflow; another node read directly (CORS) with ?node=", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [hash, view] of [["models", "models"], ["overview", "overview"], [`model/${modelA}`, "models"]] as const) {
      await open(hash, view);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect({ hash, overflow }).toEqual({ hash, overflow: 0 });
      await shot(`phone-${hash.replace("/", "-")}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    const node1 = net.layout.nodes[1].rpc;
    await open("overview", "overview", `?node=${encodeURIComponent(node1)}`);
    expect(await page.$eval("#node", (el) => el.textContent)).toBe(node1);
    expect(Number(await page.$eval('[data-k="height"]', (el) => el.getAttribute("data-v")))).toBeGreaterThan(0);
  });
});
