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
