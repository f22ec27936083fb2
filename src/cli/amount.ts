import { BASE_DENOM, Coin, DISPLAY_DENOM, DISPLAY_EXPONENT, MAX_AMOUNT, isValidDenom } from "../types/coins";

/** A CLI argument that is not a valid amount; its message names the problem. */
export class AmountError extends Error {}

/**
 * Parses one coin as people type it: "1500000usoa", "1.5SOA" / "1.5soa" (converted exactly to
 * usoa with bigint arithmetic), or "<integer><denom>" for other denominations.
 */
export function parseCoinArg(text: string, what = "amount"): Coin {
  const t = text.trim();
  if (t === "") throw new AmountError(`empty ${what}`);
  if (t.startsWith("-")) throw new AmountError(`${what} "${t}" is negative: amounts must be positive`);
  const m = /^([0-9]+)(?:\.([0-9]+))?(.*)$/.exec(t);
  if (!m) throw new AmountError(`${what} "${t}" is not a number followed by a denomination (e.g. 1500000usoa or 1.5SOA)`);
  const [, whole, frac] = m;
  const denom = m[3].trim();
  if (denom === "") throw new AmountError(`${what} "${t}" has no denomination: write e.g. ${t}usoa or ${t}SOA`);
  let amount: bigint;
  let base: string;
  if (denom.toUpperCase() === DISPLAY_DENOM) {
    if ((frac ?? "").length > DISPLAY_EXPONENT) throw new AmountError(`${what} "${t}": ${DISPLAY_DENOM} has at most ${DISPLAY_EXPONENT} decimals (1 usoa = 0.000001 SOA)`);
    amount = BigInt(whole) * 10n ** BigInt(DISPLAY_EXPONENT) + BigInt((frac ?? "").padEnd(DISPLAY_EXPONENT, "0"));
    base = BASE_DENOM;
  } else {
    if (!isValidDenom(denom)) throw new AmountError(`${what} "${t}": invalid denomination "${denom}"`);
    if (frac !== undefined) throw new AmountError(`${what} "${t}": only ${DISPLAY_DENOM} amounts may have decimals; ${denom} amounts are whole numbers`);
    amount = BigInt(whole);
    base = denom;
  }
  if (amount === 0n) throw new AmountError(`${what} "${t}" is zero: amounts must be positive`);
  if (amount > MAX_AMOUNT) throw new AmountError(`${what} "${t}" is too large`);
  return { denom: base, amount };
}

/** "1.5SOA,100foo": comma-separated coins, sorted by denomination, each denomination once. */
export function parseCoinsArg(text: string, what = "amount"): Coin[] {
  const parts = text.split(",");
  const coins = parts.map((p) => parseCoinArg(p, what));
  coins.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  for (let i = 1; i < coins.length; i++) {
    if (coins[i].denom === coins[i - 1].denom) throw new AmountError(`${what} "${text}" names ${coins[i].denom} twice`);
  }
  return coins;
}

/** A positive decimal such as "1.4", as an exact fraction numerator / 10^decimals. */
export function parseDecimal(text: string, what: string): { numerator: bigint; decimals: number } {
  const m = /^([0-9]{1,18})(?:\.([0-9]{1,18}))?$/.exec(text.trim());
  if (!m) throw new AmountError(`${what} must be a positive decimal number, got "${text}"`);
  const frac = m[2] ?? "";
  const numerator = BigInt(m[1] + frac);
  if (numerator === 0n) throw new AmountError(`${what} must be positive, got "${text}"`);
  return { numerator, decimals: frac.length };
}

/** ceil(value * x) for a decimal x: the gas limit for a simulated amount and an adjustment. */
export function mulCeil(value: bigint, x: { numerator: bigint; decimals: number }): bigint {
  const scale = 10n ** BigInt(x.decimals);
  return (value * x.numerator + scale - 1n) / scale;
}
