/*
 * cosmjs-types 0.11 (and so every CosmJS client) encodes int64 and uint64 values from 2^31 to
 * 2^32 - 1 wrongly. Its int64FromString keeps the low 32 bits as a *signed* number, and
 * writeVarint64, when the high bits are zero, loops `while (lo > 127)`, which a negative number
 * never enters, and writes only the value's low byte, then zero bytes: 3,000,000,000 comes out as
 * 00 00 00 00 00 instead of 80 bc c1 96 0b.
 *
 * For this application that was a remote kill switch: a tx whose gas limit lies in that range
 * (any encoder but cosmjs-types can write one) made CheckTx answer gas_wanted as five zero
 * bytes, CometBFT failed to decode the response ("proto: ResponseCheckTx: illegal tag 0") and
 * stopped itself; in a block the same would have broken FinalizeBlock on every validator.
 *
 * The writer below is the same algorithm with both halves read as unsigned, so every value the
 * original wrote correctly comes out byte for byte the same, and the broken range comes out as
 * protobuf requires. It replaces the library's export, which its BinaryWriter looks up on every
 * call, so all cosmjs-types encoders in this process use it. Importing this module applies it.
 */
interface Bits {
  lo: number;
  hi: number;
}

const varint = require("cosmjs-types/varint") as { writeVarint64: (val: Bits, buf: Uint8Array, pos: number) => void };

function writeVarint64(val: Bits, buf: Uint8Array, pos: number): void {
  let lo = val.lo >>> 0;
  let hi = val.hi >>> 0;
  while (hi !== 0) {
    buf[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 127) {
    buf[pos++] = (lo & 127) | 128;
    lo >>>= 7;
  }
  buf[pos] = lo;
}

varint.writeVarint64 = writeVarint64;

export {};
