import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, calculateFee } from "@cosmjs/stargate";
import * as grpc from "@grpc/grpc-js";
import { QueryAllBalancesRequest, QueryAllBalancesResponse, QueryDenomMetadataRequest, QueryDenomMetadataResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import {
  GetBlockByHeightRequest,
  GetBlockByHeightResponse,
  GetLatestValidatorSetRequest,
  GetLatestValidatorSetResponse,
  GetNodeInfoRequest,
  GetNodeInfoResponse,
} from "cosmjs-types/cosmos/base/tendermint/v1beta1/query";
import { QueryProposalsRequest, QueryProposalsResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { QueryDelegatorDelegationsRequest, QueryDelegatorDelegationsResponse, QueryValidatorsRequest, QueryValidatorsResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { GetTxRequest, GetTxResponse, GetTxsEventRequest, GetTxsEventResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import * as protobuf from "protobufjs";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(180_000);

interface Answer {
  value?: Buffer;
  error?: grpc.ServiceError;
}

function call(client: grpc.Client, path: string, request: Uint8Array, height?: string): Promise<Answer> {
  const md = new grpc.Metadata();
  if (height !== undefined) md.set("x-cosmos-block-height", height);
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(request), md, (error, value) => resolve(error ? { error } : { value: value! }));
  });
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const time = (t: { seconds: bigint; nanos: number } | undefined) => {
  const iso = new Date(Number(t!.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  return t!.nanos === 0 ? `${iso}Z` : `${iso}.${String(t!.nanos).padStart(9, "0").replace(/0+$/, "")}Z`;
};

/**
 * The REST gateway of a real node (CometBFT v0.38 + BLOCKAI), read the way a Keplr-style wallet
 * (balances, staking, governance) and a Ping.pub-style explorer (blocks, txs, validator set) read
 * it, compared field by field with the gRPC answers at the same height; and a CosmJS-signed tx
 * broadcast through POST /cosmos/tx/v1beta1/txs.
 */
describe("REST gateway end to end (one validator)", () => {
  let net: TestNetwork;
  let api: string;
  let client: grpc.Client;
  let signer: SigningStargateClient;
  let sender: string;
  let recipient: string;
  let sentHash: string;
  let sentHeight: number;

  const rest = async (path: string, init?: RequestInit & { height?: string }) => {
    const res = await fetch(api + path, { ...init, headers: { "content-type": "application/json", ...(init?.height ? { "x-cosmos-block-height": init.height } : {}) } });
    return { status: res.status, height: res.headers.get("x-cosmos-block-height") ?? undefined, json: (await res.json()) as any };
  };

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 1 });
    api = net.layout.nodes[0].api!;
    client = new grpc.Client(net.layout.nodes[0].grpc, grpc.credentials.createInsecure());
    const [a0, a1] = net.layout.accounts;
    sender = a0.address;
    recipient = a1.address;
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(a0.mnemonic, { prefix: "soa" });
    signer = await SigningStargateClient.connectWithSigner(net.rpc, wallet, { gasPrice: GasPrice.fromString("0.025usoa"), broadcastPollIntervalMs: 250, broadcastTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    client?.close();
    signer?.disconnect();
    await net?.stop();
  });

  test("POST /cosmos/tx/v1beta1/txs broadcasts a CosmJS-signed tx (sync); GET /txs/{hash} finds it", async () => {
    const fee = calculateFee(200_000, GasPrice.fromString("0.025usoa"));
    const raw = await signer.sign(sender, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: sender, toAddress: recipient, amount: [{ denom: "usoa", amount: "12345" }] } }], fee, "via REST");
    const bytes = TxRaw.encode(raw).finish();
    const r = await rest("/cosmos/tx/v1beta1/txs", { method: "POST", body: JSON.stringify({ tx_bytes: b64(bytes), mode: "BROADCAST_MODE_SYNC" }) });
    expect(r.status).toBe(200);
    expect(r.json.tx_response.code).toBe(0);
    sentHash = r.json.tx_response.txhash;
    expect(sentHash).toMatch(/^[0-9A-F]{64}$/);

    let found: any;
    for (let i = 0; i < 60 && !found; i++) {
      const t = await rest(`/cosmos/tx/v1beta1/txs/${sentHash}`);
      if (t.status === 200) found = t.json;
      else {
        expect(t.status).toBe(404);
        expect(t.json.code).toBe(5);
        await new Promise((res) => setTimeout(res, 250));
      }
    }
    expect(found.tx_response.code).toBe(0);
    expect(found.tx.body.memo).toBe("via REST");
    expect(found.tx.body.messages[0]).toEqual({ "@type": "/cosmos.bank.v1beta1.MsgSend", from_address: sender, to_address: recipient, amount: [{ denom: "usoa", amount: "12345" }] });
    sentHeight = Number(found.tx_response.height);

    // The same through gRPC, field by field.
    const g = await call(client, "/cosmos.tx.v1beta1.Service/GetTx", GetTxRequest.encode({ hash: sentHash }).finish());
    expect(g.error).toBeUndefined();
    const gt = GetTxResponse.decode(g.value!);
    const tr = gt.txResponse!;
    expect(found.tx_response).toMatchObject({
      height: tr.height.toString(),
      txhash: tr.txhash,
      code: tr.code,
      gas_wanted: tr.gasWanted.toString(),
      gas_used: tr.gasUsed.toString(),
      timestamp: tr.timestamp,
      data: tr.data,
    });
    expect(found.tx_response.events.map((e: any) => e.type)).toEqual(tr.events.map((e) => e.type));
    expect(found.tx.auth_info.fee.gas_limit).toBe(gt.tx!.authInfo!.fee!.gasLimit.toString());
    expect(found.tx.signatures).toEqual(gt.tx!.signatures.map(b64));

    // A failing tx answers 200 with the CheckTx code in tx_response, as over RPC.
    const again = await rest("/cosmos/tx/v1beta1/txs", { method: "POST", body: JSON.stringify({ tx_bytes: b64(bytes), mode: "BROADCAST_MODE_SYNC" }) });
    expect(again.status).toBe(200);
    expect(again.json.tx_response.code).toBe(19); // ErrTxInMempoolCache, as the SDK reports it
    expect(again.json.tx_response.codespace).toBe("sdk");
    const garbage = await rest("/cosmos/tx/v1beta1/txs", { method: "POST", body: JSON.stringify({ tx_bytes: b64(Buffer.from("garbage")), mode: "BROADCAST_MODE_SYNC" }) });
    expect(garbage.json.tx_response).toMatchObject({ code: 2, codespace: "sdk" });
    const badMode = await rest("/cosmos/tx/v1beta1/txs", { method: "POST", body: JSON.stringify({ tx_bytes: b64(bytes), mode: "BROADCAST_MODE_BLOCK" }) });
    expect(badMode.status).toBe(400);
    const unknownMode = await rest("/cosmos/tx/v1beta1/txs", { method: "POST", body: JSON.stringify({ tx_bytes: b64(bytes), mode: "FAST" }) });
    expect(unknownMode.status).toBe(400);
    expect((await rest(`/cosmos/tx/v1beta1/txs/nothex`)).status).toBe(400);
  });

  test("Ping.pub-style view: txs by event, block with its txs, latest block, node info, validator set, same as gRPC", async () => {
    const q = encodeURIComponent(`message.sender='${sender}'`);
    const byEvent = await rest(`/cosmos/tx/v1beta1/txs?query=${q}&order_by=ORDER_BY_DESC&limit=10`);
    expect(byEvent.status).toBe(200);
    const g = GetTxsEventResponse.decode((await call(client, "/cosmos.tx.v1beta1.Service/GetTxsEvent", GetTxsEventRequest.encode(GetTxsEventRequest.fromPartial({ query: `message.sender='${sender}'`, orderBy: 2, limit: 10n })).finish())).value!);
    expect(byEvent.json.tx_responses.map((t: any) => t.txhash)).toEqual(g.txResponses.map((t) => t.txhash));
    expect(byEvent.json.tx_responses.map((t: any) => t.txhash)).toContain(sentHash);
    expect(byEvent.json.total).toBe(g.total.toString());
    // The SDK v0.46 form (events=...) reads the same.
    const legacy = await rest(`/cosmos/tx/v1beta1/txs?events=${q}`);
    expect(legacy.json.tx_responses.map((t: any) => t.txhash)).toContain(sentHash);
    expect((await rest(`/cosmos/tx/v1beta1/txs`)).status).toBe(400);

    const height = String(sentHeight);
    const block = await rest(`/cosmos/base/tendermint/v1beta1/blocks/${height}`);
    expect(block.status).toBe(200);
    const gb = GetBlockByHeightResponse.decode((await call(client, "/cosmos.base.tendermint.v1beta1.Service/GetBlockByHeight", GetBlockByHeightRequest.encode({ height: BigInt(height) }).finish())).value!);
    const h = gb.block!.header!;
    expect(block.json.block_id.hash).toBe(b64(gb.blockId!.hash));
    expect(block.json.block.header).toMatchObject({
      chain_id: h.chainId,
      height: h.height.toString(),
      time: time(h.time),
      app_hash: b64(h.appHash),
      proposer_address: b64(h.proposerAddress),
      last_block_id: { hash: b64(h.lastBlockId!.hash) },
    });
    expect(block.json.block.data.txs).toEqual(gb.block!.data!.txs.map(b64));
    expect(block.json.block.last_commit.signatures.map((s: any) => s.signature)).toEqual(gb.block!.lastCommit!.signatures.map((s) => b64(s.signature)));
    const withTxs = await rest(`/cosmos/tx/v1beta1/txs/block/${height}`);
    expect(withTxs.json.txs.map((t: any) => t.body.memo)).toContain("via REST");
    expect(withTxs.json.block.header.height).toBe(height);

    const latest = await rest(`/cosmos/base/tendermint/v1beta1/blocks/latest`);
    expect(Number(latest.json.block.header.height)).toBeGreaterThanOrEqual(sentHeight);
    expect((await rest(`/cosmos/base/tendermint/v1beta1/blocks/0`)).status).toBe(400);

    const info = await rest(`/cosmos/base/tendermint/v1beta1/node_info`);
    expect(info).toMatchObject({ status: 200 });
    const gi = GetNodeInfoResponse.decode((await call(client, "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo", GetNodeInfoRequest.encode({}).finish())).value!);
    expect(info.json.default_node_info).toMatchObject({ network: gi.defaultNodeInfo!.network, default_node_id: gi.defaultNodeInfo!.defaultNodeId, moniker: "node0" });
    expect(info.json.application_version).toMatchObject({ name: "blockai", app_name: "blockai" });
    expect((await rest(`/cosmos/base/tendermint/v1beta1/syncing`)).json).toEqual({ syncing: false });

    const vs = await rest(`/cosmos/base/tendermint/v1beta1/validatorsets/latest`);
    const gv = GetLatestValidatorSetResponse.decode((await call(client, "/cosmos.base.tendermint.v1beta1.Service/GetLatestValidatorSet", GetLatestValidatorSetRequest.encode({}).finish())).value!);
    expect(vs.json.validators.map((v: any) => [v.address, v.voting_power, v.pub_key["@type"]])).toEqual(gv.validators.map((v) => [v.address, v.votingPower.toString(), "/cosmos.crypto.ed25519.PubKey"]));
    expect(vs.json.validators[0].address).toMatch(/^soavalcons1/);
  });

  test("Keplr-style view: balances, denom metadata, delegations, validators, proposals, same as gRPC at the same height", async () => {
    const [operator] = net.layout.operators;
    // A proposal so the governance view has something to show.
    const sub = await signer.signAndBroadcast(
      sender,
      [{ typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: { messages: [], initialDeposit: [{ denom: "usoa", amount: "1000000" }], proposer: sender, metadata: "", title: "REST", summary: "read over REST", expedited: false } }],
      2,
    );
    expect(sub.code).toBe(0);
    const height = String(sub.height + 1);
    for (let i = 0; i < 40 && Number((await rest(`/cosmos/base/tendermint/v1beta1/blocks/latest`)).json.block.header.height) < Number(height); i++) await new Promise((r) => setTimeout(r, 250));

    const grpcAt = async <T>(path: string, req: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> => {
      const a = await call(client, path, req, height);
      expect(a.error).toBeUndefined();
      return decode(a.value!);
    };

    const bal = await rest(`/cosmos/bank/v1beta1/balances/${sender}`, { height });
    expect(bal.height).toBe(height);
    const gbal = await grpcAt("/cosmos.bank.v1beta1.Query/AllBalances", QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address: sender })).finish(), QueryAllBalancesResponse.decode);
    expect(bal.json.balances).toEqual(gbal.balances);

    const meta = await rest(`/cosmos/bank/v1beta1/denoms_metadata/usoa`);
    const gmeta = await call(client, "/cosmos.bank.v1beta1.Query/DenomMetadata", QueryDenomMetadataRequest.encode({ denom: "usoa" }).finish());
    if (gmeta.error) {
      expect(meta.status).toBe(404);
    } else {
      const m = QueryDenomMetadataResponse.decode(gmeta.value!).metadata!;
      expect(meta.json.metadata).toMatchObject({ base: m.base, display: m.display, denom_units: m.denomUnits.map((u) => ({ denom: u.denom, exponent: u.exponent, aliases: u.aliases })) });
    }

    const dels = await rest(`/cosmos/staking/v1beta1/delegations/${operator.address}`, { height });
    const gdels = await grpcAt("/cosmos.staking.v1beta1.Query/DelegatorDelegations", QueryDelegatorDelegationsRequest.encode(QueryDelegatorDelegationsRequest.fromPartial({ delegatorAddr: operator.address })).finish(), QueryDelegatorDelegationsResponse.decode);
    expect(dels.json.delegation_responses).toEqual(
      gdels.delegationResponses.map((r) => ({
        delegation: { delegator_address: r.delegation!.delegatorAddress, validator_address: r.delegation!.validatorAddress, shares: r.delegation!.shares },
        balance: r.balance,
      })),
    );

    const vals = await rest(`/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED&pagination.limit=10`, { height });
    const gvals = await grpcAt("/cosmos.staking.v1beta1.Query/Validators", QueryValidatorsRequest.encode(QueryValidatorsRequest.fromPartial({ status: "BOND_STATUS_BONDED", pagination: { limit: 10n } })).finish(), QueryValidatorsResponse.decode);
    expect(vals.json.validators.map((v: any) => [v.operator_address, v.tokens, v.delegator_shares, v.description.moniker, v.commission.commission_rates.rate, v.status])).toEqual(
      gvals.validators.map((v) => [v.operatorAddress, v.tokens, v.delegatorShares, v.description!.moniker, v.commission!.commissionRates!.rate, "BOND_STATUS_BONDED"]),
    );

    const props = await rest(`/cosmos/gov/v1/proposals`, { height });
    const gprops = await grpcAt("/cosmos.gov.v1.Query/Proposals", QueryProposalsRequest.encode(QueryProposalsRequest.fromPartial({})).finish(), QueryProposalsResponse.decode);
    expect(props.json.proposals.length).toBeGreaterThan(0);
    expect(props.json.proposals.map((p: any) => [p.id, p.status, p.title, p.summary, p.proposer, p.total_deposit, p.submit_time])).toEqual(
      gprops.proposals.map((p) => [p.id.toString(), ["PROPOSAL_STATUS_UNSPECIFIED", "PROPOSAL_STATUS_DEPOSIT_PERIOD", "PROPOSAL_STATUS_VOTING_PERIOD"][p.status] ?? String(p.status), p.title, p.summary, p.proposer, p.totalDeposit, time(p.submitTime)]),
    );
    const v1beta1 = await rest(`/cosmos/gov/v1beta1/proposals`, { height });
    expect(v1beta1.json.proposals.map((p: any) => p.proposal_id)).toEqual(gprops.proposals.map((p) => p.id.toString()));
  });

  test("gRPC reflection describes the Cosmos services too (grpcurl describe), the tx and tendermint services included", async () => {
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
    const list = await reflect(protobuf.Writer.create().uint32((7 << 3) | 2).string("*").finish());
    const names = field(field(list, 6)[0], 1).map((s) => field(s, 1)[0].toString());
    expect(names).toEqual(expect.arrayContaining(["cosmos.tx.v1beta1.Service", "cosmos.base.tendermint.v1beta1.Service", "cosmos.bank.v1beta1.Query"]));
    for (const service of names.filter((n) => !n.startsWith("grpc.reflection"))) {
      const res = await reflect(protobuf.Writer.create().uint32((4 << 3) | 2).string(service).finish());
      const fds = field(res, 4);
      expect({ service, described: fds.length }).toEqual({ service, described: 1 });
      const files = field(fds[0], 1).map((b) => fromBinary(FileDescriptorProtoSchema, b));
      const byName = new Map(files.map((f) => [f.name, f]));
      // Dependencies first (a FileDescriptorSet in import order), as grpcurl resolves them.
      const order: typeof files = [];
      const visit = (f: (typeof files)[number]) => {
        if (order.includes(f)) return;
        for (const dep of f.dependency) visit(byName.get(dep)!);
        order.push(f);
      };
      visit(files[0]);
      const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: order }));
      expect(registry.getService(service)).toBeDefined();
    }
  });
});
