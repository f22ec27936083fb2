import * as protobuf from "protobufjs";

/**
 * Proto3 JSON as the Cosmos SDK's gRPC gateway writes it: field names as in the .proto
 * (OrigName), every field present (EmitDefaults), 64-bit integers as decimal strings, bytes as
 * base64, enums by name, Timestamp as RFC 3339, Duration as "1.5s", and Any as its message's
 * fields next to "@type".
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

// protobufjs gives Buffers for bytes it decoded and a plain empty array for absent ones.
const base64 = (b: Uint8Array | number[]): string => (b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b)).toString("base64");

/** Decodes `bytes` as `type` and writes it as JSON. */
export function decodeToJson(type: protobuf.Type, bytes: Uint8Array): Json {
  return messageToJson(type, type.decode(bytes));
}

export function messageToJson(type: protobuf.Type, message: protobuf.Message | Record<string, unknown>): Json {
  const special = wellKnownToJson(type, message as Record<string, unknown>);
  if (special !== undefined) return special;
  const out: { [key: string]: Json } = {};
  const m = message as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    const value = m[field.name];
    if (field.partOf && field.partOf.oneof.length > 1 && (value === undefined || value === null)) continue;
    if (field.map) {
      const obj: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries((value as Record<string, unknown>) ?? {})) obj[k] = valueToJson(field, v);
      out[field.name] = obj;
    } else if (field.repeated) {
      out[field.name] = ((value as unknown[]) ?? []).map((v) => valueToJson(field, v));
    } else if (value === undefined || value === null) {
      out[field.name] = defaultJson(field);
    } else {
      out[field.name] = valueToJson(field, value);
    }
  }
  return out;
}

function defaultJson(field: protobuf.Field): Json {
  const t = field.resolvedType;
  if (t instanceof protobuf.Enum) return t.valuesById[0] ?? 0;
  if (t instanceof protobuf.Type) {
    // gogoproto non-nullable message fields are values in Go: the gateway writes them out.
    const nullable = (field.options as Record<string, unknown> | undefined)?.["(gogoproto.nullable)"];
    return nullable === false ? messageToJson(t, t.create()) : null;
  }
  if (LONG_TYPES.has(field.type)) return "0";
  if (field.type === "bool") return false;
  if (field.type === "string" || field.type === "bytes") return "";
  return 0;
}

function valueToJson(field: protobuf.Field, value: unknown): Json {
  const t = field.resolvedType;
  if (t instanceof protobuf.Enum) return t.valuesById[value as number] ?? (value as number);
  if (t instanceof protobuf.Type) return messageToJson(t, value as Record<string, unknown>);
  if (LONG_TYPES.has(field.type)) return longString(value);
  if (field.type === "bytes") return base64(value as Uint8Array);
  if (field.type === "double" || field.type === "float") {
    const n = value as number;
    return Number.isFinite(n) ? n : String(n);
  }
  return value as Json;
}

function longString(v: unknown): string {
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "string") return String(v);
  return longBitsToString(v as { low: number; high: number; unsigned: boolean });
}

function longBitsToString(l: { low: number; high: number; unsigned: boolean }): string {
  const n = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return (l.unsigned ? n : BigInt.asIntN(64, n)).toString();
}

function toBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" || typeof v === "string") return BigInt(v);
  if (v === undefined || v === null) return 0n;
  const l = v as { low: number; high: number; unsigned: boolean };
  return BigInt(longBitsToString(l));
}

function wellKnownToJson(type: protobuf.Type, m: Record<string, unknown>): Json | undefined {
  switch (type.fullName) {
    case ".google.protobuf.Timestamp":
      return rfc3339(toBigInt(m.seconds), Number(m.nanos ?? 0));
    case ".google.protobuf.Duration": {
      const seconds = toBigInt(m.seconds);
      const nanos = Number(m.nanos ?? 0);
      if (nanos === 0) return `${seconds}s`;
      const frac = String(Math.abs(nanos)).padStart(9, "0").replace(/0+$/, "");
      return `${seconds === 0n && nanos < 0 ? "-" : ""}${seconds}.${frac}s`;
    }
    case ".google.protobuf.Any": {
      const url = String(m.type_url ?? "");
      const value = (m.value as Uint8Array | undefined) ?? new Uint8Array();
      const inner = lookupAnyType(type.root as protobuf.Root, url);
      if (!inner) return { "@type": url, value: base64(value) };
      const json = messageToJson(inner, inner.decode(value));
      return { "@type": url, ...(json as Record<string, Json>) };
    }
    default:
      return undefined;
  }
}

function lookupAnyType(root: protobuf.Root, url: string): protobuf.Type | undefined {
  const name = url.slice(url.lastIndexOf("/") + 1);
  if (!name) return undefined;
  try {
    return root.lookupType(name);
  } catch {
    return undefined;
  }
}

function rfc3339(seconds: bigint, nanos: number): string {
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return `${seconds}s`;
  const base = date.toISOString().replace(/\.\d{3}Z$/, "");
  if (nanos === 0) return `${base}Z`;
  return `${base}.${String(nanos).padStart(9, "0").replace(/0+$/, "")}Z`;
}

/** A request field value that cannot be read as its type: a 400 with the field named. */
export class JsonInputError extends Error {}

/**
 * Builds a message of `type` from JSON (a POST body) or from the gateway's query parameters and
 * path variables: field names as in the .proto or lowerCamelCase, scalars from strings as the
 * gateway parses them, nested fields by dotted names ("pagination.limit").
 */
export function messageFromJson(type: protobuf.Type, json: unknown, where = ""): protobuf.Message {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new JsonInputError(`${where || "body"}: expected a JSON object`);
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = fieldByName(type, key);
    const name = where ? `${where}.${key}` : key;
    if (!field) throw new JsonInputError(`unknown field "${name}" in ${type.fullName.slice(1)}`);
    if (value === null) continue;
    if (field.map) throw new JsonInputError(`${name}: map fields are not accepted in requests`);
    if (field.repeated) {
      const arr = Array.isArray(value) ? value : [value];
      plain[field.name] = arr.map((v, i) => fieldValue(field, v, `${name}[${i}]`));
    } else {
      plain[field.name] = fieldValue(field, value, name);
    }
  }
  return type.fromObject(plain);
}

export function fieldByName(type: protobuf.Type, key: string): protobuf.Field | undefined {
  const direct = type.fields[key];
  if (direct) return direct;
  return type.fieldsArray.find((f) => lowerCamel(f.name) === key);
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function fieldValue(field: protobuf.Field, value: unknown, name: string): unknown {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) {
    if (t.fullName === ".google.protobuf.Any" || t.fullName === ".google.protobuf.Timestamp" || t.fullName === ".google.protobuf.Duration") {
      throw new JsonInputError(`${name}: ${t.fullName.slice(1)} fields are not accepted in requests`);
    }
    return messageFromJson(t, value, name);
  }
  if (t instanceof protobuf.Enum) {
    if (typeof value === "string" && value in t.values) return t.values[value];
    if (typeof value === "number" || (typeof value === "string" && /^-?[0-9]+$/.test(value))) return Number(value);
    throw new JsonInputError(`${name}: "${String(value)}" is not one of ${Object.keys(t.values).join(", ")}`);
  }
  return scalar(field.type, value, name);
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

function scalar(type: string, value: unknown, name: string): unknown {
  const range = INT_RANGES[type];
  if (range) {
    const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text !== "string" || !/^-?[0-9]{1,20}$/.test(text)) throw new JsonInputError(`${name}: "${String(value)}" is not an integer (${type})`);
    const n = BigInt(text);
    if (n < range[0] || n > range[1]) throw new JsonInputError(`${name}: ${text} is out of range for ${type}`);
    return LONG_TYPES.has(type) ? text : Number(n);
  }
  switch (type) {
    case "bool":
      if (value === true || value === "true") return true;
      if (value === false || value === "false") return false;
      throw new JsonInputError(`${name}: "${String(value)}" is not true or false`);
    case "string":
      if (typeof value !== "string") throw new JsonInputError(`${name}: expected a string`);
      return value;
    case "bytes": {
      if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) throw new JsonInputError(`${name}: expected base64`);
      return Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    }
    case "double":
    case "float": {
      const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      if (Number.isNaN(n)) throw new JsonInputError(`${name}: "${String(value)}" is not a number`);
      return n;
    }
    default:
      throw new JsonInputError(`${name}: unsupported field type ${type}`);
  }
}

/**
 * The gateway's query parameters as a nested JSON object for messageFromJson: "a.b=1" becomes
 * {a: {b: "1"}}, a key given twice becomes a list (repeated fields).
 */
export function queryParamsToJson(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of params) {
    const parts = key.split(".");
    if (parts.some((p) => p === "" || p === "__proto__" || p === "constructor" || p === "prototype")) throw new JsonInputError(`invalid query parameter "${key}"`);
    let node = out;
    for (const p of parts.slice(0, -1)) {
      const next = node[p];
      if (next === undefined) node = node[p] = {};
      else if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
      else throw new JsonInputError(`query parameter "${key}" conflicts with "${p}"`);
    }
    const last = parts[parts.length - 1];
    const prev = node[last];
    if (prev === undefined) node[last] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else if (typeof prev === "string") node[last] = [prev, value];
    else throw new JsonInputError(`query parameter "${key}" conflicts with a nested parameter`);
  }
  return out;
}
