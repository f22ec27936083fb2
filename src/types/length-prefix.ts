import { concatBytes } from "./bytes";

/**
 * Length-prefixed addresses inside state keys (the SDK's address.MustLengthPrefix): a key made of
 * several addresses stays unambiguous, and every listing by a leading address is a prefix range.
 * Browser-safe, so module key layouts (keys.ts) can use it.
 */
export function lp(address: Uint8Array): Uint8Array {
  if (address.length > 255) throw new Error("address too long");
  return concatBytes(Uint8Array.of(address.length), address);
}

/** Reads a length-prefixed address at `offset`; returns it and the offset after it. */
export function readLp(b: Uint8Array, offset: number): [Uint8Array, number] {
  const len = b[offset];
  return [b.subarray(offset + 1, offset + 1 + len), offset + 1 + len];
}
