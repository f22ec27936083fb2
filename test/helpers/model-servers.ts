/**
 * Test model servers for the scorer's http evaluator (docs/scoring.md, "The http evaluator"): on
 * 127.0.0.1, each answers case n of the eval set written by `writeEvalSet` right when its rule
 * says so, and keeps every voucher it was paid with, so that a test can redeem them on chain.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { SignedVoucherJson } from "../../src/types/voucher";
import { freePorts } from "./ports";

/** Writes `size` cases {"input": {"n": i}, "expected": "Answer i"} as JSON lines. */
export function writeEvalSet(file: string, size: number): void {
  fs.writeFileSync(file, Array.from({ length: size }, (_, i) => JSON.stringify({ input: { n: i }, expected: `Answer ${i}` })).join("\n") + "\n");
}

/** Right on 9 cases in 10 and on 4 in 10 (exactly, on a set whose size is a multiple of 10). */
export const RIGHT_90 = (n: number) => n % 10 !== 0;
export const RIGHT_40 = (n: number) => n % 10 < 4;

export interface ModelServer {
  readonly endpoint: string;
  /** Every X-Blockai-Voucher received, in order. */
  readonly vouchers: SignedVoucherJson[];
}

export interface ModelServers {
  readonly servers: ModelServer[];
  close(): Promise<void>;
}

/** One server per rule; a right answer differs from `expected` in case and spacing only. */
export async function startModelServers(rules: ReadonlyArray<(n: number) => boolean>): Promise<ModelServers> {
  const ports = await freePorts(rules.length);
  const servers = rules.map((right, k) => {
    const vouchers: SignedVoucherJson[] = [];
    const srv = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d)).on("end", () => {
        vouchers.push(JSON.parse(String(req.headers["x-blockai-voucher"])) as SignedVoucherJson);
        const n = JSON.parse(body).input.n as number;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ output: right(n) ? ` answer ${n}` : "no idea" }));
      });
    });
    return { srv, server: { endpoint: `http://127.0.0.1:${ports[k]}/`, vouchers } };
  });
  const close = () => Promise.all(servers.map(({ srv }) => new Promise<void>((r) => srv.close(() => r())))).then(() => undefined);
  try {
    await Promise.all(servers.map(({ srv }, k) => new Promise<void>((resolve, reject) => srv.once("error", reject).listen(ports[k], "127.0.0.1", () => resolve()))));
  } catch (e) {
    await Promise.all(servers.filter(({ srv }) => srv.listening).map(({ srv }) => new Promise<void>((r) => srv.close(() => r()))));
    throw e;
  }
  return { servers: servers.map((s) => s.server), close };
}

/**
 * What a provider redeems: per escrow, the voucher with the highest cumulative units (vouchers
 * are cumulative, so it covers every call paid on that escrow). Sorted by escrow id.
 */
export function lastVoucherPerEscrow(vouchers: readonly SignedVoucherJson[]): SignedVoucherJson[] {
  const last = new Map<string, SignedVoucherJson>();
  for (const v of vouchers) {
    const seen = last.get(v.escrow_id);
    if (!seen || BigInt(v.cumulative_units) > BigInt(seen.cumulative_units)) last.set(v.escrow_id, v);
  }
  return [...last.values()].sort((a, b) => (BigInt(a.escrow_id) < BigInt(b.escrow_id) ? -1 : 1));
}
