/**
 * Paid AI calls over HTTP: the voucher-over-HTTP protocol (docs/gateway.md) shared by the
 * provider's gateway and the consumer, and the consumer side as a library: a `fetch`-compatible
 * function that pays each call with a voucher, and an OpenAI-style wrapper. Browser-safe: only
 * the leaf layer, Web APIs (fetch, ReadableStream, TextEncoder) and nothing of Node.
 */
import { signedVoucherFromJson, signedVoucherToJson, VoucherError, type SignedVoucher, type Voucher, type VoucherSignatureKind } from "../types/voucher";

/** Request header: the consumer's newest signed cumulative voucher, as the JSON wire form. */
export const VOUCHER_HEADER = "x-blockai-voucher";
/** Response headers of a metered call (non-streaming; a stream carries them in its receipt). */
export const UNITS_HEADER = "x-blockai-units";
export const PRICE_HEADER = "x-blockai-price";
export const OWED_HEADER = "x-blockai-owed";
export const OWED_UNITS_HEADER = "x-blockai-owed-units";
export const MAX_CALL_PRICE_HEADER = "x-blockai-max-call-price";
/** The SSE comment a stream ends with: `: blockai-receipt {json}` then a blank line. */
export const RECEIPT_PREFIX = ": blockai-receipt ";
/** Largest X-Blockai-Voucher value accepted (bytes). */
export const MAX_VOUCHER_HEADER_BYTES = 1024;
/** POST with only a voucher: pays for the calls served so far, serves nothing. */
export const SETTLE_PATH = "/v1/blockai/settle";
/** The paths metered by token usage. */
export const METERED_PATHS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"] as const;

/** The payment terms a 402 carries (and GET /v1/blockai/terms answers). */
export interface PaymentTerms {
  chain_id: string;
  model_id: string;
  /** The address the escrow must be bound to (MsgOpenEscrow.provider). */
  provider: string;
  denom: "usoa";
  price_per_unit: string;
  unit: string;
  /** The most one call can cost: max_call_units x price_per_unit. */
  max_call_price: string;
  max_call_units: string;
  /** Blocks before an escrow's expiry at which the gateway stops serving it. */
  claim_margin_blocks: string;
}

/** The 402 body: an OpenAI-style error with the terms and, when an escrow was named, what to sign. */
export interface PaymentRequiredBody {
  error: {
    message: string;
    type: "payment_required";
    code: string;
    param: null;
    blockai: PaymentTerms & {
      escrow_id: string | null;
      /** Highest cumulative amount accepted so far on this escrow (usoa). */
      accepted: string;
      /** Cumulative amount (and units) the next voucher must carry at least. */
      sign_at_least: string;
      sign_at_least_units: string;
      /** sign_at_least - the voucher's cumulative_amount (0 when no voucher was given). */
      more_to_sign: string;
      /** Deposit the escrow would need for this call (owed + in flight + max_call_price). */
      deposit_needed: string;
    };
  };
}

/** The receipt of one call (headers of a JSON answer, the final SSE comment of a stream). */
export interface CallReceipt {
  units: string;
  price: string;
  owed: string;
  owed_units: string;
}

/**
 * Units of a call answered 2xx (docs/gateway.md, "Units"): usage.total_tokens when the answer has
 * it, else `unitsWithoutUsage`; never more than `maxCallUnits`.
 */
export function unitsOf(usage: unknown, maxCallUnits: bigint, unitsWithoutUsage: bigint): bigint {
  const total = usageTotal(usage);
  const units = total ?? unitsWithoutUsage;
  return units > maxCallUnits ? maxCallUnits : units;
}

/** usage.total_tokens as a bigint, if it is a non-negative safe integer. */
export function usageTotal(usage: unknown): bigint | undefined {
  if (typeof usage !== "object" || usage === null) return undefined;
  const t = (usage as { total_tokens?: unknown }).total_tokens;
  return typeof t === "number" && Number.isSafeInteger(t) && t >= 0 ? BigInt(t) : undefined;
}

/**
 * Scans a server-sent-event stream as it passes: counts the `data:` events that carry generated
 * content (a non-empty `choices` array: one token per event in every OpenAI-compatible server),
 * and keeps the `usage` object of the event that has one (the final chunk with
 * stream_options.include_usage) and the receipt comment. Events split across chunks are handled.
 */
export class SseScanner {
  private partial = "";
  contentEvents = 0n;
  usage: unknown = undefined;
  receipt: CallReceipt | undefined;
  done = false;

  /** Feeds a chunk of text; returns the number of content events it completed. */
  push(text: string): bigint {
    this.partial += text;
    const before = this.contentEvents;
    let nl: number;
    while ((nl = this.partial.indexOf("\n")) >= 0) {
      const line = this.partial.slice(0, nl).replace(/\r$/, "");
      this.partial = this.partial.slice(nl + 1);
      this.line(line);
    }
    // A single unterminated line larger than 1 MiB is not an SSE stream worth scanning.
    if (this.partial.length > 1 << 20) this.partial = "";
    return this.contentEvents - before;
  }

  private line(line: string): void {
    if (line.startsWith(RECEIPT_PREFIX.trimEnd())) {
      try {
        this.receipt = JSON.parse(line.slice(RECEIPT_PREFIX.length)) as CallReceipt;
      } catch {
        /* not a receipt */
      }
      return;
    }
    if (!line.startsWith("data:")) return;
    const data = line.slice(5).trim();
    if (data === "[DONE]") {
      this.done = true;
      return;
    }
    let event: { choices?: unknown; usage?: unknown };
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    if (Array.isArray(event.choices) && event.choices.length > 0) this.contentEvents += 1n;
    if (usageTotal(event.usage) !== undefined) this.usage = event.usage;
  }
}

// ---- the consumer -----------------------------------------------------------------------------

/** Signs a voucher: the 64-byte r||s signature (signVoucher with a key, or any other signer). */
export type VoucherSignFn = (voucher: Voucher) => Promise<Uint8Array> | Uint8Array;

/** What a consumer owes on one escrow, by its own count: persist it to survive restarts. */
export interface PayerState {
  escrowId: bigint;
  /** Cumulative amount and units of the calls served so far (what the next voucher signs). */
  owed: bigint;
  owedUnits: bigint;
}

export interface PayingFetchOptions {
  chainId: string;
  escrowId: bigint;
  pricePerUnit: bigint;
  /** Most one call may cost; learned from the gateway (headers, 402) when absent. */
  maxCallPrice?: bigint;
  sign: VoucherSignFn;
  /**
   * What `sign` signs: "raw" (the default) the voucher's SHA-256 digest; "adr036" the ADR-036 sign
   * doc of adr036SignBytes, as a wallet's signArbitrary does (Keplr: see docs/gateway.md).
   */
  signatureKind?: VoucherSignatureKind;
  /** Never sign a cumulative amount above this (usoa); calls that would need more are refused. */
  maxSpend?: bigint;
  /** Where the owed amount starts (a restart): defaults to 0. */
  owed?: bigint;
  owedUnits?: bigint;
  /** Called after every change of the owed amount, before the next voucher is signed. */
  onState?: (state: PayerState) => void | Promise<void>;
  fetch?: typeof fetch;
}

export class PaymentError extends Error {
  override readonly name = "PaymentError";
  constructor(
    message: string,
    readonly body?: PaymentRequiredBody,
  ) {
    super(message);
  }
}

/**
 * A consumer's paying `fetch`: every request carries a voucher for everything served so far on
 * the escrow (pay after use), one call at a time per escrow (a second waits: the gateway gives
 * credit for one call). The response is returned as the gateway sent it; the owed amount grows by
 * the call's price, which the consumer computes itself from the usage it received
 * (docs/gateway.md, "Units") and never lets exceed the call's bound. A 402 asking for more than
 * what was served plus one call's bound is not signed: it throws PaymentError.
 */
export class VoucherPayer {
  private owed: bigint;
  private owedUnits: bigint;
  private maxCallPrice: bigint | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: PayingFetchOptions) {
    this.owed = o.owed ?? 0n;
    this.owedUnits = o.owedUnits ?? 0n;
    this.maxCallPrice = o.maxCallPrice;
    this.fetchImpl = o.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  }

  get state(): PayerState {
    return { escrowId: this.o.escrowId, owed: this.owed, owedUnits: this.owedUnits };
  }

  /** The fetch-compatible function. */
  readonly fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const run = this.queue.then(() => this.call(input, init));
    // The next call waits for this one's accounting (its stream included), not for its success.
    this.queue = run.then(
      (r) => r.settled,
      () => undefined,
    );
    return run.then((r) => r.response);
  };

  /**
   * Sends a voucher for everything served so far to `baseUrl`'s settle path (no call): the
   * provider can then claim the last call too. Returns the gateway's answer (accepted, owed).
   */
  async settle(baseUrl: string): Promise<{ accepted: string; owed: string }> {
    const run = this.queue.then(async () => {
      const res = await this.fetchImpl(`${baseUrl.replace(/\/$/, "").replace(/\/v1$/, "")}${SETTLE_PATH}`, {
        method: "POST",
        headers: { [VOUCHER_HEADER]: await this.sign(this.owed, this.owedUnits) },
      });
      const body = (await res.json()) as { accepted: string; owed: string; error?: { message: string } };
      if (!res.ok) throw new PaymentError(`settle: HTTP ${res.status}: ${body.error?.message ?? ""}`);
      return body;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sign(amount: bigint, units: bigint): Promise<string> {
    if (this.o.maxSpend !== undefined && amount > this.o.maxSpend) {
      throw new PaymentError(`spending limit: signing ${amount}usoa would exceed --max-spend ${this.o.maxSpend}usoa`);
    }
    const voucher: Voucher = { chainId: this.o.chainId, escrowId: this.o.escrowId, cumulativeUnits: units, cumulativeAmount: amount };
    const signature = await this.o.sign(voucher);
    const signed: SignedVoucher = this.o.signatureKind === "adr036" ? { voucher, signature, kind: "adr036" } : { voucher, signature };
    return JSON.stringify(signedVoucherToJson(signed));
  }

  private async setOwed(owed: bigint, units: bigint): Promise<void> {
    this.owed = owed;
    this.owedUnits = units;
    await this.o.onState?.(this.state);
  }

  /** A bound for this call: the learned max call price, or (before the first answer) the spend limit. */
  private async call(input: string | URL | Request, init?: RequestInit): Promise<{ response: Response; settled: Promise<void> }> {
    // The body is read once so that a 402 can be retried with a new voucher.
    const req = new Request(input, init);
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
    const send = async (voucherJson: string) => {
      const headers = new Headers(req.headers);
      headers.set(VOUCHER_HEADER, voucherJson);
      return this.fetchImpl(req.url, { method: req.method, headers, body, signal: init?.signal ?? undefined });
    };
    let res = await send(await this.sign(this.owed, this.owedUnits));
    if (res.status === 402) {
      const paid = await this.reconcile(res);
      if (!paid) return { response: res, settled: Promise.resolve() };
      res = await send(paid);
    }
    const cap = res.headers.get(MAX_CALL_PRICE_HEADER);
    if (cap !== null && /^[0-9]{1,39}$/.test(cap)) this.maxCallPrice = BigInt(cap);
    if (res.status < 200 || res.status >= 300) return { response: res, settled: Promise.resolve() };
    const type = res.headers.get("content-type") ?? "";
    if (type.includes("text/event-stream") && res.body) return this.meterStream(res);
    const text = await res.text();
    let usage: unknown;
    try {
      usage = (JSON.parse(text) as { usage?: unknown }).usage;
    } catch {
      usage = undefined;
    }
    await this.charge(usageTotal(usage), header(res, UNITS_HEADER));
    const copy = new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    return { response: copy, settled: Promise.resolve() };
  }

  /**
   * Adds a call's price: units from the usage the consumer received (or, without usage, the units
   * the gateway reported), priced at price_per_unit, and never above the call's bound.
   */
  private async charge(ownUnits: bigint | undefined, reportedUnits: bigint | undefined): Promise<void> {
    // Both counts known: the smaller (the gateway may charge less than the usage says, never more).
    let units = ownUnits !== undefined && reportedUnits !== undefined ? (ownUnits < reportedUnits ? ownUnits : reportedUnits) : (ownUnits ?? reportedUnits ?? 0n);
    const bound = this.maxCallPrice;
    const ppu = this.o.pricePerUnit;
    if (bound !== undefined && ppu > 0n && units * ppu > bound) units = bound / ppu;
    await this.setOwed(this.owed + units * ppu, this.owedUnits + units);
  }

  private meterStream(res: Response): { response: Response; settled: Promise<void> } {
    const scanner = new SseScanner();
    const decoder = new TextDecoder();
    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));
    let charged = false;
    const finish = async () => {
      if (charged) return;
      charged = true;
      // Complete: the usage of the final chunk; cut short: the content events delivered.
      const own = usageTotal(scanner.usage) ?? scanner.contentEvents;
      const receipt = scanner.receipt && /^[0-9]{1,20}$/.test(scanner.receipt.units) ? BigInt(scanner.receipt.units) : undefined;
      await this.charge(own, receipt).finally(settle);
    };
    const reader = res.body!.getReader();
    const stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            await finish();
            return;
          }
          scanner.push(decoder.decode(value, { stream: true }));
          controller.enqueue(value);
        } catch (e) {
          controller.error(e);
          await finish();
        }
      },
      cancel: async (reason) => {
        await reader.cancel(reason).catch(() => undefined);
        await finish();
      },
    });
    return { response: new Response(stream, { status: res.status, statusText: res.statusText, headers: res.headers }), settled };
  }

  /**
   * A 402: the gateway expects more than this consumer's count (a lost state, a cut stream counted
   * differently). Signs it only if it is within one call's bound of what was served; returns the
   * voucher to retry with, or undefined when the 402 is to be returned as is (no escrow terms).
   */
  private async reconcile(res: Response): Promise<string | undefined> {
    const text = await res.text();
    let body: PaymentRequiredBody;
    try {
      body = JSON.parse(text) as PaymentRequiredBody;
    } catch {
      throw new PaymentError(`402 without a JSON body: ${text.slice(0, 200)}`);
    }
    const b = body.error?.blockai;
    if (!b || !/^[0-9]{1,39}$/.test(b.sign_at_least ?? "") || !/^[0-9]{1,20}$/.test(b.sign_at_least_units ?? "")) {
      throw new PaymentError(`402: ${body.error?.message ?? text.slice(0, 200)}`, body);
    }
    const want = BigInt(b.sign_at_least);
    const wantUnits = BigInt(b.sign_at_least_units);
    const bound = /^[0-9]{1,39}$/.test(b.max_call_price) ? BigInt(b.max_call_price) : 0n;
    this.maxCallPrice = bound;
    if (want <= this.owed && wantUnits <= this.owedUnits) throw new PaymentError(`402 ${body.error.code}: ${body.error.message}`, body);
    if (want > this.owed + bound) {
      throw new PaymentError(`402: the gateway asks for ${want}usoa, more than served (${this.owed}usoa) plus one call's bound (${bound}usoa): not signed`, body);
    }
    await this.setOwed(want > this.owed ? want : this.owed, wantUnits > this.owedUnits ? wantUnits : this.owedUnits);
    return this.sign(this.owed, this.owedUnits);
  }
}

function header(res: Response, name: string): bigint | undefined {
  const v = res.headers.get(name);
  return v !== null && /^[0-9]{1,20}$/.test(v) ? BigInt(v) : undefined;
}

/** A `fetch` that pays with vouchers (see VoucherPayer). */
export function createPayingFetch(options: PayingFetchOptions): typeof fetch & { payer: VoucherPayer } {
  const payer = new VoucherPayer(options);
  return Object.assign(payer.fetch as typeof fetch, { payer });
}

/**
 * A minimal OpenAI-style client over the paying fetch (for the official `openai` package, pass
 * `fetch: createPayingFetch(...)` to its constructor instead): chat completions, completions and
 * embeddings, JSON in and out.
 */
export function createPayingOpenAI(baseURL: string, options: PayingFetchOptions) {
  const f = createPayingFetch(options);
  const post = async (path: string, body: unknown) => {
    const res = await f(`${baseURL.replace(/\/$/, "")}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new PaymentError(`HTTP ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  return {
    payer: f.payer,
    chat: { completions: { create: (body: Record<string, unknown>) => post("/chat/completions", { ...body, stream: false }) } },
    completions: { create: (body: Record<string, unknown>) => post("/completions", { ...body, stream: false }) },
    embeddings: { create: (body: Record<string, unknown>) => post("/embeddings", body) },
  };
}

/** Parses an X-Blockai-Voucher value; throws VoucherError naming the problem. */
export function parseVoucherHeader(value: string): SignedVoucher {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new VoucherError(`${VOUCHER_HEADER} is not JSON`);
  }
  return signedVoucherFromJson(json);
}
