import { status as GrpcStatus } from "@grpc/grpc-js";
import type { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { SIMULATE_PATH } from "../app/app";
import type { Module } from "../framework/module";
import { grpcStatusOf } from "./status";

/** The SDK's metadata key for the height a query ran at (request: which height; response: which height it was). */
export const HEIGHT_METADATA = "x-cosmos-block-height";

/** What the servers need from the app: ABCI Query (one code path for ABCI, gRPC and REST) and the module list. */
export interface QueryBackend {
  query(req: RequestQuery): ResponseQuery;
  readonly modules: readonly Module[];
}

/** One answer of a unary method, from the app (ABCI Query) or from CometBFT's RPC. */
export interface Answer {
  /** 0 = success; else the app error (codespace, code) and its message in `log`. */
  code: number;
  codespace: string;
  log: string;
  /** The protobuf-encoded response (when code is 0). */
  value: Uint8Array;
  /** The height the answer was read at. */
  height: bigint;
  /** A gRPC status other than the one the app error maps to (e.g. UNAVAILABLE: CometBFT is down). */
  status?: GrpcStatus;
}

/** A unary method: request bytes and requested height (0 = latest) in, an answer out. */
export type UnaryHandler = (request: Uint8Array, height: bigint) => Answer | Promise<Answer>;

/** Every Query method of every module, and tx simulation, through BlockaiApp.query. */
export function appHandlers(backend: QueryBackend): Map<string, UnaryHandler> {
  const paths = [...backend.modules.flatMap((m) => (m.queries ?? []).map((q) => q.path)), SIMULATE_PATH];
  const out = new Map<string, UnaryHandler>();
  for (const path of paths) {
    out.set(path, (data, height) => {
      const res = backend.query({ path, data, height, prove: false });
      return { code: res.code, codespace: res.codespace, log: res.log, value: res.value, height: res.height };
    });
  }
  return out;
}

/** The gRPC status of an answer. */
export function statusOf(answer: Answer): GrpcStatus {
  if (answer.status !== undefined) return answer.status;
  return answer.code === 0 ? GrpcStatus.OK : grpcStatusOf(answer.codespace, answer.code);
}

/** "/cosmos.bank.v1beta1.Query/Balance" -> ["cosmos.bank.v1beta1.Query", "Balance"] */
export function splitPath(path: string): [string, string] {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  if (!m) throw new Error(`query path "${path}" is not /<service>/<Method>`);
  return [m[1], m[2]];
}
