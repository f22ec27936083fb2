import * as http from "node:http";
import * as protobuf from "protobufjs";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { ChainServices } from "../../src/grpc/chain-services";
import { appHandlers, UnaryHandler } from "../../src/grpc/handlers";
import { protoRoot } from "../../src/grpc/protos";
import { RestGateway, RestServer, Route } from "../../src/grpc/rest";
import { denomMetadataFromJson } from "../../src/modules/bank/genesis";
import { Driver } from "../helpers/driver";
import { msgSend } from "../helpers/keys";

/**
 * The REST gateway in-process over a real app (the driver's BlockaiApp, genesis and blocks):
 * routes derived from the protos' HTTP annotations, requests through the same handlers as gRPC.
 */
describe("REST gateway over the app's query handlers", () => {
  let d: Driver;
  let gateway: RestGateway;
  const called = new Set<string>();

  beforeAll(async () => {
    d = await Driver.create({ accounts: 2, validators: 1 });
    const [alice, bob] = d.keys;
    await d.block();
    await d.block([d.sign(alice, [msgSend(alice.address, bob.address, 1000n)])]);
    await d.block();
    const handlers = new Map<string, UnaryHandler>();
    for (const [path, h] of appHandlers(d.app)) {
      handlers.set(path, (req, height) => {
        called.add(path);
        return h(req, height);
      });
    }
    gateway = new RestGateway(protoRoot(), handlers);
  });
  afterAll(async () => d?.close());

  const get = (url: string, height?: string) => {
    const u = new URL(url, "http://x");
    return gateway.serve("GET", u.pathname, u.searchParams, undefined, height);
  };

  /** A value for a path variable, by the field's type and name. */
  function sample(route: Route, field: string): string {
    const f = route.request.fields[field.split(".")[0]];
    const t = f.resolvedType;
    if (t instanceof protobuf.Type || f.type === "bytes") return Buffer.alloc(32).toString("base64url");
    if (f.type !== "string") return "1";
    if (/valid/.test(field)) return d.validators[0].valoper;
    if (/denom/.test(field)) return "usoa";
    if (field === "name") return "distribution";
    if (field === "hash") return "00".repeat(32);
    return d.keys[0].address;
  }

  test("every Query method of every module has a route and reaches its handler", async () => {
    const methods = d.app.modules.flatMap((m) => (m.queries ?? []).map((q) => q.path));
    expect(methods.length).toBeGreaterThan(60);
    expect(gateway.unrouted).toEqual([]);
    for (const path of methods) {
      const route = gateway.routes.find((r) => r.method === path && r.verb === "GET");
      expect({ path, routed: route !== undefined }).toEqual({ path, routed: true });
      const url = "/" + route!.segments.map((s) => (typeof s === "string" ? s : encodeURIComponent(sample(route!, s.field)))).join("/");
      called.delete(path);
      const answer = await get(url);
      // Reaching the handler is the point; the answer may be an app error (no such model, ...).
      expect({ path, url, reached: called.has(path) }).toEqual({ path, url, reached: true });
      expect(answer.status === 200 || (answer.json as { code: number }).code !== 12).toBe(true);
    }
  });

  test("proto3 JSON as the SDK gateway writes it: names as in the proto, int64 as strings, Any with @type, enums by name", async () => {
    const [alice] = d.keys;
    const bal = await get(`/cosmos/bank/v1beta1/balances/${alice.address}/by_denom?denom=usoa`);
    expect(bal.status).toBe(200);
    expect(bal.json).toEqual({ balance: { denom: "usoa", amount: expect.stringMatching(/^[0-9]+$/) } });
    expect(bal.height).toBe(BigInt(d.app.lastHeight));

    const acc = await get(`/cosmos/auth/v1beta1/accounts/${alice.address}`);
    expect(acc.status).toBe(200);
    expect(acc.json).toEqual({
      account: { "@type": "/cosmos.auth.v1beta1.BaseAccount", address: alice.address, pub_key: expect.objectContaining({ "@type": "/cosmos.crypto.secp256k1.PubKey" }), account_number: expect.stringMatching(/^[0-9]+$/), sequence: "1" },
    });

    const vals = await get(`/cosmos/staking/v1beta1/validators`);
    const v = (vals.json as { validators: Array<Record<string, unknown>> }).validators[0];
    expect(v.status).toBe("BOND_STATUS_BONDED");
    expect(v.jailed).toBe(false);
    expect(typeof v.tokens).toBe("string");
    expect(v.consensus_pubkey).toEqual({ "@type": "/cosmos.crypto.ed25519.PubKey", key: expect.any(String) });
    expect((v.commission as { update_time: string }).update_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const params = await get(`/cosmos/staking/v1beta1/params`);
    expect((params.json as { params: { unbonding_time: string } }).params.unbonding_time).toMatch(/^[0-9]+(\.[0-9]+)?s$/);

    // gov v1 params as SDK v0.47+ answer them (the field the v0.46 protos lack is described too).
    const gov = await get(`/cosmos/gov/v1/params/voting`);
    expect((gov.json as { params: { voting_period: string; quorum: string } }).params).toMatchObject({ voting_period: expect.stringMatching(/^[0-9]+(\.[0-9]+)?s$/), quorum: expect.stringMatching(/^0\.[0-9]+$/) });

    const epoch = await get(`/blockai/epochs/v1/current_epoch`);
    expect(epoch.status).toBe(200);
  });

  test("bank denom metadata for SOA from the default genesis (base usoa, display SOA, exponent 6)", async () => {
    const soa = {
      description: expect.any(String),
      denom_units: [
        { denom: "usoa", exponent: 0, aliases: ["microsoa"] },
        { denom: "SOA", exponent: 6, aliases: [] },
      ],
      base: "usoa",
      display: "SOA",
      name: "SOA",
      symbol: "SOA",
      uri: "",
      uri_hash: "",
    };
    expect(await get(`/cosmos/bank/v1beta1/denoms_metadata/usoa`)).toMatchObject({ status: 200, json: { metadata: soa } });
    expect(await get(`/cosmos/bank/v1beta1/denoms_metadata`)).toMatchObject({ status: 200, json: { metadatas: [soa] } });
    const none = await get(`/cosmos/bank/v1beta1/denoms_metadata/uother`);
    expect(none).toMatchObject({ status: 404, json: { code: 5 } });
    // Exported with the state, so a chain restarted from an export keeps it.
    expect((d.app.exportGenesis() as { bank: { denom_metadata: unknown[] } }).bank.denom_metadata).toEqual([soa]);
  });

  test("genesis denom metadata is validated, naming the bad field", () => {
    const ok = { denom_units: [{ denom: "uatom", exponent: 0 }, { denom: "atom", exponent: 6 }], base: "uatom", display: "atom" };
    expect(denomMetadataFromJson(ok, "m").display).toBe("atom");
    expect(() => denomMetadataFromJson({ ...ok, display: "nope" }, "m")).toThrow(/m\.display/);
    expect(() => denomMetadataFromJson({ ...ok, denom_units: [{ denom: "atom", exponent: 6 }] }, "m")).toThrow(/first unit must be the base/);
    expect(() => denomMetadataFromJson({ ...ok, denom_units: [{ denom: "uatom", exponent: 0 }, { denom: "atom", exponent: 0 }] }, "m")).toThrow(/exponents must increase/);
    expect(() => denomMetadataFromJson({ ...ok, denom_units: [{ denom: "uatom", exponent: 0, aliases: ["uatom"] }] }, "m")).toThrow(/duplicate/);
  });

  test("pagination query parameters (limit, offset, count_total, reverse, key)", async () => {
    const all = await get(`/cosmos/auth/v1beta1/accounts`);
    const accounts = (all.json as { accounts: Array<{ address?: string }> }).accounts;
    expect(accounts.length).toBeGreaterThan(2);
    const page = await get(`/cosmos/auth/v1beta1/accounts?pagination.limit=1&pagination.count_total=true`);
    const p = page.json as { accounts: unknown[]; pagination: { next_key: string; total: string } };
    expect(p.accounts).toHaveLength(1);
    expect(p.pagination.total).toBe(String(accounts.length));
    expect(p.pagination.next_key).not.toBe("");
    const next = await get(`/cosmos/auth/v1beta1/accounts?pagination.limit=1&pagination.key=${encodeURIComponent(p.pagination.next_key)}`);
    expect((next.json as { accounts: unknown[] }).accounts[0]).toEqual(accounts[1]);
    const offset = await get(`/cosmos/auth/v1beta1/accounts?pagination.limit=1&pagination.offset=1`);
    expect((offset.json as { accounts: unknown[] }).accounts[0]).toEqual(accounts[1]);
    const reversed = await get(`/cosmos/auth/v1beta1/accounts?pagination.reverse=true`);
    expect((reversed.json as { accounts: unknown[] }).accounts).toEqual([...accounts].reverse());
  });

  test("queries at a height (x-cosmos-block-height) and their errors", async () => {
    const [alice] = d.keys;
    const before = await get(`/cosmos/bank/v1beta1/balances/${alice.address}/by_denom?denom=usoa`, "1");
    expect(before.height).toBe(1n);
    const future = await get(`/cosmos/bank/v1beta1/balances/${alice.address}/by_denom?denom=usoa`, "999999");
    expect(future.status).toBe(400);
    expect(future.json).toEqual({ code: 3, message: expect.stringContaining("in the future"), details: [] });
    const bad = await get(`/cosmos/bank/v1beta1/params`, "abc");
    expect(bad.status).toBe(400);
  });

  test("bad input: unknown paths 404, wrong method 405, bad parameters 400, app errors with their codes", async () => {
    expect(await get(`/cosmos/bank/v1beta1/nope`)).toEqual({ status: 404, json: { code: 5, message: "Not Found", details: [] } });
    expect(await get(`/`)).toEqual({ status: 404, json: { code: 5, message: "Not Found", details: [] } });
    const wrongVerb = await gateway.serve("POST", "/cosmos/bank/v1beta1/params", new URLSearchParams(), "{}", undefined);
    expect(wrongVerb.status).toBe(405);
    for (const q of ["pagination.limit=abc", "pagination.limit=-1", "pagination.count_total=maybe", "pagination.key=%%%", "nonsense=1", "pagination.limit=99999999999999999999999"]) {
      const r = await get(`/cosmos/auth/v1beta1/accounts?${q}`);
      expect({ q, status: r.status, code: (r.json as { code: number }).code }).toEqual({ q, status: 400, code: 3 });
    }
    const badAddress = await get(`/cosmos/bank/v1beta1/balances/notanaddress`);
    expect(badAddress.status).toBe(400);
    expect(badAddress.json).toEqual({ code: 3, message: expect.stringContaining("address"), details: [] });
    const missing = await get(`/cosmos/auth/v1beta1/accounts/${d.keys[0].address.slice(0, -6)}qqqqqq`);
    expect([400, 404]).toContain(missing.status);
    // A module's own error has the gRPC code the gRPC server gives it (Unknown, as the SDK's).
    const model = await get(`/blockai/registry/v1/models/424242`);
    expect(model).toEqual({ status: 500, json: { code: 2, message: expect.stringContaining("424242"), details: [] }, height: BigInt(d.app.lastHeight) });
  });

  test("POST /cosmos/tx/v1beta1/simulate: gas of a signed tx; malformed JSON and failing txs are 400 with the RPC's code", async () => {
    const [alice, bob] = d.keys;
    const tx = d.sign(alice, [msgSend(alice.address, bob.address, 5n)]);
    const ok = await gateway.serve("POST", "/cosmos/tx/v1beta1/simulate", new URLSearchParams(), JSON.stringify({ tx_bytes: Buffer.from(tx).toString("base64") }), undefined);
    expect(ok.status).toBe(200);
    const body = ok.json as { gas_info: { gas_used: string }; result: { events: unknown[] } };
    expect(BigInt(body.gas_info.gas_used)).toBeGreaterThan(0n);
    expect(body.result.events.length).toBeGreaterThan(0);
    // Event attributes are strings (CometBFT v0.37+), not base64.
    const attributes = (body.result.events as Array<{ type: string; attributes: Array<{ key: string; value: string }> }>).filter((e) => e.type === "transfer").flatMap((e) => e.attributes);
    expect(attributes).toEqual(expect.arrayContaining([expect.objectContaining({ key: "recipient", value: bob.address })]));
    // The same request through the handler gRPC uses gives the same gas.
    const direct = (await appHandlers(d.app).get("/cosmos.tx.v1beta1.Service/Simulate")!(SimulateRequest.encode({ txBytes: tx }).finish(), 0n)).value;
    expect(SimulateResponse.decode(direct).gasInfo!.gasUsed.toString()).toBe(body.gas_info.gas_used);

    const malformed = await gateway.serve("POST", "/cosmos/tx/v1beta1/simulate", new URLSearchParams(), "{not json", undefined);
    expect(malformed).toEqual({ status: 400, json: { code: 3, message: expect.stringContaining("malformed JSON"), details: [] } });
    const array = await gateway.serve("POST", "/cosmos/tx/v1beta1/simulate", new URLSearchParams(), "[]", undefined);
    expect(array.status).toBe(400);
    const tooMuch = d.sign(bob, [msgSend(bob.address, alice.address, 10n ** 30n)]);
    const failing = await gateway.serve("POST", "/cosmos/tx/v1beta1/simulate", new URLSearchParams(), JSON.stringify({ tx_bytes: Buffer.from(tooMuch).toString("base64") }), undefined);
    expect(failing.status).toBeGreaterThanOrEqual(400);
    expect((failing.json as { message: string }).message).toMatch(/insufficient funds/);
  });

  test("tx and tendermint services: a CometBFT that does not answer is 503 (UNAVAILABLE), bad requests 400 before any RPC", async () => {
    const chain = new ChainServices("http://127.0.0.1:1").handlers();
    const withChain = new RestGateway(protoRoot(), new Map([...appHandlers(d.app), ...chain]));
    const serve = (verb: string, url: string, body?: string) => {
      const u = new URL(url, "http://x");
      return withChain.serve(verb, u.pathname, u.searchParams, body, undefined);
    };
    const down = await serve("GET", "/cosmos/base/tendermint/v1beta1/node_info");
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ code: 14, message: expect.stringContaining("not answering"), details: [] });
    expect((await serve("GET", "/cosmos/tx/v1beta1/txs/zz")).status).toBe(400);
    expect((await serve("GET", "/cosmos/tx/v1beta1/txs")).json).toMatchObject({ code: 3, message: expect.stringContaining("query cannot be empty") });
    expect((await serve("GET", "/cosmos/tx/v1beta1/txs?query=a&limit=101")).status).toBe(400);
    expect((await serve("GET", "/cosmos/base/tendermint/v1beta1/blocks/-1")).status).toBe(400);
    expect((await serve("POST", "/cosmos/tx/v1beta1/txs", JSON.stringify({ tx_bytes: "", mode: "BROADCAST_MODE_SYNC" }))).json).toMatchObject({ code: 3, message: expect.stringContaining("empty tx_bytes") });
    expect((await serve("POST", "/cosmos/tx/v1beta1/txs", JSON.stringify({ tx_bytes: "AAAA" }))).json).toMatchObject({ code: 3, message: expect.stringContaining("unsupported broadcast mode") });
    // Every method of both services is routed.
    expect(withChain.unrouted).toEqual([]);
    expect(new Set(withChain.routes.map((r) => r.method))).toEqual(new Set([...appHandlers(d.app).keys(), ...chain.keys()]));
  });

  describe("over HTTP", () => {
    let server: RestServer;
    let corsServer: RestServer;
    beforeAll(async () => {
      server = await RestServer.start(gateway, { address: "127.0.0.1:0", maxBodyBytes: 4096, maxUrlBytes: 1024 });
      corsServer = await RestServer.start(gateway, { address: "127.0.0.1:0", corsOrigins: ["https://wallet.example"] });
    });
    afterAll(async () => {
      await server?.close();
      await corsServer?.close();
    });

    function request(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: any }> {
      return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, method, path, headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            resolve({ status: res.statusCode!, headers: res.headers, json: text ? JSON.parse(text) : undefined });
          });
        });
        req.on("error", reject);
        if (body !== undefined) req.write(body);
        req.end();
      });
    }

    test("answers with the height header; no CORS headers unless configured", async () => {
      const r = await request(server.port, "GET", "/cosmos/bank/v1beta1/params", undefined, { origin: "https://evil.example" });
      expect(r.status).toBe(200);
      expect(r.headers["x-cosmos-block-height"]).toBe(String(d.app.lastHeight));
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
      const allowed = await request(corsServer.port, "GET", "/cosmos/bank/v1beta1/params", undefined, { origin: "https://wallet.example" });
      expect(allowed.headers["access-control-allow-origin"]).toBe("https://wallet.example");
      const other = await request(corsServer.port, "GET", "/cosmos/bank/v1beta1/params", undefined, { origin: "https://evil.example" });
      expect(other.headers["access-control-allow-origin"]).toBeUndefined();
      const preflight = await request(corsServer.port, "OPTIONS", "/cosmos/tx/v1beta1/txs", undefined, { origin: "https://wallet.example" });
      expect(preflight.status).toBe(204);
    });

    test("limits: a huge body is 413, a huge query string 414, both with the error shape", async () => {
      const big = await request(server.port, "POST", "/cosmos/tx/v1beta1/simulate", JSON.stringify({ tx_bytes: "A".repeat(10_000) }));
      expect(big.status).toBe(413);
      expect(big.json).toEqual({ code: 8, message: expect.stringContaining("larger than 4096"), details: [] });
      const long = await request(server.port, "GET", `/cosmos/bank/v1beta1/params?x=${"a".repeat(2000)}`);
      expect(long.status).toBe(414);
      expect(long.json.code).toBe(3);
      const unknown = await request(server.port, "GET", "/nope");
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ code: 5, message: "Not Found", details: [] });
    });
  });
});
