import { sha256 } from "@noble/hashes/sha2.js";
import type { TestKey } from "./keys";

/** The `secp256k1` package (libsecp256k1's native addon, which the app verifies with). */
interface Libsecp256k1 {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const libsecp256k1 = require("secp256k1") as Libsecp256k1;

/**
 * Signs with libsecp256k1 instead of the pure-JS curve: signing, not the chain, was most of a
 * simulated block's time. Deterministic (RFC 6979) and low-S, like TestKey.sign.
 */
export function useNativeSigning(key: TestKey): void {
  key.sign = (message: Uint8Array): Uint8Array => libsecp256k1.ecdsaSign(sha256(message), key.privateKey).signature;
}

/** signVoucher with libsecp256k1 (the same deterministic low-S signature, faster). */
export function signDigestNative(digest32: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return libsecp256k1.ecdsaSign(digest32, privateKey).signature;
}
