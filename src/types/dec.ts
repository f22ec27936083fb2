/**
 * Fixed-point decimals with 18 fractional digits: the Cosmos SDK's LegacyDec, as a bigint holding
 * value x 10^18. Used for shares, rates, slash fractions and F1 reward ratios. No floating point.
 *
 * Rounding follows the SDK (cosmossdk.io/math legacy_dec.go): `mul`/`quo` round half to even
 * (banker's rounding) at the 18th digit, `*Truncate` chop toward zero, `quoRoundUp` rounds up.
 *
 * Encodings:
 * - protobuf (cosmjs-types string fields with the SDK's LegacyDec custom type): the scaled integer,
 *   e.g. 0.1 -> "100000000000000000" (`decToProto` / `decFromProto`);
 * - JSON (genesis, events, amino): "0.100000000000000000" (`formatDec` / `parseDec`).
 */
export type Dec = bigint;

export const DEC_PRECISION = 18;
export const DEC_ONE: Dec = 10n ** 18n;
const HALF: bigint = DEC_ONE / 2n;
/** The SDK's LegacyDec bit-length limit (256 + 60 bits for the scale). */
const MAX_DEC_BITS = 256n + 60n;
const MAX_DEC = (1n << MAX_DEC_BITS) - 1n;

export function decFromInt(i: bigint): Dec {
  return i * DEC_ONE;
}

/** Divides by 10^18 and rounds half to even (the SDK's chopPrecisionAndRound). */
function chopRound(x: bigint): bigint {
  if (x < 0n) return -chopRound(-x);
  const quo = x / DEC_ONE;
  const rem = x % DEC_ONE;
  if (rem === 0n || rem < HALF) return quo;
  if (rem > HALF) return quo + 1n;
  return quo % 2n === 0n ? quo : quo + 1n;
}

function chopRoundUp(x: bigint): bigint {
  if (x < 0n) return -chopTruncate(-x);
  const quo = x / DEC_ONE;
  return x % DEC_ONE === 0n ? quo : quo + 1n;
}

function chopTruncate(x: bigint): bigint {
  return x / DEC_ONE; // bigint division truncates toward zero, as Go's big.Int Quo
}

export function decMul(a: Dec, b: Dec): Dec {
  return chopRound(a * b);
}

export function decMulTruncate(a: Dec, b: Dec): Dec {
  return chopTruncate(a * b);
}

export function decMulRoundUp(a: Dec, b: Dec): Dec {
  return chopRoundUp(a * b);
}

export function decMulInt(a: Dec, i: bigint): Dec {
  return a * i;
}

function checkDivisor(b: bigint): void {
  if (b === 0n) throw new RangeError("decimal division by zero");
}

export function decQuo(a: Dec, b: Dec): Dec {
  checkDivisor(b);
  return chopRound((a * DEC_ONE * DEC_ONE) / b);
}

export function decQuoTruncate(a: Dec, b: Dec): Dec {
  checkDivisor(b);
  return (a * DEC_ONE) / b;
}

export function decQuoRoundUp(a: Dec, b: Dec): Dec {
  checkDivisor(b);
  const num = a * DEC_ONE * DEC_ONE;
  let quo = num / b;
  if (num % b !== 0n) quo += num > 0n === b > 0n ? 1n : 0n;
  return chopRoundUp(quo);
}

/** Quotient by an integer, truncated (the SDK's QuoInt). */
export function decQuoInt(a: Dec, i: bigint): Dec {
  checkDivisor(i);
  return a / i;
}

export function decTruncateInt(a: Dec): bigint {
  return chopTruncate(a);
}

export function decRoundInt(a: Dec): bigint {
  return chopRound(a);
}

export function decMin(a: Dec, b: Dec): Dec {
  return a < b ? a : b;
}

const DEC_TEXT_RE = /^(-?)([0-9]+)(?:\.([0-9]{1,18}))?$/;

/** Parses "0.5", "1", "0.050000000000000000" (JSON, CLI). Throws Error with `what` on bad input. */
export function parseDec(text: string, what = "decimal"): Dec {
  const m = typeof text === "string" ? DEC_TEXT_RE.exec(text) : null;
  if (!m) throw new Error(`${what}: invalid decimal ${JSON.stringify(text)} (expected e.g. "0.05", at most 18 decimals)`);
  const value = BigInt(m[2]) * DEC_ONE + BigInt((m[3] ?? "").padEnd(18, "0") || "0");
  if (value > MAX_DEC) throw new Error(`${what}: decimal out of range`);
  return m[1] === "-" ? -value : value;
}

/** "0.100000000000000000": the SDK's LegacyDec.String() (JSON, events). */
export function formatDec(d: Dec): string {
  const neg = d < 0n;
  const abs = neg ? -d : d;
  const whole = abs / DEC_ONE;
  const frac = (abs % DEC_ONE).toString().padStart(18, "0");
  return `${neg ? "-" : ""}${whole}.${frac}`;
}

/** Protobuf string form (scaled integer). */
export function decToProto(d: Dec): string {
  return d.toString();
}

/**
 * Reads the protobuf string form. An empty string is zero (proto3 default). Returns undefined
 * (never throws) for anything that is not a plain integer so message handlers can answer with
 * their own error code.
 */
export function decFromProto(text: string): Dec | undefined {
  if (text === "") return 0n;
  if (!/^-?[0-9]{1,100}$/.test(text)) return undefined;
  const v = BigInt(text);
  if (v > MAX_DEC || v < -MAX_DEC) return undefined;
  return v;
}

/** Protobuf bytes form (slashing params): the ASCII of the scaled integer, as the SDK marshals it. */
export function decToProtoBytes(d: Dec): Uint8Array {
  return new TextEncoder().encode(d.toString());
}

export function decFromProtoBytes(bytes: Uint8Array): Dec {
  const v = decFromProto(new TextDecoder().decode(bytes));
  if (v === undefined) throw new Error("malformed decimal bytes");
  return v;
}
