import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { BlockaiClient, BlockaiQueryError, type DeepPartial } from "../client";
import type { QueryMethod, RequestOf, ResponseOf } from "../types/service";
import type { CommandContext } from "./command";
import { checkChainId, heightFlag, nodeUrl } from "./flags";

/** What `status` shows, from CometBFT's /status. */
export interface NodeStatusInfo {
  chain_id: string;
  moniker: string;
  node_id: string;
  cometbft_version: string;
  latest_block_height: string;
  latest_block_time: string;
  latest_app_hash: string;
  catching_up: boolean;
  validator_address: string;
  voting_power: string;
}

/** "connection refused" rather than "fetch failed": the reason behind Node's fetch errors. */
export function networkReason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return "no answer within 5 s";
  const code = err?.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "unknown host";
  if (code === "ECONNRESET") return "connection reset";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "host unreachable";
  return err?.cause?.message ?? err?.message ?? String(e);
}

/**
 * CometBFT's /status, read with a plain fetch rather than CosmJS: an unreachable or wrong
 * endpoint is then reported as such ("connection refused", "not a CometBFT RPC endpoint").
 */
export async function fetchStatus(url: string): Promise<NodeStatusInfo> {
  let body: any;
  try {
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5000) });
    body = await res.json();
  } catch (e) {
    if (e instanceof SyntaxError) throw new Error(`the node at ${url} did not answer like a CometBFT RPC endpoint`);
    throw new Error(`cannot reach the node at ${url}: ${networkReason(e)} (is it running? set the node with --node)`);
  }
  const r = body?.result;
  if (!r?.node_info || !r?.sync_info) throw new Error(`the node at ${url} did not answer like a CometBFT RPC endpoint`);
  return {
    chain_id: r.node_info.network,
    moniker: r.node_info.moniker,
    node_id: r.node_info.id,
    cometbft_version: r.node_info.version,
    latest_block_height: r.sync_info.latest_block_height,
    latest_block_time: r.sync_info.latest_block_time,
    latest_app_hash: r.sync_info.latest_app_hash,
    catching_up: r.sync_info.catching_up,
    validator_address: r.validator_info?.address ?? "",
    voting_power: r.validator_info?.voting_power ?? "0",
  };
}

/** The node a command talks to: its URL, its status when connected, and a query-only BlockaiClient. */
export interface NodeConnection {
  readonly url: string;
  readonly status: NodeStatusInfo;
  readonly chainId: string;
  readonly client: BlockaiClient;
  /** A query at the command's --height (the latest state without it). */
  query<M extends QueryMethod>(method: M, request?: DeepPartial<RequestOf<M>>): Promise<ResponseOf<M>>;
}

/** The CLI's one line for a failed query: the chain's log, then its codespace and code. */
function queryErrorText(e: BlockaiQueryError): string {
  return `${e.log} (code ${e.codespace}/${e.code})`;
}

/**
 * Connects (checking the chain ID before anything else happens, so a wrong --chain-id or --node
 * is reported before a key is unlocked or a transaction is built), runs `fn`, and always
 * disconnects. A query the chain answers with an error code becomes the CLI's one-line message.
 */
export async function withNode<T>(ctx: CommandContext, fn: (node: NodeConnection) => Promise<T>): Promise<T> {
  const url = nodeUrl(ctx);
  const status = await fetchStatus(url);
  checkChainId(ctx, url, status.chain_id);
  // The status said CometBFT: its 0.38 client directly, without connectComet's version probe.
  const client = BlockaiClient.fromComet(await Comet38Client.connect(url));
  try {
    return await fn({ url, status, chainId: status.chain_id, client, query: (method, request) => client.query(method, request, { height: heightFlag(ctx) }) });
  } catch (e) {
    if (e instanceof BlockaiQueryError) throw new Error(queryErrorText(e));
    throw e;
  } finally {
    client.disconnect();
  }
}

/** One query at the command's --height, through a module's query table (e.g. `BankQuery.Balance`). */
export function queryNode<M extends QueryMethod>(ctx: CommandContext, method: M, request?: DeepPartial<RequestOf<M>>): Promise<ResponseOf<M>> {
  heightFlag(ctx); // a bad --height is a usage error before any connection
  return withNode(ctx, (node) => node.query(method, request));
}
