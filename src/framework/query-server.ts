import type { QueryMethod, QueryService, RequestOf, ResponseOf } from "../types/service";
import type { QueryContext, QueryHandler } from "./module";

/** One function per method of the table: the compiler refuses a table with a method left out. */
export type QueryImpl<S extends QueryService> = {
  readonly [K in keyof S]: (ctx: QueryContext, request: RequestOf<S[K]>) => ResponseOf<S[K]>;
};

/** The handlers ABCI Query and gRPC serve for `service`, decoding and encoding through its table. */
export function serveQueries<S extends QueryService>(service: S, impl: QueryImpl<S>): QueryHandler[] {
  return Object.keys(service).map((name) => {
    const m: QueryMethod = service[name];
    const handle = impl[name] as (ctx: QueryContext, request: unknown) => unknown;
    return { path: m.path, handle: (ctx, data) => m.response.encode(handle(ctx, m.request.decode(data))).finish() };
  });
}
