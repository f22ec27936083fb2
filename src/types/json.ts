/** Small JSON/time helpers shared by the PoS modules' genesis code (strict: bad input names the field). */

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp (protobuf JSON Timestamp) into unix nanoseconds. */
export function parseRfc3339(text: unknown, where: string): bigint {
  if (typeof text !== "string") throw new Error(`${where}: expected an RFC 3339 time string`);
  const m = RFC3339_RE.exec(text);
  if (!m) throw new Error(`${where}: invalid time ${JSON.stringify(text)} (expected e.g. "2024-01-01T00:00:00Z")`);
  const base = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]}`;
  const ms = Date.parse(base);
  if (Number.isNaN(ms)) throw new Error(`${where}: invalid time ${JSON.stringify(text)}`);
  return BigInt(ms) * 1_000_000n + BigInt((m[7] ?? "").padEnd(9, "0") || "0");
}

/** RFC 3339 with up to nanoseconds, "Z" (protobuf JSON Timestamp). */
export function formatRfc3339(ns: bigint): string {
  const sec = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  const nanos = ns - sec * 1_000_000_000n;
  const d = new Date(Number(sec) * 1000);
  const frac = nanos === 0n ? "" : "." + nanos.toString().padStart(9, "0").replace(/0+$/, "");
  return d.toISOString().replace(/\.\d{3}Z$/, `${frac}Z`);
}

/** An unsigned integer given as a JSON number or a decimal string. */
export function uint(value: unknown, where: string, max = (1n << 64n) - 1n): bigint {
  const s = typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
  if (typeof s !== "string" || !/^[0-9]{1,78}$/.test(s) || BigInt(s) > max) {
    throw new Error(`${where}: expected an unsigned integer, got ${JSON.stringify(value)}`);
  }
  return BigInt(s);
}

export function b64(value: unknown, where: string): Uint8Array {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new Error(`${where}: expected base64`);
  return new Uint8Array(Buffer.from(value, "base64"));
}

/**
 * Genesis JSON in the Cosmos style (snake_case keys) from ts-proto's toJSON (lowerCamelCase).
 * ts-proto's fromJSON accepts both spellings, so export and import round-trip.
 */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())] = snakeKeys(v);
    }
    return out;
  }
  return value;
}

/** Rethrows a validation error as a genesis error naming the field. */
export function atField<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}
