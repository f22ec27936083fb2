/**
 * Query service tables: each query method described once (service, method name, ABCI/gRPC path,
 * request and response codecs). A module's query server implements its table, and the client SDK
 * and the CLI call through the same table, so a path or a codec is never typed twice.
 *
 * Browser-safe and free of project imports (leaf layer).
 */

/** What protobuf codecs from cosmjs-types and from ts-proto (src/gen) both provide. */
export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: any): T;
}

export interface QueryMethod<Req = any, Res = any> {
  /** Full protobuf service name, e.g. "cosmos.bank.v1beta1.Query". */
  readonly service: string;
  /** Method name as in the .proto file, e.g. "Balance". */
  readonly name: string;
  /** "/<service>/<name>": the ABCI Query path and the gRPC method path. */
  readonly path: string;
  readonly request: Codec<Req>;
  readonly response: Codec<Res>;
}

export type QueryService = { readonly [name: string]: QueryMethod };
export type RequestOf<M> = M extends QueryMethod<infer Req, any> ? Req : never;
export type ResponseOf<M> = M extends QueryMethod<any, infer Res> ? Res : never;
type CodecOf<C> = C extends Codec<infer T> ? T : never;

function method<Req, Res>(service: string, name: string, request: Codec<Req>, response: Codec<Res>): QueryMethod<Req, Res> {
  return { service, name, path: `/${service}/${name}`, request, response };
}

/** A table written by hand (Cosmos SDK services, whose codecs come from cosmjs-types). */
export function defineQueryService<const M extends Record<string, readonly [Codec<any>, Codec<any>]>>(
  service: string,
  methods: M,
): { readonly [K in keyof M & string]: QueryMethod<CodecOf<M[K][0]>, CodecOf<M[K][1]>> } {
  const out: Record<string, QueryMethod> = {};
  for (const [name, [request, response]] of Object.entries(methods)) out[name] = method(service, name, request, response);
  return out as never;
}

interface GeneratedMethod {
  readonly name: string;
  readonly requestType: Codec<any>;
  readonly responseType: Codec<any>;
}

/** A table from ts-proto's generic service definition (BLOCKAI's services, generated from proto/). */
export function queryServiceFromDefinition<const D extends { readonly fullName: string; readonly methods: Record<string, GeneratedMethod> }>(
  definition: D,
): { readonly [K in keyof D["methods"] as D["methods"][K]["name"]]: QueryMethod<CodecOf<D["methods"][K]["requestType"]>, CodecOf<D["methods"][K]["responseType"]>> } {
  const out: Record<string, QueryMethod> = {};
  for (const m of Object.values(definition.methods)) out[m.name] = method(definition.fullName, m.name, m.requestType, m.responseType);
  return out as never;
}
