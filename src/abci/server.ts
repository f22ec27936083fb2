import * as net from "node:net";
import {
  formatListenAddress,
  type ListenAddress,
  parseListenAddress,
  removeStaleSocket,
} from "./address";
import type { AbciApplication } from "./application";
import { AbciConnection } from "./connection";
import { Dispatcher, type FatalHandler } from "./dispatch";
import { type AbciLogger, consoleLogger } from "./logger";

/** EX_SOFTWARE from sysexits(3): "an internal software error has been detected". */
export const FATAL_EXIT_CODE = 70;

export interface AbciServerOptions {
  /** Defaults to `console` with an `[abci]` prefix. */
  logger?: AbciLogger;
  /**
   * Called when Info, InitChain, FinalizeBlock or Commit throws/rejects (or returns something
   * invalid). Defaults to `exitOnFatal`. If it returns, the server closes that connection without
   * answering, which makes CometBFT stop itself.
   */
  onFatal?: FatalHandler;
}

/**
 * Default fatal handler: log and exit with code 70. There is no correct answer to give for these
 * methods (any app hash or height we made up would fork this validator), not answering would
 * hang CometBFT forever (it has no ABCI timeouts), and a process that keeps running after a
 * half-applied block is in an unknown state. Exiting lets a supervisor restart the app; on
 * restart the Info handshake makes CometBFT replay the blocks after the last successful Commit.
 */
export function exitOnFatal(logger: AbciLogger): FatalHandler {
  // The dispatcher has already logged the error itself; this only says what happens next.
  return (_err, method) => {
    logger.error(`${method} failed; exiting with code ${FATAL_EXIT_CODE} (restart to recover)`);
    process.exit(FATAL_EXIT_CODE);
  };
}

/**
 * ABCI 2.0 socket server for CometBFT v0.38. CometBFT opens four connections (query, snapshot,
 * mempool, consensus) to the same address without saying which is which; each is served
 * independently and concurrently, every one strictly in order (see AbciConnection).
 */
export class AbciServer {
  private readonly logger: AbciLogger;
  private readonly dispatcher: Dispatcher;
  private readonly open = new Set<AbciConnection>();
  private server: net.Server | undefined;
  private bound: ListenAddress | undefined;
  private nextId = 1;

  constructor(
    private readonly app: AbciApplication,
    options: AbciServerOptions = {},
  ) {
    this.logger = options.logger ?? consoleLogger;
    this.dispatcher = new Dispatcher(app, this.logger, options.onFatal ?? exitOnFatal(this.logger));
  }

  /** Number of currently open connections (4 once CometBFT is fully connected). */
  get connections(): number {
    return this.open.size;
  }

  /** The address actually listened on (with the real port if 0 was asked for), if listening. */
  get address(): string | undefined {
    return this.bound && formatListenAddress(this.bound);
  }

  /** Starts listening on `tcp://host:port` or `unix:///abs/path.sock`. */
  async listen(address: string): Promise<void> {
    if (this.server) throw new Error("AbciServer is already listening");
    const target = parseListenAddress(address);
    if (target.kind === "unix") await removeStaleSocket(target.path);

    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        const onListening = (): void => {
          server.off("error", reject);
          resolve();
        };
        if (target.kind === "unix") server.listen(target.path, onListening);
        else server.listen(target.port, target.host, onListening);
      });
    } catch (err) {
      this.server = undefined;
      throw err;
    }
    server.on("error", (err) => this.logger.error("listener error", err));

    const actual = server.address();
    this.bound =
      target.kind === "tcp" && actual !== null && typeof actual === "object"
        ? { kind: "tcp", host: actual.address, port: actual.port }
        : target;
    this.logger.info(`listening on ${this.address}`);
  }

  /** Stops listening and hangs up every connection. Idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.bound = undefined;
    for (const connection of this.open) connection.close();
    // Node removes the unix socket file when the listener closes.
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const id = this.nextId++;
    const connection = new AbciConnection(id, socket, this.app, this.dispatcher, this.logger, (c) =>
      this.open.delete(c),
    );
    this.open.add(connection);
    this.logger.info(`connection ${id} opened (${this.open.size} open)`);
  }
}
