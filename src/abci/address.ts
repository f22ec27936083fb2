import { promises as fs } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

export type ListenAddress =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "unix"; path: string };

/**
 * Parses an address in CometBFT's `proxy_app` syntax: `tcp://host:port` (IPv6 as `[::1]:port`),
 * `unix:///abs/path.sock`, or a bare `host:port`, which CometBFT also treats as TCP.
 */
export function parseListenAddress(address: string): ListenAddress {
  if (address.startsWith("unix://")) {
    const socketPath = address.slice("unix://".length);
    if (socketPath === "") throw new Error(`missing socket path in ABCI address "${address}"`);
    return { kind: "unix", path: path.resolve(socketPath) };
  }
  const match = /^(?:tcp:\/\/)?(\[[^\]]*\]|[^:/[\]]*):(\d{1,5})$/.exec(address);
  if (match === null) {
    throw new Error(
      `unsupported ABCI address "${address}" (expected tcp://host:port or unix:///path)`,
    );
  }
  const port = Number(match[2]);
  if (port > 65535) throw new Error(`invalid port in ABCI address "${address}"`);
  const host = match[1].replace(/^\[(.*)\]$/, "$1") || "0.0.0.0";
  return { kind: "tcp", host, port };
}

export function formatListenAddress(address: ListenAddress): string {
  if (address.kind === "unix") return `unix://${address.path}`;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}

/**
 * Removes a socket file left behind by a process that died without closing its server, since
 * `listen` would otherwise fail with EADDRINUSE. Refuses to delete anything that is not a
 * socket, or a socket some live process still accepts connections on.
 */
export async function removeStaleSocket(socketPath: string): Promise<void> {
  let stat;
  try {
    stat = await fs.lstat(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if (!stat.isSocket()) {
    throw new Error(`${socketPath} exists and is not a socket; refusing to replace it`);
  }
  if (await acceptsConnections(socketPath)) {
    throw new Error(`another process is already listening on ${socketPath}`);
  }
  await fs.unlink(socketPath);
}

function acceptsConnections(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
