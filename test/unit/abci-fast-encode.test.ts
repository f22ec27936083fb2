import fc from "fast-check";
import { BinaryWriter } from "cosmjs-types/binary";
import { Response, ResponseCheckTx, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { FrameDecoder, ResponseBatch } from "../../src/abci";

/** The frame the generated encoder gives: uvarint length, then Response.encode. */
function generatedFrame(response: Response): Uint8Array {
  const w = BinaryWriter.create();
  w.fork();
  Response.encode(response, w);
  w.ldelim();
  return w.finish();
}

function batched(...responses: Response[]): Uint8Array {
  const batch = new ResponseBatch();
  for (const r of responses) batch.append(r);
  expect(batch.length).toBe(responses.length);
  const bytes = batch.take();
  expect(batch.length).toBe(0);
  expect(batch.byteLength).toBe(0);
  return bytes;
}

// Strings of every kind: ASCII, multi-byte, astral, and lone surrogates (which cosmjs-types
// writes as 3-byte sequences rather than U+FFFD).
const text = fc.oneof(fc.constant(""), fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constantFrom("\ud800", "a\udfffb", "\u00e9"));
const int64 = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }));
const attribute = fc.record({ key: text, value: text, index: fc.boolean() });
const event = fc.record({ type: text, attributes: fc.array(attribute, { maxLength: 5 }) });
const txResult = fc.record({
  code: fc.oneof(fc.constant(0), fc.nat({ max: 0xffffffff })),
  data: fc.uint8Array({ maxLength: 40 }),
  log: text,
  info: text,
  gasWanted: int64,
  gasUsed: int64,
  events: fc.array(event, { maxLength: 4 }),
  codespace: text,
});
const validatorUpdate = fc.record({
  pubKey: fc.record({ ed25519: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }) }),
  power: int64,
});
const finalizeBlock = fc.record({
  events: fc.array(event, { maxLength: 3 }),
  txResults: fc.array(txResult, { maxLength: 6 }),
  validatorUpdates: fc.array(validatorUpdate, { maxLength: 2 }),
  consensusParamUpdates: fc.option(fc.record({ block: fc.record({ maxBytes: int64, maxGas: int64 }) }), { nil: undefined }),
  appHash: fc.uint8Array({ maxLength: 32 }),
});

describe("direct encoding of CheckTx and FinalizeBlock responses", () => {
  test("CheckTx: the same bytes as the generated encoder", () => {
    fc.assert(
      fc.property(txResult, (r) => {
        const response = { checkTx: ResponseCheckTx.fromPartial(r) } as Response;
        expect(Buffer.from(batched(response))).toEqual(Buffer.from(generatedFrame(response)));
      }),
      { numRuns: 2000 },
    );
  });

  test("FinalizeBlock: the same bytes as the generated encoder", () => {
    fc.assert(
      fc.property(finalizeBlock, (r) => {
        const response = { finalizeBlock: ResponseFinalizeBlock.fromPartial(r) } as Response;
        expect(Buffer.from(batched(response))).toEqual(Buffer.from(generatedFrame(response)));
      }),
      { numRuns: 1000 },
    );
  });

  test("a batch mixing direct and generated frames keeps their order", () => {
    const responses: Response[] = [
      { flush: {} } as Response,
      { checkTx: ResponseCheckTx.fromPartial({ code: 5, log: "insufficient funds", gasWanted: 200000n }) } as Response,
      { flush: {} } as Response,
      { finalizeBlock: ResponseFinalizeBlock.fromPartial({ txResults: [{ code: 0, events: [{ type: "transfer", attributes: [{ key: "amount", value: "5usoa", index: true }] }] }], appHash: new Uint8Array(32).fill(7) }) } as Response,
      { commit: { retainHeight: 3n } } as Response,
    ];
    const bytes = batched(...responses);
    expect(Buffer.from(bytes)).toEqual(Buffer.concat(responses.map(generatedFrame)));
    expect(new FrameDecoder().push(bytes).map((f) => Response.decode(f))).toEqual(responses.map((r) => Response.decode(new FrameDecoder().push(generatedFrame(r))[0])));
  });

  test("a malformed response throws as before and leaves the batch as it was", () => {
    const batch = new ResponseBatch();
    batch.append({ checkTx: ResponseCheckTx.fromPartial({ code: 1 }) } as Response);
    const before = batch.byteLength;
    // gasWanted as a number and data missing: the generated encoder throws on the latter.
    const bad = { checkTx: { code: 0, log: "", info: "", gasWanted: 5, gasUsed: 0n, events: [], codespace: "" } } as unknown as Response;
    expect(() => batch.append(bad)).toThrow();
    expect(batch.byteLength).toBe(before);
    expect(batch.length).toBe(1);
    expect(Buffer.from(batch.take())).toEqual(Buffer.from(generatedFrame({ checkTx: ResponseCheckTx.fromPartial({ code: 1 }) } as Response)));
  });

  test("what the direct encoder does not take (a number for an int64) is still encoded as before", () => {
    const odd = { checkTx: { ...ResponseCheckTx.fromPartial({ log: "ok" }), gasWanted: 7 } } as unknown as Response;
    expect(Buffer.from(batched(odd))).toEqual(Buffer.from(generatedFrame(odd)));
  });
});
