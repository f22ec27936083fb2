/**
 * The gateway's request handler (src/cli/gateway-server.ts) against a real upstream on loopback,
 * with the chain's escrow as a plain record (the chain side is covered by the metering tests and
 * the e2e): every bad input of issue 17 gets its HTTP status and JSON error, the credit rule
 * holds, streams are charged by the documented rule, the consumer library pays correctly.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  createPayingFetch,
  PaymentError,
  signedVoucherToJson,
  signVoucher,
  signVoucherAdr036,
  voucherPublicKey,
  type PaymentRequiredBody,
  type Voucher,
} from "../../src/client";
import { Gateway, MemoryVoucherStore, createGatewayHttpServer, type GatewayChain, type GatewayEscrow } from "../../src/cli/gateway-server";
import { startUpstream, type Upstream } from "../helpers/openai-upstream";

const CHAIN = "gw-test-1";
const PROVIDER = "soa1provider";
const consumerKey = sha256(new TextEncoder().encode("gateway consumer"));
const strangerKey = sha256(new TextEncoder().encode("gateway stranger"));
const PRICE = 10n;
const MAX_UNITS = 100n;
const BOUND = PRICE * MAX_UNITS;

class Chain implements GatewayChain {
  chainId = CHAIN;
  h = 10n;
  others = false;
  escrows = new Map<bigint, GatewayEscrow>();
  async escrow(id: bigint) {
    const e = this.escrows.get(id);
    return e && { ...e };
  }
  height() {
    return this.h;
  }
  claimGrace() {
    return 5n;
  }
  othersCanClaimUnbound() {
    return this.others;
  }
}

function escrow(id: bigint, over: Partial<GatewayEscrow> = {}): GatewayEscrow {
  return {
    id,
    modelId: 1n,
    consumer: "soa1consumer",
    consumerPublicKey: voucherPublicKey(consumerKey),
    deposit: 100_000n,
    claimed: 0n,
    claimedUnits: 0n,
    expiryHeight: 1000n,
    status: "open",
    graceEndHeight: 0n,
    provider: PROVIDER,
    ...over,
  };
}

describe("gateway request handler", () => {
  let upstream: Upstream;
  let chain: Chain;
  let store: MemoryVoucherStore;
  let gateway: Gateway;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    upstream = await startUpstream({ words: 4 });
  });
  afterAll(async () => upstream.close());

  beforeEach(async () => {
    chain = new Chain();
    chain.escrows.set(1n, escrow(1n));
    store = new MemoryVoucherStore();
    gateway = new Gateway(
      {
        modelId: 1n,
        provider: PROVIDER,
        upstream: new URL(upstream.url),
        pricePerUnit: PRICE,
        unit: "token",
        maxCallUnits: MAX_UNITS,
        unitsWithoutUsage: 1n,
        claimMarginBlocks: 20n,
        maxBodyBytes: 4096,
        upstreamTimeoutMs: 300,
      },
      chain,
      store,
    );
    server = createGatewayHttpServer(gateway, 4096);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await gateway.close();
  });

  const voucher = (amount: bigint, units: bigint, over: Partial<Voucher> = {}, key = consumerKey) =>
    JSON.stringify(signedVoucherToJson(signVoucher({ chainId: CHAIN, escrowId: 1n, cumulativeUnits: units, cumulativeAmount: amount, ...over }, key)));

  async function call(v: string | undefined, body: unknown = { model: "m", messages: [{ role: "user", content: "hi" }] }, path = "/v1/chat/completions") {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (v !== undefined) headers["x-blockai-voucher"] = v;
    const res = await fetch(base + path, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers, text };
  }

  test("pay after use: the first call on a zero voucher, each next call pays the previous one exactly", async () => {
    let r = await call(voucher(0n, 0n));
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toBe("ok");
    // usage.total_tokens = 3 + 4 = 7 units at 10 usoa.
    expect([r.headers.get("x-blockai-units"), r.headers.get("x-blockai-price"), r.headers.get("x-blockai-owed"), r.headers.get("x-blockai-owed-units")]).toEqual(["7", "70", "70", "7"]);
    expect(r.headers.get("x-blockai-max-call-price")).toBe(BOUND.toString());
    // The same zero voucher again: the served call is unpaid, 402 says exactly what to sign.
    r = await call(voucher(0n, 0n));
    expect(r.status).toBe(402);
    const b = (r.json as PaymentRequiredBody).error;
    expect(b).toMatchObject({ type: "payment_required", code: "payment_required" });
    expect(b.blockai).toMatchObject({ chain_id: CHAIN, model_id: "1", provider: PROVIDER, escrow_id: "1", price_per_unit: "10", unit: "token", sign_at_least: "70", sign_at_least_units: "7", more_to_sign: "70", max_call_price: "1000" });
    r = await call(voucher(70n, 7n));
    expect(r.status).toBe(200);
    expect(r.headers.get("x-blockai-owed")).toBe("140");
    expect(gateway.metrics.calls).toBe(2n);
    expect(gateway.metrics.unpaidRefused).toBe(1n);
    // The accepted voucher is in the store (what a claim redeems).
    expect((await store.get(1n))!.voucher).toMatchObject({ cumulative_amount: "70", cumulative_units: "7" });
    expect((await store.get(1n))!.owed).toBe("140");
  });

  test("a consumer that stops paying gets at most one call of credit", async () => {
    expect((await call(voucher(0n, 0n))).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await call(voucher(0n, 0n))).status).toBe(402);
    expect(upstream.calls).toBeGreaterThan(0);
    expect(gateway.metrics.calls).toBe(1n);
  });

  test("no voucher: 402 with the terms and no escrow", async () => {
    const r = await call(undefined);
    expect(r.status).toBe(402);
    expect(r.json.error).toMatchObject({ code: "voucher_required", type: "payment_required", blockai: { escrow_id: null, chain_id: CHAIN, model_id: "1", provider: PROVIDER, price_per_unit: "10", sign_at_least: "0", deposit_needed: "1000" } });
  });

  test.each([
    ["garbled (not JSON)", () => "{nope", 400, "invalid_voucher"],
    ["garbled (missing field)", () => JSON.stringify({ chain_id: CHAIN, escrow_id: "1" }), 400, "invalid_voucher"],
    ["forged (signed by someone else)", () => voucher(0n, 0n, {}, strangerKey), 403, "invalid_signature"],
    ["tampered amount", () => JSON.stringify({ ...JSON.parse(voucher(0n, 0n)), cumulative_amount: "5" }), 403, "invalid_signature"],
    ["other chain", () => voucher(0n, 0n, { chainId: "other-chain" }), 403, "wrong_chain"],
    ["unknown escrow", () => voucher(0n, 0n, { escrowId: 9n }), 402, "escrow_not_found"],
    ["over the deposit", () => voucher(100_001n, 1n), 402, "escrow_insufficient"],
    ["oversized voucher header", () => "x".repeat(1100), 431, "voucher_too_large"],
  ])("%s: refused with its status and code, nothing served", async (_name, v, status, code) => {
    const before = upstream.calls;
    const r = await call(v());
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(upstream.calls).toBe(before);
  });

  test("other model, other provider, unbound escrow a second operator could claim, closing, closed, expiring: refused", async () => {
    const cases: Array<[Partial<GatewayEscrow>, number, string, boolean?]> = [
      [{ modelId: 2n }, 403, "wrong_model"],
      [{ provider: "soa1otheroperator" }, 403, "wrong_provider"],
      [{ provider: "" }, 403, "escrow_unbound", true],
      [{ status: "closing" }, 402, "escrow_closing"],
      [{ status: "closed" }, 402, "escrow_closed"],
      [{ expiryHeight: 25n }, 402, "escrow_expiring"],
      [{ deposit: 500n }, 402, "escrow_insufficient"],
      [{ consumerPublicKey: undefined }, 403, "consumer_key_unknown"],
    ];
    for (const [over, status, code, others] of cases) {
      chain.escrows.set(1n, escrow(1n, over));
      chain.others = others ?? false;
      const r = await call(voucher(0n, 0n));
      expect([code, r.status, r.json.error.code]).toEqual([code, status, code]);
    }
    // Unbound with nobody else able to claim (the owner of a model without operators): served.
    chain.escrows.set(1n, escrow(1n, { provider: "" }));
    chain.others = false;
    expect((await call(voucher(0n, 0n))).status).toBe(200);
  });

  test("replayed and stale vouchers: 409", async () => {
    expect((await call(voucher(0n, 0n))).status).toBe(200);
    expect((await call(voucher(70n, 7n))).status).toBe(200);
    expect((await call(voucher(140n, 14n))).status).toBe(200);
    const stale = await call(voucher(70n, 7n));
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe("voucher_stale");
    // Units going backwards with a higher amount: stale too.
    expect((await call(voucher(300n, 1n))).status).toBe(409);
  });

  test("upstream failure and timeout: 502/504 JSON, not charged, and the credit is free again", async () => {
    let r = await call(voucher(0n, 0n), { model: "fail" });
    expect(r.status).toBe(500); // the upstream's own error passes through, uncharged
    expect(r.headers.get("x-blockai-price")).toBe("0");
    r = await call(voucher(0n, 0n), { model: "hang" });
    expect(r.status).toBe(504);
    expect(r.json.error.code).toBe("upstream_timeout");
    expect(gateway.metrics.upstreamErrors).toBe(1n);
    expect(gateway.metrics.calls).toBe(0n);
    // Nothing owed: the zero voucher still pays.
    expect((await call(voucher(0n, 0n))).status).toBe(200);
  });

  test("an unreachable upstream: 502", async () => {
    const dead = new Gateway({ ...gateway.config, upstream: new URL("http://127.0.0.1:1") }, chain, new MemoryVoucherStore());
    const srv = createGatewayHttpServer(dead);
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/chat/completions`, {
      method: "POST",
      headers: { "x-blockai-voucher": voucher(0n, 0n), "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as any).error.code).toBe("upstream_error");
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
    await dead.close();
  });

  test("bad requests: body too large 413, not JSON 400, unknown path 404, GET 405, headers too large 431", async () => {
    let r = await call(voucher(0n, 0n), { model: "m", pad: "x".repeat(5000) });
    expect([r.status, r.json.error.code]).toEqual([413, "body_too_large"]);
    r = await call(voucher(0n, 0n), "not json");
    expect([r.status, r.json.error.code]).toEqual([400, "invalid_json"]);
    r = await call(voucher(0n, 0n), {}, "/v1/other");
    expect([r.status, r.json.error.code]).toEqual([404, "not_found"]);
    const get = await fetch(base + "/v1/chat/completions");
    expect(get.status).toBe(405);
    const big = await fetch(base + "/v1/chat/completions", { method: "POST", headers: { "x-pad": "y".repeat(8000) }, body: "{}" });
    expect(big.status).toBe(431);
    expect(((await big.json()) as any).error.code).toBe("headers_too_large");
    expect(upstream.calls).toBeGreaterThanOrEqual(0);
    expect(gateway.metrics.calls).toBe(0n);
  });

  test("no usage in the answer: units_without_usage; a usage above the bound: capped at max_call_units", async () => {
    let r = await call(voucher(0n, 0n), { model: "no-usage" });
    expect(r.headers.get("x-blockai-units")).toBe("1");
    r = await call(voucher(10n, 1n), { model: "huge" });
    expect(r.headers.get("x-blockai-units")).toBe(MAX_UNITS.toString());
    expect(r.headers.get("x-blockai-owed")).toBe((10n + BOUND).toString());
  });

  test("streaming: relayed, charged by the final usage chunk (include_usage added), receipt comment at the end", async () => {
    const res = await fetch(base + "/v1/chat/completions", {
      method: "POST",
      headers: { "x-blockai-voucher": voucher(0n, 0n), "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text).toContain("w3 ");
    expect(text).toContain('"total_tokens":7');
    expect(text).toContain("data: [DONE]");
    expect(text).toMatch(/: blockai-receipt \{"units":"7","price":"70","owed":"70","owed_units":"7"\}\n\n$/);
  });

  test("a client that disconnects mid-stream is charged for the content events delivered only", async () => {
    const slow = await startUpstream({ words: 200, slow: true });
    const g = new Gateway({ ...gateway.config, upstream: new URL(slow.url), upstreamTimeoutMs: 10_000 }, chain, new MemoryVoucherStore());
    const srv = createGatewayHttpServer(g);
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const ctrl = new AbortController();
    const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/chat/completions`, {
      method: "POST",
      headers: { "x-blockai-voucher": voucher(0n, 0n), "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true }),
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    let seen = "";
    while ((seen.match(/"content"/g) ?? []).length < 3) seen += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    await reader.cancel().catch(() => undefined);
    for (let i = 0; i < 200 && g.metrics.calls === 0n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(g.metrics.calls).toBe(1n);
    // At least what the client read, far below the 200 words (+3 prompt tokens) of a full answer.
    expect(g.metrics.units).toBeGreaterThanOrEqual(3n);
    expect(g.metrics.units).toBeLessThan(200n);
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
    await g.close();
    await slow.close();
  });

  test("/metrics is Prometheus text; /v1/blockai/terms answers the terms", async () => {
    await call(voucher(0n, 0n));
    await call(undefined);
    const m = await (await fetch(base + "/metrics")).text();
    expect(m).toContain('# TYPE blockai_gateway_calls_total counter\nblockai_gateway_calls_total{model="1"} 1\n');
    expect(m).toContain('blockai_gateway_unpaid_refused_total{model="1"} 1\n');
    expect(m).toContain("blockai_gateway_claim_failures_total");
    expect(await (await fetch(base + "/v1/blockai/terms")).json()).toMatchObject({ chain_id: CHAIN, price_per_unit: "10", max_call_price: "1000" });
  });

  test("claiming: due by threshold, by deadline, all on shutdown; failures counted", async () => {
    await call(voucher(0n, 0n));
    await call(voucher(70n, 7n));
    const claimed: bigint[] = [];
    const claim = async (v: { voucher: Voucher }) => {
      claimed.push(v.voucher.cumulativeAmount);
      return v.voucher.cumulativeAmount;
    };
    const log = () => undefined;
    await gateway.claimDue(claim, 1000n, 10n, false, log);
    expect(claimed).toEqual([]); // 70 < threshold, deadline (1000 + 5) far
    chain.h = 996n;
    await gateway.claimDue(claim, 1000n, 10n, false, log);
    expect(claimed).toEqual([70n]);
    chain.escrows.set(1n, escrow(1n, { claimed: 70n }));
    chain.h = 10n;
    await call(voucher(140n, 14n));
    await gateway.claimDue(async () => Promise.reject(new Error("node down")), 1n, 10n, false, log);
    expect(gateway.metrics.claimFailures).toBe(1n);
    await gateway.claimDue(claim, 1_000_000n, 10n, true, log);
    expect(claimed).toEqual([70n, 140n]);
  });

  test("the consumer library: pays each call after use, streams included, within its spending limit", async () => {
    const payer = createPayingFetch({ chainId: CHAIN, escrowId: 1n, pricePerUnit: PRICE, sign: (v) => signVoucher(v, consumerKey).signature, maxSpend: 200n });
    const post = (stream: boolean) =>
      payer(base + "/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", stream, messages: [] }) });
    expect((await post(false)).status).toBe(200);
    expect(payer.payer.state.owed).toBe(70n);
    const s = await post(true);
    expect(await s.text()).toContain("[DONE]");
    expect((await post(false)).status).toBe(200);
    expect(payer.payer.state).toMatchObject({ owed: 210n, owedUnits: 21n });
    // The next call would need a voucher of 210 > max spend 200: refused before anything is sent.
    await expect(post(false)).rejects.toBeInstanceOf(PaymentError);
    expect(gateway.metrics.calls).toBe(3n);
  });

  test("ADR-036 vouchers (signature_kind adr036) pay like raw ones, through the library too; declared as raw they are forged", async () => {
    const adr = (amount: bigint, units: bigint) => JSON.stringify(signedVoucherToJson(signVoucherAdr036({ chainId: CHAIN, escrowId: 1n, cumulativeUnits: units, cumulativeAmount: amount }, consumerKey)));
    expect((await call(adr(0n, 0n))).status).toBe(200);
    const asRaw = JSON.parse(adr(70n, 7n));
    delete asRaw.signature_kind;
    expect((await call(JSON.stringify(asRaw))).json.error.code).toBe("invalid_signature");
    expect((await call(adr(70n, 7n))).status).toBe(200);
    expect((await store.get(1n))!.voucher).toMatchObject({ cumulative_amount: "70", signature_kind: "adr036" });
    const payer = createPayingFetch({
      chainId: CHAIN,
      escrowId: 1n,
      pricePerUnit: PRICE,
      owed: 140n,
      owedUnits: 14n,
      signatureKind: "adr036",
      sign: (v) => signVoucherAdr036(v, consumerKey).signature,
    });
    expect((await payer(base + "/v1/chat/completions", { method: "POST", body: "{}" })).status).toBe(200);
    expect(payer.payer.state.owed).toBe(210n);
  });

  test("settle: a voucher without a call pays the last call; it must cover what was served", async () => {
    expect((await call(voucher(0n, 0n))).status).toBe(200);
    let r = await call(voucher(0n, 0n), {}, "/v1/blockai/settle");
    expect([r.status, r.json.error.code]).toEqual([402, "payment_required"]);
    r = await call(voucher(70n, 7n), {}, "/v1/blockai/settle");
    expect([r.status, r.json]).toEqual([200, { accepted: "70", accepted_units: "7", owed: "70", owed_units: "7" }]);
    expect(upstream.calls).toBeGreaterThan(0);
    expect(gateway.metrics.calls).toBe(1n);
    // The library does the same on shutdown.
    const payer = createPayingFetch({ chainId: CHAIN, escrowId: 1n, pricePerUnit: PRICE, sign: (v) => signVoucher(v, consumerKey).signature, owed: 70n, owedUnits: 7n });
    await payer(base + "/v1/chat/completions", { method: "POST", body: "{}" });
    expect(await payer.payer.settle(base + "/v1")).toMatchObject({ accepted: "140", owed: "140" });
  });

  test("the consumer library reconciles a 402 within one call's bound, and refuses beyond it", async () => {
    // The gateway served a call this consumer lost track of (a restart without its state).
    await call(voucher(0n, 0n));
    const payer = createPayingFetch({ chainId: CHAIN, escrowId: 1n, pricePerUnit: PRICE, sign: (v) => signVoucher(v, consumerKey).signature });
    const res = await payer(base + "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "m" }) });
    expect(res.status).toBe(200);
    expect(payer.payer.state.owed).toBe(140n);
    // A gateway asking for more than served + one bound is not paid.
    const greedy = createPayingFetch({ chainId: CHAIN, escrowId: 1n, pricePerUnit: PRICE, sign: (v) => signVoucher(v, consumerKey).signature, maxCallPrice: 10n });
    (greedy.payer as unknown as { owed: bigint }).owed = 0n;
    await gateway.close();
    const store2 = new MemoryVoucherStore();
    await store2.put(1n, { owed: "5000", owed_units: "500" }, true);
    const g2 = new Gateway(gateway.config, chain, store2);
    await g2.load();
    const srv = createGatewayHttpServer(g2);
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    await expect(greedy(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/chat/completions`, { method: "POST", body: "{}" })).rejects.toThrow(/not signed/);
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
    await g2.close();
  });
});
