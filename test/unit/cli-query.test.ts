/**
 * The CLI's query path (src/cli/connect.ts over BlockaiClient and the modules' query tables)
 * against a fake CometBFT RPC endpoint: what is sent, what is printed, how a refused query reads.
 */
import { toBech32 } from "@cosmjs/encoding";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../../src/cli/args";
import type { Io } from "../../src/cli/command";
import { ScriptedPrompter } from "../../src/cli/prompt";
import { run } from "../../src/cli/run";
import { QueryModelRequest, QueryModelResponse } from "../../src/gen/blockai/registry/v1/query";
import { EscrowStatus } from "../../src/gen/blockai/metering/v1/metering";
import { AuthQuery } from "../../src/modules/auth/service";
import { MeteringQuery } from "../../src/modules/metering/service";
import { RegistryQuery } from "../../src/modules/registry/service";
import { signedVoucherToJson, signVoucher, voucherPublicKey } from "../../src/types/voucher";

/** CometBFT 0.38's /status as CosmJS decodes it (every field it checks). */
const STATUS = {
  node_info: {
    protocol_version: { p2p: "8", block: "11", app: "0" },
    id: "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12",
    listen_addr: "tcp://127.0.0.1:26656",
    network: "fake-chain",
    version: "0.38.17",
    channels: "40",
    moniker: "m",
    other: { tx_index: "on", rpc_address: "tcp://127.0.0.1:26657" },
  },
  sync_info: { latest_block_hash: "AB".repeat(32), latest_app_hash: "CD".repeat(32), latest_block_height: "12", latest_block_time: "2026-01-01T00:00:00.000000000Z", catching_up: false },
  validator_info: { address: "EF".repeat(20), pub_key: { type: "tendermint/PubKeyEd25519", value: Buffer.alloc(32, 1).toString("base64") }, voting_power: "0" },
};

interface AbciAnswer {
  code?: number;
  codespace?: string;
  log?: string;
  value?: Uint8Array;
  height?: number;
}

/** A CometBFT RPC endpoint that answers /status and abci_query (from `answer`) and records the queries. */
async function fakeNode(answer: (path: string, data: Uint8Array) => AbciAnswer) {
  const queries: Array<{ path: string; data: Uint8Array; height?: string }> = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/status") {
        res.end(JSON.stringify({ jsonrpc: "2.0", id: -1, result: STATUS }));
        return;
      }
      const rpc = JSON.parse(body) as { id: number; method: string; params: { path: string; data: string; height?: string } };
      if (rpc.method === "status") {
        res.end(JSON.stringify({ jsonrpc: "2.0", id: rpc.id, result: STATUS }));
        return;
      }
      if (rpc.method !== "abci_query") {
        res.end(JSON.stringify({ jsonrpc: "2.0", id: rpc.id, error: { code: -32601, message: "method not found" } }));
        return;
      }
      const data = Uint8Array.from(Buffer.from(rpc.params.data, "hex"));
      queries.push({ path: rpc.params.path, data, height: rpc.params.height });
      const a = answer(rpc.params.path, data);
      const response = { code: a.code ?? 0, codespace: a.codespace ?? "", log: a.log ?? "", info: "", index: "0", key: null, value: Buffer.from(a.value ?? new Uint8Array()).toString("base64"), proofOps: null, height: String(a.height ?? 12) };
      res.end(JSON.stringify({ jsonrpc: "2.0", id: rpc.id, result: { response } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, queries, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function capture() {
  let out = "";
  const io: Io = {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: () => true } as unknown as NodeJS.WritableStream,
    prompter: new ScriptedPrompter([]),
    env: {},
  };
  return { io, out: () => out };
}

describe("CLI queries go through BlockaiClient and the query tables", () => {
  let node: Awaited<ReturnType<typeof fakeNode>>;
  afterEach(() => node.close());

  test("the table's path and encoded request at --height; the decoded response printed", async () => {
    const model = QueryModelResponse.fromPartial({ model: { id: 9n, name: "llama", owner: "soa1owner", status: 1 } }).model!;
    node = await fakeNode(() => ({ value: QueryModelResponse.encode({ model }).finish() }));
    const c = capture();
    expect(await run(["query", "registry", "model", "9", "--node", node.url, "--height", "7", "--output", "json"], c.io)).toBe(0);
    expect(node.queries).toHaveLength(1);
    expect(node.queries[0].path).toBe(RegistryQuery.Model.path);
    expect(node.queries[0].height).toBe("7");
    expect(QueryModelRequest.decode(node.queries[0].data)).toEqual({ modelId: 9n });
    expect(JSON.parse(c.out())).toMatchObject({ id: "9", name: "llama", owner: "soa1owner", status: "active" });
  });

  test("a refused query is one line: the chain's log, then codespace/code", async () => {
    node = await fakeNode(() => ({ code: 2, codespace: "registry", log: "model 9 not found" }));
    const p = run(["query", "registry", "model", "9", "--node", node.url], capture().io);
    await expect(p).rejects.toThrow(/^model 9 not found \(code registry\/2\)$/);
  });

  test("a command that expects a code still sees it (auth account: never funded)", async () => {
    node = await fakeNode((path) => (path === AuthQuery.Account.path ? { code: 22, codespace: "sdk", log: "account not found" } : {}));
    const address = toBech32("soa", new Uint8Array(20).fill(7));
    await expect(run(["query", "auth", "account", address, "--node", node.url], capture().io)).rejects.toThrow(`account ${address} not found: it has never received funds`);
  });

  test("a bad --height is a usage error before anything is sent", async () => {
    node = await fakeNode(() => ({}));
    await expect(run(["query", "epochs", "current", "--node", node.url, "--height", "x"], capture().io)).rejects.toThrow(UsageError);
    expect(node.queries).toHaveLength(0);
  });

  describe("voucher verify: BlockaiClient.checkVoucher against the escrow on chain", () => {
    const privateKey = new Uint8Array(32).fill(9);
    const consumer = toBech32("soa", new Uint8Array(20).fill(3));
    let dir: string;
    let file: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-verify-"));
      file = path.join(dir, "voucher.json");
      const signed = signVoucher({ chainId: "fake-chain", escrowId: 3n, cumulativeUnits: 10n, cumulativeAmount: 500n }, privateKey);
      fs.writeFileSync(file, JSON.stringify(signedVoucherToJson(signed)));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Escrow 3 for model 9: deposit 1000, 100 claimed for 2 units; the consumer's key on its account. */
    const chain = (escrowFound = true) => (p: string): AbciAnswer => {
      if (p === MeteringQuery.Escrow.path) {
        if (!escrowFound) return { code: 2, codespace: "metering", log: "escrow 3 not found" };
        const escrow = { id: 3n, consumer, modelId: 9n, deposit: { denom: "usoa", amount: "1000" }, claimed: { denom: "usoa", amount: "100" }, claimedUnits: 2n, status: EscrowStatus.ESCROW_STATUS_OPEN };
        return { value: MeteringQuery.Escrow.response.encode(MeteringQuery.Escrow.response.fromPartial({ escrow })).finish() };
      }
      if (p === AuthQuery.Account.path) {
        const pubKey = { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: voucherPublicKey(privateKey) }).finish() };
        const account = { typeUrl: "/cosmos.auth.v1beta1.BaseAccount", value: BaseAccount.encode(BaseAccount.fromPartial({ address: consumer, pubKey })).finish() };
        return { value: AuthQuery.Account.response.encode({ account }).finish() };
      }
      return { code: 6, codespace: "sdk", log: `unknown path ${p}` };
    };
    const verify = async (extra: string[]) => {
      const c = capture();
      const code = await run(["voucher", "verify", file, "--node", node.url, "--output", "json", ...extra], c.io);
      return { code, json: JSON.parse(c.out()) as { valid: boolean; reason: string; increment: string } };
    };

    test("above what was claimed: valid, and the increment over the claimed amount", async () => {
      node = await fakeNode(chain());
      expect(await verify(["--model", "9"])).toEqual({ code: 0, json: { valid: true, reason: "", increment: "400" } });
      expect(node.queries.map((q) => q.path)).toEqual([MeteringQuery.Escrow.path, AuthQuery.Account.path]);
    });

    test("--accepted raises the baseline; --accepted-units below the claimed units do not lower it", async () => {
      node = await fakeNode(chain());
      expect(await verify(["--model", "9", "--accepted", "300usoa", "--accepted-units", "5"])).toEqual({ code: 0, json: { valid: true, reason: "", increment: "200" } });
      expect((await verify(["--model", "9", "--accepted", "300usoa", "--accepted-units", "11"])).json).toEqual({ valid: false, reason: "cumulative_units 10 is below 11", increment: "" });
      // An --accepted at or below the claimed amount changes nothing (the claimed units stay the floor).
      expect(await verify(["--model", "9", "--accepted", "50usoa", "--accepted-units", "11"])).toEqual({ code: 0, json: { valid: true, reason: "", increment: "400" } });
    });

    test("another model, or no such escrow: invalid with the reason, exit 1", async () => {
      node = await fakeNode(chain());
      expect(await verify(["--model", "8"])).toEqual({ code: 1, json: { valid: false, reason: "escrow 3 pays for model 9, not model 8", increment: "" } });
      await node.close();
      node = await fakeNode(chain(false));
      expect(await verify(["--model", "9"])).toEqual({ code: 1, json: { valid: false, reason: "escrow 3 does not exist", increment: "" } });
    });
  });
});
