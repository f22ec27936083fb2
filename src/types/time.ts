import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";

/** Block times and durations as unix nanoseconds (bigint), and their protobuf and text forms. */

export function nsToTimestamp(ns: bigint): Timestamp {
  const seconds = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  return { seconds, nanos: Number(ns - seconds * 1_000_000_000n) };
}

export function timestampToNs(t: Timestamp | undefined): bigint {
  return t ? t.seconds * 1_000_000_000n + BigInt(t.nanos) : 0n;
}

/** RFC 3339 text of a block time (events, as Go's time.Time String is not portable). */
export function formatTime(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return ns.toString();
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return d.toISOString().replace(/\.\d{3}Z$/, frac ? `.${frac}Z` : "Z");
}

/** Parses a protobuf-JSON Duration ("1814400s", "60s", "0.5s") into nanoseconds. */
export function parseDuration(text: unknown, where: string): bigint {
  if (typeof text !== "string") throw new Error(`${where}: expected a duration such as "1814400s"`);
  const m = /^([0-9]{1,12})(?:\.([0-9]{1,9}))?s$/.exec(text);
  if (!m) throw new Error(`${where}: invalid duration ${JSON.stringify(text)} (expected e.g. "1814400s")`);
  return BigInt(m[1]) * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
}

export function formatDuration(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  return frac === 0n ? `${s}s` : `${s}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

export function durationToProto(ns: bigint) {
  return { seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) };
}

export function durationFromProto(d: { seconds: bigint; nanos: number } | undefined): bigint {
  return d ? d.seconds * 1_000_000_000n + BigInt(d.nanos) : 0n;
}
