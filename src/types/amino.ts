/**
 * SIGN_MODE_LEGACY_AMINO_JSON: the Cosmos SDK's legacy amino JSON of messages and the StdSignDoc
 * sign bytes, for wallets that sign only that (Ledger, Keplr's amino path, CosmJS's
 * Secp256k1HdWallet). Browser-safe and pure: the chain verifies with exactly these bytes and the
 * client SDK builds its CosmJS AminoConverters from the same tables.
 *
 * Sign bytes: the UTF-8 of the compact JSON of
 *   {account_number, chain_id, fee: {amount, gas, granter?, payer?}, memo, msgs, sequence,
 *    timeout_height?}
 * with every object's keys sorted, integers of 64 bits as decimal strings, "&", "<" and ">" in
 * strings written as \u0026, \u003c and \u003e (what Go's encoding/json and CosmJS's
 * serializeSignDoc both do), and timeout_height present only when non-zero.
 *
 * A message is {"type": its amino name, "value": its fields}. Fields are written by a generic
 * rule from the decoded protobuf object (ts-proto's shape): the JSON key is the proto field name
 * (the camelCase property in snake_case); 64-bit integers are strings, 32-bit ones and enums
 * numbers, bytes base64, nested messages objects; a field at its zero value is left out
 * (omitempty) unless its table entry says `keep` (the SDK's amino.dont_omitempty, or a field
 * CosmJS always writes). Table entries add what the shape cannot tell: LegacyDec fields, Any,
 * Duration, Timestamp, public keys, renamed keys.
 */
import { fromBase64, toBase64 } from "@cosmjs/encoding";

/** How one field is written beyond the generic rule. */
export interface AminoFieldRule {
  /**
   * dec: an SDK LegacyDec held in a proto string as its 18-decimal atomics ("500000000000000000"),
   * written "0.500000000000000000"; decBytes: the same held as ASCII in a bytes field;
   * any: an Any, written {type, value} with the inner message's amino name; pubkey: an Any of an
   * ed25519/secp256k1 PubKey, written as Tendermint's amino pubkey {type, value: base64 key};
   * duration: nanoseconds as a string; timestamp: RFC 3339 (UTC, up to nanoseconds).
   */
  readonly kind?: "dec" | "decBytes" | "any" | "pubkey" | "duration" | "timestamp";
  /** Written even at its zero value (amino.dont_omitempty). */
  readonly keep?: boolean;
  /** The JSON key, when it is not the snake_case of the property. */
  readonly json?: string;
  /** Rules for the fields of a nested message (or of each element of a repeated one). */
  readonly fields?: AminoFieldRules;
}

export type AminoFieldRules = Readonly<Record<string, AminoFieldRule>>;

/** The protobuf codec of a message, as ts-proto generates it (src/gen and cosmjs-types alike). */
export interface AminoCodec {
  encode(message: any): { finish(): Uint8Array };
  decode(bytes: Uint8Array): any;
  fromJSON(object: any): any;
  fromPartial(object: any): any;
}

/** One message type's amino JSON: its amino name and how its fields differ from the rule. */
export interface AminoMsgType {
  readonly typeUrl: string;
  /**
   * The amino name ("cosmos-sdk/MsgSend", "blockai/MsgRegisterModel"). The SDK holds new names to
   * 39 characters; older ones CosmJS still uses (cosmos-sdk/MsgWithdrawValidatorCommission) are longer.
   */
  readonly aminoType: string;
  readonly codec: AminoCodec;
  readonly fields?: AminoFieldRules;
}

/** A module's amino table: its message types by type URL. */
export type AminoTable = Readonly<Record<string, AminoMsgType>>;

/** The amino type of a type URL inside an Any (gov proposals); undefined if none. */
export type AminoResolver = (typeUrl: string) => AminoMsgType | undefined;

export interface AminoMsg {
  readonly type: string;
  readonly value: Record<string, unknown>;
}

/** An amino table entry, with the rules of its fields if any. */
export function aminoType(typeUrl: string, aminoName: string, codec: AminoCodec, fields?: AminoFieldRules): AminoMsgType {
  return { typeUrl, aminoType: aminoName, codec, fields };
}

/** The rule of a field kept at its zero value. */
export const KEEP: AminoFieldRule = { keep: true };

/** Every field of a message kept (CosmJS writes each of them whatever its value). */
export function keepAll(...names: string[]): AminoFieldRules {
  return Object.fromEntries(names.map((n) => [n, KEEP]));
}

export class AminoEncodingError extends Error {}

const snakeCache = new Map<string, string>();
/** ts-proto's property name back to the proto field name: "validatorSrcAddress" → "validator_src_address". */
export function snakeCase(name: string): string {
  let s = snakeCache.get(name);
  if (s === undefined) {
    s = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeCache.set(name, s);
  }
  return s;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const DEC_PLACES = 18;
/** Go's zero time.Time, as encoding/json writes it. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** LegacyDec atomics ("1500000000000000000") to its decimal ("1.500000000000000000"); no floats. */
export function decFromAtomics(atomics: string): string {
  if (!/^-?\d+$/.test(atomics)) throw new AminoEncodingError(`invalid decimal atomics ${JSON.stringify(atomics)}`);
  const negative = atomics.startsWith("-");
  const digits = (negative ? atomics.slice(1) : atomics).replace(/^0+(?=\d)/, "").padStart(DEC_PLACES + 1, "0");
  const whole = digits.slice(0, digits.length - DEC_PLACES);
  return `${negative ? "-" : ""}${whole}.${digits.slice(digits.length - DEC_PLACES)}`;
}

/** The inverse of decFromAtomics; accepts fewer than 18 decimals. */
export function decToAtomics(decimal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d{1,18}))?$/.exec(decimal);
  if (!m) throw new AminoEncodingError(`invalid decimal ${JSON.stringify(decimal)}`);
  const atomics = `${m[2]}${(m[3] ?? "").padEnd(DEC_PLACES, "0")}`.replace(/^0+(?=\d)/, "");
  return atomics === "0" ? "0" : `${m[1]}${atomics}`;
}

const PUBKEY_AMINO: Readonly<Record<string, string>> = {
  "/cosmos.crypto.ed25519.PubKey": "tendermint/PubKeyEd25519",
  "/cosmos.crypto.secp256k1.PubKey": "tendermint/PubKeySecp256k1",
};

/** The key bytes of an encoded ed25519/secp256k1 PubKey message (field 1, bytes). */
function pubKeyBytes(value: Uint8Array): Uint8Array {
  // One length-delimited field 1 with a length under 128: 0x0a, length, key.
  if (value.length < 2 || value[0] !== 0x0a || value[1] !== value.length - 2 || value[1] >= 0x80) {
    throw new AminoEncodingError("malformed public key");
  }
  return value.subarray(2);
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === "string") return v === "";
  if (typeof v === "bigint") return v === 0n;
  if (typeof v === "number") return v === 0;
  if (typeof v === "boolean") return !v;
  if (v instanceof Uint8Array) return v.length === 0;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

function nanosString(d: { seconds?: bigint; nanos?: number }): string {
  return (BigInt(d.seconds ?? 0n) * 1_000_000_000n + BigInt(d.nanos ?? 0)).toString();
}

/** Go's time.Time MarshalJSON (RFC 3339 with trailing zeros of the fraction dropped), in UTC. */
function rfc3339(t: { seconds?: bigint; nanos?: number }): string {
  const seconds = BigInt(t.seconds ?? 0n);
  const nanos = t.nanos ?? 0;
  const days = seconds >= 0n ? seconds / 86400n : -((-seconds + 86399n) / 86400n);
  const secOfDay = Number(seconds - days * 86400n);
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm, integers only).
  const z = days + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  const p = (n: bigint | number, w: number) => n.toString().padStart(w, "0");
  const hh = Math.floor(secOfDay / 3600), mm = Math.floor((secOfDay % 3600) / 60), ss = secOfDay % 60;
  const frac = nanos === 0 ? "" : `.${p(nanos, 9).replace(/0+$/, "")}`;
  return `${p(y, 4)}-${p(m, 2)}-${p(d, 2)}T${p(hh, 2)}:${p(mm, 2)}:${p(ss, 2)}${frac}Z`;
}

/** The amino JSON {type, value} of a decoded message of `type`. Throws AminoEncodingError. */
export function toAminoMsg(type: AminoMsgType, msg: unknown, resolve: AminoResolver): AminoMsg {
  return { type: type.aminoType, value: encodeObject(msg as Record<string, unknown>, type.fields, resolve) };
}

/** The amino JSON of an Any, through the resolver. */
function encodeAny(any: { typeUrl?: string; value?: Uint8Array }, resolve: AminoResolver): AminoMsg {
  const typeUrl = any.typeUrl ?? "";
  const type = resolve(typeUrl);
  if (!type) throw new AminoEncodingError(`no amino JSON encoding for ${typeUrl}`);
  let inner: unknown;
  try {
    inner = type.codec.decode(any.value ?? new Uint8Array());
  } catch (e) {
    throw new AminoEncodingError(`${typeUrl}: ${(e as Error).message}`);
  }
  return toAminoMsg(type, inner, resolve);
}

function encodeObject(obj: Record<string, unknown>, rules: AminoFieldRules | undefined, resolve: AminoResolver): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(obj)) {
    const rule = rules?.[name];
    if (v === undefined) {
      // An unset non-nullable Timestamp: Go's zero time (upgrade Plan.time).
      if (rule?.keep && rule.kind === "timestamp") out[rule.json ?? snakeCase(name)] = ZERO_TIME;
      continue;
    }
    if (!rule?.keep && isZero(v)) continue;
    out[rule?.json ?? snakeCase(name)] = encodeValue(v, rule, resolve);
  }
  return out;
}

function encodeValue(v: unknown, rule: AminoFieldRule | undefined, resolve: AminoResolver): unknown {
  if (Array.isArray(v)) return v.map((e) => encodeValue(e, rule, resolve));
  switch (rule?.kind) {
    case "dec":
      return v === "" ? decFromAtomics("0") : decFromAtomics(String(v));
    case "decBytes":
      return decFromAtomics(new TextDecoder().decode(v as Uint8Array) || "0");
    case "any":
      return encodeAny(v as { typeUrl?: string; value?: Uint8Array }, resolve);
    case "pubkey": {
      const any = v as { typeUrl?: string; value?: Uint8Array };
      const type = PUBKEY_AMINO[any.typeUrl ?? ""];
      if (!type) throw new AminoEncodingError(`no amino JSON encoding for public key ${any.typeUrl}`);
      return { type, value: toBase64(pubKeyBytes(any.value ?? new Uint8Array())) };
    }
    case "duration":
      return nanosString(v as { seconds?: bigint; nanos?: number });
    case "timestamp": {
      // cosmjs-types fills an absent non-nullable Timestamp with 1970-01-01: Go decodes it as its
      // zero time, and so does this.
      const t = v as { seconds?: bigint; nanos?: number };
      return !t.seconds && !t.nanos ? ZERO_TIME : rfc3339(t);
    }
  }
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return toBase64(v);
  if (typeof v === "object" && v !== null) {
    const keys = Object.keys(v);
    // A Coin keeps both fields, as every amino encoder (SDK and CosmJS) writes them.
    if (keys.length === 2 && keys.includes("denom") && keys.includes("amount")) return v;
    return encodeObject(v as Record<string, unknown>, rule?.fields, resolve);
  }
  return v;
}

/** The decoded message of an amino JSON value of `type` (what CosmJS's fromAmino must return). */
export function fromAminoValue(type: AminoMsgType, value: Record<string, unknown>, resolve: AminoResolver): unknown {
  return type.codec.fromJSON(decodeObject(value, type.fields, resolve));
}

/** Amino JSON back to ts-proto's JSON (camelCase keys) for the codec's fromJSON. */
function decodeObject(obj: Record<string, unknown>, rules: AminoFieldRules | undefined, resolve: AminoResolver): Record<string, unknown> {
  const byJson = new Map<string, [string, AminoFieldRule]>();
  for (const [name, rule] of Object.entries(rules ?? {})) byJson.set(rule.json ?? snakeCase(name), [name, rule]);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    const [name, rule] = byJson.get(key) ?? [camelCase(key), undefined];
    out[name] = decodeValue(v, rule, resolve);
  }
  return out;
}

function decodeValue(v: unknown, rule: AminoFieldRule | undefined, resolve: AminoResolver): unknown {
  if (Array.isArray(v)) return v.map((e) => decodeValue(e, rule, resolve));
  switch (rule?.kind) {
    case "dec":
      return decToAtomics(String(v));
    case "decBytes":
      return toBase64(new TextEncoder().encode(decToAtomics(String(v))));
    case "any": {
      const m = v as AminoMsg;
      const type = Object.values(resolveAll(resolve)).find((t) => t.aminoType === m.type);
      if (!type) throw new AminoEncodingError(`unknown amino type ${m.type}`);
      const inner = fromAminoValue(type, m.value, resolve);
      return { typeUrl: type.typeUrl, value: toBase64(type.codec.encode(inner).finish()) };
    }
    case "pubkey": {
      const m = v as { type: string; value: string };
      const typeUrl = Object.entries(PUBKEY_AMINO).find(([, t]) => t === m.type)?.[0];
      if (!typeUrl) throw new AminoEncodingError(`unknown amino public key type ${m.type}`);
      const key = fromBase64(m.value);
      return { typeUrl, value: toBase64(Uint8Array.from([0x0a, key.length, ...key])) };
    }
    case "duration": {
      const n = BigInt(String(v));
      return { seconds: (n / 1_000_000_000n).toString(), nanos: Number(n % 1_000_000_000n) };
    }
    case "timestamp":
      return v === ZERO_TIME ? undefined : v;
  }
  if (typeof v === "object" && v !== null) return decodeObject(v as Record<string, unknown>, rule?.fields, resolve);
  return v;
}

/**
 * Resolvers that can also enumerate (for fromAmino, which looks types up by amino name): a
 * resolver made by `aminoResolver` carries its table.
 */
const TABLES = new WeakMap<AminoResolver, AminoTable>();
function resolveAll(resolve: AminoResolver): AminoTable {
  return TABLES.get(resolve) ?? {};
}

/** A resolver over the union of `tables`. Throws if two entries share a type URL or amino name. */
export function aminoResolver(...tables: AminoTable[]): AminoResolver {
  const all: Record<string, AminoMsgType> = {};
  const names = new Set<string>();
  for (const table of tables) {
    for (const t of Object.values(table)) {
      if (all[t.typeUrl]) throw new Error(`duplicate amino entry for ${t.typeUrl}`);
      if (names.has(t.aminoType)) throw new Error(`duplicate amino name ${t.aminoType}`);
      all[t.typeUrl] = t;
      names.add(t.aminoType);
    }
  }
  const resolve: AminoResolver = (typeUrl) => all[typeUrl];
  TABLES.set(resolve, all);
  return resolve;
}

/** The fee of a StdSignDoc: gas as a decimal string, payer and granter only when set. */
export interface AminoFee {
  readonly amount: readonly { readonly denom: string; readonly amount: string }[];
  readonly gas: string;
  readonly payer?: string;
  readonly granter?: string;
}

export interface StdSignDocFields {
  readonly chainId: string;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  readonly fee: AminoFee;
  readonly memo: string;
  readonly msgs: readonly AminoMsg[];
  readonly timeoutHeight: bigint;
}

/** Keys sorted at every level, compact, with &, <, > escaped (serializeSignDoc's exact output). */
export function sortedAminoJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
  return json.replace(/&/g, "\\u0026").replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
}

/** The LEGACY_AMINO_JSON sign bytes of a StdSignDoc. */
export function aminoSignBytes(doc: StdSignDocFields): Uint8Array {
  const fee: Record<string, unknown> = { amount: doc.fee.amount.map((c) => ({ amount: c.amount, denom: c.denom })), gas: doc.fee.gas };
  if (doc.fee.payer) fee.payer = doc.fee.payer;
  if (doc.fee.granter) fee.granter = doc.fee.granter;
  const signDoc: Record<string, unknown> = {
    account_number: doc.accountNumber.toString(),
    chain_id: doc.chainId,
    fee,
    memo: doc.memo,
    msgs: doc.msgs,
    sequence: doc.sequence.toString(),
  };
  if (doc.timeoutHeight !== 0n) signDoc.timeout_height = doc.timeoutHeight.toString();
  return new TextEncoder().encode(sortedAminoJson(signDoc));
}
