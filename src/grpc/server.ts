import * as grpc from "@grpc/grpc-js";
import { Logger, createLogger } from "../app/logger";
import { Answer, appHandlers, HEIGHT_METADATA, QueryBackend, splitPath, statusOf, UnaryHandler } from "./handlers";
import { ReflectionService, reflectionServices } from "./reflection";

export { HEIGHT_METADATA };
export type { QueryBackend };

/** Every gRPC method the app itself answers: each module's Query methods, and tx simulation. */
export function servedPaths(backend: QueryBackend): string[] {
  return [...appHandlers(backend).keys()];
}

const identity = (b: Buffer): Buffer => b;

/**
 * A gRPC server for every module's Query service, and for any further unary handlers (the tx and
 * tendermint services answered from CometBFT). Requests and responses are raw protobuf bytes
 * (identity serializers): a query's bytes go through BlockaiApp.query exactly as an ABCI query
 * does, so gRPC and ABCI can never disagree, and a module's new query methods are served with no
 * gRPC code.
 */
export class GrpcQueryServer {
  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
    readonly services: string[],
  ) {}

  static async start(address: string, backend: QueryBackend, logger: Logger = createLogger("info", "grpc"), extra: ReadonlyMap<string, UnaryHandler> = new Map()): Promise<GrpcQueryServer> {
    // Queries run on the thread that executes blocks and their answers wait in memory until the
    // client reads them: bound both per connection (grpc-js enforces no memory limit by default).
    const server = new grpc.Server({ "grpc.max_concurrent_streams": 32, "grpc-node.max_session_memory": 64 });
    const handlers = new Map([...appHandlers(backend), ...extra]);
    const byService = new Map<string, string[]>();
    for (const path of handlers.keys()) {
      const [service] = splitPath(path);
      byService.set(service, [...(byService.get(service) ?? []), path]);
    }
    for (const [, paths] of byService) {
      const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
      const implementation: grpc.UntypedServiceImplementation = {};
      for (const path of paths) {
        const [, method] = splitPath(path);
        definition[method] = {
          path,
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        };
        implementation[method] = unaryHandler(path, handlers.get(path)!, logger);
      }
      server.addService(definition, implementation);
    }
    const reflection = new ReflectionService([...byService.keys()], logger);
    for (const s of reflectionServices) server.addService(s, { ServerReflectionInfo: reflection.handler });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    ).catch((e: Error) => {
      server.forceShutdown();
      throw new Error(`cannot serve gRPC on ${address}: ${e.message.replace(/^No address added out of total \d+ resolved(: )?/, "") || "address in use?"}`);
    });
    return new GrpcQueryServer(server, port, [...byService.keys()]);
  }

  /** Lets in-flight calls finish (up to `graceMs`), then closes every connection. */
  async close(graceMs = 2000): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function unaryHandler(path: string, handler: UnaryHandler, logger: Logger): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    const requested = call.metadata.get(HEIGHT_METADATA)[0];
    let height = 0n;
    if (requested !== undefined) {
      const text = requested.toString();
      if (!/^[0-9]{1,19}$/.test(text)) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: `invalid ${HEIGHT_METADATA} "${text}": expected a non-negative integer` });
        return;
      }
      height = BigInt(text);
    }
    const reply = (res: Answer) => {
      const md = new grpc.Metadata();
      md.set(HEIGHT_METADATA, res.height.toString());
      const code = statusOf(res);
      if (code !== grpc.status.OK) {
        callback({ code, details: res.log, metadata: md });
        return;
      }
      call.sendMetadata(md);
      callback(null, Buffer.from(res.value));
    };
    const fail = (e: unknown) => {
      // The handlers turn bad requests into answers; this is a bug, not a bad request.
      logger.error("gRPC query failed", { path, error: (e as Error).stack ?? String(e) });
      callback({ code: grpc.status.INTERNAL, details: `internal error: ${(e as Error).message}` });
    };
    try {
      const res = handler(call.request, height);
      if (res instanceof Promise) res.then(reply, fail);
      else reply(res);
    } catch (e) {
      fail(e);
    }
  };
}
