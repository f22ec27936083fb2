import { SdkErrors } from "./errors";

/** An amount of one denomination. Amounts are bigint everywhere in consensus code. */
export interface Coin {
  readonly denom: string;
  readonly amount: bigint;
}

export const BASE_DENOM = "usoa";
export const DISPLAY_DENOM = "SOA";
/** 1 SOA = 10^6 usoa. */
export const DISPLAY_EXPONENT = 6;

// The Cosmos SDK's denom rule (types/coin.go reDnmString).
const DENOM_RE = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const AMOUNT_RE = /^[0-9]{1,78}$/;
/** The SDK's Int is 256 bits; anything larger is refused rather than silently accepted. */
export const MAX_AMOUNT = (1n << 256n) - 1n;

export function isValidDenom(denom: string): boolean {
  return DENOM_RE.test(denom);
}

/** Parses a decimal amount string as sent in protobuf Coin messages. */
export function parseAmount(amount: string, what = "amount"): bigint {
  if (!AMOUNT_RE.test(amount)) throw SdkErrors.InvalidCoins.wrap(`invalid ${what} "${amount}"`);
  const value = BigInt(amount);
  if (value > MAX_AMOUNT) throw SdkErrors.InvalidCoins.wrap(`${what} ${amount} is larger than the maximum amount`);
  return value;
}

/**
 * A single coin of the base denomination (a bond, a deposit, a price); zero allowed when
 * allowZero. Returns the amount. Missing, another denom or a bad amount is sdk/10.
 */
export function checkUsoa(coin: { readonly denom: string; readonly amount: string } | undefined, field: string, allowZero: boolean): bigint {
  if (!coin) throw SdkErrors.InvalidCoins.wrap(`${field} is required`);
  if (coin.denom !== BASE_DENOM) throw SdkErrors.InvalidCoins.wrap(`${field} must be in ${BASE_DENOM}, got "${coin.denom}"`);
  const amount = parseAmount(coin.amount, field);
  if (amount === 0n && !allowZero) throw SdkErrors.InvalidCoins.wrap(`${field} must be positive`);
  return amount;
}

/** Converts protobuf coins ({denom, amount: string}) into validated Coins (SDK Coins.Validate rules). */
export function coinsFromProto(coins: ReadonlyArray<{ denom: string; amount: string }>, options: { allowZero?: boolean } = {}): Coin[] {
  const out: Coin[] = [];
  for (const c of coins) {
    if (!isValidDenom(c.denom)) throw SdkErrors.InvalidCoins.wrap(`invalid denom "${c.denom}"`);
    const amount = parseAmount(c.amount);
    if (amount === 0n && !options.allowZero) throw SdkErrors.InvalidCoins.wrap(`coin ${c.amount}${c.denom} amount is not positive`);
    const prev = out[out.length - 1];
    if (prev && prev.denom >= c.denom) {
      throw SdkErrors.InvalidCoins.wrap(`denomination ${c.denom} is not sorted or is duplicated in ${formatCoins(coinsUnchecked(coins))}`);
    }
    out.push({ denom: c.denom, amount });
  }
  return out;
}

function coinsUnchecked(coins: ReadonlyArray<{ denom: string; amount: string }>): Coin[] {
  return coins.map((c) => ({ denom: c.denom, amount: /^[0-9]+$/.test(c.amount) ? BigInt(c.amount) : 0n }));
}

export function coinsToProto(coins: readonly Coin[]): Array<{ denom: string; amount: string }> {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

/** "100usoa,5foo": the SDK's Coins.String format, used in events. */
export function formatCoins(coins: readonly Coin[]): string {
  if (coins.length === 1) return String(coins[0].amount) + coins[0].denom;
  let out = "";
  for (let i = 0; i < coins.length; i++) {
    if (i > 0) out += ",";
    out += String(coins[i].amount) + coins[i].denom;
  }
  return out;
}

/** Parses "100usoa,5foo" (as in --fees and genesis tooling). Sorts and validates. */
export function parseCoins(text: string): Coin[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const parts = trimmed.split(",").map((p) => p.trim());
  const coins = parts.map((p) => {
    const m = /^([0-9]+)([a-zA-Z][a-zA-Z0-9/:._-]*)$/.exec(p);
    if (!m) throw SdkErrors.InvalidCoins.wrap(`invalid coin expression "${p}": expected <amount><denom>, e.g. 1000usoa`);
    return { denom: m[2], amount: m[1] };
  });
  coins.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  return coinsFromProto(coins);
}

/** A decimal price per gas unit, kept as an exact fraction (no floating point in fee checks). */
export interface DecCoin {
  readonly denom: string;
  /** value = numerator / 10^decimals */
  readonly numerator: bigint;
  readonly decimals: number;
}

/** Parses "0.025usoa,1foo" (minimum gas prices). */
export function parseDecCoins(text: string): DecCoin[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  return trimmed.split(",").map((p) => {
    const m = /^([0-9]+)(?:\.([0-9]{1,18}))?([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(p.trim());
    if (!m) throw new Error(`invalid decimal coin "${p}": expected e.g. 0.025usoa`);
    const frac = m[2] ?? "";
    return { denom: m[3], numerator: BigInt(m[1] + frac), decimals: frac.length };
  });
}

export function formatDecCoin(c: DecCoin): string {
  if (c.decimals === 0) return `${c.numerator}${c.denom}`;
  const s = c.numerator.toString().padStart(c.decimals + 1, "0");
  return `${s.slice(0, -c.decimals)}.${s.slice(-c.decimals)}${c.denom}`;
}

/** ceil(price * gas): the fee a gas limit requires at a price. */
export function requiredFee(price: DecCoin, gas: bigint): bigint {
  const scale = 10n ** BigInt(price.decimals);
  return (price.numerator * gas + scale - 1n) / scale;
}

export function amountOf(coins: readonly Coin[], denom: string): bigint {
  for (const c of coins) if (c.denom === denom) return c.amount;
  return 0n;
}

/** Sum of coin lists, sorted by denom, zero entries dropped. */
export function addCoins(...lists: ReadonlyArray<readonly Coin[]>): Coin[] {
  const sums = new Map<string, bigint>();
  for (const list of lists) for (const c of list) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + c.amount);
  return [...sums.entries()]
    .filter(([, a]) => a !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }));
}

/** "1.5 SOA (1500000usoa)": what people read. */
export function formatSoa(amount: bigint): string {
  const scale = 10n ** BigInt(DISPLAY_EXPONENT);
  const whole = amount / scale;
  const frac = (amount % scale).toString().padStart(DISPLAY_EXPONENT, "0").replace(/0+$/, "");
  return `${whole}${frac ? "." + frac : ""} ${DISPLAY_DENOM}`;
}
