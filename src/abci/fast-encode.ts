import {
  type Event,
  type EventAttribute,
  type ExecTxResult,
  type ResponseCheckTx,
  type ResponseFinalizeBlock,
  ValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { utf8Length, utf8Write } from "cosmjs-types/utf8";

/*
 * Direct encoders for the two responses sent once per transaction, CheckTx and FinalizeBlock
 * (one ExecTxResult with its events per tx), producing exactly the bytes of cosmjs-types'
 * generated `Response.encode` (a property test compares them).
 *
 * Why: the generated encoder allocates a linked-list node per field, a state object per nested
 * message and converts every int64 through a decimal string. A MsgSend's result carries ~30
 * event attributes, and that encoding cost a zero-cost app as much CPU per tx as everything else
 * it did. Here a first pass sizes every nested message and string (recorded in visiting order),
 * a second writes them into one array of exactly that size.
 *
 * Anything these encoders do not expect (a missing field, a number where a bigint belongs)
 * throws NOT_FAST before anything is written, and the caller uses the generated encoder, which
 * then behaves exactly as it always did.
 */

/** Thrown when a response is not one the direct encoder handles the way cosmjs-types would. */
export const NOT_FAST = new Error("not encodable by the direct encoder");

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Lengths recorded by the sizing pass, read back in the same order by the writing pass. */
let lens = new Int32Array(4096);
let count = 0;
let read = 0;

function record(len: number): void {
  if (count === lens.length) {
    const grown = new Int32Array(lens.length * 2);
    grown.set(lens);
    lens = grown;
  }
  lens[count++] = len;
}

/** Reserves a slot for a nested message's length, filled in once its fields are sized. */
function reserve(): number {
  record(0);
  return count - 1;
}

// ---- sizing pass: each returns a field's full size (tag included), 0 for an omitted field ----

function sizeString(s: unknown): number {
  if (typeof s !== "string") throw NOT_FAST;
  if (s === "") return 0;
  const len = utf8Length(s);
  record(len);
  return 1 + varintSize(len) + len;
}

function sizeBytes(b: unknown): number {
  if (!(b instanceof Uint8Array)) throw NOT_FAST;
  return b.length === 0 ? 0 : 1 + varintSize(b.length) + b.length;
}

function sizeUint32(v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw NOT_FAST;
  return v === 0 ? 0 : 1 + varintSize(v);
}

function sizeInt64(v: unknown): number {
  if (typeof v !== "bigint" || v < INT64_MIN || v > INT64_MAX) throw NOT_FAST;
  if (v === 0n) return 0;
  if (v < 0n) return 11; // two's complement: 10 varint bytes
  let size = 2;
  for (let x = v >> 7n; x > 0n; x >>= 7n) size++;
  return size;
}

/** A length-delimited field (1-byte tag) around a body of `body` bytes. */
function nested(body: number): number {
  return 1 + varintSize(body) + body;
}

function sizeAttribute(a: EventAttribute): number {
  if (typeof a !== "object" || a === null) throw NOT_FAST;
  const slot = reserve();
  const body = sizeString(a.key) + sizeString(a.value) + (a.index === true ? 2 : 0);
  lens[slot] = body;
  return nested(body);
}

function sizeEvent(e: Event): number {
  if (typeof e !== "object" || e === null || !Array.isArray(e.attributes)) throw NOT_FAST;
  const slot = reserve();
  let body = sizeString(e.type);
  for (const a of e.attributes) body += sizeAttribute(a);
  lens[slot] = body;
  return nested(body);
}

/** ResponseCheckTx and ExecTxResult share their fields, numbers and order. */
type TxResult = ResponseCheckTx | ExecTxResult;

function sizeTxResult(r: TxResult): number {
  if (typeof r !== "object" || r === null || !Array.isArray(r.events)) throw NOT_FAST;
  const slot = reserve();
  let body = sizeUint32(r.code) + sizeBytes(r.data) + sizeString(r.log) + sizeString(r.info);
  body += sizeInt64(r.gasWanted) + sizeInt64(r.gasUsed);
  for (const e of r.events) body += sizeEvent(e);
  body += sizeString(r.codespace);
  lens[slot] = body;
  return nested(body);
}

// ---- writing pass ----

let out = Buffer.alloc(0);
let pos = 0;

function writeVarint(v: number): void {
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
}

function writeInt64(tag: number, v: bigint): void {
  if (v === 0n) return;
  out[pos++] = tag;
  if (v >= 0n && v <= 0xffffffffn) {
    writeVarint(Number(v));
    return;
  }
  let u = BigInt.asUintN(64, v);
  while (u >= 0x80n) {
    out[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  out[pos++] = Number(u);
}

function writeString(tag: number, s: string): void {
  if (s === "") return;
  const len = lens[read++];
  out[pos++] = tag;
  writeVarint(len);
  if (len === s.length) {
    // One byte per char: all ASCII, which utf8Write would copy the same way. Short strings are
    // copied here, longer ones natively (a native call costs about as much as ~16 chars here).
    if (len <= 16) for (let i = 0; i < len; i++) out[pos++] = s.charCodeAt(i);
    else pos += out.write(s, pos, len, "latin1");
  } else {
    pos += utf8Write(s, out, pos);
  }
}

function writeBytes(tag: number, b: Uint8Array): void {
  if (b.length === 0) return;
  out[pos++] = tag;
  writeVarint(b.length);
  out.set(b, pos);
  pos += b.length;
}

/** An already encoded nested message: written even when empty, as the generated code does. */
function writeMessage(tag: number, m: Uint8Array): void {
  out[pos++] = tag;
  writeVarint(m.length);
  out.set(m, pos);
  pos += m.length;
}

function writeAttribute(a: EventAttribute): void {
  out[pos++] = 0x12; // Event.attributes (2)
  writeVarint(lens[read++]);
  writeString(0x0a, a.key);
  writeString(0x12, a.value);
  if (a.index === true) {
    out[pos++] = 0x18;
    out[pos++] = 1;
  }
}

function writeEvent(tag: number, e: Event): void {
  out[pos++] = tag;
  writeVarint(lens[read++]);
  writeString(0x0a, e.type);
  for (const a of e.attributes) writeAttribute(a);
}

function writeTxResult(tag: number, r: TxResult): void {
  out[pos++] = tag;
  writeVarint(lens[read++]);
  if (r.code !== 0) {
    out[pos++] = 0x08;
    writeVarint(r.code);
  }
  writeBytes(0x12, r.data);
  writeString(0x1a, r.log);
  writeString(0x22, r.info);
  writeInt64(0x28, r.gasWanted);
  writeInt64(0x30, r.gasUsed);
  for (const e of r.events) writeEvent(0x3a, e);
  writeString(0x42, r.codespace);
}

/**
 * Response{check_tx} (field 9) as a complete frame: the uvarint length CometBFT expects, then
 * the message. Throws NOT_FAST (having written nothing) for a response it does not handle.
 */
export function encodeCheckTxFrame(r: ResponseCheckTx): Uint8Array {
  count = 0;
  const message = sizeTxResult(r); // Response.check_tx's tag 0x4a is 1 byte, like the 0x3a sized
  out = Buffer.allocUnsafe(varintSize(message) + message); // every byte is written below
  pos = 0;
  read = 0;
  writeVarint(message);
  writeTxResult(0x4a, r);
  if (pos !== out.length || read !== count) throw new Error(`direct encoder: wrote ${pos} of ${out.length} bytes`);
  return out;
}

/**
 * Response{finalize_block} (field 21) as a complete frame. Validator and consensus parameter
 * updates, rare, are encoded by the generated code and copied in.
 */
export function encodeFinalizeBlockFrame(r: ResponseFinalizeBlock): Uint8Array {
  if (typeof r !== "object" || r === null || !Array.isArray(r.events) || !Array.isArray(r.txResults) || !Array.isArray(r.validatorUpdates)) throw NOT_FAST;
  count = 0;
  let body = 0;
  for (const e of r.events) body += sizeEvent(e);
  for (const t of r.txResults) body += sizeTxResult(t);
  const updates = r.validatorUpdates.map((v) => ValidatorUpdate.encode(v).finish());
  for (const u of updates) body += nested(u.length);
  const params = r.consensusParamUpdates === undefined ? undefined : ConsensusParams.encode(r.consensusParamUpdates).finish();
  if (params) body += nested(params.length);
  body += sizeBytes(r.appHash);
  const message = 2 + varintSize(body) + body; // Response.finalize_block's tag is 2 bytes
  out = Buffer.allocUnsafe(varintSize(message) + message); // every byte is written below
  pos = 0;
  read = 0;
  writeVarint(message);
  out[pos++] = 0xaa; // (21 << 3) | 2 = 170, as a varint
  out[pos++] = 0x01;
  writeVarint(body);
  for (const e of r.events) writeEvent(0x0a, e);
  for (const t of r.txResults) writeTxResult(0x12, t);
  for (const u of updates) writeMessage(0x1a, u);
  if (params) writeMessage(0x22, params);
  writeBytes(0x2a, r.appHash);
  if (pos !== out.length || read !== count) throw new Error(`direct encoder: wrote ${pos} of ${out.length} bytes`);
  return out;
}
