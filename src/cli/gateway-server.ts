/**
 * The provider's gateway (docs/gateway.md): a node:http reverse proxy in front of an
 * OpenAI-compatible inference server that serves a call only for a voucher passing the chain's
 * rules plus the credit rule, keeps accepted vouchers durably per escrow, meters units from the
 * answer's usage (streams included), and claims on chain. The chain, the store and the claim
 * transaction come in through small interfaces, so the request handler is tested on its own.
 */
import * as http from "node:http";
import * as https from "node:https";
import { Level } from "level";
import {
  MAX_CALL_PRICE_HEADER,
  MAX_VOUCHER_HEADER_BYTES,
  METERED_PATHS,
  OWED_HEADER,
  OWED_UNITS_HEADER,
  PRICE_HEADER,
  RECEIPT_PREFIX,
  SETTLE_PATH,
  SseScanner,
  UNITS_HEADER,
  VOUCHER_HEADER,
  parseVoucherHeader,
  unitsOf,
  type CallReceipt,
  type PaymentRequiredBody,
  type PaymentTerms,
} from "../client/payment";
import { checkVoucher, equalVouchers, signedVoucherFromJson, signedBytesOf, signedVoucherToJson, type SignedVoucher, type SignedVoucherJson, type Voucher, type VoucherSignatureKind } from "../types/voucher";
import { verifySecp256k1 } from "../framework/crypto";

/** An escrow as the gateway needs it (from the chain, possibly cached for a moment). */
export interface GatewayEscrow {
  id: bigint;
  modelId: bigint;
  consumer: string;
  consumerPublicKey: Uint8Array | undefined;
  deposit: bigint;
  claimed: bigint;
  claimedUnits: bigint;
  expiryHeight: bigint;
  status: "open" | "closing" | "closed";
  graceEndHeight: bigint;
  /** Escrow.provider: "" when unbound. */
  provider: string;
}

export interface GatewayChain {
  readonly chainId: string;
  /** The escrow, or undefined if it does not exist; `fresh` bypasses any cache. */
  escrow(id: bigint, fresh?: boolean): Promise<GatewayEscrow | undefined>;
  /** The latest height known. */
  height(): bigint;
  claimGrace(): bigint;
  /** True when an address other than this provider could claim an unbound escrow of the model. */
  othersCanClaimUnbound(): boolean;
}

/** What is kept per escrow across restarts. */
export interface EscrowRecord {
  /** The newest voucher accepted (the one a claim redeems). */
  voucher?: SignedVoucherJson;
  /** What the served calls cost so far (cumulative): the next voucher must cover it. */
  owed: string;
  owed_units: string;
}

export interface VoucherStore {
  get(escrowId: bigint): Promise<EscrowRecord | undefined>;
  /** `durable`: flushed to disk before it resolves (a new voucher is, before its call is served). */
  put(escrowId: bigint, record: EscrowRecord, durable: boolean): Promise<void>;
  all(): Promise<Array<[bigint, EscrowRecord]>>;
  close(): Promise<void>;
}

export class MemoryVoucherStore implements VoucherStore {
  readonly records = new Map<string, EscrowRecord>();
  async get(id: bigint) {
    const r = this.records.get(id.toString());
    return r && structuredClone(r);
  }
  async put(id: bigint, record: EscrowRecord, _durable = true) {
    this.records.set(id.toString(), structuredClone(record));
  }
  async all(): Promise<Array<[bigint, EscrowRecord]>> {
    return [...this.records].map(([k, v]) => [BigInt(k), structuredClone(v)]);
  }
  async close() {}
}

/** LevelDB, one key per escrow (`escrow/<20-digit id>`), JSON values; new vouchers written with sync. */
export class LevelVoucherStore implements VoucherStore {
  private constructor(private readonly db: Level<string, EscrowRecord>) {}
  static async open(dir: string): Promise<LevelVoucherStore> {
    const db = new Level<string, EscrowRecord>(dir, { valueEncoding: "json" });
    await db.open();
    return new LevelVoucherStore(db);
  }
  private key(id: bigint) {
    return `escrow/${id.toString().padStart(20, "0")}`;
  }
  async get(id: bigint) {
    return (await this.db.get(this.key(id))) ?? undefined;
  }
  async put(id: bigint, record: EscrowRecord, durable: boolean) {
    await this.db.put(this.key(id), record, { sync: durable } as never);
  }
  async all(): Promise<Array<[bigint, EscrowRecord]>> {
    const out: Array<[bigint, EscrowRecord]> = [];
    for await (const [k, v] of this.db.iterator({ gte: "escrow/", lt: "escrow0" })) out.push([BigInt(k.slice(7)), v]);
    return out;
  }
  async close() {
    await this.db.close();
  }
}

export interface GatewayConfig {
  modelId: bigint;
  /** This provider's address (the key that claims). */
  provider: string;
  /** Base URL of the OpenAI-compatible server, e.g. http://127.0.0.1:8000 (paths are appended). */
  upstream: URL;
  pricePerUnit: bigint;
  unit: string;
  /** The most units one call is charged (the credit bound is maxCallUnits x price). */
  maxCallUnits: bigint;
  /** Units of a 2xx answer that has no usage object. */
  unitsWithoutUsage: bigint;
  /** Refuse escrows expiring within this many blocks (the provider needs time to claim). */
  claimMarginBlocks: bigint;
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
}

/** Counters for /metrics and the status line. */
export class GatewayMetrics {
  calls = 0n;
  units = 0n;
  served = 0n;
  unpaidRefused = 0n;
  badVouchers = 0n;
  upstreamErrors = 0n;
  claims = 0n;
  claimed = 0n;
  claimFailures = 0n;
  unclaimed = 0n;

  prometheus(modelId: bigint): string {
    const m = `model="${modelId}"`;
    const lines: Array<[string, string, string, bigint]> = [
      ["blockai_gateway_calls_total", "counter", "calls answered 2xx and charged", this.calls],
      ["blockai_gateway_units_total", "counter", "units charged", this.units],
      ["blockai_gateway_served_usoa_total", "counter", "price of the calls served (usoa)", this.served],
      ["blockai_gateway_unpaid_refused_total", "counter", "calls refused with 402 Payment Required", this.unpaidRefused],
      ["blockai_gateway_bad_vouchers_total", "counter", "calls refused for a garbled, forged, stale or foreign voucher (400/403/409)", this.badVouchers],
      ["blockai_gateway_upstream_errors_total", "counter", "calls the upstream failed or timed out (not charged)", this.upstreamErrors],
      ["blockai_gateway_claims_total", "counter", "MsgClaimUsage transactions that succeeded", this.claims],
      ["blockai_gateway_claimed_usoa_total", "counter", "amount claimed on chain (usoa, gross)", this.claimed],
      ["blockai_gateway_claim_failures_total", "counter", "claims that failed", this.claimFailures],
      ["blockai_gateway_unclaimed_usoa", "gauge", "accepted but not yet claimed (usoa)", this.unclaimed],
    ];
    return lines.map(([name, type, help, v]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name}{${m}} ${v}\n`).join("");
  }
}

interface EscrowState {
  voucher: SignedVoucher | undefined;
  accepted: bigint;
  acceptedUnits: bigint;
  owed: bigint;
  owedUnits: bigint;
  /** Sum of the bounds (amount, units) of calls being served now. */
  inflight: bigint;
  inflightUnits: bigint;
  lock: Promise<unknown>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly payment?: PaymentRequiredBody["error"]["blockai"],
  ) {
    super(message);
  }
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection", "host", "content-length", VOUCHER_HEADER]);

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function errorBody(code: string, message: string, type = "invalid_request_error") {
  return { error: { message, type, code, param: null } };
}

const verifyNative = (v: Voucher, signature: Uint8Array, publicKey: Uint8Array, kind: VoucherSignatureKind): boolean => {
  try {
    return verifySecp256k1(publicKey, signedBytesOf(v, kind, publicKey), signature);
  } catch {
    return false;
  }
};

export class Gateway {
  readonly metrics = new GatewayMetrics();
  private readonly escrows = new Map<string, EscrowState>();
  private readonly agent: http.Agent;

  constructor(
    readonly config: GatewayConfig,
    private readonly chain: GatewayChain,
    private readonly store: VoucherStore,
  ) {
    const Agent = config.upstream.protocol === "https:" ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 256 });
  }

  get maxCallPrice(): bigint {
    return this.config.maxCallUnits * this.config.pricePerUnit;
  }

  terms(): PaymentTerms {
    const c = this.config;
    return {
      chain_id: this.chain.chainId,
      model_id: c.modelId.toString(),
      provider: c.provider,
      denom: "usoa",
      price_per_unit: c.pricePerUnit.toString(),
      unit: c.unit,
      max_call_price: this.maxCallPrice.toString(),
      max_call_units: c.maxCallUnits.toString(),
      claim_margin_blocks: c.claimMarginBlocks.toString(),
    };
  }

  /** Loads every stored escrow (at start: what a claim may redeem after a restart). */
  async load(): Promise<void> {
    for (const [id, rec] of await this.store.all()) this.escrows.set(id.toString(), this.fromRecord(rec));
  }

  private fromRecord(rec: EscrowRecord | undefined): EscrowState {
    const voucher = rec?.voucher ? signedVoucherFromJson(rec.voucher) : undefined;
    const accepted = voucher?.voucher.cumulativeAmount ?? 0n;
    const acceptedUnits = voucher?.voucher.cumulativeUnits ?? 0n;
    const owed = BigInt(rec?.owed ?? "0");
    const owedUnits = BigInt(rec?.owed_units ?? "0");
    return {
      voucher,
      accepted,
      acceptedUnits,
      owed: owed > accepted ? owed : accepted,
      owedUnits: owedUnits > acceptedUnits ? owedUnits : acceptedUnits,
      inflight: 0n,
      inflightUnits: 0n,
      lock: Promise.resolve(),
    };
  }

  private async state(id: bigint): Promise<EscrowState> {
    let s = this.escrows.get(id.toString());
    if (!s) {
      s = this.fromRecord(await this.store.get(id));
      const again = this.escrows.get(id.toString());
      if (again) return again;
      this.escrows.set(id.toString(), s);
    }
    return s;
  }

  private record(s: EscrowState): EscrowRecord {
    return { voucher: s.voucher && signedVoucherToJson(s.voucher), owed: s.owed.toString(), owed_units: s.owedUnits.toString() };
  }

  /** Runs `fn` alone for this escrow (admission is check-then-reserve). */
  private exclusive<T>(s: EscrowState, fn: () => Promise<T>): Promise<T> {
    const run = s.lock.then(fn);
    s.lock = run.catch(() => undefined);
    return run;
  }

  private paymentInfo(escrowId: bigint | null, s: EscrowState | undefined, given: Voucher | undefined) {
    const need = s ? s.owed + s.inflight : 0n;
    const needUnits = s ? s.owedUnits + s.inflightUnits : 0n;
    const more = given && need > given.cumulativeAmount ? need - given.cumulativeAmount : 0n;
    return {
      ...this.terms(),
      escrow_id: escrowId === null ? null : escrowId.toString(),
      accepted: (s?.accepted ?? 0n).toString(),
      sign_at_least: need.toString(),
      sign_at_least_units: needUnits.toString(),
      more_to_sign: more.toString(),
      deposit_needed: (need + this.maxCallPrice).toString(),
    };
  }

  private paymentRequired(code: string, message: string, escrowId: bigint | null, s?: EscrowState, given?: Voucher): HttpError {
    return new HttpError(402, code, message, this.paymentInfo(escrowId, s, given));
  }

  /**
   * The checks before a call is served (docs/gateway.md, "What the gateway checks"); on success
   * the call's bound is reserved on the escrow and the voucher, if new, is on disk.
   */
  private async admit(header: string | string[] | undefined, forCall = true): Promise<{ s: EscrowState; id: bigint }> {
    if (header === undefined) throw this.paymentRequired("voucher_required", `this model is paid per call: send ${VOUCHER_HEADER} with a voucher on an escrow bound to ${this.config.provider}`, null);
    if (Array.isArray(header)) throw new HttpError(400, "invalid_voucher", `send one ${VOUCHER_HEADER} header`);
    if (Buffer.byteLength(header) > MAX_VOUCHER_HEADER_BYTES) throw new HttpError(431, "voucher_too_large", `${VOUCHER_HEADER} is larger than ${MAX_VOUCHER_HEADER_BYTES} bytes`);
    let signed: SignedVoucher;
    try {
      signed = parseVoucherHeader(header);
    } catch (e) {
      throw new HttpError(400, "invalid_voucher", `${VOUCHER_HEADER}: ${(e as Error).message}`);
    }
    const v = signed.voucher;
    if (v.chainId !== this.chain.chainId) throw new HttpError(403, "wrong_chain", `voucher is for chain "${v.chainId}", this gateway serves "${this.chain.chainId}"`);
    const e = await this.chain.escrow(v.escrowId);
    if (!e) throw this.paymentRequired("escrow_not_found", `escrow ${v.escrowId} does not exist`, v.escrowId);
    if (e.modelId !== this.config.modelId) throw new HttpError(403, "wrong_model", `escrow ${e.id} pays for model ${e.modelId}, this gateway serves model ${this.config.modelId}`);
    if (e.provider !== "" && e.provider !== this.config.provider) throw new HttpError(403, "wrong_provider", `escrow ${e.id} is bound to provider ${e.provider}, not to this gateway (${this.config.provider})`);
    if (e.provider === "" && this.chain.othersCanClaimUnbound()) {
      throw new HttpError(403, "escrow_unbound", `escrow ${e.id} is not bound to a provider and another operator could claim it: open an escrow with provider ${this.config.provider}`);
    }
    const s = await this.state(e.id);
    if (e.status === "closed") throw this.paymentRequired("escrow_closed", `escrow ${e.id} is closed`, e.id, s, v);
    if (e.status === "closing") throw this.paymentRequired("escrow_closing", `escrow ${e.id} is closing (its consumer closed it)`, e.id, s, v);
    if (this.chain.height() + this.config.claimMarginBlocks >= e.expiryHeight) {
      throw this.paymentRequired("escrow_expiring", `escrow ${e.id} expires at height ${e.expiryHeight}, within the claim margin (${this.config.claimMarginBlocks} blocks) of height ${this.chain.height()}: extend it (top-up) or open a new one`, e.id, s, v);
    }
    if (!e.consumerPublicKey) throw new HttpError(403, "consumer_key_unknown", `consumer ${e.consumer} has no public key on chain`);
    return this.exclusive(s, async () => {
      const accepted = s.accepted > e.claimed ? s.accepted : e.claimed;
      const acceptedUnits = s.acceptedUnits > e.claimedUnits ? s.acceptedUnits : e.claimedUnits;
      if (v.cumulativeAmount < accepted || v.cumulativeUnits < acceptedUnits) {
        this.metrics.badVouchers++;
        throw new HttpError(409, "voucher_stale", `voucher (${v.cumulativeAmount}usoa, ${v.cumulativeUnits} units) is older than the one accepted (${accepted}usoa, ${acceptedUnits} units): replayed or stale`);
      }
      const held = s.voucher !== undefined && equalVouchers(s.voucher, signed);
      if (!held) {
        // The chain's rules (checkVoucher); a voucher equal in amount to the accepted one is
        // checked against one usoa less, so that only its signature and units decide.
        const check = checkVoucher(
          signed,
          {
            chainId: this.chain.chainId,
            escrowId: e.id,
            modelId: e.modelId,
            consumerPublicKey: e.consumerPublicKey!,
            deposit: e.deposit,
            accepted: v.cumulativeAmount === accepted ? accepted - 1n : accepted,
            acceptedUnits,
            boundProvider: e.provider,
          },
          this.config.modelId,
          { address: this.config.provider, othersCanClaimUnbound: this.chain.othersCanClaimUnbound() },
          verifyNative,
        );
        if (!check.ok) {
          if (check.reason.includes("exceeds the deposit")) throw this.paymentRequired("escrow_insufficient", check.reason, e.id, s, v);
          this.metrics.badVouchers++;
          throw new HttpError(403, check.reason.includes("signature") ? "invalid_signature" : "invalid_voucher", check.reason);
        }
      }
      const need = s.owed + s.inflight;
      const needUnits = s.owedUnits + s.inflightUnits;
      if (v.cumulativeAmount < need || v.cumulativeUnits < needUnits) {
        throw this.paymentRequired("payment_required", `the calls served on escrow ${e.id} cost ${need}usoa (${needUnits} units); the voucher signs ${v.cumulativeAmount}usoa (${v.cumulativeUnits} units)`, e.id, s, v);
      }
      // The escrow may come from a cache: a top-up that just landed is read again before refusing.
      if (forCall && need + this.maxCallPrice > e.deposit) e.deposit = (await this.chain.escrow(e.id, true))?.deposit ?? e.deposit;
      if (forCall && need + this.maxCallPrice > e.deposit) {
        throw this.paymentRequired("escrow_insufficient", `escrow ${e.id} holds ${e.deposit}usoa; this call may bring the total to ${need + this.maxCallPrice}usoa: top it up`, e.id, s, v);
      }
      if (!held && (v.cumulativeAmount > s.accepted || s.voucher === undefined)) {
        s.voucher = signed;
        s.accepted = v.cumulativeAmount;
        s.acceptedUnits = v.cumulativeUnits;
        // On disk before the call is served: a restart loses no payment already accepted.
        await this.store.put(e.id, this.record(s), true);
      }
      if (forCall) {
        s.inflight += this.maxCallPrice;
        s.inflightUnits += this.config.maxCallUnits;
      }
      return { s, id: e.id };
    });
  }

  /** Ends a call: releases its reservation and, when it was answered 2xx, charges its units. */
  private async settle(id: bigint, s: EscrowState, units: bigint | undefined): Promise<CallReceipt> {
    s.inflight -= this.maxCallPrice;
    s.inflightUnits -= this.config.maxCallUnits;
    const price = units === undefined ? 0n : units * this.config.pricePerUnit;
    if (units !== undefined) {
      s.owed += price;
      s.owedUnits += units;
      this.metrics.calls++;
      this.metrics.units += units;
      this.metrics.served += price;
      // Not flushed: if lost, the consumer's own count (what it signs next) still covers it.
      await this.store.put(id, this.record(s), false);
    }
    return { units: (units ?? 0n).toString(), price: price.toString(), owed: s.owed.toString(), owed_units: s.owedUnits.toString() };
  }

  /** The node:http request listener. */
  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    this.route(req, res).catch((e) => {
      if (e instanceof HttpError) {
        if (e.status === 402) this.metrics.unpaidRefused++;
        else if ([400, 403, 431].includes(e.status) && e.code !== "body_too_large") this.metrics.badVouchers++;
        const body = e.payment ? { error: { message: e.message, type: "payment_required", code: e.code, param: null, blockai: e.payment } } : errorBody(e.code, e.message);
        sendJson(res, e.status, body, e.status === 413 ? { connection: "close" } : {});
        if (e.status === 413) req.destroy();
      } else {
        sendJson(res, 500, errorBody("internal_error", (e as Error).message, "server_error"));
      }
    });
  };

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(this.metrics.prometheus(this.config.modelId));
      return;
    }
    if (req.method === "GET" && path === "/healthz") return sendJson(res, 200, { ok: true });
    if (req.method === "GET" && path === "/v1/blockai/terms") return sendJson(res, 200, this.terms());
    if (req.method === "POST" && path === SETTLE_PATH) {
      // A voucher without a call: the consumer pays for its last call (pay after use leaves one
      // call unpaid until the next request) so that the provider can claim everything served.
      const { s } = await this.admit(req.headers[VOUCHER_HEADER], false);
      return sendJson(res, 200, { accepted: s.accepted.toString(), accepted_units: s.acceptedUnits.toString(), owed: s.owed.toString(), owed_units: s.owedUnits.toString() });
    }
    if (!(METERED_PATHS as readonly string[]).includes(path)) throw new HttpError(404, "not_found", `no route ${req.method} ${path}: the gateway meters POST ${METERED_PATHS.join(", ")}`);
    if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", `${path} takes POST`);
    const raw = await readBody(req, this.config.maxBodyBytes);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new HttpError(400, "invalid_json", "the request body is not JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "invalid_json", "the request body must be a JSON object");
    const { s, id } = await this.admit(req.headers[VOUCHER_HEADER]);
    let settled = false;
    const settleOnce = async (units: bigint | undefined) => {
      if (settled) return undefined;
      settled = true;
      return this.settle(id, s, units);
    };
    try {
      await this.forward(req, res, path, body, settleOnce);
    } finally {
      await settleOnce(undefined);
    }
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    body: Record<string, unknown>,
    settle: (units: bigint | undefined) => Promise<CallReceipt | undefined>,
  ): Promise<void> {
    const streaming = body.stream === true;
    if (streaming) body = { ...body, stream_options: { ...(typeof body.stream_options === "object" && body.stream_options ? body.stream_options : {}), include_usage: true } };
    const payload = Buffer.from(JSON.stringify(body));
    const up = this.config.upstream;
    const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(payload.length) };
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && typeof v === "string" && k !== "content-type") headers[k] = v;
    const basePath = up.pathname.replace(/\/$/, "");
    const request = up.protocol === "https:" ? https.request : http.request;
    return new Promise<void>((resolve) => {
      let finished = false;
      const done = () => {
        if (!finished) {
          finished = true;
          resolve();
        }
      };
      const upstreamFailed = (status: number, code: string, message: string) => {
        this.metrics.upstreamErrors++;
        if (!res.headersSent) sendJson(res, status, errorBody(code, message, "upstream_error"));
        else res.end();
        void settle(undefined).finally(done);
      };
      const upReq = request(
        { protocol: up.protocol, hostname: up.hostname, port: up.port, path: basePath + path, method: "POST", headers, agent: this.agent },
        (upRes) => {
          const status = upRes.statusCode ?? 502;
          const type = String(upRes.headers["content-type"] ?? "");
          if (status < 200 || status >= 300) {
            // Not charged: the consumer pays for calls answered 2xx only.
            const chunks: Buffer[] = [];
            upRes.on("data", (c: Buffer) => chunks.push(c));
            upRes.on("end", () => {
              res.writeHead(status, { "content-type": type || "application/json", [PRICE_HEADER]: "0", [UNITS_HEADER]: "0" });
              res.end(Buffer.concat(chunks));
              void settle(undefined).finally(done);
            });
            upRes.on("error", () => upstreamFailed(502, "upstream_error", "the upstream failed while answering"));
            return;
          }
          if (type.includes("text/event-stream")) return this.relayStream(res, upReq, upRes, status, settle, done);
          const chunks: Buffer[] = [];
          let size = 0;
          upRes.on("data", (c: Buffer) => {
            size += c.length;
            if (size > 64 << 20) upReq.destroy(new Error("answer larger than 64 MiB"));
            else chunks.push(c);
          });
          upRes.on("error", () => upstreamFailed(502, "upstream_error", "the upstream failed while answering"));
          upRes.on("end", () => {
            if (finished) return;
            const text = Buffer.concat(chunks);
            let usage: unknown;
            try {
              usage = (JSON.parse(text.toString("utf8")) as { usage?: unknown }).usage;
            } catch {
              usage = undefined;
            }
            void settle(unitsOf(usage, this.config.maxCallUnits, this.config.unitsWithoutUsage)).then((r) => {
              res.writeHead(status, {
                "content-type": type || "application/json",
                "content-length": String(text.length),
                [UNITS_HEADER]: r!.units,
                [PRICE_HEADER]: r!.price,
                [OWED_HEADER]: r!.owed,
                [OWED_UNITS_HEADER]: r!.owed_units,
                [MAX_CALL_PRICE_HEADER]: this.maxCallPrice.toString(),
              });
              res.end(text);
              done();
            });
          });
        },
      );
      upReq.setTimeout(this.config.upstreamTimeoutMs, () => upReq.destroy(Object.assign(new Error("timeout"), { code: "UPSTREAM_TIMEOUT" })));
      upReq.on("error", (err: NodeJS.ErrnoException) => {
        if (finished || res.headersSent) return;
        if (err.code === "UPSTREAM_TIMEOUT") upstreamFailed(504, "upstream_timeout", `the upstream did not answer within ${this.config.upstreamTimeoutMs} ms`);
        else upstreamFailed(502, "upstream_error", `the upstream failed: ${err.message}`);
      });
      // A client gone before the answer: the upstream call is dropped, nothing is charged.
      res.on("close", () => {
        if (!res.writableFinished && !res.headersSent) {
          upReq.destroy();
          void settle(undefined).finally(done);
        }
      });
      upReq.end(payload);
    });
  }

  /**
   * A 2xx event stream: relayed as it comes. Charged by the usage of the final chunk when the
   * stream completes; when the client disconnects (or the upstream breaks) first, by the content
   * events written to the client before that (docs/gateway.md, "Streams").
   */
  private relayStream(
    res: http.ServerResponse,
    upReq: http.ClientRequest,
    upRes: http.IncomingMessage,
    status: number,
    settle: (units: bigint | undefined) => Promise<CallReceipt | undefined>,
    done: () => void,
  ): void {
    const scanner = new SseScanner();
    const decoder = new TextDecoder();
    let delivered = 0n;
    let over = false;
    const cap = (u: bigint) => (u > this.config.maxCallUnits ? this.config.maxCallUnits : u);
    res.writeHead(status, { "content-type": "text/event-stream", "cache-control": "no-cache", [MAX_CALL_PRICE_HEADER]: this.maxCallPrice.toString() });
    const cut = () => {
      if (over) return;
      over = true;
      upReq.destroy();
      void settle(cap(delivered)).finally(() => {
        res.end();
        done();
      });
    };
    res.on("close", () => {
      if (!over) cut();
    });
    upRes.on("data", (c: Buffer) => {
      if (over) return;
      const added = scanner.push(decoder.decode(c, { stream: true }));
      if (res.destroyed) return cut();
      res.write(c);
      delivered += added;
    });
    upRes.on("error", () => cut());
    upRes.on("aborted", () => cut());
    upRes.on("end", () => {
      if (over) return;
      over = true;
      const units = scanner.usage !== undefined ? unitsOf(scanner.usage, this.config.maxCallUnits, this.config.unitsWithoutUsage) : cap(delivered);
      void settle(units).then((r) => {
        res.end(`${RECEIPT_PREFIX}${JSON.stringify(r)}\n\n`);
        done();
      });
    });
  }

  /** Escrows holding an accepted voucher, for the claimer. */
  held(): Array<{ id: bigint; voucher: SignedVoucher }> {
    return [...this.escrows].filter(([, s]) => s.voucher && s.voucher.voucher.cumulativeAmount > 0n).map(([id, s]) => ({ id: BigInt(id), voucher: s.voucher! }));
  }

  /**
   * Claims what is due (docs/gateway.md, "Claiming"): an escrow whose unclaimed amount reaches
   * `threshold`, or whose last claim height (expiry + claim_grace, or the end of its grace period
   * when closing) is within `marginBlocks`; every escrow with anything unclaimed when `all`.
   */
  async claimDue(claim: (v: SignedVoucher) => Promise<bigint>, threshold: bigint, marginBlocks: bigint, all: boolean, log: (msg: string, fields: Record<string, unknown>) => void): Promise<void> {
    let unclaimed = 0n;
    for (const { id, voucher } of this.held()) {
      const e = await this.chain.escrow(id, true);
      if (!e) continue;
      const open = voucher.voucher.cumulativeAmount - e.claimed;
      if (open <= 0n || e.status === "closed") continue;
      const deadline = e.status === "closing" ? e.graceEndHeight : e.expiryHeight + this.chain.claimGrace();
      const due = all || open >= threshold || this.chain.height() + marginBlocks >= deadline || e.status === "closing";
      if (!due) {
        unclaimed += open;
        continue;
      }
      try {
        const paid = await claim(voucher);
        this.metrics.claims++;
        this.metrics.claimed += paid;
        log("claim", { escrow_id: id.toString(), paid: paid.toString(), cumulative_amount: voucher.voucher.cumulativeAmount.toString() });
      } catch (err) {
        this.metrics.claimFailures++;
        unclaimed += open;
        log("claim_failed", { escrow_id: id.toString(), error: (err as Error).message });
      }
    }
    this.metrics.unclaimed = unclaimed;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

class BodyTooLarge extends HttpError {}

/** The request body, at most `max` bytes (413 beyond). */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > max) return Promise.reject(new BodyTooLarge(413, "body_too_large", `the request body is larger than ${max} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners("data");
        reject(new BodyTooLarge(413, "body_too_large", `the request body is larger than ${max} bytes`));
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The server: the gateway's handler, with oversized headers answered 431 in JSON. */
export function createGatewayHttpServer(gateway: Gateway, maxHeaderBytes = 16 * 1024): http.Server {
  const server = http.createServer({ maxHeaderSize: maxHeaderBytes }, gateway.handle);
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
    const body = JSON.stringify(errorBody(tooLarge ? "headers_too_large" : "bad_request", tooLarge ? `request headers larger than ${maxHeaderBytes} bytes` : "malformed HTTP request"));
    socket.end(`HTTP/1.1 ${tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  return server;
}
