import { toBech32 } from "@cosmjs/encoding";
import { status as GrpcStatus } from "@grpc/grpc-js";
import {
  GetBlockByHeightRequest,
  GetBlockByHeightResponse,
  GetLatestBlockResponse,
  GetLatestValidatorSetRequest,
  GetLatestValidatorSetResponse,
  GetNodeInfoResponse,
  GetSyncingResponse,
  GetValidatorSetByHeightRequest,
  GetValidatorSetByHeightResponse,
  Validator,
} from "cosmjs-types/cosmos/base/tendermint/v1beta1/query";
import { TxResponse } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  BroadcastMode,
  BroadcastTxRequest,
  BroadcastTxResponse,
  GetBlockWithTxsRequest,
  GetBlockWithTxsResponse,
  GetTxRequest,
  GetTxResponse,
  GetTxsEventRequest,
  GetTxsEventResponse,
  OrderBy,
} from "cosmjs-types/cosmos/tx/v1beta1/service";
import { AuthInfo, Tx, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import type { BlockID, Commit, Header } from "cosmjs-types/tendermint/types/types";
import type { Block as BlockType } from "cosmjs-types/tendermint/types/block";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { createHash } from "node:crypto";
import { APP_NAME, APP_VERSION } from "../app/app";
import { VALIDATOR_CONSENSUS_PREFIX } from "../types/address";
import { ChainError, SdkErrors } from "../types/errors";
import type { Answer, UnaryHandler } from "./handlers";

/**
 * cosmos.tx.v1beta1.Service (GetTx, BroadcastTx, GetTxsEvent, GetBlockWithTxs) and
 * cosmos.base.tendermint.v1beta1.Service, answered from CometBFT's RPC as the Cosmos SDK's node
 * does: the app process asks its own CometBFT (blocks, the tx index, the mempool), so these are
 * available over gRPC and REST like the Query services. Simulate stays with the app (ABCI path).
 */
export const TX_SERVICE = "cosmos.tx.v1beta1.Service";
export const TENDERMINT_SERVICE = "cosmos.base.tendermint.v1beta1.Service";

/** At most this many txs per GetTxsEvent page (CometBFT's tx_search allows 100). */
const MAX_PAGE = 100;

class RpcUnavailable extends Error {}

/** CometBFT's mempool refusals and the SDK's codes for them (ErrTxInMempoolCache, ErrMempoolIsFull, ErrTxTooLarge). */
const MEMPOOL_ERRORS: Array<[RegExp, number]> = [
  [/already exists in cache/, 19],
  [/mempool is full/, 20],
  [/tx too large/, 21],
];

/** CometBFT JSON-RPC over HTTP POST (a broadcast tx may be larger than a URL may be). */
async function rpcCall<T>(endpoint: string, method: string, params: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
  let res: Response;
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  const post = () => fetch(endpoint, { method: "POST", body, headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  try {
    try {
      res = await post();
    } catch (e) {
      // A keep-alive connection CometBFT closed while idle fails once; a down node fails twice.
      if ((e as Error).name === "TimeoutError") throw e;
      res = await post();
    }
  } catch (e) {
    throw new RpcUnavailable(`CometBFT RPC at ${endpoint} is not answering: ${(e as Error).message}`);
  }
  const json = (await res.json()) as { result?: T; error?: { code: number; message: string; data?: string } };
  if (json.error) throw new RpcError(json.error.message, json.error.data ?? "");
  return json.result as T;
}

class RpcError extends Error {
  constructor(
    message: string,
    readonly data: string,
  ) {
    super(data ? `${message}: ${data}` : message);
  }
}

const hex = (s: string | undefined | null): Uint8Array => (s ? Uint8Array.from(Buffer.from(s, "hex")) : new Uint8Array());
const b64 = (s: string | undefined | null): Uint8Array => (s ? Uint8Array.from(Buffer.from(s, "base64")) : new Uint8Array());

/** CometBFT's RFC 3339 time with up to 9 fractional digits. */
export function parseRfc3339(text: string): Timestamp {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) throw new Error(`invalid time "${text}"`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

interface RpcBlockId {
  hash: string;
  parts: { total: number; hash: string };
}

function blockId(j: RpcBlockId): BlockID {
  return { hash: hex(j.hash), partSetHeader: { total: Number(j.parts.total), hash: hex(j.parts.hash) } };
}

interface RpcBlock {
  header: Record<string, any>;
  data: { txs: string[] | null };
  evidence: { evidence: unknown[] | null };
  last_commit: { height: string; round: number; block_id: RpcBlockId; signatures: Array<{ block_id_flag: number; validator_address: string; timestamp: string; signature: string | null }> } | null;
}

function header(h: Record<string, any>): Header {
  return {
    version: { block: BigInt(h.version.block), app: BigInt(h.version.app ?? 0) },
    chainId: h.chain_id,
    height: BigInt(h.height),
    time: parseRfc3339(h.time),
    lastBlockId: blockId(h.last_block_id),
    lastCommitHash: hex(h.last_commit_hash),
    dataHash: hex(h.data_hash),
    validatorsHash: hex(h.validators_hash),
    nextValidatorsHash: hex(h.next_validators_hash),
    consensusHash: hex(h.consensus_hash),
    appHash: hex(h.app_hash),
    lastResultsHash: hex(h.last_results_hash),
    evidenceHash: hex(h.evidence_hash),
    proposerAddress: hex(h.proposer_address),
  };
}

function commit(c: NonNullable<RpcBlock["last_commit"]>): Commit {
  return {
    height: BigInt(c.height),
    round: c.round,
    blockId: blockId(c.block_id),
    signatures: c.signatures.map((s) => ({
      blockIdFlag: Number(s.block_id_flag),
      validatorAddress: hex(s.validator_address),
      timestamp: parseRfc3339(s.timestamp),
      signature: b64(s.signature),
    })),
  };
}

/**
 * The block as tendermint.types.Block. Evidence is not converted (the list is left empty): this
 * node's explorers see misbehaviour through the slashing module's events and queries instead.
 */
function block(b: RpcBlock): BlockType {
  return {
    header: header(b.header),
    data: { txs: (b.data.txs ?? []).map(b64) },
    evidence: { evidence: [] },
    lastCommit: b.last_commit ? commit(b.last_commit) : undefined,
  };
}

/** TxRaw bytes as the Tx message the SDK's services return (body and auth info decoded). */
export function txFromRaw(raw: Uint8Array): Tx {
  const r = TxRaw.decode(raw);
  return { body: TxBody.decode(r.bodyBytes), authInfo: AuthInfo.decode(r.authInfoBytes), signatures: r.signatures };
}

interface RpcTxResult {
  code: number;
  data: string | null;
  log: string;
  info: string;
  gas_wanted: string;
  gas_used: string;
  events: Array<{ type: string; attributes: Array<{ key: string; value: string; index: boolean }> | null }> | null;
  codespace: string;
}

interface RpcTx {
  hash: string;
  height: string;
  index: number;
  tx_result: RpcTxResult;
  tx: string;
}

function events(list: RpcTxResult["events"]): Event[] {
  return (list ?? []).map((e) => ({ type: e.type, attributes: (e.attributes ?? []).map((a) => ({ key: a.key, value: a.value ?? "", index: !!a.index })) }));
}

/** An error answer with the app's codespace and code (mapped to gRPC and HTTP statuses as queries are). */
function failure(err: ChainError, height = 0n): Answer {
  return { code: err.code, codespace: err.codespace, log: err.message, value: new Uint8Array(), height };
}

function ok(value: Uint8Array, height = 0n): Answer {
  return { code: 0, codespace: "", log: "", value, height };
}

/** Offset and limit of a PageRequest, bounded (the key form is not supported by CometBFT's RPC). */
function pageWindow(p: PageRequest | undefined, defaultLimit: number, maxLimit: number): { offset: number; limit: number } {
  if (p && p.key.length > 0) throw SdkErrors.InvalidRequest.wrap("pagination.key is not supported here: use pagination.offset");
  const limit = p && p.limit > 0n ? p.limit : BigInt(defaultLimit);
  if (limit > BigInt(maxLimit)) throw SdkErrors.InvalidRequest.wrap(`pagination.limit ${limit} is above the maximum ${maxLimit}`);
  const offset = p?.offset ?? 0n;
  if (offset > 1_000_000_000n) throw SdkErrors.InvalidRequest.wrap(`pagination.offset ${offset} is too large`);
  return { offset: Number(offset), limit: Number(limit) };
}

export class ChainServices {
  /** Block times by height, for TxResponse.timestamp (bounded; cleared when full). */
  private readonly blockTimes = new Map<string, string>();

  constructor(private readonly rpcUrl: string) {}

  private call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return rpcCall<T>(this.rpcUrl, method, params);
  }

  /** Every method, by gRPC path. */
  handlers(): Map<string, UnaryHandler> {
    const methods: Record<string, (req: Uint8Array) => Promise<Answer>> = {
      [`/${TX_SERVICE}/GetTx`]: (r) => this.getTx(GetTxRequest.decode(r)),
      [`/${TX_SERVICE}/BroadcastTx`]: (r) => this.broadcastTx(BroadcastTxRequest.decode(r)),
      [`/${TX_SERVICE}/GetTxsEvent`]: (r) => this.getTxsEvent(GetTxsEventRequest.decode(r)),
      [`/${TX_SERVICE}/GetBlockWithTxs`]: (r) => this.getBlockWithTxs(GetBlockWithTxsRequest.decode(r)),
      [`/${TENDERMINT_SERVICE}/GetNodeInfo`]: () => this.getNodeInfo(),
      [`/${TENDERMINT_SERVICE}/GetSyncing`]: () => this.getSyncing(),
      [`/${TENDERMINT_SERVICE}/GetLatestBlock`]: () => this.getBlock(undefined).then(({ id, block, height }) => ok(GetLatestBlockResponse.encode({ blockId: id, block }).finish(), height)),
      [`/${TENDERMINT_SERVICE}/GetBlockByHeight`]: (r) => this.getBlockByHeight(GetBlockByHeightRequest.decode(r)),
      [`/${TENDERMINT_SERVICE}/GetLatestValidatorSet`]: (r) => this.getValidatorSet(undefined, GetLatestValidatorSetRequest.decode(r).pagination, (x) => GetLatestValidatorSetResponse.encode(x).finish()),
      [`/${TENDERMINT_SERVICE}/GetValidatorSetByHeight`]: (r) => {
        const req = GetValidatorSetByHeightRequest.decode(r);
        if (req.height <= 0n) throw SdkErrors.InvalidRequest.wrap("height must be positive");
        return this.getValidatorSet(req.height, req.pagination, (x) => GetValidatorSetByHeightResponse.encode(x).finish());
      },
    };
    const out = new Map<string, UnaryHandler>();
    for (const [path, fn] of Object.entries(methods)) out.set(path, (req) => this.guard(() => fn(req)));
    return out;
  }

  /** Bad requests and node errors become answers; a CometBFT that does not answer is UNAVAILABLE. */
  private async guard(fn: () => Promise<Answer>): Promise<Answer> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ChainError) return failure(e);
      if (e instanceof RpcUnavailable) return { ...failure(SdkErrors.InvalidRequest.wrap(e.message)), status: GrpcStatus.UNAVAILABLE };
      if (e instanceof RpcError) {
        if (/not found/i.test(e.message)) return failure(SdkErrors.NotFound.wrap(e.message));
        return failure(SdkErrors.InvalidRequest.wrap(e.message));
      }
      // Undecodable request bytes (protobuf decode errors).
      return failure(SdkErrors.InvalidRequest.wrap((e as Error).message));
    }
  }

  private async blockTime(height: string): Promise<string> {
    const known = this.blockTimes.get(height);
    if (known !== undefined) return known;
    const r = await this.call<{ block: RpcBlock }>("block", { height });
    const time = r.block.header.time as string;
    if (this.blockTimes.size >= 10_000) this.blockTimes.clear();
    this.blockTimes.set(height, time);
    return time;
  }

  private async txResponse(t: RpcTx): Promise<{ response: TxResponse; tx: Tx | undefined }> {
    const raw = b64(t.tx);
    let tx: Tx | undefined;
    try {
      tx = txFromRaw(raw);
    } catch {
      tx = undefined; // a block may hold bytes that were never a valid tx (rejected in DeliverTx)
    }
    const r = t.tx_result;
    const response = TxResponse.fromPartial({
      height: BigInt(t.height),
      txhash: t.hash.toUpperCase(),
      codespace: r.codespace ?? "",
      code: r.code ?? 0,
      data: Buffer.from(b64(r.data)).toString("hex").toUpperCase(),
      rawLog: r.log ?? "",
      logs: [],
      info: r.info ?? "",
      gasWanted: BigInt(r.gas_wanted ?? "0"),
      gasUsed: BigInt(r.gas_used ?? "0"),
      tx: tx ? { typeUrl: "/cosmos.tx.v1beta1.Tx", value: Tx.encode(tx).finish() } : undefined,
      timestamp: await this.blockTime(t.height),
      events: events(r.events),
    });
    return { response, tx };
  }

  private async getTx(req: GetTxRequest): Promise<Answer> {
    if (!/^[0-9a-fA-F]{64}$/.test(req.hash)) throw SdkErrors.InvalidRequest.wrap(`invalid tx hash "${req.hash}": expected 64 hex digits`);
    let t: RpcTx;
    try {
      t = await this.call<RpcTx>("tx", { hash: Buffer.from(req.hash, "hex").toString("base64"), prove: false });
    } catch (e) {
      if (e instanceof RpcError && /not found/i.test(e.message)) throw SdkErrors.NotFound.wrap(`tx not found: ${req.hash.toUpperCase()}`);
      throw e;
    }
    const { response, tx } = await this.txResponse(t);
    return ok(GetTxResponse.encode({ tx, txResponse: response }).finish(), response.height);
  }

  private async broadcastTx(req: BroadcastTxRequest): Promise<Answer> {
    if (req.txBytes.length === 0) throw SdkErrors.InvalidRequest.wrap("empty tx_bytes");
    const method = req.mode === BroadcastMode.BROADCAST_MODE_SYNC ? "broadcast_tx_sync" : req.mode === BroadcastMode.BROADCAST_MODE_ASYNC ? "broadcast_tx_async" : undefined;
    if (!method) throw SdkErrors.InvalidRequest.wrap(`unsupported broadcast mode ${req.mode}: use BROADCAST_MODE_SYNC or BROADCAST_MODE_ASYNC (BLOCK was removed in SDK v0.50)`);
    let r: { code: number; data: string | null; log: string; codespace: string; hash: string };
    try {
      r = await this.call(method, { tx: Buffer.from(req.txBytes).toString("base64") });
    } catch (e) {
      // CometBFT refuses some txs before CheckTx; the SDK reports these as a tx_response with its
      // mempool codes, so a wallet sees the same shape as for a CheckTx failure.
      const code = e instanceof RpcError ? MEMPOOL_ERRORS.find(([re]) => re.test(e.message))?.[1] : undefined;
      if (code === undefined) throw e;
      const txResponse = TxResponse.fromPartial({ txhash: txHash(req.txBytes), codespace: "sdk", code, rawLog: (e as Error).message });
      return ok(BroadcastTxResponse.encode({ txResponse }).finish());
    }
    const txResponse = TxResponse.fromPartial({
      txhash: r.hash.toUpperCase(),
      codespace: r.codespace ?? "",
      code: r.code ?? 0,
      data: Buffer.from(b64(r.data)).toString("hex").toUpperCase(),
      rawLog: r.log ?? "",
    });
    return ok(BroadcastTxResponse.encode({ txResponse }).finish());
  }

  private async getTxsEvent(req: GetTxsEventRequest): Promise<Answer> {
    const query = req.query !== "" ? req.query : req.events.join(" AND ");
    if (query.trim() === "") throw SdkErrors.InvalidRequest.wrap("query cannot be empty (e.g. query=message.sender='soa1...')");
    if (query.length > 4096) throw SdkErrors.InvalidRequest.wrap("query is longer than 4096 characters");
    let limit = req.limit > 0n ? req.limit : req.pagination && req.pagination.limit > 0n ? req.pagination.limit : BigInt(MAX_PAGE);
    if (limit > BigInt(MAX_PAGE)) throw SdkErrors.InvalidRequest.wrap(`limit ${limit} is above the maximum ${MAX_PAGE}`);
    let page = req.page;
    if (page === 0n) page = req.pagination && req.pagination.offset > 0n ? req.pagination.offset / limit + 1n : 1n;
    if (page > 1_000_000n) throw SdkErrors.InvalidRequest.wrap(`page ${page} is too large`);
    limit = limit > 0n ? limit : 1n;
    const order = req.orderBy === OrderBy.ORDER_BY_DESC ? "desc" : "asc";
    const r = await this.call<{ txs: RpcTx[]; total_count: string }>("tx_search", { query, page: String(page), per_page: String(limit), order_by: order, prove: false }).catch((e) => {
      // CometBFT refuses a page past the last one; the SDK answers with an empty list then.
      if (e instanceof RpcError && /page should be within/.test(e.message)) return { txs: [], total_count: "0" };
      throw e;
    });
    const txs: Tx[] = [];
    const txResponses: TxResponse[] = [];
    for (const t of r.txs) {
      const { response, tx } = await this.txResponse(t);
      txResponses.push(response);
      txs.push(tx ?? Tx.fromPartial({}));
    }
    const total = BigInt(r.total_count);
    return ok(GetTxsEventResponse.encode({ txs, txResponses, pagination: { nextKey: new Uint8Array(), total }, total }).finish());
  }

  private async getBlock(height: bigint | undefined): Promise<{ id: BlockID; block: BlockType; height: bigint; raw: RpcBlock }> {
    const r = await this.call<{ block_id: RpcBlockId; block: RpcBlock }>("block", height === undefined ? {} : { height: height.toString() });
    return { id: blockId(r.block_id), block: block(r.block), height: BigInt(r.block.header.height), raw: r.block };
  }

  private async getBlockByHeight(req: GetBlockByHeightRequest): Promise<Answer> {
    if (req.height <= 0n) throw SdkErrors.InvalidRequest.wrap("height must be positive");
    const { id, block, height } = await this.getBlock(req.height);
    return ok(GetBlockByHeightResponse.encode({ blockId: id, block }).finish(), height);
  }

  private async getBlockWithTxs(req: GetBlockWithTxsRequest): Promise<Answer> {
    if (req.height <= 0n) throw SdkErrors.InvalidRequest.wrap("height must be positive");
    const { offset, limit } = pageWindow(req.pagination, MAX_PAGE, MAX_PAGE);
    const { id, block, height } = await this.getBlock(req.height);
    const all = block.data?.txs ?? [];
    const txs = all.slice(offset, offset + limit).map((raw) => {
      try {
        return txFromRaw(raw);
      } catch {
        return Tx.fromPartial({});
      }
    });
    return ok(GetBlockWithTxsResponse.encode({ txs, blockId: id, block, pagination: { nextKey: new Uint8Array(), total: BigInt(all.length) } }).finish(), height);
  }

  private async getNodeInfo(): Promise<Answer> {
    const s = await this.call<{ node_info: Record<string, any>; sync_info: { latest_block_height: string } }>("status");
    const n = s.node_info;
    const response = GetNodeInfoResponse.fromPartial({
      defaultNodeInfo: {
        protocolVersion: { p2p: BigInt(n.protocol_version.p2p), block: BigInt(n.protocol_version.block), app: BigInt(n.protocol_version.app) },
        defaultNodeId: n.id,
        listenAddr: n.listen_addr,
        network: n.network,
        version: n.version,
        channels: hex(n.channels),
        moniker: n.moniker,
        other: { txIndex: n.other?.tx_index ?? "", rpcAddress: n.other?.rpc_address ?? "" },
      },
      applicationVersion: { name: APP_NAME, appName: APP_NAME, version: APP_VERSION, gitCommit: "", buildTags: "", goVersion: `node ${process.version}`, buildDeps: [], cosmosSdkVersion: "" },
    });
    return ok(GetNodeInfoResponse.encode(response).finish(), BigInt(s.sync_info.latest_block_height));
  }

  private async getSyncing(): Promise<Answer> {
    const s = await this.call<{ sync_info: { catching_up: boolean; latest_block_height: string } }>("status");
    return ok(GetSyncingResponse.encode({ syncing: s.sync_info.catching_up }).finish(), BigInt(s.sync_info.latest_block_height));
  }

  private async getValidatorSet(
    height: bigint | undefined,
    pagination: PageRequest | undefined,
    encode: (r: { blockHeight: bigint; validators: Validator[]; pagination: { nextKey: Uint8Array; total: bigint } }) => Uint8Array,
  ): Promise<Answer> {
    const { offset, limit } = pageWindow(pagination, 100, 100);
    const all: Array<{ address: string; pub_key: { type: string; value: string }; voting_power: string; proposer_priority: string }> = [];
    let blockHeight = 0n;
    for (let page = 1; ; page++) {
      const r = await this.call<{ block_height: string; validators: typeof all; total: string }>("validators", { ...(height === undefined ? {} : { height: height.toString() }), page: String(page), per_page: "100" });
      blockHeight = BigInt(r.block_height);
      all.push(...r.validators);
      if (all.length >= Number(r.total) || r.validators.length === 0) break;
    }
    const validators = all.slice(offset, offset + limit).map((v) =>
      Validator.fromPartial({
        address: toBech32(VALIDATOR_CONSENSUS_PREFIX, hex(v.address)),
        pubKey: v.pub_key.type === "tendermint/PubKeyEd25519" ? { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: Ed25519PubKey.encode({ key: b64(v.pub_key.value) }).finish() } : undefined,
        votingPower: BigInt(v.voting_power),
        proposerPriority: BigInt(v.proposer_priority),
      }),
    );
    return ok(encode({ blockHeight, validators, pagination: { nextKey: new Uint8Array(), total: BigInt(all.length) } }), blockHeight);
  }
}

/** The SDK's tx hash: upper-case hex SHA-256 of the tx bytes. */
export function txHash(txBytes: Uint8Array): string {
  return createHash("sha256").update(txBytes).digest("hex").toUpperCase();
}
