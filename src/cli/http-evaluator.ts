/**
 * The scorer's built-in evaluators: `http` calls a model's registered endpoint with cases from the
 * validator's evaluation set, paying for every call with a voucher on the scorer's own escrow;
 * `openai` does the same through a provider gateway (docs/gateway.md), with OpenAI-compatible chat
 * completions paid by its voucher protocol. Both combine accuracy, availability and latency into a
 * score (docs/scoring.md, "http evaluator").
 */
import { sha256 } from "@noble/hashes/sha2.js";
import * as fs from "node:fs";
import { PaymentError, type PaymentTerms } from "../client";
import { concatBytes, u64be } from "../types/bytes";

export interface EvalCase {
  readonly input: unknown;
  readonly expected: unknown;
}

/** Weights of the three measures, ppm (they add up to 1,000,000). */
export const HTTP_WEIGHTS = { accuracy: 600_000, availability: 300_000, latency: 100_000 } as const;
const PPM = 1_000_000;

/** Reads FILE.jsonl: one {"input": ..., "expected": ...} per non-empty line. */
export function readEvalSet(file: string): EvalCase[] {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const out: EvalCase[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let v: { input?: unknown; expected?: unknown };
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    if (typeof v !== "object" || v === null || !("input" in v) || !("expected" in v)) throw new Error(`${file}:${i + 1}: expected {"input": ..., "expected": ...}`);
    out.push({ input: v.input, expected: v.expected });
  });
  if (out.length === 0) throw new Error(`${file}: no cases`);
  return out;
}

/**
 * The cases a validator uses in an epoch: the `k` cases with the smallest
 * SHA-256("blockai/scoring/sample" || u64 epoch || validator || u64 index). Each (epoch, validator)
 * draws another subset, so a model cannot tune itself to a fixed list; anyone holding the set can
 * recompute the draw.
 */
export function sampleCases(cases: readonly EvalCase[], epoch: bigint, validator: Uint8Array, k: number): EvalCase[] {
  const tag = new TextEncoder().encode("blockai/scoring/sample");
  const ranked = cases.map((c, i) => ({ c, i, key: Buffer.from(sha256(concatBytes(tag, u64be(epoch), validator, u64be(BigInt(i))))) }));
  ranked.sort((a, b) => Buffer.compare(a.key, b.key));
  return ranked
    .slice(0, Math.min(k, cases.length))
    .sort((a, b) => a.i - b.i)
    .map((r) => r.c);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

const normalize = (s: string) => s.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();

/** Exact match (JSON values compared canonically), or for strings a normalized match (case, spaces). */
export function matches(actual: unknown, expected: unknown): boolean {
  if (typeof actual === "string" && typeof expected === "string") return normalize(actual) === normalize(expected);
  return canonical(actual) === canonical(expected);
}

export interface CallResult {
  readonly answered: boolean;
  readonly correct: boolean;
  readonly latencyMs: number;
}

/**
 * accuracy = correct / calls, availability = answered in time / calls, latency = 1 when the median
 * latency of the answered calls is within the target, else target / median (0 when none answered);
 * score = the weighted sum (HTTP_WEIGHTS), floored to an integer ppm.
 */
export function combineScore(results: readonly CallResult[], latencyTargetMs: number): { scorePpm: number; accuracyPpm: number; availabilityPpm: number; latencyPpm: number; p50Ms: number | null } {
  const n = results.length;
  if (n === 0) return { scorePpm: 0, accuracyPpm: 0, availabilityPpm: 0, latencyPpm: 0, p50Ms: null };
  const answered = results.filter((r) => r.answered);
  const accuracyPpm = Math.floor((results.filter((r) => r.correct).length * PPM) / n);
  const availabilityPpm = Math.floor((answered.length * PPM) / n);
  let latencyPpm = 0;
  let p50Ms: number | null = null;
  if (answered.length > 0) {
    const sorted = answered.map((r) => r.latencyMs).sort((a, b) => a - b);
    p50Ms = sorted[(sorted.length - 1) >> 1];
    latencyPpm = p50Ms <= latencyTargetMs ? PPM : Math.floor((latencyTargetMs * PPM) / p50Ms);
  }
  const scorePpm = Math.floor((HTTP_WEIGHTS.accuracy * accuracyPpm + HTTP_WEIGHTS.availability * availabilityPpm + HTTP_WEIGHTS.latency * latencyPpm) / PPM);
  return { scorePpm, accuracyPpm, availabilityPpm, latencyPpm, p50Ms };
}

/**
 * One call: POST {"input": ...} to the endpoint with the voucher paying for it in the
 * X-Blockai-Voucher header (the signed voucher as JSON); the answer is {"output": ...}.
 */
export async function callModel(endpoint: string, c: EvalCase, voucherJson: string, timeoutMs: number): Promise<CallResult> {
  const t0 = performance.now();
  try {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", "x-blockai-voucher": voucherJson },
      body: JSON.stringify({ input: c.input }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const latencyMs = performance.now() - t0;
    if (!res.ok) return { answered: false, correct: false, latencyMs };
    const body = (await res.json()) as { output?: unknown };
    return { answered: true, correct: matches(body.output, c.expected), latencyMs };
  } catch {
    return { answered: false, correct: false, latencyMs: performance.now() - t0 };
  }
}

/** The gateway's root for a registered endpoint written with or without the `/v1` suffix. */
export function gatewayRoot(endpoint: string): string {
  return endpoint.replace(/\/+$/, "").replace(/\/v1$/, "");
}

/** GET /v1/blockai/terms of a gateway: what it charges and the provider its escrows bind to. */
export async function fetchTerms(root: string, timeoutMs: number): Promise<PaymentTerms> {
  const res = await fetch(`${root}/v1/blockai/terms`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${root}/v1/blockai/terms: HTTP ${res.status} (is the endpoint a BLOCKAI gateway?)`);
  const terms = (await res.json()) as Partial<PaymentTerms>;
  for (const field of ["chain_id", "model_id", "provider", "price_per_unit", "max_call_price"] as const) {
    if (typeof terms[field] !== "string") throw new Error(`${root}/v1/blockai/terms: no ${field}`);
  }
  if (!/^[0-9]{1,20}$/.test(terms.price_per_unit!) || !/^[0-9]{1,30}$/.test(terms.max_call_price!)) throw new Error(`${root}/v1/blockai/terms: bad price`);
  return terms as PaymentTerms;
}

/**
 * The chat completion request of a case: a string input is one user message; an object input is
 * sent as the request body (e.g. {"messages": [...], "temperature": 0}), its `model` defaulted.
 */
export function chatRequest(c: EvalCase, model: string): Record<string, unknown> {
  const input = c.input;
  const body: Record<string, unknown> =
    input !== null && typeof input === "object" && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : { messages: [{ role: "user", content: typeof input === "string" ? input : JSON.stringify(input) }] };
  body.model ??= model;
  body.stream = false;
  return body;
}

/**
 * One paid OpenAI-compatible call: POST /v1/chat/completions through `payingFetch` (which signs the
 * vouchers); the answer compared with `expected` is choices[0].message.content.
 */
export async function callChat(payingFetch: typeof fetch, root: string, c: EvalCase, model: string, timeoutMs: number): Promise<CallResult> {
  const t0 = performance.now();
  try {
    const res = await payingFetch(`${root}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(chatRequest(c, model)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const latencyMs = performance.now() - t0;
    if (!res.ok) return { answered: false, correct: false, latencyMs };
    const body = JSON.parse(text) as { choices?: Array<{ message?: { content?: unknown } }> };
    return { answered: true, correct: matches(body.choices?.[0]?.message?.content, c.expected), latencyMs };
  } catch (e) {
    // The scorer's own payment failing (spending limit, a demand it will not sign) says nothing
    // of the model: the evaluation stops instead of counting the call as unanswered.
    if (e instanceof PaymentError) throw e;
    return { answered: false, correct: false, latencyMs: performance.now() - t0 };
  }
}
