import fc from "fast-check";
import { formatSoa } from "../../src/types/coins";
import { AmountError, mulCeil, parseCoinArg, parseCoinsArg, parseDecimal } from "../../src/cli/amount";
import { formatCoinHuman, table } from "../../src/cli/output";

describe("CLI amounts", () => {
  test.each([
    ["1500000usoa", 1_500_000n],
    ["1.5SOA", 1_500_000n],
    ["1.5soa", 1_500_000n],
    ["1.5 SOA", 1_500_000n],
    ["0.000001SOA", 1n],
    ["1000SOA", 1_000_000_000n],
    ["007usoa", 7n],
  ])("%s = %p usoa", (text, usoa) => {
    expect(parseCoinArg(text)).toEqual({ denom: "usoa", amount: usoa });
  });

  test("other denominations are whole numbers", () => {
    expect(parseCoinArg("42foo")).toEqual({ denom: "foo", amount: 42n });
    expect(parseCoinsArg("2SOA,42foo,1bar")).toEqual([
      { denom: "bar", amount: 1n },
      { denom: "foo", amount: 42n },
      { denom: "usoa", amount: 2_000_000n },
    ]);
  });

  test.each([
    ["-5usoa", /is negative/],
    ["-1.5SOA", /is negative/],
    ["100", /has no denomination: write e.g. 100usoa or 100SOA/],
    ["0usoa", /is zero/],
    ["0.0SOA", /is zero/],
    ["1.0000001SOA", /at most 6 decimals/],
    ["1.5foo", /only SOA amounts may have decimals/],
    ["usoa", /not a number followed by a denomination/],
    ["", /empty/],
    ["5u", /invalid denomination "u"/],
    ["1SOA,2usoa", /names usoa twice/],
    [`${"9".repeat(80)}usoa`, /too large/],
  ])("%p is refused: %p", (text, message) => {
    expect(() => parseCoinsArg(text)).toThrow(AmountError);
    expect(() => parseCoinsArg(text)).toThrow(message);
  });

  test("SOA decimals convert exactly (property): parse(format(x)) = x for every usoa amount", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 30n }), (usoa) => {
        const soa = formatSoa(usoa).replace(" SOA", "SOA");
        expect(parseCoinArg(soa)).toEqual({ denom: "usoa", amount: usoa });
        expect(parseCoinArg(`${usoa}usoa`)).toEqual({ denom: "usoa", amount: usoa });
      }),
    );
  });

  test("gas adjustment is exact and rounds up", () => {
    expect(mulCeil(100_000n, parseDecimal("1.4", "x"))).toBe(140_000n);
    expect(mulCeil(54_771n, parseDecimal("1.4", "x"))).toBe(76_680n); // 76679.4 -> 76680
    expect(mulCeil(3n, parseDecimal("1", "x"))).toBe(3n);
    expect(() => parseDecimal("0", "--gas-adjustment")).toThrow(/must be positive/);
    expect(() => parseDecimal("-1", "--gas-adjustment")).toThrow(/positive decimal/);
  });

  test("human output: SOA with usoa in parentheses, aligned tables without trailing spaces", () => {
    expect(formatCoinHuman({ denom: "usoa", amount: "1500000" })).toBe("1.5 SOA (1500000usoa)");
    expect(formatCoinHuman({ denom: "usoa", amount: 1n })).toBe("0.000001 SOA (1usoa)");
    expect(formatCoinHuman({ denom: "foo", amount: "5" })).toBe("5foo");
    expect(table([["a", "1"], ["long name", "2"]], ["NAME", "V"])).toBe("NAME       V\na          1\nlong name  2\n");
  });
});
