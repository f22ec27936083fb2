import * as fs from "node:fs";
import * as path from "node:path";
import { createModules } from "../../src/app/modules";
import type { CometClient } from "@cosmjs/tendermint-rpc";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { AuthQuery, BLOCKAI_TYPES, BlockaiClient, BlockaiMsgs, BlockaiQueryError, createBlockaiRegistry, RegistryQuery, signVoucher } from "../../src/client";
import { QueryModelRequest, QueryModelResponse } from "../../src/gen/blockai/registry/v1/query";
import { MsgRegisterModel } from "../../src/gen/blockai/registry/v1/tx";
import { MsgClaimUsage } from "../../src/gen/blockai/metering/v1/tx";

const ROOT = path.resolve(__dirname, "../..");

describe("client SDK", () => {
  test("the CosmJS registry holds every BLOCKAI message the chain routes, with the chain's codec", () => {
    const registry = createBlockaiRegistry();
    const all = createModules().modules.flatMap((m) => m.msgs ?? []);
    // Every MsgUpdateParams too: CosmJS's defaults lack the SDK modules' ones, and a proposal
    // built with CosmJS must encode them.
    const routed = all.filter((h) => h.typeUrl.startsWith("/blockai.") || h.typeUrl.endsWith(".MsgUpdateParams"));
    expect(routed.length).toBeGreaterThanOrEqual(8);
    for (const h of routed) {
      expect([h.typeUrl, registry.lookupType(h.typeUrl) !== undefined]).toEqual([h.typeUrl, true]);
    }
    // And nothing in the list that the chain does not know.
    const urls = new Set(all.map((h) => h.typeUrl));
    for (const [url] of BLOCKAI_TYPES) expect([url, urls.has(url)]).toEqual([url, true]);
    // Cosmos messages are still there.
    expect(registry.lookupType("/cosmos.bank.v1beta1.MsgSend")).toBeDefined();
  });

  test("message builders encode to what the chain decodes", () => {
    const registry = createBlockaiRegistry();
    const owner = "soa1k0ca7kel7xrcgh3uy8ctd68xl602hyk5jjpqav";
    const any = registry.encodeAsAny(
      BlockaiMsgs.registerModel(owner, { name: "n", version: "1", task: "t", artifactDigest: new Uint8Array(32).fill(3), pricePerUnit: 5n, unit: "call", bond: 10n }),
    );
    const back = MsgRegisterModel.decode(any.value);
    expect(back).toMatchObject({ owner, name: "n", pricePerUnit: { denom: "usoa", amount: "5" }, bond: { denom: "usoa", amount: "10" } });
    expect(Buffer.from(back.artifactDigest)).toEqual(Buffer.alloc(32, 3));
    const signed = signVoucher({ chainId: "c", escrowId: 1n, cumulativeUnits: 2n, cumulativeAmount: 3n }, new Uint8Array(32).fill(1));
    const claim = MsgClaimUsage.decode(registry.encodeAsAny(BlockaiMsgs.claimUsage(owner, signed)).value);
    expect(claim.voucher).toEqual({ chainId: "c", escrowId: 1n, cumulativeUnits: 2n, cumulativeAmount: "3" });
    expect(Buffer.from(claim.signature)).toEqual(Buffer.from(signed.signature));
  });

  test("browser-safe: src/client imports no Node built-ins and no server code (transitively)", () => {
    const allowedOutside = [/^src\/types\//, /^src\/gen\//, /^src\/proto\//, /^src\/modules\/[a-z]+\/(keys|service|amino)\.ts$/];
    const seen = new Set<string>();
    const problems: string[] = [];
    const visit = (file: string) => {
      const rel = path.relative(ROOT, file);
      if (seen.has(rel)) return;
      seen.add(rel);
      const text = fs.readFileSync(file, "utf8");
      // Node's Buffer is not there in a browser (generated code guards its use; ours must not use it).
      if (rel.startsWith("src/client/") || rel.startsWith("src/types/")) {
        text.split("\n").forEach((line, i) => {
          if (!/^\s*(\*|\/\/|\/\*)/.test(line) && /\bBuffer\.\w+\(/.test(line)) problems.push(`${rel}:${i + 1} calls Node's Buffer`);
        });
      }
      for (const m of text.matchAll(/(?:import|export)[^;]*?from\s+"([^"]+)"|require\("([^"]+)"\)|import\s+"([^"]+)"/g)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec.startsWith("node:") || ["fs", "path", "crypto", "os", "child_process", "net", "level"].includes(spec)) problems.push(`${rel} imports ${spec}`);
        if (!spec.startsWith(".")) continue;
        let target = path.resolve(path.dirname(file), spec);
        if (fs.existsSync(target + ".ts")) target += ".ts";
        else if (fs.existsSync(path.join(target, "index.ts"))) target = path.join(target, "index.ts");
        const t = path.relative(ROOT, target);
        if (!t.startsWith("src/client/") && !allowedOutside.some((re) => re.test(t))) problems.push(`${rel} imports server code ${t}`);
        visit(target);
      }
    };
    visit(path.join(ROOT, "src/client/index.ts"));
    expect(seen.size).toBeGreaterThan(5);
    expect(problems).toEqual([]);
  });

  describe("queries through the service tables", () => {
    type Answer = { code?: number; codespace?: string; log?: string; value?: Uint8Array; height?: number };
    /** A CometBFT client that records each ABCI query and answers from `answer`. */
    function fakeComet(answer: (path: string, data: Uint8Array) => Answer) {
      const calls: Array<{ path: string; data: Uint8Array; height?: number }> = [];
      const comet = {
        async abciQuery(q: { path: string; data: Uint8Array; height?: number }) {
          calls.push({ path: q.path, data: q.data, height: q.height });
          const a = answer(q.path, q.data);
          return { code: a.code ?? 0, codespace: a.codespace ?? "", log: a.log ?? "", value: a.value ?? new Uint8Array(), height: a.height ?? 7, key: new Uint8Array(), index: 0 };
        },
        disconnect() {},
      };
      return { client: BlockaiClient.fromComet(comet as unknown as CometClient), calls };
    }

    test("query sends the table's path and encoded request, decodes the response and reports the height", async () => {
      const model = QueryModelResponse.fromPartial({ model: { id: 5n, name: "m" } }).model!;
      const { client, calls } = fakeComet(() => ({ value: QueryModelResponse.encode({ model }).finish(), height: 42 }));
      const r = await client.queryAt(RegistryQuery.Model, { modelId: 5n }, { height: 40 });
      expect(r.height).toBe(42);
      expect(r.response.model).toMatchObject({ id: 5n, name: "m" });
      expect(calls).toHaveLength(1);
      expect(calls[0].path).toBe("/blockai.registry.v1.Query/Model");
      expect(calls[0].height).toBe(40);
      expect(QueryModelRequest.decode(calls[0].data)).toEqual({ modelId: 5n });
      // Height 0 is the latest state: no height is sent.
      await client.query(RegistryQuery.Model, { modelId: 5n }, { height: 0 });
      expect(calls[1].height).toBeUndefined();
      expect((await client.getModel(5n))?.name).toBe("m");
    });

    test("an error code is a BlockaiQueryError; the typed getters turn only their not-found code into undefined", async () => {
      const { client } = fakeComet((path) =>
        path === AuthQuery.Account.path ? { code: 22, codespace: "sdk", log: "account x not found" } : { code: 2, codespace: path.includes("registry") ? "registry" : "other", log: "no such thing" },
      );
      const err = await client.query(RegistryQuery.Params, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BlockaiQueryError);
      expect(err).toMatchObject({ path: "/blockai.registry.v1.Query/Params", code: 2, codespace: "registry", log: "no such thing" });
      expect(await client.getModel(9n)).toBeUndefined();
      expect(await client.getAccountPubkey("soa1x")).toBeUndefined();
      // The same code from another codespace is not "not found".
      await expect(client.getEscrow(1n)).rejects.toThrow("other/2: no such thing");
    });

    test("getAccountPubkey reads the key of a base account", async () => {
      const key = new Uint8Array(33).fill(2);
      const pubKey = { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: Uint8Array.from([10, 33, ...key]) };
      const account = { typeUrl: "/cosmos.auth.v1beta1.BaseAccount", value: BaseAccount.encode(BaseAccount.fromPartial({ address: "soa1x", pubKey })).finish() };
      const { client } = fakeComet(() => ({ value: AuthQuery.Account.response.encode({ account }).finish() }));
      expect(await client.getAccountPubkey("soa1x")).toEqual(key);
    });
  });
});
