/**
 * Pure formatting for the dashboard: amounts, fixed-point decimals, ratios, durations. Integer
 * arithmetic only (amounts are bigint strings on chain), so what the page shows is exactly what a
 * query returns, rounded down at the last digit shown.
 */

export const USOA_PER_SOA = 1_000_000n;

/** Groups an integer's digits by thousands: 1234567 -> "1,234,567". */
export function groupDigits(n: bigint | number | string): string {
  const s = BigInt(n).toString();
  const neg = s.startsWith("-");
  const digits = neg ? s.slice(1) : s;
  return (neg ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A fixed-point integer with `scale` decimals, shown with at most `decimals` (rounded down). */
export function fixed(value: bigint, scale: number, decimals: number): string {
  const neg = value < 0n;
  const v = neg ? -value : value;
  const unit = 10n ** BigInt(scale);
  const whole = v / unit;
  let text = groupDigits(whole);
  if (decimals > 0) {
    const frac = (v % unit).toString().padStart(scale, "0").slice(0, decimals).replace(/0+$/, "");
    if (frac !== "") text += "." + frac;
  }
  return (neg ? "-" : "") + text;
}

/** usoa as SOA: "1,234.5 SOA" (up to 6 decimals, trailing zeros dropped). */
export function soa(usoa: bigint | string, decimals = 6): string {
  return `${fixed(BigInt(usoa), 6, decimals)} SOA`;
}

/** A Cosmos SDK Dec as its 18-decimal integer string ("50000000000000000" = 0.05). */
export function decAtomics(value: string): bigint {
  if (value.includes(".")) {
    const [w, f = ""] = value.split(".");
    return BigInt(w || "0") * 10n ** 18n + BigInt((f + "0".repeat(18)).slice(0, 18));
  }
  return BigInt(value === "" ? "0" : value);
}

/** part/whole as a percentage with `decimals` decimals, rounded down; "–" when whole is 0. */
export function percent(part: bigint, whole: bigint, decimals = 2): string {
  if (whole === 0n) return "–";
  const scaled = (part * 100n * 10n ** BigInt(decimals)) / whole;
  return `${fixed(scaled, decimals, decimals)}%`;
}

/** Parts per million as a percentage: 812345 -> "81.23%". */
export function ppm(value: number | bigint, decimals = 2): string {
  return percent(BigInt(value), 1_000_000n, decimals);
}

/** A duration in milliseconds for people: "850 ms", "12.4 s", "3 min 20 s", "2 h 5 min". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Hashes per second with an SI prefix: 1234567 -> "1.23 MH/s". */
export function hashrate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return "–";
  const units = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s", "EH/s"];
  let v = perSecond;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(2) : v < 100 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** The last part of a type URL: "/blockai.pow.v1.MsgSubmitWork" -> "pow SubmitWork". */
export function msgLabel(typeUrl: string): string {
  const m = /^\/(?:cosmos\.|blockai\.)?([a-z0-9_]+)\.(?:v\d+(?:beta\d+)?\.)?Msg([A-Za-z0-9]+)$/.exec(typeUrl);
  return m ? `${m[1]} ${m[2]}` : typeUrl.replace(/^\//, "");
}

/** An address shortened for a table cell: soa1abcd…wxyz. */
export function shortAddress(address: string, keep = 6): string {
  return address.length <= 2 * keep + 6 ? address : `${address.slice(0, keep + 4)}…${address.slice(-keep)}`;
}

/** JSON with bigints and bytes as strings (for showing decoded messages). */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
      if (v && typeof v === "object" && (v as { type?: string }).type === "Buffer" && Array.isArray((v as { data?: unknown }).data)) {
        return ((v as { data: number[] }).data).map((b) => b.toString(16).padStart(2, "0")).join("");
      }
      return v;
    },
    2,
  );
}
