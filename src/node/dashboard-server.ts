import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { repoRoot } from "./paths";

/**
 * The dashboard's HTTP server, run by `blockai start` when app.json sets `dashboard_address`: the
 * static single-page app from dist/dashboard, and CometBFT's RPC proxied under /rpc. The proxy
 * makes the RPC same-origin for the page, so CometBFT needs no cors_allowed_origins for it; it
 * forwards only GET and POST (JSON-RPC) and adds nothing to what the RPC itself allows.
 */
export interface DashboardServerOptions {
  /** host:port to listen on, e.g. "127.0.0.1:26680". */
  address: string;
  /** CometBFT's RPC, e.g. "http://127.0.0.1:26657". */
  rpcUrl: string;
  /** The built app (default: dist/dashboard of the repository). */
  staticDir?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** The largest JSON-RPC request body forwarded (a broadcast of a large tx fits). */
const MAX_BODY = 4 * 1024 * 1024;

export function defaultDashboardDir(): string {
  return path.join(repoRoot(), "dist", "dashboard");
}

export function parseListenAddress(address: string): { host: string; port: number } {
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new Error(`dashboard_address "${address}" is not host:port (e.g. "127.0.0.1:26680")`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

export class DashboardServer {
  private constructor(
    private readonly server: http.Server,
    /** The URL the dashboard is served at. */
    readonly url: string,
  ) {}

  static async start(opts: DashboardServerOptions): Promise<DashboardServer> {
    const { host, port } = parseListenAddress(opts.address);
    const dir = path.resolve(opts.staticDir ?? defaultDashboardDir());
    if (!fs.existsSync(path.join(dir, "index.html"))) throw new Error(`the dashboard is not built (${path.join(dir, "index.html")} is missing): run 'make build'`);
    const rpc = new URL(opts.rpcUrl);
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://dashboard.invalid");
      if (url.pathname === "/rpc" || url.pathname.startsWith("/rpc/")) return proxy(req, res, rpc, url);
      if (req.method !== "GET" && req.method !== "HEAD") return plain(res, 405, "method not allowed");
      serveStatic(dir, url.pathname, req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) => reject(new Error(`cannot serve the dashboard on ${opts.address}: ${e.code === "EADDRINUSE" ? "the port is in use" : e.message}`)));
      server.listen(port, host, () => resolve());
    });
    const bound = server.address();
    const boundPort = typeof bound === "object" && bound ? bound.port : port;
    return new DashboardServer(server, `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}/`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text + "\n");
}

function serveStatic(dir: string, pathname: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return plain(res, 400, "bad path");
  }
  if (rel.endsWith("/")) rel += "index.html";
  const file = path.resolve(dir, "." + rel);
  // Nothing outside the app's folder, whatever the path says.
  if (file !== dir && !file.startsWith(dir + path.sep)) return plain(res, 404, "not found");
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return plain(res, 404, "not found");
    res.writeHead(200, {
      "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": st.size,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") return res.end();
    fs.createReadStream(file).pipe(res);
  });
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, rpc: URL, url: URL): void {
  if (req.method !== "GET" && req.method !== "POST") return plain(res, 405, "the RPC proxy forwards GET and POST only");
  const target = new URL(rpc.href);
  target.pathname = path.posix.join(rpc.pathname, url.pathname.slice("/rpc".length) || "/");
  target.search = url.search;
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) {
      plain(res, 413, "request too large");
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on("end", () => {
    if (res.headersSent) return;
    const body = Buffer.concat(chunks);
    const upstream = http.request(
      target,
      { method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/json", "content-length": body.length } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { "content-type": up.headers["content-type"] ?? "application/json", "cache-control": "no-store" });
        up.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      if (!res.headersSent) plain(res, 502, `CometBFT RPC at ${rpc.origin} unreachable: ${e.message}`);
      else res.destroy();
    });
    upstream.end(body);
  });
}
