import { status as GrpcStatus } from "@grpc/grpc-js";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as protobuf from "protobufjs";
import type { Logger } from "../app/logger";
import { Answer, HEIGHT_METADATA, statusOf, UnaryHandler } from "./handlers";
import { decodeToJson, JsonInputError, messageFromJson, queryParamsToJson } from "./json";
import { lookupMethod } from "./protos";

/**
 * The REST gateway: every unary method whose proto carries a google.api.http annotation is served
 * at that path, by one generic router, through the same handlers gRPC uses (BlockaiApp.query for
 * the modules' Query services, CometBFT's RPC for the tx and tendermint services). Requests are
 * built from path variables, query parameters and the JSON body as grpc-gateway does; answers
 * are proto3 JSON (json.ts); errors are {code, message, details} with the gRPC code and the HTTP
 * status grpc-gateway gives it.
 */

type Segment = string | { field: string; rest: boolean };

export interface Route {
  verb: "GET" | "POST";
  template: string;
  segments: Segment[];
  /** The gRPC method path this route calls. */
  method: string;
  request: protobuf.Type;
  response: protobuf.Type;
  /** "*" = the whole JSON body is the request; a field name = the body is that field; undefined = no body. */
  body: string | undefined;
}

interface HttpRule {
  get?: string;
  post?: string;
  body?: string;
  additional_bindings?: HttpRule | HttpRule[];
}

function httpRules(method: protobuf.Method): HttpRule[] {
  const rules: HttpRule[] = [];
  for (const o of method.parsedOptions ?? []) {
    const rule = (o as Record<string, unknown>)["(google.api.http)"] as HttpRule | undefined;
    if (!rule) continue;
    rules.push(rule);
    const extra = rule.additional_bindings;
    if (extra) rules.push(...(Array.isArray(extra) ? extra : [extra]));
  }
  return rules;
}

function parseTemplate(template: string): Segment[] {
  return template
    .split("/")
    .slice(1)
    .map((s) => {
      const m = /^\{([a-zA-Z0-9_.]+)(?:=([^}]*))?\}$/.exec(s);
      if (!m) return s;
      return { field: m[1], rest: m[2] === "**" };
    });
}

/** Routes for every path in `paths` that has an HTTP annotation; the others are listed in `unrouted`. */
export function buildRoutes(root: protobuf.Root, paths: Iterable<string>): { routes: Route[]; unrouted: string[] } {
  const routes: Route[] = [];
  const unrouted: string[] = [];
  for (const path of paths) {
    const method = lookupMethod(root, path);
    const rules = method ? httpRules(method) : [];
    if (!method || rules.length === 0) {
      unrouted.push(path);
      continue;
    }
    method.resolve();
    for (const rule of rules) {
      const verb = rule.get !== undefined ? "GET" : rule.post !== undefined ? "POST" : undefined;
      const template = rule.get ?? rule.post;
      if (!verb || !template) continue;
      routes.push({
        verb,
        template,
        segments: parseTemplate(template),
        method: path,
        request: method.resolvedRequestType!,
        response: method.resolvedResponseType!,
        body: rule.body || undefined,
      });
    }
  }
  // Literal segments win over variables ("/txs/block/{height}" before "/txs/{hash}/..."), as in
  // grpc-gateway; among equals, the longer template first.
  const literals = (r: Route) => r.segments.filter((s) => typeof s === "string").length;
  routes.sort((a, b) => literals(b) - literals(a) || b.segments.length - a.segments.length);
  return { routes, unrouted };
}

function match(route: Route, parts: string[]): Record<string, string> | undefined {
  const vars: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const s = route.segments[i];
    if (typeof s === "string") {
      if (parts[i] !== s) return undefined;
    } else if (s.rest) {
      if (i >= parts.length) return undefined;
      vars[s.field] = parts.slice(i).join("/");
      return vars;
    } else {
      if (parts[i] === undefined || parts[i] === "") return undefined;
      vars[s.field] = parts[i];
    }
  }
  return parts.length === route.segments.length ? vars : undefined;
}

/** grpc-gateway's HTTP status for each gRPC code. */
const HTTP_STATUS: Record<number, number> = {
  [GrpcStatus.OK]: 200,
  [GrpcStatus.CANCELLED]: 499,
  [GrpcStatus.UNKNOWN]: 500,
  [GrpcStatus.INVALID_ARGUMENT]: 400,
  [GrpcStatus.DEADLINE_EXCEEDED]: 504,
  [GrpcStatus.NOT_FOUND]: 404,
  [GrpcStatus.ALREADY_EXISTS]: 409,
  [GrpcStatus.PERMISSION_DENIED]: 403,
  [GrpcStatus.RESOURCE_EXHAUSTED]: 429,
  [GrpcStatus.FAILED_PRECONDITION]: 400,
  [GrpcStatus.ABORTED]: 409,
  [GrpcStatus.OUT_OF_RANGE]: 400,
  [GrpcStatus.UNIMPLEMENTED]: 501,
  [GrpcStatus.INTERNAL]: 500,
  [GrpcStatus.UNAVAILABLE]: 503,
  [GrpcStatus.DATA_LOSS]: 500,
  [GrpcStatus.UNAUTHENTICATED]: 401,
};

export interface RestOptions {
  /** "host:port" to listen on (port 0 = any free port). */
  address: string;
  /** Origins allowed to call from a browser ("*" = any); empty = no CORS headers (the default). */
  corsOrigins?: readonly string[];
  /** Largest request body, in bytes (a tx is at most 1 MiB, 1.4 MiB as base64 in JSON). */
  maxBodyBytes?: number;
  /** Longest request target (path and query string), in bytes. */
  maxUrlBytes?: number;
  logger?: Logger;
}

export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_URL_BYTES = 8 * 1024;

class HttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The router and its handlers, independent of the HTTP server (tests and the bench call it directly). */
export class RestGateway {
  private readonly byVerb = new Map<string, Route[]>();
  readonly routes: Route[];
  readonly unrouted: string[];

  constructor(
    root: protobuf.Root,
    private readonly handlers: ReadonlyMap<string, UnaryHandler>,
  ) {
    const built = buildRoutes(root, handlers.keys());
    this.routes = built.routes;
    this.unrouted = built.unrouted;
    for (const r of this.routes) this.byVerb.set(r.verb, [...(this.byVerb.get(r.verb) ?? []), r]);
  }

  /** Finds the route of a request; throws HttpError 404/405 if there is none. */
  route(verb: string, pathname: string): { route: Route; vars: Record<string, string> } {
    let parts: string[];
    try {
      parts = pathname.split("/").slice(1).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, GrpcStatus.INVALID_ARGUMENT, "malformed percent-encoding in the path");
    }
    if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
    for (const r of this.byVerb.get(verb) ?? []) {
      const vars = match(r, parts);
      if (vars) return { route: r, vars };
    }
    for (const [v, routes] of this.byVerb) {
      if (v !== verb && routes.some((r) => match(r, parts))) throw new HttpError(405, GrpcStatus.UNIMPLEMENTED, "Method Not Allowed");
    }
    throw new HttpError(404, GrpcStatus.NOT_FOUND, "Not Found");
  }

  /** Answers one request: status, JSON body and the height it was read at. */
  async serve(verb: string, pathname: string, query: URLSearchParams, body: string | undefined, heightHeader: string | undefined): Promise<{ status: number; json: unknown; height?: bigint }> {
    try {
      const { route, vars } = this.route(verb, pathname);
      let height = 0n;
      if (heightHeader !== undefined) {
        if (!/^[0-9]{1,19}$/.test(heightHeader)) throw new HttpError(400, GrpcStatus.INVALID_ARGUMENT, `invalid ${HEIGHT_METADATA} "${heightHeader}": expected a non-negative integer`);
        height = BigInt(heightHeader);
      }
      const requestBytes = this.requestBytes(route, vars, query, body);
      const answer: Answer = await this.handlers.get(route.method)!(requestBytes, height);
      if (answer.code !== 0 || answer.status !== undefined) {
        const code = statusOf(answer);
        return { status: HTTP_STATUS[code] ?? 500, json: { code, message: answer.log, details: [] }, height: answer.height };
      }
      return { status: 200, json: decodeToJson(route.response, answer.value), height: answer.height };
    } catch (e) {
      if (e instanceof HttpError) return { status: e.httpStatus, json: { code: e.grpcCode, message: e.message, details: [] } };
      if (e instanceof JsonInputError) return { status: 400, json: { code: GrpcStatus.INVALID_ARGUMENT, message: e.message, details: [] } };
      throw e;
    }
  }

  private requestBytes(route: Route, vars: Record<string, string>, query: URLSearchParams, body: string | undefined): Uint8Array {
    let json: Record<string, unknown> = {};
    if (route.body !== undefined) {
      let parsed: unknown;
      try {
        parsed = body === undefined || body === "" ? {} : JSON.parse(body);
      } catch (e) {
        throw new HttpError(400, GrpcStatus.INVALID_ARGUMENT, `malformed JSON body: ${(e as Error).message}`);
      }
      if (route.body === "*") {
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new HttpError(400, GrpcStatus.INVALID_ARGUMENT, "the body must be a JSON object");
        json = { ...(parsed as Record<string, unknown>) };
      } else {
        json[route.body] = parsed;
      }
    }
    if (route.body !== "*") {
      const params = queryParamsToJson(query);
      for (const [k, v] of Object.entries(params)) if (!(k in json)) json[k] = v;
    }
    for (const [field, value] of Object.entries(vars)) setPath(json, field.split("."), value);
    const message = messageFromJson(route.request, json);
    return route.request.encode(message).finish();
  }
}

function setPath(obj: Record<string, unknown>, path: string[], value: string): void {
  let node = obj;
  for (const p of path.slice(0, -1)) {
    const next = node[p];
    node = (typeof next === "object" && next !== null ? next : (node[p] = {})) as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** The REST gateway over node:http. */
export class RestServer {
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
    readonly gateway: RestGateway,
  ) {}

  static async start(gateway: RestGateway, opts: RestOptions): Promise<RestServer> {
    const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const maxUrl = opts.maxUrlBytes ?? DEFAULT_MAX_URL_BYTES;
    const cors = opts.corsOrigins ?? [];
    const server = http.createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
      void handle(req, res).catch((e) => {
        opts.logger?.error("REST request failed", { url: req.url?.slice(0, 200), error: (e as Error).stack ?? String(e) });
        send(res, 500, { code: GrpcStatus.INTERNAL, message: `internal error: ${(e as Error).message}`, details: [] });
      });
    });
    // Slow clients must not hold connections forever.
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    server.maxRequestsPerSocket = 0;

    const send = (res: http.ServerResponse, status: number, json: unknown, height?: bigint) => {
      if (res.headersSent) return;
      const text = JSON.stringify(json);
      const headers: http.OutgoingHttpHeaders = { "content-type": "application/json", "content-length": Buffer.byteLength(text) };
      if (height !== undefined) headers[HEIGHT_METADATA] = height.toString();
      res.writeHead(status, headers);
      res.end(text);
    };

    const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const origin = req.headers.origin;
      if (origin !== undefined && cors.length > 0 && (cors.includes("*") || cors.includes(origin))) {
        res.setHeader("access-control-allow-origin", cors.includes("*") ? "*" : origin);
        res.setHeader("access-control-allow-headers", `content-type, ${HEIGHT_METADATA}`);
        res.setHeader("access-control-expose-headers", HEIGHT_METADATA);
        res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
        if (req.method === "OPTIONS") {
          res.writeHead(204);
          res.end();
          return;
        }
      }
      const target = req.url ?? "/";
      if (Buffer.byteLength(target) > maxUrl) {
        req.resume();
        send(res, 414, { code: GrpcStatus.INVALID_ARGUMENT, message: `request URL longer than ${maxUrl} bytes`, details: [] });
        return;
      }
      const url = new URL(target, "http://localhost");
      const verb = req.method ?? "GET";
      let body: string | undefined;
      if (verb === "POST") {
        const declared = Number(req.headers["content-length"] ?? "0");
        if (declared > maxBody) {
          res.setHeader("connection", "close");
          send(res, 413, { code: GrpcStatus.RESOURCE_EXHAUSTED, message: `request body larger than ${maxBody} bytes`, details: [] });
          req.destroy();
          return;
        }
        const read = await readBody(req, maxBody);
        if (read === undefined) {
          res.setHeader("connection", "close");
          send(res, 413, { code: GrpcStatus.RESOURCE_EXHAUSTED, message: `request body larger than ${maxBody} bytes`, details: [] });
          req.destroy();
          return;
        }
        body = read;
      } else {
        req.resume();
      }
      const heightHeader = req.headers[HEIGHT_METADATA];
      const answer = await gateway.serve(verb, url.pathname, url.searchParams, body, Array.isArray(heightHeader) ? heightHeader[0] : heightHeader);
      send(res, answer.status, answer.json, answer.height);
    };

    const [host, portText] = splitHostPort(opts.address);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(Number(portText), host, () => {
        server.off("error", reject);
        resolve();
      });
    }).catch((e: Error) => {
      throw new Error(`cannot serve REST on ${opts.address}: ${e.message}`);
    });
    return new RestServer(server, (server.address() as AddressInfo).port, gateway);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function splitHostPort(address: string): [string, string] {
  const m = /^\[?([^\]]*?)\]?:([0-9]{1,5})$/.exec(address.replace(/^tcp:\/\//, ""));
  if (!m) throw new Error(`invalid REST address "${address}": expected HOST:PORT`);
  return [m[1], m[2]];
}

/** The body as text, or undefined if it is larger than `limit` bytes. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}
