import * as grpc from "@grpc/grpc-js";
import * as path from "node:path";
import * as protobuf from "protobufjs";
import * as descriptor from "protobufjs/ext/descriptor";
import type { Logger } from "../app/logger";
import { defaultProtoSources, protoRoot, ProtoSources } from "./protos";

/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha, same messages), so `grpcurl list` shows
 * every served service, and full descriptors (for `grpcurl describe` and calls by name) of every
 * one of them: BLOCKAI's protos from proto/, the Cosmos SDK's from the @protobufs registry
 * packages (protos.ts), built at the first request.
 */
const identity = (b: Buffer): Buffer => b;
export const reflectionServices: grpc.ServiceDefinition[] = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"].map((service) => ({
  ServerReflectionInfo: {
    path: `/${service}/ServerReflectionInfo`,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
}));

/** Serialized FileDescriptorProtos by file name, and which file defines each symbol. */
interface DescriptorPool {
  files: Map<string, { bytes: Buffer; deps: string[] }>;
  symbols: Map<string, string>;
}

/**
 * One FileDescriptorProto per source file of `root`, named as imports name it (relative to the
 * directory it was loaded from: "cosmos/bank/v1beta1/query.proto", "blockai/pow/v1/query.proto").
 */
export function descriptorPool(root: protobuf.Root, sources: ProtoSources): DescriptorPool {
  const dirs = [sources.blockaiDir, sources.registryDir].map((d) => path.resolve(d));
  const relative = (file: string): string | undefined => {
    for (const d of dirs) if (file.startsWith(d + path.sep)) return path.relative(d, file).split(path.sep).join("/");
    return undefined;
  };
  const fileOf = (obj: protobuf.ReflectionObject): string | undefined => (obj.filename ? relative(obj.filename) : bundledFile(obj));
  const protos = new Map<string, descriptor.IFileDescriptorProto & { deps: Set<string> }>();
  const symbols = new Map<string, string>();
  const topLevel = (ns: protobuf.NamespaceBase) => {
    for (const obj of ns.nestedArray) {
      const isDefinition = obj instanceof protobuf.Type || obj instanceof protobuf.Enum || obj instanceof protobuf.Service;
      if (!isDefinition) {
        if (obj instanceof protobuf.Namespace) topLevel(obj);
        continue;
      }
      const file = fileOf(obj);
      if (!file) continue;
      let fd = protos.get(file);
      if (!fd) {
        fd = { name: file, package: ns.fullName.replace(/^\./, ""), syntax: "proto3", messageType: [], enumType: [], service: [], dependency: [], deps: new Set() };
        protos.set(file, fd);
      }
      const d = (obj as unknown as { toDescriptor(edition?: string): any }).toDescriptor("proto3");
      if (obj instanceof protobuf.Type) qualifyMessage(d, obj);
      if (obj instanceof protobuf.Service) for (const m of d.method ?? []) Object.assign(m, { inputType: qualify(obj, m.inputType), outputType: qualify(obj, m.outputType) });
      if (obj instanceof protobuf.Type) fd.messageType!.push(d);
      else if (obj instanceof protobuf.Enum) fd.enumType!.push(d);
      else fd.service!.push(d);
      symbols.set(obj.fullName.replace(/^\./, ""), file);
      if (obj instanceof protobuf.Service) for (const m of obj.methodsArray) symbols.set(m.fullName.replace(/^\./, ""), file);
      for (const used of referencedTypes(obj)) {
        const dep = fileOf(outermost(used));
        if (dep && dep !== file) fd.deps.add(dep);
      }
    }
  };
  topLevel(root);
  const files = new Map<string, { bytes: Buffer; deps: string[] }>();
  for (const [name, fd] of protos) {
    const deps = [...fd.deps].sort();
    const { deps: _unused, ...plain } = fd;
    files.set(name, { bytes: Buffer.from(descriptor.FileDescriptorProto.encode({ ...plain, dependency: deps }).finish()), deps });
  }
  return { files, symbols };
}

/**
 * protobufjs answers imports of the well-known google/protobuf files from copies bundled with it,
 * which carry no file name: name them as their import does.
 */
const BUNDLED_FILES: Record<string, string> = {
  Any: "any",
  Timestamp: "timestamp",
  Duration: "duration",
  Empty: "empty",
  Struct: "struct",
  Value: "struct",
  ListValue: "struct",
  NullValue: "struct",
  FieldMask: "field_mask",
  DoubleValue: "wrappers",
  FloatValue: "wrappers",
  Int64Value: "wrappers",
  UInt64Value: "wrappers",
  Int32Value: "wrappers",
  UInt32Value: "wrappers",
  BoolValue: "wrappers",
  StringValue: "wrappers",
  BytesValue: "wrappers",
};

function bundledFile(obj: protobuf.ReflectionObject): string | undefined {
  if (obj.parent?.fullName !== ".google.protobuf") return undefined;
  return `google/protobuf/${BUNDLED_FILES[obj.name] ?? "descriptor"}.proto`;
}

/** protobufjs writes type names relative to their scope; reflection clients expect ".pkg.Type". */
function qualify(scope: protobuf.ReflectionObject, name: string | undefined): string | undefined {
  if (!name || name.startsWith(".")) return name;
  const found = (scope as protobuf.Namespace).lookup?.(name) ?? scope.parent?.lookup(name);
  return found ? found.fullName : name;
}

interface MessageDescriptor {
  name?: string;
  field?: Array<{ typeName?: string }>;
  nestedType?: MessageDescriptor[];
}

function qualifyMessage(d: MessageDescriptor, type: protobuf.Type): void {
  for (const f of d.field ?? []) if (f.typeName) f.typeName = qualify(type, f.typeName);
  for (const n of d.nestedType ?? []) {
    const child = n.name ? type.nested?.[n.name] : undefined;
    qualifyMessage(n, child instanceof protobuf.Type ? child : type);
  }
}

function outermost(obj: protobuf.ReflectionObject): protobuf.ReflectionObject {
  let o = obj;
  while (o.parent && (o.parent instanceof protobuf.Type || o.parent instanceof protobuf.Enum)) o = o.parent;
  return o;
}

function referencedTypes(obj: protobuf.ReflectionObject): protobuf.ReflectionObject[] {
  if (obj instanceof protobuf.Service) {
    return obj.methodsArray.flatMap((m) => [m.resolvedRequestType, m.resolvedResponseType]).filter((t): t is protobuf.Type => t !== null);
  }
  if (obj instanceof protobuf.Type) {
    return [
      ...obj.fieldsArray.map((f) => f.resolvedType).filter((t): t is protobuf.Type | protobuf.Enum => t !== null),
      ...obj.nestedArray.flatMap(referencedTypes),
    ];
  }
  return [];
}

/** Handles the bidirectional ServerReflectionInfo stream. */
export class ReflectionService {
  private pool: DescriptorPool | undefined | null;

  constructor(
    private readonly services: readonly string[],
    private readonly logger: Logger,
  ) {}

  private descriptors(): DescriptorPool | undefined {
    if (this.pool === undefined) {
      try {
        this.pool = descriptorPool(protoRoot(), defaultProtoSources());
      } catch (e) {
        this.logger.info("gRPC reflection: no descriptors (the protos are not readable); only service names are listed", { error: (e as Error).message });
        this.pool = null;
      }
    }
    return this.pool ?? undefined;
  }

  readonly handler: grpc.handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    call.on("data", (request: Buffer) => {
      try {
        // A client that sends but never reads must not make its answers pile up here.
        if (!call.write(this.answer(request))) {
          call.pause();
          call.once("drain", () => call.resume());
        }
      } catch (e) {
        call.emit("error", { code: grpc.status.INVALID_ARGUMENT, details: (e as Error).message });
      }
    });
    call.on("end", () => call.end());
  };

  /** One ServerReflectionResponse for one ServerReflectionRequest. */
  answer(request: Buffer): Buffer {
    const req = decodeRequest(request);
    const w = protobuf.Writer.create();
    if (req.host !== undefined) w.uint32((1 << 3) | 2).string(req.host);
    w.uint32((2 << 3) | 2).bytes(request);
    if (req.listServices !== undefined) {
      const inner = protobuf.Writer.create();
      const names = [...this.services, "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];
      for (const name of names) inner.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string(name).ldelim();
      w.uint32((6 << 3) | 2).bytes(inner.finish());
    } else if (req.symbol !== undefined || req.filename !== undefined) {
      const pool = this.descriptors();
      const file = req.filename ?? (req.symbol !== undefined ? pool?.symbols.get(req.symbol) : undefined);
      if (!pool || file === undefined || !pool.files.has(file)) {
        const what = req.filename !== undefined ? `file ${req.filename}` : `symbol ${req.symbol}`;
        return encodeError(w, grpc.status.NOT_FOUND, `${what} not found`);
      }
      const inner = protobuf.Writer.create();
      for (const f of withDeps(pool, file)) inner.uint32((1 << 3) | 2).bytes(pool.files.get(f)!.bytes);
      w.uint32((4 << 3) | 2).bytes(inner.finish());
    } else {
      return encodeError(w, grpc.status.UNIMPLEMENTED, "only list_services, file_by_filename and file_containing_symbol are supported");
    }
    return Buffer.from(w.finish());
  }
}

function encodeError(w: protobuf.Writer, code: number, message: string): Buffer {
  w.uint32((7 << 3) | 2).fork().uint32((1 << 3) | 0).int32(code).uint32((2 << 3) | 2).string(message).ldelim();
  return Buffer.from(w.finish());
}

function withDeps(pool: DescriptorPool, file: string): string[] {
  const out: string[] = [];
  const visit = (f: string) => {
    if (out.includes(f) || !pool.files.has(f)) return;
    out.push(f);
    for (const d of pool.files.get(f)!.deps) visit(d);
  };
  visit(file);
  return out;
}

function decodeRequest(buf: Buffer): { host?: string; filename?: string; symbol?: string; listServices?: string } {
  const r = protobuf.Reader.create(buf);
  const out: { host?: string; filename?: string; symbol?: string; listServices?: string } = {};
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        out.host = r.string();
        break;
      case 3:
        out.filename = r.string();
        break;
      case 4:
        out.symbol = r.string();
        break;
      case 7:
        out.listServices = r.string();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return out;
}
