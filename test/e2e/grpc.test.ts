import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, encodePubkey, makeAuthInfoBytes } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import * as grpc from "@grpc/grpc-js";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import * as protobuf from "protobufjs";
import { createModules } from "../../src/app/modules";
import { status } from "../../src/node/rpc";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(120_000);

interface Answer {
  value?: Buffer;
  error?: grpc.ServiceError;
  height?: string;
}

/** A raw-bytes unary call, as any gRPC client in any language would make it. */
function call(client: grpc.Client, path: string, request: Uint8Array, height?: string): Promise<Answer> {
  const md = new grpc.Metadata();
  if (height !== undefined) md.set("x-cosmos-block-height", height);
  return new Promise((resolve) => {
    let header: string | undefined;
    const c = client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(request), md, (error, value) => {
      const h = header ?? (error?.metadata?.get("x-cosmos-block-height")[0] as string | undefined);
      resolve(error ? { error, height: h } : { value: value!, height: h });
    });
    c.on("metadata", (m: grpc.Metadata) => (header = m.get("x-cosmos-block-height")[0] as string | undefined));
  });
}

describe("gRPC query server: every module's Query service through the ABCI query path", () => {
  let net: TestNetwork;
  let client: grpc.Client;
  let comet: Comet38Client;

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 1 });
    client = new grpc.Client(net.layout.nodes[0].grpc, grpc.credentials.createInsecure());
    comet = await Comet38Client.connect(net.rpc);
  });
  afterAll(async () => {
    client?.close();
    comet?.disconnect();
    await net?.stop();
  });

  /** The same request over ABCI at the height gRPC answered for. */
  const abci = (path: string, data: Uint8Array, height: string) => comet.abciQuery({ path, data, height: Number(height) });

  test("cosmos.bank.v1beta1.Query/Balance: same bytes as ABCI Query, height in x-cosmos-block-height", async () => {
    const { address } = net.layout.accounts[0];
    const req = QueryBalanceRequest.encode({ address, denom: "usoa" }).finish();
    const g = await call(client, "/cosmos.bank.v1beta1.Query/Balance", req);
    expect(g.error).toBeUndefined();
    expect(Number(g.height)).toBeGreaterThan(0);
    const a = await abci("/cosmos.bank.v1beta1.Query/Balance", req, g.height!);
    expect(a.code).toBe(0);
    expect(Buffer.from(g.value!)).toEqual(Buffer.from(a.value));
    expect(QueryBalanceResponse.decode(g.value!).balance).toEqual({ denom: "usoa", amount: "10000000000000" });
  });

  test("cosmos.auth.v1beta1.Query/Account: same bytes as ABCI; unknown account is NotFound", async () => {
    const { address } = net.layout.accounts[1];
    const req = QueryAccountRequest.encode({ address }).finish();
    const g = await call(client, "/cosmos.auth.v1beta1.Query/Account", req);
    expect(g.error).toBeUndefined();
    const a = await abci("/cosmos.auth.v1beta1.Query/Account", req, g.height!);
    expect(Buffer.from(g.value!)).toEqual(Buffer.from(a.value));
    const account = QueryAccountResponse.decode(g.value!).account!;
    expect(account.typeUrl).toBe("/cosmos.auth.v1beta1.BaseAccount");
    expect(BaseAccount.decode(account.value).address).toBe(address);

    const unknown = toBech32("soa", new Uint8Array(20).fill(9));
    const missing = await call(client, "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: unknown }).finish());
    expect(missing.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(missing.error?.details).toMatch(/not found/);
    const abciMissing = await abci("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: unknown }).finish(), missing.height!);
    expect(abciMissing.code).toBe(22);
    expect(missing.error?.details).toBe(abciMissing.log);
  });

  test("bad requests: InvalidArgument with the app's log as details", async () => {
    const badAddress = await call(client, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: "cosmos1xyz", denom: "usoa" }).finish());
    expect(badAddress.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(badAddress.error?.details).toMatch(/invalid address/);
    const garbage = await call(client, "/cosmos.bank.v1beta1.Query/Balance", Uint8Array.of(0xff, 0xff, 0xff));
    expect(garbage.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const future = await call(client, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: net.layout.accounts[0].address, denom: "usoa" }).finish(), "999999999");
    expect(future.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(future.error?.details).toMatch(/in the future/);
    const notANumber = await call(client, "/cosmos.bank.v1beta1.Query/Balance", new Uint8Array(), "abc");
    expect(notANumber.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const unimplemented = await call(client, "/cosmos.bank.v1beta1.Query/NoSuchMethod", new Uint8Array());
    expect(unimplemented.error?.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  test("x-cosmos-block-height in the request selects the height, as in the SDK", async () => {
    const h = (await status(net.rpc)).height - 1;
    const req = QueryBalanceRequest.encode({ address: net.layout.accounts[0].address, denom: "usoa" }).finish();
    const g = await call(client, "/cosmos.bank.v1beta1.Query/Balance", req, String(h));
    expect(g.height).toBe(String(h));
    expect(Buffer.from(g.value!)).toEqual(Buffer.from((await abci("/cosmos.bank.v1beta1.Query/Balance", req, String(h))).value));
  });

  test("every query path any module registers is served (none Unimplemented)", async () => {
    const paths = createModules().modules.flatMap((m) => (m.queries ?? []).map((q) => q.path));
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      const g = await call(client, path, new Uint8Array());
      if (g.error) expect([grpc.status.NOT_FOUND, grpc.status.INVALID_ARGUMENT, grpc.status.UNKNOWN]).toContain(g.error.code);
      const a = await abci(path, new Uint8Array(), g.height!);
      // Same outcome over both transports: same bytes on success, same log on failure.
      if (g.error) expect(g.error.details).toBe(a.log);
      else expect(Buffer.from(g.value!)).toEqual(Buffer.from(a.value));
    }
  });

  test("cosmos.tx.v1beta1.Service/Simulate gives the gas ABCI simulation gives", async () => {
    const { mnemonic, address } = net.layout.accounts[2];
    const [{ pubkey }] = await (await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "soa" })).getAccounts();
    const bodyBytes = TxBody.encode(
      TxBody.fromPartial({
        messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: address, toAddress: net.layout.accounts[3].address, amount: [{ denom: "usoa", amount: "5" }] }).finish() }],
      }),
    ).finish();
    // What CosmJS sends: an empty signature and no fee.
    const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: 0 }], [], 0, undefined, undefined);
    const req = SimulateRequest.encode({ txBytes: TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [new Uint8Array()] }).finish() }).finish();
    const g = await call(client, "/cosmos.tx.v1beta1.Service/Simulate", req);
    expect(g.error).toBeUndefined();
    const gas = SimulateResponse.decode(g.value!).gasInfo!.gasUsed;
    expect(gas).toBeGreaterThan(10_000n);
    const a = await abci("/cosmos.tx.v1beta1.Service/Simulate", req, g.height!);
    expect(SimulateResponse.decode(a.value).gasInfo!.gasUsed).toBe(gas);

    // A tx that would fail (more than the balance): other app errors are Unknown, with the log.
    const tooMuch = TxBody.encode(
      TxBody.fromPartial({
        messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: address, toAddress: net.layout.accounts[3].address, amount: [{ denom: "usoa", amount: "1" + "0".repeat(20) }] }).finish() }],
      }),
    ).finish();
    const failing = SimulateRequest.encode({ txBytes: TxRaw.encode({ bodyBytes: tooMuch, authInfoBytes, signatures: [new Uint8Array()] }).finish() }).finish();
    const f = await call(client, "/cosmos.tx.v1beta1.Service/Simulate", failing);
    expect(f.error?.code).toBe(grpc.status.UNKNOWN);
    expect(f.error?.details).toMatch(/insufficient funds/);
  });

  describe("server reflection", () => {
    /** One request on the reflection stream; returns the decoded response fields we use. */
    function reflect(request: Uint8Array): Promise<Buffer> {
      return new Promise((resolve, reject) => {
        const stream = client.makeBidiStreamRequest("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", (b: Buffer) => b, (b: Buffer) => b);
        stream.on("data", (d: Buffer) => {
          resolve(d);
          stream.end();
        });
        stream.on("error", reject);
        stream.write(Buffer.from(request));
      });
    }
    const field = (buf: Buffer, number: number): Buffer[] => {
      const r = protobuf.Reader.create(buf);
      const out: Buffer[] = [];
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag >>> 3 === number && (tag & 7) === 2) out.push(Buffer.from(r.bytes()));
        else r.skipType(tag & 7);
      }
      return out;
    };

    test("list_services names every Query service, Simulate's service and reflection", async () => {
      const res = await reflect(protobuf.Writer.create().uint32((7 << 3) | 2).string("*").finish());
      const names = field(field(res, 6)[0], 1).map((s) => field(s, 1)[0].toString());
      expect(names).toEqual(expect.arrayContaining(["cosmos.bank.v1beta1.Query", "cosmos.auth.v1beta1.Query", "blockai.epochs.v1.Query", "cosmos.tx.v1beta1.Service", "grpc.reflection.v1alpha.ServerReflection"]));
    });

    test("file_containing_symbol gives loadable descriptors for BLOCKAI's services and the Cosmos SDK's", async () => {
      const res = await reflect(protobuf.Writer.create().uint32((4 << 3) | 2).string("blockai.epochs.v1.Query").finish());
      const files = field(field(res, 4)[0], 1).map((b) => fromBinary(FileDescriptorProtoSchema, b));
      const byName = new Map(files.map((f) => [f.name, f]));
      const registry = createFileRegistry(files[0], (name) => byName.get(name));
      const service = registry.getService("blockai.epochs.v1.Query")!;
      expect(service.methods.map((m) => m.name)).toEqual(["Params", "CurrentEpoch"]);
      expect(service.methods[1].output.typeName).toBe("blockai.epochs.v1.QueryCurrentEpochResponse");

      const cosmos = await reflect(protobuf.Writer.create().uint32((4 << 3) | 2).string("cosmos.bank.v1beta1.Query").finish());
      const cosmosFiles = field(field(cosmos, 4)[0], 1).map((b) => fromBinary(FileDescriptorProtoSchema, b));
      const cosmosByName = new Map(cosmosFiles.map((f) => [f.name, f]));
      const bank = createFileRegistry(cosmosFiles[0], (name) => cosmosByName.get(name)).getService("cosmos.bank.v1beta1.Query")!;
      expect(bank.methods.map((m) => m.name)).toEqual(expect.arrayContaining(["Balance", "AllBalances", "DenomMetadata"]));

      const unknown = await reflect(protobuf.Writer.create().uint32((4 << 3) | 2).string("no.such.Service").finish());
      const error = field(unknown, 7)[0];
      // error_response { error_code (field 1, varint) = NOT_FOUND, error_message }
      expect([error[0], error[1]]).toEqual([0x08, grpc.status.NOT_FOUND]);
    });
  });
});
