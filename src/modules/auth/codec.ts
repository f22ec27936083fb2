import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Any } from "cosmjs-types/google/protobuf/any";
import { encodeAddress } from "../../types/address";

export const BASE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.ModuleAccount";
export const SECP256K1_PUBKEY_TYPE_URL = "/cosmos.crypto.secp256k1.PubKey";

/** An account as the chain keeps it. */
export interface Account {
  readonly address: Uint8Array;
  /** 33-byte compressed secp256k1 key; set by the account's first signed transaction. */
  pubKey?: Uint8Array;
  readonly accountNumber: bigint;
  sequence: bigint;
  /** Set for module accounts (fee_collector, ...): they hold coins but never sign. */
  readonly moduleName?: string;
}

/*
 * A hand-written codec for the account records this keeper writes (Any{BaseAccount} and
 * Any{ModuleAccount}), the bulk of a transfer's protobuf work. The encoder gives the bytes
 * cosmjs-types gives (fields in order, defaults omitted, minimal varints); the decoder accepts only
 * that canonical layout and returns undefined for anything else, which then goes through
 * cosmjs-types: results are identical for every input.
 */
function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const BASE_ACCOUNT_TYPE_BYTES = asciiBytes(BASE_ACCOUNT_TYPE_URL);
const MODULE_ACCOUNT_TYPE_BYTES = asciiBytes(MODULE_ACCOUNT_TYPE_URL);
const PUBKEY_TYPE_BYTES = asciiBytes(SECP256K1_PUBKEY_TYPE_URL);
const U63 = 1n << 63n;
const TWO_POW_53 = 2n ** 53n;

/** Size of a varint of a non-negative integer below 2^32 (lengths). */
function varint32Size(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** A length-delimited field: tag byte, length, then `bytes`. Returns the position after it. */
function writeBytesField(out: Uint8Array, pos: number, tag: number, bytes: Uint8Array): number {
  out[pos++] = tag;
  pos = writeVarint32(out, pos, bytes.length);
  out.set(bytes, pos);
  return pos + bytes.length;
}

function writeVarint32(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[pos++] = n;
  return pos;
}

/** Size of a varint of 0 < v < 2^63. */
function varint64Size(v: bigint): number {
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

function writeVarint64(out: Uint8Array, pos: number, v: bigint): number {
  if (v < TWO_POW_53) {
    // Integers below 2^53 are exact in a double; division by 128 is then exact integer arithmetic.
    let n = Number(v);
    while (n >= 0x80) {
      out[pos++] = (n % 0x80) | 0x80;
      n = (n - (n % 0x80)) / 0x80;
    }
    out[pos++] = n;
    return pos;
  }
  while (v >= 0x80n) {
    out[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[pos++] = Number(v);
  return pos;
}

/** Length of a length-delimited field (tag byte, length varint, payload). */
function fieldSize(length: number): number {
  return 1 + varint32Size(length) + length;
}

function encodeAccountFast(account: Account): Uint8Array | undefined {
  const { accountNumber, sequence, pubKey, moduleName } = account;
  if (typeof accountNumber !== "bigint" || typeof sequence !== "bigint") return undefined;
  if (accountNumber < 0n || accountNumber >= U63 || sequence < 0n || sequence >= U63) return undefined;
  const address = encodeAddress(account.address);
  for (let i = 0; i < address.length; i++) if (address.charCodeAt(i) > 0x7f) return undefined;
  let name: Uint8Array | undefined;
  if (moduleName !== undefined) {
    if (typeof moduleName !== "string") return undefined;
    for (let i = 0; i < moduleName.length; i++) if (moduleName.charCodeAt(i) > 0x7f) return undefined;
    name = asciiBytes(moduleName);
  }
  const hasPubKey = pubKey !== undefined && pubKey !== null;
  // PubKey{key} and its Any{typeUrl, value}.
  const pubKeyMsg = hasPubKey && pubKey.length !== 0 ? fieldSize(pubKey.length) : 0;
  const pubKeyAny = fieldSize(PUBKEY_TYPE_BYTES.length) + (pubKeyMsg !== 0 ? fieldSize(pubKeyMsg) : 0);
  const baseSize =
    (address.length !== 0 ? fieldSize(address.length) : 0) +
    (hasPubKey ? fieldSize(pubKeyAny) : 0) +
    (accountNumber !== 0n ? 1 + varint64Size(accountNumber) : 0) +
    (sequence !== 0n ? 1 + varint64Size(sequence) : 0);
  const typeBytes = name !== undefined ? MODULE_ACCOUNT_TYPE_BYTES : BASE_ACCOUNT_TYPE_BYTES;
  const valueSize = name !== undefined ? fieldSize(baseSize) + (name.length !== 0 ? fieldSize(name.length) : 0) : baseSize;
  const out = new Uint8Array(fieldSize(typeBytes.length) + (valueSize !== 0 ? fieldSize(valueSize) : 0));
  let pos = 0;
  pos = writeBytesField(out, pos, 0x0a, typeBytes);
  if (valueSize !== 0) {
    out[pos++] = 0x12;
    pos = writeVarint32(out, pos, valueSize);
  }
  if (name !== undefined) {
    out[pos++] = 0x0a;
    pos = writeVarint32(out, pos, baseSize);
  }
  if (address.length !== 0) {
    out[pos++] = 0x0a;
    pos = writeVarint32(out, pos, address.length);
    for (let i = 0; i < address.length; i++) out[pos++] = address.charCodeAt(i);
  }
  if (hasPubKey) {
    out[pos++] = 0x12;
    pos = writeVarint32(out, pos, pubKeyAny);
    pos = writeBytesField(out, pos, 0x0a, PUBKEY_TYPE_BYTES);
    if (pubKeyMsg !== 0) {
      out[pos++] = 0x12;
      pos = writeVarint32(out, pos, pubKeyMsg);
      pos = writeBytesField(out, pos, 0x0a, pubKey);
    }
  }
  if (accountNumber !== 0n) {
    out[pos++] = 0x18;
    pos = writeVarint64(out, pos, accountNumber);
  }
  if (sequence !== 0n) {
    out[pos++] = 0x20;
    pos = writeVarint64(out, pos, sequence);
  }
  if (name !== undefined && name.length !== 0) {
    pos = writeBytesField(out, pos, 0x12, name);
  }
  if (pos !== out.length) throw new Error("account encoding: size mismatch");
  return out;
}

/** Stored bytes of an account, exactly Any.encode(encodeAccountAny(account)).finish(). */
export function encodeAccountBytes(account: Account): Uint8Array {
  return encodeAccountFast(account) ?? Any.encode(encodeAccountAny(account)).finish();
}

/** A reader over canonical protobuf; every method returns -1 on anything unexpected. */
class CanonicalReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  /** A length varint (at most 4 bytes, minimal) ending within `end`, or -1. */
  length(end: number): number {
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= end) return -1;
      const b = this.buf[this.pos++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        if (b === 0 && shift > 0) return -1;
        return this.pos + result <= end ? result : -1;
      }
    }
    return -1;
  }

  /** A u64 varint below 2^63 (at most 9 bytes, minimal) within `end`, or -1n. */
  u64(end: number): bigint {
    let lo = 0;
    let shift = 0;
    // The first 7 bytes (49 bits) fit a double exactly.
    for (; shift < 49; shift += 7) {
      if (this.pos >= end) return -1n;
      const b = this.buf[this.pos++];
      lo += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return b === 0 && shift > 0 ? -1n : BigInt(lo);
    }
    let value = BigInt(lo);
    for (; shift < 63; shift += 7) {
      if (this.pos >= end) return -1n;
      const b = this.buf[this.pos++];
      value += BigInt(b & 0x7f) << BigInt(shift);
      if (b < 0x80) return b === 0 ? -1n : value;
    }
    return -1n;
  }

  /** Whether the bytes at pos are exactly `expected`; advances past them if so. */
  match(expected: Uint8Array, end: number): boolean {
    if (this.pos + expected.length > end) return false;
    for (let i = 0; i < expected.length; i++) if (this.buf[this.pos + i] !== expected[i]) return false;
    this.pos += expected.length;
    return true;
  }
}

interface DecodedBase {
  pubKey: Uint8Array | undefined;
  accountNumber: bigint;
  sequence: bigint;
}

/** A canonical BaseAccount occupying exactly [r.pos, end), or undefined. */
function decodeBaseFast(r: CanonicalReader, end: number): DecodedBase | undefined {
  const buf = r.buf;
  let pubKey: Uint8Array | undefined;
  let accountNumber = 0n;
  let sequence = 0n;
  // address (ignored: the caller knows it, as decodeAccountAny does)
  if (r.pos < end && buf[r.pos] === 0x0a) {
    r.pos++;
    const len = r.length(end);
    if (len < 0) return undefined;
    r.pos += len;
  }
  if (r.pos < end && buf[r.pos] === 0x12) {
    r.pos++;
    const anyLen = r.length(end);
    if (anyLen < 0) return undefined;
    const anyEnd = r.pos + anyLen;
    // Any.typeUrl: decodeAccountAny reads the key whatever the type says; only the canonical
    // one is taken here.
    if (r.pos >= anyEnd || buf[r.pos++] !== 0x0a) return undefined;
    if (r.length(anyEnd) !== PUBKEY_TYPE_BYTES.length || !r.match(PUBKEY_TYPE_BYTES, anyEnd)) return undefined;
    if (r.pos === anyEnd) {
      pubKey = new Uint8Array();
    } else {
      if (buf[r.pos++] !== 0x12) return undefined;
      const msgLen = r.length(anyEnd);
      if (msgLen < 0 || r.pos + msgLen !== anyEnd) return undefined;
      if (msgLen === 0) {
        pubKey = new Uint8Array();
      } else {
        if (buf[r.pos++] !== 0x0a) return undefined;
        const keyLen = r.length(anyEnd);
        if (keyLen < 0 || r.pos + keyLen !== anyEnd) return undefined;
        pubKey = buf.slice(r.pos, anyEnd);
        r.pos = anyEnd;
      }
    }
  }
  if (r.pos < end && buf[r.pos] === 0x18) {
    r.pos++;
    accountNumber = r.u64(end);
    if (accountNumber < 0n) return undefined;
  }
  if (r.pos < end && buf[r.pos] === 0x20) {
    r.pos++;
    sequence = r.u64(end);
    if (sequence < 0n) return undefined;
  }
  if (r.pos !== end) return undefined;
  return { pubKey, accountNumber, sequence };
}

function decodeAccountFast(address: Uint8Array, raw: Uint8Array): Account | undefined {
  const r = new CanonicalReader(raw, 0);
  const end = raw.length;
  if (end === 0 || raw[r.pos++] !== 0x0a) return undefined;
  const typeLen = r.length(end);
  let isModule: boolean;
  if (typeLen === BASE_ACCOUNT_TYPE_BYTES.length && r.match(BASE_ACCOUNT_TYPE_BYTES, end)) isModule = false;
  else if (typeLen === MODULE_ACCOUNT_TYPE_BYTES.length && r.match(MODULE_ACCOUNT_TYPE_BYTES, end)) isModule = true;
  else return undefined;
  if (r.pos >= end || raw[r.pos++] !== 0x12) return undefined;
  const valueLen = r.length(end);
  if (valueLen <= 0 || r.pos + valueLen !== end) return undefined;
  if (!isModule) {
    const base = decodeBaseFast(r, end);
    if (!base) return undefined;
    return { address, pubKey: base.pubKey, accountNumber: base.accountNumber, sequence: base.sequence, moduleName: undefined };
  }
  if (raw[r.pos++] !== 0x0a) return undefined;
  const baseLen = r.length(end);
  if (baseLen < 0) return undefined;
  const base = decodeBaseFast(r, r.pos + baseLen);
  if (!base) return undefined;
  let name = "";
  if (r.pos < end) {
    if (raw[r.pos++] !== 0x12) return undefined;
    const nameLen = r.length(end);
    if (nameLen <= 0 || r.pos + nameLen !== end) return undefined;
    for (let i = r.pos; i < end; i++) {
      const c = raw[i];
      if (c > 0x7f) return undefined;
      name += String.fromCharCode(c);
    }
    r.pos = end;
  }
  return { address, pubKey: base.pubKey, accountNumber: base.accountNumber, sequence: base.sequence, moduleName: name };
}

export function encodeAccountAny(account: Account): Any {
  const base = BaseAccount.fromPartial({
    address: encodeAddress(account.address),
    pubKey: account.pubKey
      ? { typeUrl: SECP256K1_PUBKEY_TYPE_URL, value: PubKey.encode({ key: account.pubKey }).finish() }
      : undefined,
    accountNumber: account.accountNumber,
    sequence: account.sequence,
  });
  if (account.moduleName !== undefined) {
    return {
      typeUrl: MODULE_ACCOUNT_TYPE_URL,
      value: ModuleAccount.encode({ baseAccount: base, name: account.moduleName, permissions: [] }).finish(),
    };
  }
  return { typeUrl: BASE_ACCOUNT_TYPE_URL, value: BaseAccount.encode(base).finish() };
}

export function decodeAccountAny(address: Uint8Array, any: Any): Account {
  const moduleAccount = any.typeUrl === MODULE_ACCOUNT_TYPE_URL ? ModuleAccount.decode(any.value) : undefined;
  const base = moduleAccount ? moduleAccount.baseAccount! : BaseAccount.decode(any.value);
  return {
    address,
    pubKey: base.pubKey ? PubKey.decode(base.pubKey.value).key : undefined,
    accountNumber: base.accountNumber,
    sequence: base.sequence,
    moduleName: moduleAccount?.name,
  };
}

/** An account from its stored bytes: the canonical layout without cosmjs-types, anything else through it. */
export function decodeAccountBytes(address: Uint8Array, raw: Uint8Array): Account {
  return decodeAccountFast(address, raw) ?? decodeAccountAny(address, Any.decode(raw));
}
