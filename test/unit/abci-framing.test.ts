import fc from "fast-check";
import {
  decodeUvarint,
  encodeFrame,
  encodeUvarint,
  FrameDecoder,
  FramingError,
  MAX_FRAME_BYTES,
  uvarintSize,
} from "../../src/abci";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("uvarint", () => {
  test.each<[number, string]>([
    [0, "00"],
    [1, "01"],
    [127, "7f"],
    [128, "8001"],
    [300, "ac02"],
    [16383, "ff7f"],
    [16384, "808001"],
    [2 ** 32, "8080808010"],
    [Number.MAX_SAFE_INTEGER, "ffffffffffffff0f"],
  ])("%d <-> %s (protobuf base-128, not zigzag)", (value, encoded) => {
    expect(hex(encodeUvarint(value))).toBe(encoded);
    expect(uvarintSize(value)).toBe(encoded.length / 2);
    expect(decodeUvarint(Buffer.from(encoded, "hex"))).toEqual({ value, length: encoded.length / 2 });
  });

  test("round trips any safe integer, also at an offset", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.nat(5), (value, pad) => {
        const encoded = encodeUvarint(value);
        const buf = new Uint8Array(pad + encoded.length + 3).fill(0xff);
        buf.set(encoded, pad);
        expect(decodeUvarint(buf, pad)).toEqual({ value, length: encoded.length });
      }),
    );
  });

  test("the spec example: a 4-byte message is sent as 04 DE AD BE EF", () => {
    expect(hex(encodeFrame(Uint8Array.from([0xde, 0xad, 0xbe, 0xef])))).toBe("04deadbeef");
  });

  test("incomplete input yields undefined", () => {
    expect(decodeUvarint(new Uint8Array())).toBeUndefined();
    expect(decodeUvarint(Uint8Array.from([0x80, 0x80]))).toBeUndefined();
  });

  test("rejects over-long and unsafe values", () => {
    expect(() => decodeUvarint(new Uint8Array(11).fill(0x80))).toThrow(FramingError);
    expect(() => decodeUvarint(Buffer.from("ffffffffffffffffff01", "hex"))).toThrow(FramingError);
    expect(() => encodeUvarint(-1)).toThrow(RangeError);
    expect(() => encodeUvarint(1.5)).toThrow(RangeError);
  });
});

describe("FrameDecoder", () => {
  test("random splits of a frame stream give back the same messages", () => {
    const message = fc.oneof(
      { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 120, maxLength: 20_000 }) },
    );
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (messages, rawCuts) => {
          const stream = Buffer.concat(messages.map(encodeFrame));
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const decoder = new FrameDecoder();
          const out: Uint8Array[] = [];
          let start = 0;
          for (const end of [...cuts, stream.length]) {
            out.push(...decoder.push(stream.subarray(start, end)));
            start = end;
          }
          expect(out.map(hex)).toEqual(messages.map(hex));
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("byte-by-byte feeding and several frames in one chunk", () => {
    const messages = [Uint8Array.from([1, 2, 3]), new Uint8Array(), new Uint8Array(300).fill(7)];
    const stream = Buffer.concat(messages.map(encodeFrame));
    const decoder = new FrameDecoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(out.map(hex)).toEqual(messages.map(hex));
    expect(new FrameDecoder().push(stream).map(hex)).toEqual(messages.map(hex));
  });

  test("a large frame in many chunks is returned once complete", () => {
    const body = new Uint8Array(1_000_000).map((_, i) => i % 251);
    const frame = encodeFrame(body);
    const decoder = new FrameDecoder();
    for (let i = 0; i + 65536 < frame.length; i += 65536) {
      expect(decoder.push(frame.subarray(i, i + 65536))).toEqual([]);
    }
    const rest = frame.subarray(Math.floor((frame.length - 1) / 65536) * 65536);
    const [decoded] = decoder.push(rest);
    expect(Buffer.compare(decoded, body)).toBe(0);
  });

  test("rejects a length prefix above 256 MiB without waiting for the body", () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(encodeUvarint(MAX_FRAME_BYTES))).toEqual([]); // exactly the limit is fine
    expect(() => new FrameDecoder().push(encodeUvarint(MAX_FRAME_BYTES + 1))).toThrow(FramingError);
    expect(() => new FrameDecoder(10).push(encodeFrame(new Uint8Array(11)))).toThrow(/exceeds/);
  });
});
