import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { AppMetrics } from "../app/metrics";

/** Serves GET /metrics (Prometheus text format) on `address` (HOST:PORT). */
export class MetricsServer {
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(address: string, metrics: AppMetrics): Promise<MetricsServer> {
    const m = /^\[?([^\]]*?)\]?:([0-9]{1,5})$/.exec(address);
    if (!m) throw new Error(`invalid prometheus_address "${address}": expected HOST:PORT`);
    const server = http.createServer((req, res) => {
      req.resume();
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found: metrics are at /metrics\n");
        return;
      }
      const body = metrics.render();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(Number(m[2]), m[1], () => {
        server.off("error", reject);
        resolve();
      });
    }).catch((e: Error) => {
      throw new Error(`cannot serve metrics on ${address}: ${e.message}`);
    });
    return new MetricsServer(server, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
