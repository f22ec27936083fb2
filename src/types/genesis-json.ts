/**
 * Strict readers for genesis JSON. Genesis mistakes must stop InitChain with a message that names
 * the exact field, not turn into a half-initialised chain.
 */
export function obj(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where}: expected an object`);
  return value as Record<string, unknown>;
}

export function arr(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected an array`);
  return value;
}

export function str(value: unknown, where: string): string {
  if (typeof value !== "string") throw new Error(`${where}: expected a string`);
  return value;
}

export function bool(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") throw new Error(`${where}: expected true or false`);
  return value;
}

/** Unsigned integers are strings in Cosmos JSON (64-bit values do not fit a JS number). */
export function u64(value: unknown, where: string): bigint {
  const s = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof s !== "string" || !/^[0-9]{1,20}$/.test(s) || BigInt(s) >= 1n << 64n) {
    throw new Error(`${where}: expected an unsigned 64-bit integer as a string, got ${JSON.stringify(value)}`);
  }
  return BigInt(s);
}

export function optional<T>(value: unknown, read: (v: unknown) => T): T | undefined {
  return value === undefined || value === null ? undefined : read(value);
}
