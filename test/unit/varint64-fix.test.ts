import fc from "fast-check";
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { Fee } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import "../../src/proto/varint64-fix";

/** Protobuf's varint of a 64-bit two's complement value, as Go's encoder writes it. */
function reference(v: bigint): string {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out).toString("hex");
}

const written = (f: (w: BinaryWriter) => void) => {
  const w = BinaryWriter.create();
  f(w);
  return Buffer.from(w.finish()).toString("hex");
};

describe("cosmjs-types int64/uint64 encoding (varint64-fix)", () => {
  test("2^31 .. 2^32 - 1, which cosmjs-types 0.11 wrote as zero bytes, come out as protobuf requires", () => {
    expect(written((w) => w.uint64(3_000_000_000n))).toBe("80bcc1960b");
    expect(written((w) => w.int64(2n ** 31n))).toBe("8080808008");
    expect(written((w) => w.int64(2n ** 32n - 1n))).toBe("ffffffff0f");
  });

  test("every int64 and uint64 is written as Go writes it, and reads back", () => {
    const int64 = fc.oneof(fc.bigInt({ min: 2n ** 31n, max: 2n ** 32n - 1n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 31n }));
    fc.assert(
      fc.property(int64, (v) => {
        expect(written((w) => w.int64(v))).toBe(reference(v));
        expect(new BinaryReader(Buffer.from(reference(v), "hex")).int64()).toBe(v);
        if (v >= 0n) {
          expect(written((w) => w.uint64(v))).toBe(reference(v));
          expect(new BinaryReader(Buffer.from(reference(v), "hex")).uint64()).toBe(v);
        }
      }),
      { numRuns: 5000 },
    );
  });

  test("messages with such values round-trip: a CheckTx answer's gas, a fee's gas limit", () => {
    const res = ResponseCheckTx.fromPartial({ code: 13, gasWanted: 3_000_000_000n, gasUsed: 4_294_967_295n });
    expect(ResponseCheckTx.decode(ResponseCheckTx.encode(res).finish())).toEqual(res);
    const fee = Fee.fromPartial({ amount: [{ denom: "usoa", amount: "1" }], gasLimit: 2_147_483_648n });
    expect(Fee.decode(Fee.encode(fee).finish())).toEqual(fee);
  });
});
