import type { DecCoin as ProtoDecCoin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import type { Coin } from "../../types/coins";
import { DEC_ONE, Dec, decFromInt, decMul, decMulTruncate, decQuoTruncate, decTruncateInt, formatDec } from "../../types/dec";

/** A decimal amount of one denomination (reward accounting keeps fractions of a usoa). */
export interface DecCoin {
  readonly denom: string;
  readonly amount: Dec;
}

/** Sorted by denom, no zero entries: the SDK's sdk.DecCoins invariants. */
export type DecCoins = readonly DecCoin[];

function normalize(m: Map<string, Dec>): DecCoin[] {
  return [...m.entries()]
    .filter(([, a]) => a !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }));
}

export function decCoinsFromCoins(coins: readonly Coin[]): DecCoin[] {
  return normalize(new Map(coins.map((c) => [c.denom, decFromInt(c.amount)])));
}

export function addDecCoins(...lists: DecCoins[]): DecCoin[] {
  const m = new Map<string, Dec>();
  for (const l of lists) for (const c of l) m.set(c.denom, (m.get(c.denom) ?? 0n) + c.amount);
  return normalize(m);
}

/** a - b; throws if any denomination would go negative (an accounting bug, never user input). */
export function subDecCoins(a: DecCoins, b: DecCoins): DecCoin[] {
  const m = new Map<string, Dec>(a.map((c) => [c.denom, c.amount]));
  for (const c of b) m.set(c.denom, (m.get(c.denom) ?? 0n) - c.amount);
  for (const [denom, amount] of m) if (amount < 0n) throw new Error(`negative decimal coin amount for ${denom}`);
  return normalize(m);
}

export function mulDecCoins(a: DecCoins, d: Dec): DecCoin[] {
  return normalize(new Map(a.map((c) => [c.denom, decMul(c.amount, d)])));
}

export function mulDecCoinsTruncate(a: DecCoins, d: Dec): DecCoin[] {
  return normalize(new Map(a.map((c) => [c.denom, decMulTruncate(c.amount, d)])));
}

export function quoDecCoinsTruncate(a: DecCoins, d: Dec): DecCoin[] {
  return normalize(new Map(a.map((c) => [c.denom, decQuoTruncate(c.amount, d)])));
}

/** Whole coins and the fractional change. */
export function truncateDecCoins(a: DecCoins): { coins: Coin[]; change: DecCoin[] } {
  const coins: Coin[] = [];
  const change: DecCoin[] = [];
  for (const c of a) {
    const whole = decTruncateInt(c.amount);
    if (whole > 0n) coins.push({ denom: c.denom, amount: whole });
    const rest = c.amount - whole * DEC_ONE;
    if (rest !== 0n) change.push({ denom: c.denom, amount: rest });
  }
  return { coins, change };
}

/** Per denomination, the smaller amount (the SDK's DecCoins.Intersect). */
export function intersectDecCoins(a: DecCoins, b: DecCoins): DecCoin[] {
  const m = new Map<string, Dec>(b.map((c) => [c.denom, c.amount]));
  return normalize(new Map(a.map((c) => [c.denom, c.amount < (m.get(c.denom) ?? 0n) ? c.amount : m.get(c.denom) ?? 0n])));
}

export function isZeroDecCoins(a: DecCoins): boolean {
  return a.every((c) => c.amount === 0n);
}

export function anyNegative(a: DecCoins): boolean {
  return a.some((c) => c.amount < 0n);
}

export function amountOfDec(a: DecCoins, denom: string): Dec {
  for (const c of a) if (c.denom === denom) return c.amount;
  return 0n;
}

export function decCoinsToProto(a: DecCoins): ProtoDecCoin[] {
  return a.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

export function decCoinsFromProto(a: readonly ProtoDecCoin[]): DecCoin[] {
  return normalize(new Map(a.map((c) => [c.denom, BigInt(c.amount || "0")])));
}

/** "1.500000000000000000usoa": the SDK's DecCoins.String (events). */
export function formatDecCoins(a: DecCoins): string {
  return a.map((c) => `${formatDec(c.amount)}${c.denom}`).join(",");
}

export function decCoinsToJson(a: DecCoins) {
  return a.map((c) => ({ denom: c.denom, amount: formatDec(c.amount) }));
}
