/**
 * The work-certificate seal: its byte layout, targets and work. Part of the protocol (the chain,
 * the miner and any client compute exactly this); docs/pow.md describes it byte by byte.
 *
 *   preimage = "blockai/pow/v1"            14 bytes, ASCII domain tag
 *            || u8 len(chain_id) || chain_id (UTF-8, 1..255 bytes)
 *            || u64 BE anchor_height
 *            || block_hash(anchor_height)   32 bytes
 *            || u8 len(miner) || miner address bytes (20 or 32)
 *            || u64 BE model_id
 *            || work_digest                 32 bytes
 *            || u64 BE nonce                (last, so a miner hashes a fixed prefix + nonce)
 *   seal     = SHA-256(SHA-256(preimage))
 *
 * A seal meets a target when, read as a 256-bit big-endian integer, it is <= target.
 */
import { createHash, hash as oneShotHash } from "node:crypto";

export const SEAL_TAG = "blockai/pow/v1";
export const SEAL_TAG_BYTES = new TextEncoder().encode(SEAL_TAG);
export const HASH_LENGTH = 32;
export const NONCE_LENGTH = 8;
/** 2^256: one more than the largest target. */
export const TWO_256 = 1n << 256n;
export const MAX_TARGET = TWO_256 - 1n;

export interface SealFields {
  chainId: string;
  anchorHeight: bigint;
  /** The 32-byte hash of the block at anchorHeight. */
  anchorHash: Uint8Array;
  /** The miner's raw address bytes (bech32-decoded). */
  miner: Uint8Array;
  modelId: bigint;
  /** 32 bytes. */
  workDigest: Uint8Array;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * Everything before the nonce. Throws a plain Error on malformed input (callers validate first:
 * a chain handler turns the cases it can meet into ChainErrors before calling this).
 */
export function sealPrefix(f: SealFields): Buffer {
  const chain = Buffer.from(f.chainId, "utf8");
  if (chain.length === 0 || chain.length > 255) throw new Error(`chain id must be 1..255 bytes, got ${chain.length}`);
  if (f.anchorHash.length !== HASH_LENGTH) throw new Error(`anchor hash must be ${HASH_LENGTH} bytes, got ${f.anchorHash.length}`);
  if (f.miner.length === 0 || f.miner.length > 255) throw new Error(`miner address must be 1..255 bytes, got ${f.miner.length}`);
  if (f.workDigest.length !== HASH_LENGTH) throw new Error(`work digest must be ${HASH_LENGTH} bytes, got ${f.workDigest.length}`);
  if (f.anchorHeight < 0n || f.anchorHeight > U64_MAX) throw new Error("anchor height out of u64 range");
  if (f.modelId < 0n || f.modelId > U64_MAX) throw new Error("model id out of u64 range");
  const out = Buffer.alloc(SEAL_TAG_BYTES.length + 1 + chain.length + 8 + HASH_LENGTH + 1 + f.miner.length + 8 + HASH_LENGTH);
  let o = 0;
  out.set(SEAL_TAG_BYTES, o);
  o += SEAL_TAG_BYTES.length;
  out[o++] = chain.length;
  out.set(chain, o);
  o += chain.length;
  out.writeBigUInt64BE(f.anchorHeight, o);
  o += 8;
  out.set(f.anchorHash, o);
  o += HASH_LENGTH;
  out[o++] = f.miner.length;
  out.set(f.miner, o);
  o += f.miner.length;
  out.writeBigUInt64BE(f.modelId, o);
  o += 8;
  out.set(f.workDigest, o);
  return out;
}

/** The full preimage: prefix || u64 BE nonce. */
export function sealPreimage(prefix: Uint8Array, nonce: bigint): Buffer {
  if (nonce < 0n || nonce > U64_MAX) throw new Error("nonce out of u64 range");
  const out = Buffer.alloc(prefix.length + NONCE_LENGTH);
  out.set(prefix, 0);
  out.writeBigUInt64BE(nonce, prefix.length);
  return out;
}

/** SHA-256(SHA-256(data)) with Node's native hash. */
export function doubleSha256(data: Uint8Array): Buffer {
  return oneShotHash("sha256", oneShotHash("sha256", data, "buffer"), "buffer");
}

export function computeSeal(fields: SealFields, nonce: bigint): Buffer {
  return doubleSha256(sealPreimage(sealPrefix(fields), nonce));
}

/** Same as computeSeal through incremental hashing (an independent path, used to cross-check). */
export function computeSealIncremental(fields: SealFields, nonce: bigint): Buffer {
  const n = Buffer.alloc(8);
  n.writeBigUInt64BE(nonce);
  const inner = createHash("sha256").update(sealPrefix(fields)).update(n).digest();
  return createHash("sha256").update(inner).digest();
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt("0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex"));
}

/** A target (0..2^256-1) as 32 big-endian bytes. */
export function targetToBytes(target: bigint): Buffer {
  if (target < 0n || target > MAX_TARGET) throw new Error("target out of range");
  return Buffer.from(target.toString(16).padStart(64, "0"), "hex");
}

/** A target as the 64 lowercase hex digits used in params, genesis and queries. */
export function targetToHex(target: bigint): string {
  return targetToBytes(target).toString("hex");
}

/** Parses exactly 64 hex digits; throws a plain Error naming `where`. */
export function parseTargetHex(value: string, where: string): bigint {
  if (typeof value !== "string" || !/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new Error(`${where}: expected exactly 64 hexadecimal digits, got ${JSON.stringify(value)}`);
  }
  return BigInt("0x" + value);
}

/** True when the seal, as a big-endian integer, is <= target. */
export function sealMeetsTarget(seal: Uint8Array, target: bigint): boolean {
  return bytesToBigInt(seal) <= target;
}

/**
 * Work one certificate proves at `target`: floor(2^256 / (target + 1)), the expected number of
 * hashes needed to find a seal <= target.
 */
export function workForTarget(target: bigint): bigint {
  if (target < 0n || target > MAX_TARGET) throw new Error("target out of range");
  return TWO_256 / (target + 1n);
}

/** The target at which one certificate takes `hashes` expected hashes: floor(2^256 / hashes) - 1. */
export function targetForExpectedHashes(hashes: bigint): bigint {
  if (hashes < 1n) throw new Error("expected hashes must be >= 1");
  const t = TWO_256 / hashes - 1n;
  return t < 1n ? 1n : t > MAX_TARGET ? MAX_TARGET : t;
}
