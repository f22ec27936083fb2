import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { utf8Read } from "cosmjs-types/utf8";
// State, query and response encodings all need int64s of 2^31 to 2^32 - 1 written correctly.
import "./varint64-fix";

/*
 * cosmjs-types 0.11's BinaryWriter.alloc builds a fresh 8 KiB buffer pool on every call (it calls
 * pool(...) inside alloc), so each encode().finish() of a small message allocates 8 KiB. A
 * transaction encodes several messages (sign doc, accounts, responses), which made this one of
 * the largest costs of CheckTx. Allocating exactly the needed bytes gives identical encodings.
 */
(BinaryWriter as unknown as { alloc: (size: number) => Uint8Array }).alloc = (size: number) => new Uint8Array(size);

/*
 * BinaryReader.string decodes UTF-8 in JS through per-call arrays, a fifth of decoding a tx
 * (type URLs, addresses, denoms and amounts are all strings). Nearly every string on the chain is
 * ASCII, which the native latin1 slice returns unchanged; anything else still goes through the
 * original decoder, so every result is the same as before.
 */
BinaryReader.prototype.string = function (this: BinaryReader): string {
  const bytes = this.bytes();
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return utf8Read(bytes, 0, bytes.length);
  return latin1(bytes); // one char per byte: for ASCII, the UTF-8 decoding
};

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export {};
