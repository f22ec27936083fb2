import * as net from "node:net";
import { P2PProxies } from "../chaos/proxy";
import { freePorts } from "../helpers/ports";

/** The partition proxies of the chaos run: traffic flows through a link until a node is isolated. */
describe("chaos P2P proxies", () => {
  test("forward both ways, drop and refuse an isolated node's links, forward again once healed", async () => {
    const servers: net.Server[] = [];
    const targets: number[] = [];
    for (let i = 0; i < 2; i++) {
      const s = net.createServer((sock) => sock.on("data", (d) => sock.write(Buffer.concat([Buffer.from(`node${i}:`), d]))));
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
      servers.push(s);
      targets.push((s.address() as net.AddressInfo).port);
    }
    const ports = await freePorts(2);
    const proxies = await P2PProxies.start(targets, (from) => ports[from]);
    const roundTrip = (from: number, to: number) =>
      new Promise<string>((resolve) => {
        const [host, port] = proxies.address(from, to).split(":");
        const c = net.connect(Number(port), host);
        c.on("error", () => resolve("error"));
        c.on("close", () => resolve("closed"));
        c.once("data", (d) => {
          resolve(d.toString());
          c.destroy();
        });
        c.write("ping");
      });
    try {
      expect(await roundTrip(0, 1)).toBe("node1:ping");
      expect(await roundTrip(1, 0)).toBe("node0:ping");
      // An open connection is cut when its node is isolated.
      const [host, port] = proxies.address(0, 1).split(":");
      const open = net.connect(Number(port), host);
      await new Promise<void>((r) => open.once("connect", () => r()));
      const closed = new Promise<void>((r) => open.once("close", () => r()));
      open.on("error", () => undefined);
      proxies.isolate(1);
      await closed;
      expect(await roundTrip(0, 1)).toBe("closed");
      expect(await roundTrip(1, 0)).toBe("closed");
      proxies.heal();
      expect(await roundTrip(0, 1)).toBe("node1:ping");
    } finally {
      await proxies.close();
      for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    }
  });
});
