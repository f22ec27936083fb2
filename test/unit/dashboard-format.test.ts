import fc from "fast-check";
import { decAtomics, duration, fixed, groupDigits, hashrate, msgLabel, percent, ppm, shortAddress, soa, toJson } from "../../dashboard/src/format";

describe("dashboard formatting", () => {
  test("amounts in SOA are exact and rounded down", () => {
    expect(soa(0n)).toBe("0 SOA");
    expect(soa(1n)).toBe("0.000001 SOA");
    expect(soa(1_500_000n)).toBe("1.5 SOA");
    expect(soa("10000000000000")).toBe("10,000,000 SOA");
    expect(soa(1_999_999n, 2)).toBe("1.99 SOA");
    expect(soa(-2_500_000n)).toBe("-2.5 SOA");
  });

  test("groupDigits and fixed agree with the integer they show", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (v, scale) => {
        expect(BigInt(groupDigits(v).replace(/,/g, ""))).toBe(v);
        // With every decimal shown, the text is the value exactly.
        const [w, f = ""] = fixed(v, scale, scale).replace(/,/g, "").split(".");
        expect(BigInt(w) * 10n ** BigInt(scale) + BigInt((f + "0".repeat(scale)).slice(0, scale) || "0")).toBe(v);
      }),
    );
  });

  test("Cosmos decimals, percentages and ppm", () => {
    expect(decAtomics("0.050000000000000000")).toBe(5n * 10n ** 16n);
    expect(decAtomics("50000000000000000")).toBe(5n * 10n ** 16n);
    expect(decAtomics("1")).toBe(1n);
    expect(percent(1n, 3n)).toBe("33.33%");
    expect(percent(2n, 3n)).toBe("66.66%");
    expect(percent(1n, 0n)).toBe("–");
    expect(ppm(812_345)).toBe("81.23%");
    expect(ppm(1_000_000)).toBe("100%");
  });

  test("durations, hashrates, message labels, addresses, JSON with bigints and bytes", () => {
    expect(duration(850)).toBe("850 ms");
    expect(duration(12_400)).toBe("12.4 s");
    expect(duration(200_000)).toBe("3 min 20 s");
    expect(duration(7_500_000)).toBe("2 h 5 min");
    expect(duration(-1)).toBe("–");
    expect(hashrate(999)).toBe("999 H/s");
    expect(hashrate(1_234_567)).toBe("1.23 MH/s");
    expect(msgLabel("/blockai.pow.v1.MsgSubmitWork")).toBe("pow SubmitWork");
    expect(msgLabel("/cosmos.bank.v1beta1.MsgSend")).toBe("bank Send");
    expect(msgLabel("/ibc.core.Other")).toBe("ibc.core.Other");
    expect(shortAddress("soa1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqabcdef")).toBe("soa1qqqqqq…abcdef");
    expect(shortAddress("soa1short")).toBe("soa1short");
    expect(JSON.parse(toJson({ a: 1n, b: new Uint8Array([1, 255]) }))).toEqual({ a: "1", b: "01ff" });
  });
});
