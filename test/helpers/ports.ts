import * as net from "node:net";

/**
 * Ports that were free a moment ago on 127.0.0.1. The OS picks them (port 0), so parallel jest
 * workers and leftover processes do not collide; the small race between close and reuse is
 * acceptable for tests.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
      servers.push(server);
      ports.push((server.address() as net.AddressInfo).port);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
  return ports;
}
