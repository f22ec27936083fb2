/**
 * Shared pieces of the benchmarks: timing, a progress line, pre-signed MsgSend transactions.
 * Benchmarks report ratios against a baseline measured in the same run; nothing here asserts.
 */
import * as crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import type { RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { msgSend, signTx, TestKey } from "../helpers/keys";

export const QUICK = process.env.BENCH_QUICK === "1";

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
export function opsPerSecond(ms: number, fn: () => void, opsPerCall = 1): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 16; i++) fn();
    calls += 16;
    elapsed = performance.now() - start;
  }
  return (calls * opsPerCall * 1000) / elapsed;
}

export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export function timeSync<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

let lastProgress = "";
/** One rewritten status line on stderr (a plain line per step when stderr is not a terminal). */
export function progress(text: string): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[K${text}`);
  } else if (text !== lastProgress) {
    process.stderr.write(`${text}\n`);
  }
  lastProgress = text;
}

export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")).join("\n");
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Deterministic senders for benchmarks (test keys, never for real funds). */
export function benchKeys(count: number, tag = "bench"): TestKey[] {
  return Array.from({ length: count }, (_, i) => new TestKey(`${tag}-${i}`));
}

/**
 * `perSender` MsgSends from each key (sequences 0..perSender-1), account numbers as given,
 * interleaved across senders so consecutive txs come from different accounts.
 */
export function presignSends(
  keys: TestKey[],
  accountNumbers: bigint[],
  perSender: number,
  chainId: string,
  onProgress?: (done: number, total: number) => void,
): Uint8Array[] {
  const total = keys.length * perSender;
  const txs: Uint8Array[] = [];
  for (let seq = 0; seq < perSender; seq++) {
    keys.forEach((key, i) => {
      const to = keys[(i + 1) % keys.length].address;
      txs.push(
        signTx({
          key,
          msgs: [msgSend(key.address, to, 1n + BigInt(seq))],
          accountNumber: accountNumbers[i],
          sequence: BigInt(seq),
          chainId,
          fee: [{ denom: "usoa", amount: "5000" }],
          gas: 200_000n,
        }),
      );
      if (onProgress && txs.length % 500 === 0) onProgress(txs.length, total);
    });
  }
  return txs;
}

/** A FinalizeBlock request of a single-validator bench chain at `height` (one second per block). */
export function blockRequest(height: number, txs: Uint8Array[]): RequestFinalizeBlock {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: crypto.createHash("sha256").update(String(height)).digest(),
    height: BigInt(height),
    time: { seconds: 1_700_000_000n + BigInt(height), nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  };
}
