import { Comet38Client } from "@cosmjs/tendermint-rpc";
import type { CommandContext } from "./command";
import { CHAIN_ID, nodeUrl } from "./flags";

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

/** A query the app answered with an error code. */
export class QueryError extends Error {
  constructor(
    readonly code: number,
    readonly codespace: string,
    readonly log: string,
  ) {
    super(`${log} (code ${codespace}/${code})`);
  }
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

async function fetchStatus(url: string): Promise<NodeStatusInfo> {
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

/** A connection to one node: its status (chain ID checked against --chain-id) and a CosmJS client. */
export class NodeClient {
  private constructor(
    readonly url: string,
    readonly status: NodeStatusInfo,
    readonly comet: Comet38Client,
  ) {}

  get chainId(): string {
    return this.status.chain_id;
  }

  /**
   * Connects and checks the chain ID before anything else happens, so a wrong --chain-id or
   * --node is reported before a key is unlocked or a transaction is built.
   */
  static async connect(ctx: CommandContext): Promise<NodeClient> {
    const url = nodeUrl(ctx);
    const status = await fetchStatus(url);
    const expected = ctx.flag(CHAIN_ID.name);
    if (expected !== undefined && expected !== status.chain_id) {
      throw new Error(`chain ID mismatch: --chain-id is "${expected}" but the node at ${url} runs "${status.chain_id}"`);
    }
    return new NodeClient(url, status, await Comet38Client.connect(url));
  }

  static fetchStatus(url: string): Promise<NodeStatusInfo> {
    return fetchStatus(url);
  }

  /** An ABCI query of a module's Query method; a non-zero code becomes a QueryError. */
  async query(path: string, data: Uint8Array, height = 0): Promise<{ value: Uint8Array; height: number }> {
    const res = await this.comet.abciQuery({ path, data, height: height || undefined, prove: false });
    if (res.code) throw new QueryError(res.code, res.codespace, res.log ?? "");
    return { value: res.value, height: res.height ?? 0 };
  }

  disconnect(): void {
    this.comet.disconnect();
  }
}

/** Runs `fn` with a connected client and always disconnects. */
export async function withNode<T>(ctx: CommandContext, fn: (node: NodeClient) => Promise<T>): Promise<T> {
  const node = await NodeClient.connect(ctx);
  try {
    return await fn(node);
  } finally {
    node.disconnect();
  }
}
