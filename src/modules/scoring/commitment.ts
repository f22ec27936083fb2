/**
 * The commitment a scorer sends before revealing (browser-safe: the scorer process and clients
 * compute it too). Layout, all integers big-endian:
 *
 *   "blockai/scoring/v1/commit" || u8 len(chain_id) || chain_id || u64 epoch ||
 *   u8 len(validator) || validator operator bytes || u8 len(salt) || salt ||
 *   u32 n || n x (u64 model_id || u32 score_ppm)
 *
 * The chain id and epoch stop a commitment from being replayed on another chain or epoch; the
 * validator stops one validator from committing to another's reveal (copying its commitment
 * would commit to scores it cannot reveal without the salt, and a copied reveal would not match).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, u64be } from "../../types/bytes";

export const COMMITMENT_DOMAIN = new TextEncoder().encode("blockai/scoring/v1/commit");
export const SALT_LENGTH = 32;
export const COMMITMENT_LENGTH = 32;

export interface Score {
  readonly modelId: bigint;
  readonly scorePpm: number;
}

function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

export function commitmentPreimage(chainId: string, epoch: bigint, validator: Uint8Array, salt: Uint8Array, scores: readonly Score[]): Uint8Array {
  const chain = new TextEncoder().encode(chainId);
  if (chain.length > 255 || validator.length > 255 || salt.length > 255) throw new RangeError("commitment field longer than 255 bytes");
  const body = new Uint8Array(scores.length * 12);
  const view = new DataView(body.buffer);
  scores.forEach((s, i) => {
    view.setBigUint64(i * 12, s.modelId);
    view.setUint32(i * 12 + 8, s.scorePpm);
  });
  return concatBytes(
    COMMITMENT_DOMAIN,
    Uint8Array.of(chain.length),
    chain,
    u64be(epoch),
    Uint8Array.of(validator.length),
    validator,
    Uint8Array.of(salt.length),
    salt,
    u32be(scores.length),
    body,
  );
}

export function computeCommitment(chainId: string, epoch: bigint, validator: Uint8Array, salt: Uint8Array, scores: readonly Score[]): Uint8Array {
  return sha256(commitmentPreimage(chainId, epoch, validator, salt, scores));
}
