import * as crypto from "node:crypto";

/** SPKI DER prefix for a compressed secp256k1 public key, so OpenSSL can verify with it. */
const SECP256K1_SPKI_PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");
/** The curve order n and n/2, big-endian, for the range checks of r and s. */
const SECP256K1_N = Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex");
const SECP256K1_HALF_N = Buffer.from("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", "hex");

/**
 * Compares the 32 bytes of `a` at `offset` with `b` as big-endian numbers (sign of a - b). Bytes
 * rather than BigInt parsing: the checks run once per signature, and the parse cost about 1 us.
 */
function compare32(a: Uint8Array, offset: number, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = a[offset + i] - b[i];
    if (d !== 0) return d;
  }
  return 0;
}

function isZero32(a: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (a[offset + i] !== 0) return false;
  return true;
}

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

/** The part of the `secp256k1` package's native binding (libsecp256k1) used here. */
interface Libsecp256k1 {
  ecdsaVerify(signature: Uint8Array, hash32: Uint8Array, pubkey: Uint8Array): boolean;
}

/**
 * libsecp256k1 (Bitcoin Core's library, the package's prebuilt native addon) verifies about 5x
 * faster than OpenSSL's generic EC code. Where the addon cannot load (a platform without a
 * prebuild), OpenSSL is used: both are exact ECDSA, and the rules below run before either.
 */
export const LIBSECP256K1_MODULE = "secp256k1/bindings";
const libsecp256k1: Libsecp256k1 | undefined = (() => {
  if (process.env.BLOCKAI_SECP256K1 === "openssl") return undefined;
  try {
    return require(LIBSECP256K1_MODULE) as Libsecp256k1;
  } catch {
    return undefined;
  }
})();

/** Which implementation verifySecp256k1 uses on this machine. */
export function secp256k1Backend(): "libsecp256k1" | "openssl" {
  return libsecp256k1 ? "libsecp256k1" : "openssl";
}

/** The rules both backends share: compressed key, 64-byte r||s, 0 < r < n, 0 < s <= n/2. */
export function wellFormed(pubkey: Uint8Array, signature: Uint8Array): boolean {
  if (pubkey.length !== 33 || (pubkey[0] !== 2 && pubkey[0] !== 3)) return false;
  if (signature.length !== 64) return false;
  return !(isZero32(signature, 0) || isZero32(signature, 32) || compare32(signature, 0, SECP256K1_N) >= 0 || compare32(signature, 32, SECP256K1_HALF_N) > 0);
}

/**
 * Verifies a Cosmos secp256k1 signature: 64 bytes r||s over SHA-256(message), low-S only (the
 * SDK rejects high-S so a signature cannot be malleated into a second valid one).
 */
export function verifySecp256k1(pubkey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!wellFormed(pubkey, signature)) return false;
  if (libsecp256k1) {
    try {
      return libsecp256k1.ecdsaVerify(signature, sha256(message), pubkey);
    } catch {
      return false; // the key is not a point on the curve
    }
  }
  return verifyOpenSsl(pubkey, message, signature);
}

/** The same check with OpenSSL only: the baseline of `make bench`, and the fallback. */
export function verifySecp256k1OpenSsl(pubkey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return wellFormed(pubkey, signature) && verifyOpenSsl(pubkey, message, signature);
}

function verifyOpenSsl(pubkey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = publicKeyObject(pubkey);
  if (!key) return false;
  return crypto.verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);
}
