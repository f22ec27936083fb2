import { BASE_DENOM, formatSoa } from "../types/coins";

export type OutputFormat = "text" | "json";

/** "1.5 SOA (1500000usoa)" for the native token, "5foo" for anything else. */
export function formatCoinHuman(coin: { denom: string; amount: string | bigint }): string {
  const amount = BigInt(coin.amount);
  return coin.denom === BASE_DENOM ? `${formatSoa(amount)} (${amount}${BASE_DENOM})` : `${amount}${coin.denom}`;
}

export function formatCoinsHuman(coins: ReadonlyArray<{ denom: string; amount: string | bigint }>): string {
  return coins.length === 0 ? "none" : coins.map(formatCoinHuman).join(", ");
}

/** Columns padded to the widest cell; the last column is not padded (no trailing spaces). */
export function table(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  const all = header ? [header, ...rows] : rows;
  if (all.length === 0) return "";
  const cols = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  return all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")).join("\n") + "\n";
}

/** Prefixes every non-empty line. */
export function indent(text: string, prefix = "  "): string {
  return text.replace(/^(?=.)/gm, prefix);
}

/** A two-column "key  value" listing. */
export function keyValues(pairs: ReadonlyArray<readonly [string, string]>): string {
  return table(pairs.map(([k, v]) => [k, v]));
}

/**
 * JSON for scripts: stable key order as written, bigint as decimal strings, bytes as base64 (the
 * Cosmos JSON conventions), two-space indented.
 */
export function toJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_k, v) => {
        if (typeof v === "bigint") return v.toString();
        if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
        return v;
      },
      2,
    ) + "\n"
  );
}

/** camelCase (CosmJS/ts-proto objects) to snake_case (Cosmos JSON) keys, recursively. */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value instanceof Uint8Array || typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())] = snakeCaseKeys(v);
  return out;
}

/**
 * A status line on stderr for long waits. On a terminal it is rewritten in place; otherwise (logs,
 * tests) a line is printed when the message changes and every `everyMs` while it does not.
 */
export class Progress {
  private lastText = "";
  private lastPrint = 0;
  private active = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
    private readonly everyMs = 5000,
  ) {}

  /** `text` may contain "{s}" for the seconds elapsed since the progress started. */
  update(text: string): void {
    const line = text.replace("{s}", `${Math.floor((Date.now() - this.started) / 1000)}s`);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.active = true;
      return;
    }
    const now = Date.now();
    if (text !== this.lastText || now - this.lastPrint >= this.everyMs) {
      this.stream.write(line + "\n");
      this.lastText = text;
      this.lastPrint = now;
    }
  }

  /** Ends the progress line, optionally with a final message. */
  done(text?: string): void {
    if (this.stream.isTTY && this.active) this.stream.write("\r\x1b[2K");
    this.active = false;
    if (text) this.stream.write(text + "\n");
  }
}
