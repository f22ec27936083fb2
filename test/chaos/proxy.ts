import * as net from "node:net";

/**
 * TCP proxies between validators' P2P ports, so the chaos run can partition the network without
 * root: node i reaches node j only through the link (i, j) here, and a cut node's links drop
 * their connections and refuse new ones until healed. (PEX is off, so CometBFT learns no
 * direct address to bypass them.)
 */
export class P2PProxies {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Map<string, Set<net.Socket>>();
  private readonly isolated = new Set<number>();

  private constructor(private readonly ports: Map<string, number>) {}

  /** One listening proxy per ordered pair (from, to) on the given ports, forwarding to `targets[to]`. */
  static async start(targets: number[], listenPorts: (from: number, to: number) => number): Promise<P2PProxies> {
    const ports = new Map<string, number>();
    const proxies = new P2PProxies(ports);
    for (let from = 0; from < targets.length; from++) {
      for (let to = 0; to < targets.length; to++) {
        if (from === to) continue;
        const key = `${from}>${to}`;
        const port = listenPorts(from, to);
        ports.set(key, port);
        const live = new Set<net.Socket>();
        proxies.sockets.set(key, live);
        const server = net.createServer((inbound) => {
          if (proxies.isolated.has(from) || proxies.isolated.has(to)) {
            inbound.destroy();
            return;
          }
          const outbound = net.connect(targets[to], "127.0.0.1");
          live.add(inbound);
          live.add(outbound);
          const close = () => {
            inbound.destroy();
            outbound.destroy();
            live.delete(inbound);
            live.delete(outbound);
          };
          inbound.on("error", close).on("close", close);
          outbound.on("error", close).on("close", close);
          inbound.pipe(outbound);
          outbound.pipe(inbound);
        });
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(port, "127.0.0.1", () => resolve());
        });
        proxies.servers.push(server);
      }
    }
    return proxies;
  }

  /** The address node `from` dials to reach node `to`. */
  address(from: number, to: number): string {
    return `127.0.0.1:${this.ports.get(`${from}>${to}`)}`;
  }

  /** Cuts every link of `node` (open connections dropped, new ones refused). */
  isolate(node: number): void {
    this.isolated.add(node);
    for (const [key, live] of this.sockets) {
      const [a, b] = key.split(">").map(Number);
      if (a === node || b === node) for (const s of live) s.destroy();
    }
  }

  heal(): void {
    this.isolated.clear();
  }

  async close(): Promise<void> {
    for (const live of this.sockets.values()) for (const s of live) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
