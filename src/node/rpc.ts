/** Minimal CometBFT JSON-RPC over HTTP GET, for tooling that must not depend on CosmJS. */
export async function rpc<T = any>(endpoint: string, method: string, params: Record<string, string | number> = {}, timeoutMs = 5000): Promise<T> {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join("&");
  const url = `${endpoint.replace(/\/$/, "")}/${method}${query ? "?" + query : ""}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    // A pooled keep-alive connection that CometBFT closed while idle fails the first request on
    // it ("fetch failed: other side closed"); one retry on a fresh connection tells that apart
    // from a node that is really down.
    if ((e as Error).name === "TimeoutError") throw e;
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  }
  const body = (await res.json()) as { result?: T; error?: { message: string; data?: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}${body.error.data ? ": " + body.error.data : ""}`);
  return body.result as T;
}

export interface NodeStatus {
  height: number;
  appHash: string;
  catchingUp: boolean;
  network: string;
  nodeId: string;
}

export async function status(endpoint: string): Promise<NodeStatus> {
  const r = await rpc(endpoint, "status", {}, 2000);
  return {
    height: Number(r.sync_info.latest_block_height),
    appHash: r.sync_info.latest_app_hash,
    catchingUp: r.sync_info.catching_up,
    network: r.node_info.network,
    nodeId: r.node_info.id,
  };
}
