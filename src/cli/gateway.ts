/**
 * `blockai gateway` (the provider's paid HTTP front of an OpenAI-compatible server) and
 * `blockai consume` (the consumer's local OpenAI-compatible endpoint that pays per call).
 * docs/gateway.md specifies the protocol both speak.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { GasPrice } from "@cosmjs/stargate";
import {
  BlockaiClient,
  EscrowStatus,
  VoucherPayer,
  privateKeyFromMnemonic,
  signVoucher,
  unboundClaimableByOthers,
  type PaymentRequiredBody,
  type PaymentTerms,
} from "../client";
import { parseAmount } from "../types/coins";
import { UsageError } from "./args";
import type { Command, CommandContext } from "./command";
import { SERVICE_FLAGS, checkChainId, homeDir, nodeUrl } from "./flags";
import { Gateway, LevelVoucherStore, createGatewayHttpServer, type GatewayChain, type GatewayEscrow } from "./gateway-server";
import { openKeyring } from "./keys-context";
import { walletFromMnemonic } from "./keyring";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How often, and how far apart, `consume` repeats a call refused for a deposit its node shows held. */
const TOP_UP_RETRIES = 10;
const TOP_UP_RETRY_MS = 300;

function listenAddress(value: string, flagName: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):([0-9]{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--${flagName} must be HOST:PORT, got "${value}"`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

function intFlag(ctx: CommandContext, name: string, def: number, min = 0): number {
  const v = Number(ctx.flag(name) ?? String(def));
  if (!Number.isSafeInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return v;
}

function u64Flag(ctx: CommandContext, name: string, def?: string): bigint {
  const v = ctx.flag(name) ?? def;
  if (v === undefined) throw new UsageError(`"${ctx.path}" needs --${name}`);
  if (!/^[0-9]{1,20}$/.test(v) || BigInt(v) >= 1n << 64n) throw new UsageError(`--${name} must be an unsigned integer, got "${v}"`);
  return BigInt(v);
}

function usoaFlag(ctx: CommandContext, name: string, def: string): bigint {
  const v = ctx.flag(name) ?? def;
  try {
    // "10SOA", "1000usoa" or a plain usoa integer.
    const m = /^([0-9]+(?:\.[0-9]+)?)(SOA|soa|usoa)?$/.exec(v);
    if (!m) throw new Error("bad");
    if (m[2] === "SOA" || m[2] === "soa") {
      const [whole, frac = ""] = m[1].split(".");
      if (frac.length > 6) throw new Error("bad");
      return BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, "0"));
    }
    return parseAmount(m[1], name);
  } catch {
    throw new UsageError(`--${name} must be an amount such as 10SOA or 1000usoa, got "${v}"`);
  }
}

async function signerOf(ctx: CommandContext) {
  const from = ctx.flag("from");
  if (from === undefined) throw new UsageError(`"${ctx.path}" needs --from KEY`);
  const keyring = openKeyring(ctx);
  const key = keyring.get(from);
  const mnemonic = await keyring.mnemonic(key.name);
  return { address: key.address, wallet: await walletFromMnemonic(mnemonic), privateKey: await privateKeyFromMnemonic(mnemonic) };
}

function logger(ctx: CommandContext) {
  const json = ctx.output === "json";
  return (event: string, fields: Record<string, unknown>, text?: string) => {
    if (json) ctx.io.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
    else ctx.io.stderr.write((text ?? `${event} ${Object.entries(fields).map(([k, v]) => `${k}=${String(v)}`).join(" ")}`) + "\n");
  };
}

/** Resolves when SIGINT or SIGTERM arrives. */
function untilSignal(): { stopped: Promise<void>; dispose(): void } {
  let resolve!: () => void;
  const stopped = new Promise<void>((r) => (resolve = r));
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
  return { stopped, dispose: () => (process.removeListener("SIGINT", resolve), process.removeListener("SIGTERM", resolve)) };
}

const toEscrow = (e: Awaited<ReturnType<BlockaiClient["getEscrow"]>>, key: Uint8Array | undefined): GatewayEscrow | undefined =>
  e && {
    id: e.id,
    modelId: e.modelId,
    consumer: e.consumer,
    consumerPublicKey: key,
    deposit: BigInt(e.deposit?.amount ?? "0"),
    claimed: BigInt(e.claimed?.amount ?? "0"),
    claimedUnits: e.claimedUnits,
    expiryHeight: e.expiryHeight,
    status: e.status === EscrowStatus.ESCROW_STATUS_OPEN ? "open" : e.status === EscrowStatus.ESCROW_STATUS_CLOSING ? "closing" : "closed",
    graceEndHeight: e.graceEndHeight,
    provider: e.provider,
  };

/**
 * The chain as the gateway sees it: escrows cached for `cacheMs` (a top-up or a close shows
 * within that time), consumer keys kept (they never change), height and model polled.
 */
class ClientChain implements GatewayChain {
  private readonly cache = new Map<string, { at: number; e: GatewayEscrow | undefined }>();
  private readonly keys = new Map<string, Uint8Array>();
  latest = 0n;
  grace = 0n;
  others = true;

  constructor(
    private readonly client: BlockaiClient,
    readonly chainId: string,
    private readonly cacheMs: number,
  ) {}

  async escrow(id: bigint, fresh = false): Promise<GatewayEscrow | undefined> {
    const hit = this.cache.get(id.toString());
    if (!fresh && hit && Date.now() - hit.at < this.cacheMs) return hit.e;
    const raw = await this.client.getEscrow(id);
    let key = raw ? this.keys.get(raw.consumer) : undefined;
    if (raw && !key) {
      key = await this.client.getAccountPubkey(raw.consumer);
      if (key) this.keys.set(raw.consumer, key);
    }
    const e = toEscrow(raw, key);
    this.cache.set(id.toString(), { at: Date.now(), e });
    return e;
  }
  height() {
    return this.latest;
  }
  claimGrace() {
    return this.grace;
  }
  othersCanClaimUnbound() {
    return this.others;
  }
}

export const gatewayCommand: Command = {
  name: "gateway",
  summary: "serve a registered model over HTTP for vouchers: a paid reverse proxy in front of an OpenAI-compatible server",
  flags: [
    { name: "model", value: "ID", description: "the registered model this gateway serves" },
    { name: "upstream", value: "URL", description: "base URL of the OpenAI-compatible server (paths /v1/... are appended)" },
    { name: "from", value: "KEY", description: "the provider key (the model's owner or an operator): escrows are bound to it, it claims" },
    { name: "listen", value: "HOST:PORT", description: "address to serve on", default: "127.0.0.1:8545" },
    { name: "store", value: "DIR", description: "LevelDB of accepted vouchers", default: "HOME/gateway/model-ID" },
    { name: "max-call-units", value: "N", description: "most units one call is charged (the credit bound is N x price)", default: "4096" },
    { name: "units-without-usage", value: "N", description: "units of a 2xx answer without a usage object", default: "1" },
    { name: "claim-threshold", value: "AMOUNT", description: "claim an escrow once this much is unclaimed", default: "1SOA" },
    { name: "claim-margin", value: "BLOCKS", description: "refuse escrows expiring within BLOCKS; claim BLOCKS before the last claim height", default: "20" },
    { name: "claim-interval", value: "MS", description: "how often claims are considered (and height, price, operators refreshed)", default: "5000" },
    { name: "escrow-cache", value: "MS", description: "how long an escrow read from the chain is reused", default: "1000" },
    { name: "max-body", value: "BYTES", description: "largest request body", default: "1048576" },
    { name: "upstream-timeout", value: "MS", description: "a call the upstream has not answered by then gets 504", default: "120000" },
    { name: "gas-prices", value: "PRICE", description: "gas price of the claim transactions", default: "0.025usoa" },
    ...SERVICE_FLAGS,
  ],
  help:
    "Checks the voucher of every call (X-Blockai-Voucher) by the chain's rules and the credit rule, forwards it to\n" +
    "--upstream, charges usage.total_tokens x price (streams: the final usage chunk), keeps accepted vouchers in\n" +
    "--store and claims them (threshold, before the deadline, and on SIGINT/SIGTERM). GET /metrics: Prometheus\n" +
    "text. See docs/gateway.md.",
  async run(ctx) {
    const modelId = u64Flag(ctx, "model");
    const upstreamFlag = ctx.flag("upstream");
    if (upstreamFlag === undefined) throw new UsageError(`"${ctx.path}" needs --upstream URL`);
    let upstream: URL;
    try {
      upstream = new URL(upstreamFlag);
      if (upstream.protocol !== "http:" && upstream.protocol !== "https:") throw new Error();
    } catch {
      throw new UsageError(`--upstream must be an http(s) URL, got "${upstreamFlag}"`);
    }
    const { host, port } = listenAddress(ctx.flag("listen") ?? "127.0.0.1:8545", "listen");
    const maxCallUnits = u64Flag(ctx, "max-call-units", "4096");
    if (maxCallUnits === 0n) throw new UsageError("--max-call-units must be positive");
    const unitsWithoutUsage = u64Flag(ctx, "units-without-usage", "1");
    const threshold = usoaFlag(ctx, "claim-threshold", "1SOA");
    const margin = u64Flag(ctx, "claim-margin", "20");
    const interval = intFlag(ctx, "claim-interval", 5000, 50);
    const log = logger(ctx);
    const signer = await signerOf(ctx);
    const client = await BlockaiClient.connectWithSigner(nodeUrl(ctx), signer.wallet, { gasPrice: GasPrice.fromString(ctx.flag("gas-prices") ?? "0.025usoa"), broadcastPollIntervalMs: 300 });
    const chainId = await client.getChainId();
    checkChainId(ctx, nodeUrl(ctx), chainId);
    const model = await client.getModel(modelId);
    if (!model) throw new UsageError(`model ${modelId} does not exist`);
    if (model.owner !== signer.address && !model.operators.includes(signer.address)) throw new UsageError(`${signer.address} is neither the owner nor an operator of model ${modelId}`);
    const chain = new ClientChain(client, chainId, intFlag(ctx, "escrow-cache", 1000));
    const refresh = async () => {
      chain.latest = BigInt(await client.getHeight());
      chain.grace = (await client.getMeteringParams()).claimGrace;
      const m = await client.getModel(modelId);
      if (m) {
        chain.others = unboundClaimableByOthers(m, signer.address);
        gateway.config.pricePerUnit = BigInt(m.pricePerUnit?.amount ?? "0");
        gateway.config.unit = m.unit;
      }
    };
    const storeDir = ctx.flag("store") ?? path.join(homeDir(ctx), "gateway", `model-${modelId}`);
    fs.mkdirSync(storeDir, { recursive: true });
    const store = await LevelVoucherStore.open(storeDir);
    const gateway = new Gateway(
      {
        modelId,
        provider: signer.address,
        upstream,
        pricePerUnit: BigInt(model.pricePerUnit?.amount ?? "0"),
        unit: model.unit,
        maxCallUnits,
        unitsWithoutUsage,
        claimMarginBlocks: margin,
        maxBodyBytes: intFlag(ctx, "max-body", 1 << 20, 1),
        upstreamTimeoutMs: intFlag(ctx, "upstream-timeout", 120_000, 1),
      },
      chain,
      store,
    );
    await gateway.load();
    await refresh();
    const claim = async (v: Parameters<BlockaiClient["claimUsage"]>[1]) => (await client.claimUsage(signer.address, v)).paid;
    const claimLog = (event: string, fields: Record<string, unknown>) => log(event, fields);
    const server = createGatewayHttpServer(gateway);
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, () => resolve()));
    const signals = untilSignal();
    log("start", { model_id: modelId.toString(), provider: signer.address, chain_id: chainId, listen: `${host}:${port}`, upstream: upstream.toString(), store: storeDir }, `gateway for model ${modelId} as ${signer.address} on ${chainId}: http://${host}:${port} -> ${upstream} (store ${storeDir})`);
    let stopping = false;
    let lastStatus = 0;
    const loop = (async () => {
      while (!stopping) {
        try {
          await refresh();
          await gateway.claimDue(claim, threshold, margin, false, claimLog);
        } catch (err) {
          log("error", { error: (err as Error).message });
        }
        const m = gateway.metrics;
        if (ctx.output === "json" || Date.now() - lastStatus >= 10_000) {
          lastStatus = Date.now();
          const f = { height: chain.latest.toString(), calls: m.calls.toString(), units: m.units.toString(), served: m.served.toString(), unpaid_refused: m.unpaidRefused.toString(), claimed: m.claimed.toString(), unclaimed: m.unclaimed.toString(), claim_failures: m.claimFailures.toString() };
          log("status", f, `height ${f.height} | calls ${f.calls} | units ${f.units} | served ${f.served}usoa | unpaid refused ${f.unpaid_refused} | claimed ${f.claimed}usoa | unclaimed ${f.unclaimed}usoa | claim failures ${f.claim_failures}`);
        }
        for (let waited = 0; waited < interval && !stopping; waited += 50) await sleep(50);
      }
    })();
    await signals.stopped;
    signals.dispose();
    stopping = true;
    await loop;
    log("stopping", {}, "stopping: no new calls; claiming everything accepted");
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeIdleConnections();
    });
    try {
      await gateway.claimDue(claim, threshold, margin, true, claimLog);
    } finally {
      await gateway.close();
      await store.close();
      client.disconnect();
    }
    log("stopped", { claimed: gateway.metrics.claimed.toString(), claim_failures: gateway.metrics.claimFailures.toString() });
    return gateway.metrics.claimFailures > 0n ? 1 : 0;
  },
};

interface ConsumeState {
  chain_id: string;
  model_id: string;
  provider: string;
  escrow_id: string;
  owed: string;
  owed_units: string;
}

function saveJson(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export const consumeCommand: Command = {
  name: "consume",
  summary: "a local OpenAI-compatible endpoint that pays a registered model per call with vouchers",
  flags: [
    { name: "model", value: "ID", description: "the registered model to call (its endpoint is a blockai gateway)" },
    { name: "from", value: "KEY", description: "the consumer key: funds the escrow, signs the vouchers" },
    { name: "deposit", value: "AMOUNT", description: "deposit of a new escrow, and of each top-up", default: "10SOA" },
    { name: "max-spend", value: "AMOUNT", description: "most this process signs for (refuses calls beyond it)" },
    { name: "listen", value: "HOST:PORT", description: "address to serve on", default: "127.0.0.1:8546" },
    { name: "endpoint", value: "URL", description: "call this gateway instead of the model's registered endpoint" },
    { name: "duration", value: "BLOCKS", description: "lifetime of a new escrow", default: "100000" },
    { name: "state", value: "FILE", description: "escrow and amount owed, kept across restarts", default: "HOME/consume-model-ID.json" },
    { name: "gas-prices", value: "PRICE", description: "gas price of the escrow transactions", default: "0.025usoa" },
    ...SERVICE_FLAGS,
  ],
  help:
    "Opens (or reuses, or tops up) an escrow bound to the gateway's provider, then serves POST /v1/chat/completions,\n" +
    "/v1/completions and /v1/embeddings on --listen: each call is forwarded to the model's gateway with a voucher\n" +
    "for everything served before it. Point any OpenAI client at http://HOST:PORT/v1. See docs/gateway.md.",
  async run(ctx) {
    const modelId = u64Flag(ctx, "model");
    const deposit = usoaFlag(ctx, "deposit", "10SOA");
    const maxSpend = ctx.flag("max-spend") === undefined ? undefined : usoaFlag(ctx, "max-spend", "0");
    const { host, port } = listenAddress(ctx.flag("listen") ?? "127.0.0.1:8546", "listen");
    const duration = u64Flag(ctx, "duration", "100000");
    const log = logger(ctx);
    const signer = await signerOf(ctx);
    const client = await BlockaiClient.connectWithSigner(nodeUrl(ctx), signer.wallet, { gasPrice: GasPrice.fromString(ctx.flag("gas-prices") ?? "0.025usoa"), broadcastPollIntervalMs: 300 });
    try {
      const chainId = await client.getChainId();
      checkChainId(ctx, nodeUrl(ctx), chainId);
      const model = await client.getModel(modelId);
      if (!model) throw new UsageError(`model ${modelId} does not exist`);
      const endpoint = (ctx.flag("endpoint") ?? model.endpoint).replace(/\/$/, "").replace(/\/v1$/, "");
      if (!/^https?:\/\//.test(endpoint)) throw new UsageError(`model ${modelId} has no http(s) endpoint ("${model.endpoint}"): give --endpoint`);
      const termsRes = await fetch(`${endpoint}/v1/blockai/terms`).catch((e: Error) => {
        throw new Error(`cannot reach the gateway at ${endpoint}: ${e.message}`);
      });
      if (!termsRes.ok) throw new Error(`${endpoint}/v1/blockai/terms answered ${termsRes.status}: not a blockai gateway`);
      const terms = (await termsRes.json()) as PaymentTerms;
      if (terms.chain_id !== chainId || terms.model_id !== modelId.toString()) throw new Error(`the gateway at ${endpoint} serves model ${terms.model_id} on ${terms.chain_id}, not model ${modelId} on ${chainId}`);
      if (model.owner !== terms.provider && !model.operators.includes(terms.provider)) throw new Error(`the gateway's provider ${terms.provider} is neither the owner nor an operator of model ${modelId}`);
      const pricePerUnit = BigInt(terms.price_per_unit);
      const maxCallPrice = BigInt(terms.max_call_price);
      const margin = BigInt(terms.claim_margin_blocks);

      const stateFile = ctx.flag("state") ?? path.join(homeDir(ctx), `consume-model-${modelId}.json`);
      let state: ConsumeState | undefined = fs.existsSync(stateFile) ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as ConsumeState) : undefined;
      const height = BigInt(await client.getHeight());
      if (state) {
        const e = await client.getEscrow(BigInt(state.escrow_id));
        const usable = e && state.chain_id === chainId && e.status === EscrowStatus.ESCROW_STATUS_OPEN && e.provider === terms.provider && e.expiryHeight > height + margin + 10n && e.consumer === signer.address;
        if (!usable) state = undefined;
        else log("escrow", { escrow_id: state.escrow_id, reused: true }, `reusing escrow ${state.escrow_id} (owed ${state.owed}usoa)`);
      }
      if (!state) {
        const { escrowId } = await client.openEscrow(signer.address, modelId, deposit, height + duration, "auto", "", terms.provider);
        state = { chain_id: chainId, model_id: modelId.toString(), provider: terms.provider, escrow_id: escrowId.toString(), owed: "0", owed_units: "0" };
        saveJson(stateFile, state);
        log("escrow", { escrow_id: state.escrow_id, deposit: deposit.toString(), provider: terms.provider, opened: true }, `opened escrow ${state.escrow_id} (${deposit}usoa) bound to ${terms.provider}`);
      }
      const escrowId = BigInt(state.escrow_id);
      const startOwed = BigInt(state.owed);
      const payer = new VoucherPayer({
        chainId,
        escrowId,
        pricePerUnit,
        maxCallPrice,
        sign: (v) => signVoucher(v, signer.privateKey).signature,
        maxSpend: maxSpend === undefined ? undefined : startOwed + maxSpend,
        owed: startOwed,
        owedUnits: BigInt(state.owed_units),
        onState: (s) => saveJson(stateFile, { ...state, owed: s.owed.toString(), owed_units: s.owedUnits.toString() }),
      });
      /** Tops the escrow up when the next call could bring the total above its deposit. */
      let topping: Promise<void> | undefined;
      const ensureDeposit = async () => {
        const e = await client.getEscrow(escrowId);
        const held = BigInt(e?.deposit?.amount ?? "0");
        if (payer.state.owed + maxCallPrice <= held) return;
        if (maxSpend !== undefined && payer.state.owed + maxCallPrice > startOwed + maxSpend) return; // the payer refuses anyway
        topping ??= client
          .topUpEscrow(signer.address, escrowId, deposit)
          .then(() => log("top_up", { escrow_id: escrowId.toString(), amount: deposit.toString() }, `topped up escrow ${escrowId} by ${deposit}usoa`))
          .finally(() => (topping = undefined));
        await topping;
      };
      let knownDeposit = 0n;
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
          try {
            if (payer.state.owed + maxCallPrice > knownDeposit) {
              await ensureDeposit();
              knownDeposit = BigInt((await client.getEscrow(escrowId))?.deposit?.amount ?? "0");
            }
            const headers: Record<string, string> = {};
            for (const k of ["content-type", "accept"]) if (typeof req.headers[k] === "string") headers[k] = req.headers[k] as string;
            const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
            let upstream = await payer.fetch(`${endpoint}${req.url ?? "/"}`, { method: req.method, headers, body });
            // A top-up this proxy saw committed (through its node) may not have reached the
            // gateway's node yet: the gateway then asks for a deposit already held. Ask again
            // for a few seconds rather than hand the application a 402 it cannot act on.
            for (let retry = 0; upstream.status === 402 && retry < TOP_UP_RETRIES; retry++) {
              const refused = (await upstream.clone().json().catch(() => undefined)) as PaymentRequiredBody | undefined;
              const needed = refused?.error?.code === "escrow_insufficient" ? /^[0-9]{1,30}$/.exec(refused.error.blockai?.deposit_needed ?? "") : null;
              if (!needed || BigInt(needed[0]) > knownDeposit) break;
              await upstream.body?.cancel().catch(() => undefined);
              await sleep(TOP_UP_RETRY_MS);
              upstream = await payer.fetch(`${endpoint}${req.url ?? "/"}`, { method: req.method, headers, body });
            }
            const out: Record<string, string> = {};
            upstream.headers.forEach((v, k) => {
              if (k !== "content-length" && k !== "content-encoding" && k !== "transfer-encoding" && k !== "connection") out[k] = v;
            });
            res.writeHead(upstream.status, out);
            if (!upstream.body) return res.end();
            const reader = upstream.body.getReader();
            res.on("close", () => void reader.cancel().catch(() => undefined));
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              res.write(value);
            }
            res.end();
          } catch (err) {
            const text = JSON.stringify({ error: { message: (err as Error).message, type: "payment_error", code: (err as Error).name === "PaymentError" ? "payment_refused" : "consumer_error", param: null } });
            if (!res.headersSent) res.writeHead((err as Error).name === "PaymentError" ? 402 : 502, { "content-type": "application/json" });
            res.end(text);
          }
        });
      });
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, () => resolve()));
      log("start", { listen: `${host}:${port}`, endpoint, escrow_id: escrowId.toString(), price_per_unit: pricePerUnit.toString(), max_call_price: maxCallPrice.toString() }, `consume: http://${host}:${port}/v1 -> ${endpoint} (model ${modelId}, escrow ${escrowId}, ${pricePerUnit}usoa per ${terms.unit})`);
      const signals = untilSignal();
      await signals.stopped;
      signals.dispose();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      // Pay for the last call (pay after use leaves it unpaid until a next request).
      try {
        const r = await payer.settle(endpoint);
        log("settled", { escrow_id: escrowId.toString(), accepted: r.accepted }, `settled: the gateway holds a voucher for ${r.accepted}usoa`);
      } catch (err) {
        log("settle_failed", { error: (err as Error).message });
      }
      log("stopped", { escrow_id: escrowId.toString(), owed: payer.state.owed.toString() }, `stopped; escrow ${escrowId} owes ${payer.state.owed}usoa`);
      return 0;
    } finally {
      client.disconnect();
    }
  },
};
