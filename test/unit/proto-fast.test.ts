import fc from "fast-check";
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { utf8Read } from "cosmjs-types/utf8";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import "../../src/proto/proto-fast";

/** A length-delimited field holding `bytes`, read back with BinaryReader.string. */
function readAsString(bytes: Uint8Array): string {
  const writer = new BinaryWriter();
  writer.bytes(bytes);
  return new BinaryReader(writer.finish()).string();
}

describe("proto-fast: BinaryReader.string", () => {
  test("gives cosmjs-types' own UTF-8 decoding for any bytes (valid or not)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(readAsString(bytes)).toBe(utf8Read(bytes, 0, bytes.length));
      }),
      { numRuns: 5000 },
    );
  });

  test("round-trips any string, ASCII or not", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" })), (text) => {
        const writer = new BinaryWriter();
        writer.string(text);
        expect(new BinaryReader(writer.finish()).string()).toBe(utf8Read(Buffer.from(text, "utf8"), 0, Buffer.byteLength(text, "utf8")));
      }),
      { numRuns: 3000 },
    );
  });

  test("a message's string fields decode as before: ASCII, multi-byte and empty", () => {
    const msg = { fromAddress: "soa1sender", toAddress: "sóa1 ☃ 𝄞", amount: [{ denom: "", amount: "12" }] };
    expect(MsgSend.decode(MsgSend.encode(msg).finish())).toEqual(msg);
  });

  test("truncated input still throws", () => {
    const bytes = new BinaryWriter().string("hello").finish().subarray(0, 4);
    expect(() => new BinaryReader(bytes).string()).toThrow();
  });
});
