import * as crypto from "node:crypto";

/** SPKI DER prefix for a compressed secp256k1 public key, so OpenSSL can verify with it. */
const SECP256K1_SPKI_PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const SECP256K1_HALF_N = SECP256K1_N >> 1n;

export function sha256(data: Uint8Array): Uint8Array {
  return crypto.createHash("sha256").update(data).digest();
}

/** Cosmos account address of a compressed secp256k1 key: RIPEMD160(SHA256(pubkey)). */
export function secp256k1Address(pubkey: Uint8Array): Uint8Array {
  const id = Buffer.from(pubkey.buffer, pubkey.byteOffset, pubkey.byteLength).toString("latin1");
  let address = addressCache.get(id);
  if (!address) {
    address = new Uint8Array(crypto.createHash("ripemd160").update(sha256(pubkey)).digest());
    if (addressCache.size >= KEY_CACHE_LIMIT) addressCache.clear();
    addressCache.set(id, address);
  }
  return Uint8Array.from(address);
}

// Every signed tx re-derives its signer's address from the key it carries; keys recur.
const addressCache = new Map<string, Uint8Array>();

// Importing a key into OpenSSL costs about as much as a verification; validators see the same
// keys again and again, so recent ones are kept.
const keyCache = new Map<string, crypto.KeyObject>();
const KEY_CACHE_LIMIT = 10_000;

function publicKeyObject(pubkey: Uint8Array): crypto.KeyObject | undefined {
  const id = Buffer.from(pubkey).toString("latin1");
  let key = keyCache.get(id);
  if (key) return key;
  try {
    key = crypto.createPublicKey({ key: Buffer.concat([SECP256K1_SPKI_PREFIX, pubkey]), format: "der", type: "spki" });
  } catch {
    return undefined; // not a point on the curve
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(id, key);
  return key;
}

/**
 * Verifies a Cosmos secp256k1 signature: 64 bytes r||s over SHA-256(message), low-S only (the
 * SDK rejects high-S so a signature cannot be malleated into a second valid one).
 */
export function verifySecp256k1(pubkey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (pubkey.length !== 33 || (pubkey[0] !== 2 && pubkey[0] !== 3)) return false;
  if (signature.length !== 64) return false;
  const r = BigInt("0x" + Buffer.from(signature.subarray(0, 32)).toString("hex"));
  const s = BigInt("0x" + Buffer.from(signature.subarray(32)).toString("hex"));
  if (r === 0n || s === 0n || r >= SECP256K1_N || s > SECP256K1_HALF_N) return false;
  const key = publicKeyObject(pubkey);
  if (!key) return false;
  return crypto.verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);
}
