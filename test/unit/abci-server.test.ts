import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  Request,
  Response,
  ResponseCheckTx,
  ResponseProcessProposal_ProposalStatus,
  ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";
import {
  type AbciApplication,
  type AbciLogger,
  type AbciMethod,
  AbciServer,
  encodeFrame,
  encodeUvarint,
  FrameDecoder,
  parseListenAddress,
  requestMethod,
} from "../../src/abci";
import { freePorts } from "../helpers/ports";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function quietLogger(): AbciLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => undefined, error: (message) => errors.push(message) };
}

/** The oneof field set in a Response (its fields share names with Request's). */
const responseType = (response: Response): string | undefined =>
  response.exception ? "exception" : requestMethod(response as Request);

const frame = (request: Request): Uint8Array => encodeFrame(Request.encode(request).finish());
const checkTx = (tx: string): Request => Request.fromPartial({ checkTx: { tx: Buffer.from(tx) } });
const flush = (): Request => Request.fromPartial({ flush: {} });
const echo = (message: string): Request => Request.fromPartial({ echo: { message } });
const checkTxResult = (fields: Partial<ResponseCheckTx> = {}): ResponseCheckTx => ({
  ...ResponseCheckTx.fromPartial({}),
  ...fields,
});
const txText = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

/** A raw ABCI client: writes request frames, collects decoded responses in arrival order. */
class TestClient {
  readonly received: Response[] = [];
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      for (const f of this.decoder.push(chunk)) this.received.push(Response.decode(f));
      this.wake();
    });
    this.closed = new Promise((resolve) => socket.on("close", () => resolve()));
    socket.on("close", () => this.wake());
    socket.on("error", () => undefined);
  }

  static connect(address: string): Promise<TestClient> {
    const target = parseListenAddress(address);
    return new Promise((resolve, reject) => {
      const socket =
        target.kind === "unix" ? net.connect(target.path) : net.connect(target.port, target.host);
      socket.once("connect", () => resolve(new TestClient(socket)));
      socket.once("error", reject);
    });
  }

  /** All requests in a single write, as CometBFT's buffered writer does before a Flush. */
  send(...requests: Request[]): void {
    this.socket.write(Buffer.concat(requests.map(frame)));
  }

  async waitFor(count: number, timeoutMs = 5000): Promise<Response[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (this.socket.destroyed) throw new Error(`closed after ${this.received.length} responses`);
      if (Date.now() > deadline) throw new Error(`timeout after ${this.received.length} responses`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.received.slice(0, count);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

type Transport = "tcp" | "unix";

async function addressFor(transport: Transport, dir: string): Promise<string> {
  if (transport === "unix") return `unix://${path.join(dir, "abci.sock")}`;
  const [port] = await freePorts(1);
  return `tcp://127.0.0.1:${port}`;
}

describe.each<Transport>(["tcp", "unix"])("AbciServer over %s", (transport) => {
  let dir: string;
  let server: AbciServer | undefined;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "abci-test-"));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
    server = undefined;
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function start(
    app: AbciApplication,
    onFatal?: (err: unknown, method: AbciMethod) => void,
  ): Promise<{ server: AbciServer; address: string; logger: ReturnType<typeof quietLogger> }> {
    const logger = quietLogger();
    server = new AbciServer(app, { logger, onFatal: onFatal ?? (() => undefined) });
    const address = await addressFor(transport, dir);
    await server.listen(address);
    return { server, address, logger };
  }

  async function connect(address: string): Promise<TestClient> {
    const client = await TestClient.connect(address);
    clients.push(client);
    return client;
  }

  test("pipelined requests are answered in order, matching types, despite async delays", async () => {
    const app: AbciApplication = {
      // Later txs finish sooner: a server that answered on completion would reorder them.
      checkTx: (req) => {
        const i = Number(txText(req.tx));
        const response = checkTxResult({ log: String(i) });
        return i % 3 === 0 ? response : sleep(20 - (i % 20)).then(() => response);
      },
      query: async (req) => {
        await sleep(5);
        return { ...ResponseQuery.fromPartial({ height: 1n }), log: req.path };
      },
    };
    const { address } = await start(app);
    const client = await connect(address);
    const requests: Request[] = [];
    for (let i = 0; i < 60; i++) {
      if (i % 10 === 9) requests.push(flush());
      else if (i % 7 === 0) requests.push(Request.fromPartial({ query: { path: `/q/${i}` } }));
      else if (i % 5 === 0) requests.push(echo(`e${i}`));
      else requests.push(checkTx(String(i)));
    }
    client.send(...requests);
    const responses = await client.waitFor(requests.length);
    responses.forEach((response, i) => {
      const request = requests[i];
      expect(responseType(response)).toBe(requestMethod(request));
      if (request.checkTx) expect(response.checkTx?.log).toBe(txText(request.checkTx.tx));
      if (request.query) expect(response.query?.log).toBe(request.query.path);
      if (request.echo) expect(response.echo?.message).toBe(request.echo.message);
    });
  });

  test("Flush is answered only after every earlier response", async () => {
    const order: string[] = [];
    const app: AbciApplication = {
      checkTx: async () => {
        await sleep(60);
        order.push("checkTx done");
        return checkTxResult();
      },
    };
    const { address } = await start(app);
    const client = await connect(address);
    client.send(checkTx("a"), flush(), echo("x"), flush());
    const responses = await client.waitFor(4);
    expect(responses.map(responseType)).toEqual(["checkTx", "flush", "echo", "flush"]);
    expect(order).toEqual(["checkTx done"]);
    // A lone Flush with nothing pending is answered immediately.
    client.send(flush());
    expect(responseType((await client.waitFor(5))[4])).toBe("flush");
  });

  test("pipelined CheckTx and Flush pairs are answered with one write", async () => {
    // CometBFT's socket client follows nearly every CheckTx with a Flush; answering each Flush
    // with its own write would cost a syscall per tx on both sides.
    const app: AbciApplication = { checkTx: () => checkTxResult() };
    const { address } = await start(app);
    const client = await connect(address);
    const requests: Request[] = [];
    for (let i = 0; i < 50; i++) requests.push(checkTx(String(i)), flush());
    const writes = jest.spyOn(net.Socket.prototype, "write");
    try {
      client.send(...requests);
      const responses = await client.waitFor(100);
      expect(responses.map(responseType)).toEqual(requests.map((r) => requestMethod(r)));
      // The client's one write, then the server's: one per chunk of requests it read (the
      // kernel may split the client's write; it is 50 when every Flush is written on its own).
      expect(writes.mock.calls.length - 1).toBeLessThanOrEqual(3);
    } finally {
      writes.mockRestore();
    }
  });

  test("connections proceed concurrently while one awaits", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app: AbciApplication = {
      commit: async () => {
        await gate;
        return { retainHeight: 0n };
      },
    };
    const { server: s, address } = await start(app);
    const consensus = await connect(address);
    const mempool = await connect(address);
    await sleep(20);
    expect(s.connections).toBe(2);

    consensus.send(Request.fromPartial({ commit: {} }), flush());
    mempool.send(checkTx("t"), flush());
    const mempoolResponses = await mempool.waitFor(2);
    expect(mempoolResponses.map(responseType)).toEqual(["checkTx", "flush"]);
    expect(consensus.received).toHaveLength(0);

    release();
    expect((await consensus.waitFor(2)).map(responseType)).toEqual(["commit", "flush"]);
  });

  test("a throwing checkTx gives code != 0 and the connection stays usable", async () => {
    const app: AbciApplication = {
      checkTx: (req) => {
        if (txText(req.tx) === "bad") throw new Error("malformed tx");
        return checkTxResult({ log: "ok" });
      },
    };
    const { address, logger } = await start(app);
    const client = await connect(address);
    client.send(checkTx("bad"), checkTx("good"), echo("still here"), flush());
    const [bad, good, echoed, flushed] = await client.waitFor(4);
    expect(bad.checkTx?.code).not.toBe(0);
    expect(bad.checkTx?.log).toBe("malformed tx");
    expect(bad.checkTx?.log).not.toMatch(/at /); // message, not stack
    expect(good.checkTx).toMatchObject({ code: 0, log: "ok" });
    expect(echoed.echo?.message).toBe("still here");
    expect(responseType(flushed)).toBe("flush");
    expect(logger.errors.join()).toMatch(/checkTx failed/);
  });

  test("defaults: ProcessProposal ACCEPT, PrepareProposal trims to max_tx_bytes", async () => {
    const { address } = await start({});
    const client = await connect(address);
    const tx = new Uint8Array(100).fill(1); // 103 bytes in the block
    client.send(
      Request.fromPartial({ processProposal: { txs: [tx], height: 2n } }),
      Request.fromPartial({ prepareProposal: { maxTxBytes: 250n, txs: [tx, tx, tx], height: 2n } }),
      flush(),
    );
    const [processed, prepared] = await client.waitFor(3);
    expect(processed.processProposal?.status).toBe(ResponseProcessProposal_ProposalStatus.ACCEPT);
    expect(prepared.prepareProposal?.txs).toHaveLength(2);
  });

  test("a request split byte by byte is decoded", async () => {
    const { address } = await start({});
    const client = await connect(address);
    const bytes = Buffer.concat([frame(echo("byte by byte")), frame(flush())]);
    for (const byte of bytes) {
      client.socket.write(Uint8Array.of(byte));
      await sleep(1); // separate reads on the server side
    }
    const [echoed, flushed] = await client.waitFor(2);
    expect(echoed.echo?.message).toBe("byte by byte");
    expect(responseType(flushed)).toBe("flush");
  });

  test("a large pipelined burst keeps its order", async () => {
    const app: AbciApplication = {
      checkTx: (req) => (checkTxResult({ data: req.tx })),
    };
    const { address } = await start(app);
    const client = await connect(address);
    const requests = Array.from({ length: 5000 }, (_, i) =>
      checkTx(`tx-${i}-${"x".repeat(i % 50)}`),
    );
    client.send(...requests, flush());
    const responses = await client.waitFor(requests.length + 1, 20000);
    responses.slice(0, -1).forEach((r, i) => {
      expect(txText(r.checkTx!.data)).toBe(txText(requests[i].checkTx!.tx));
    });
    expect(responseType(responses[responses.length - 1])).toBe("flush");
  });

  test("responses of handlers that settle without I/O share socket writes", async () => {
    const app: AbciApplication = {
      checkTx: async (req) => (checkTxResult({ data: req.tx })),
    };
    const { address } = await start(app);
    const client = await connect(address);
    const requests = Array.from({ length: 100 }, (_, i) => checkTx(String(i)));
    // Counts socket writes on both sides; the client's send is one of them.
    const writes = jest.spyOn(net.Socket.prototype, "write");
    try {
      client.send(...requests, flush());
      const responses = await client.waitFor(101);
      expect(responses.slice(0, 100).map((r) => txText(r.checkTx!.data))).toEqual(
        requests.map((r) => txText(r.checkTx!.tx)),
      );
      expect(writes.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      writes.mockRestore();
    }
  });

  test("prefetch sees each read's requests before they are handled", async () => {
    const events: string[] = [];
    const app: AbciApplication = {
      prefetch: (requests) => events.push(`prefetch ${requests.length}`),
      checkTx: (req) => {
        events.push(`checkTx ${txText(req.tx)}`);
        return checkTxResult();
      },
    };
    const { address } = await start(app);
    const client = await connect(address);
    client.send(checkTx("1"), checkTx("2"), checkTx("3"), flush());
    await client.waitFor(4);
    expect(events).toEqual(["prefetch 4", "checkTx 1", "checkTx 2", "checkTx 3"]);
  });

  test("an undecodable or oversize frame closes only that connection", async () => {
    const { server: s, address, logger } = await start({});
    const good = await connect(address);
    const garbage = await connect(address);
    const huge = await connect(address);
    garbage.socket.write(encodeFrame(Uint8Array.of(0xff, 0xff, 0xff)));
    huge.socket.write(encodeUvarint(256 * 1024 * 1024 + 1));
    await garbage.closed;
    await huge.closed;
    expect(garbage.received).toHaveLength(0);
    expect(logger.errors.join("\n")).toMatch(/undecodable input.*\n?.*undecodable input/s);
    good.send(echo("ok"), flush());
    expect((await good.waitFor(2))[0].echo?.message).toBe("ok");
    await sleep(20);
    expect(s.connections).toBe(1);
  });

  test("a failing finalizeBlock calls onFatal and hangs up without answering", async () => {
    const fatals: [unknown, AbciMethod][] = [];
    const app: AbciApplication = {
      finalizeBlock: () => {
        throw new Error("disk full");
      },
    };
    const { address } = await start(app, (err, method) => fatals.push([err, method]));
    const client = await connect(address);
    const finalizeBlock = Request.fromPartial({ finalizeBlock: { txs: [], height: 3n } });
    client.send(echo("before"), finalizeBlock, flush());
    await client.closed;
    expect(fatals.map(([err, method]) => [(err as Error).message, method])).toEqual([
      ["disk full", "finalizeBlock"],
    ]);
    expect(client.received.map(responseType).filter((t) => t !== "echo")).toEqual([]);
    expect(client.received.some((r) => r.exception)).toBe(false);
  });

  test("close() hangs up every connection and stops listening", async () => {
    const { server: s, address } = await start({});
    const a = await connect(address);
    const b = await connect(address);
    await sleep(20);
    expect(s.connections).toBe(2);
    await s.close();
    await Promise.all([a.closed, b.closed]);
    expect(s.connections).toBe(0);
    await expect(TestClient.connect(address)).rejects.toThrow();
    const target = parseListenAddress(address);
    if (target.kind === "unix") await expect(fs.stat(target.path)).rejects.toThrow(/ENOENT/);
    await s.close(); // idempotent
  });
});

describe("unix socket file handling", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "abci-sock-"));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test("a stale socket file left by a killed process is replaced", async () => {
    const socketPath = path.join(dir, "stale.sock");
    const script = `require("net").createServer().listen(process.argv[1], () => console.log("ready"))`;
    const child = spawn(process.execPath, ["-e", script, socketPath]);
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect((await fs.lstat(socketPath)).isSocket()).toBe(true);

    const server = new AbciServer({}, { logger: quietLogger() });
    await server.listen(`unix://${socketPath}`);
    const client = await TestClient.connect(`unix://${socketPath}`);
    client.send(echo("fresh"), flush());
    expect((await client.waitFor(2))[0].echo?.message).toBe("fresh");
    client.close();
    await server.close();
  });

  test("refuses to replace a live socket or a regular file", async () => {
    const live = path.join(dir, "live.sock");
    const first = new AbciServer({}, { logger: quietLogger() });
    await first.listen(`unix://${live}`);
    const second = new AbciServer({}, { logger: quietLogger() });
    await expect(second.listen(`unix://${live}`)).rejects.toThrow(/already listening/);
    await first.close();

    const file = path.join(dir, "file.sock");
    await fs.writeFile(file, "data");
    const third = new AbciServer({}, { logger: quietLogger() });
    await expect(third.listen(`unix://${file}`)).rejects.toThrow(/not a socket/);
    expect(await fs.readFile(file, "utf8")).toBe("data");
  });
});

describe("parseListenAddress", () => {
  test.each([
    ["tcp://127.0.0.1:26658", { kind: "tcp", host: "127.0.0.1", port: 26658 }],
    ["127.0.0.1:26658", { kind: "tcp", host: "127.0.0.1", port: 26658 }],
    ["tcp://[::1]:1", { kind: "tcp", host: "::1", port: 1 }],
    ["tcp://:26658", { kind: "tcp", host: "0.0.0.0", port: 26658 }],
    ["unix:///tmp/app.sock", { kind: "unix", path: "/tmp/app.sock" }],
  ])("%s", (address, expected) => {
    expect(parseListenAddress(address)).toEqual(expected);
  });

  test.each(["http://x:1", "tcp://host", "tcp://h:99999", "unix://", "grpc://127.0.0.1:1"])(
    "rejects %s",
    (address) => {
      expect(() => parseListenAddress(address)).toThrow();
    },
  );

  test("tcp port 0 reports the real port", async () => {
    const server = new AbciServer({}, { logger: quietLogger() });
    await server.listen("tcp://127.0.0.1:0");
    expect(server.address).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    await server.close();
    expect(server.address).toBeUndefined();
  });
});
