import { ErrorKind } from "../../types/errors";

export const POW_CODESPACE = "pow";

const pow = (code: number, description: string) => new ErrorKind(POW_CODESPACE, code, description);

/**
 * The pow module's error codes (codespace "pow"); stable, documented in docs/pow.md. Code 1 is
 * left unused, as in Cosmos SDK modules (it means an internal error there).
 */
export const PowErrors = {
  /** Stateless: work_digest not 32 bytes, anchor_height 0, or a field out of range. */
  InvalidCertificate: pow(2, "invalid work certificate"),
  /** The seal, as a big-endian integer, is above the current target (also: mined on a wrong hash). */
  SealAboveTarget: pow(3, "seal does not meet the target"),
  /** The anchor is more than anchor_window blocks below the current height. */
  AnchorExpired: pow(4, "anchor expired"),
  /** The anchor height is not below the current height. */
  AnchorInFuture: pow(5, "anchor height is not below the current height"),
  /** No block hash is recorded for the anchor height (e.g. before the chain's first block). */
  UnknownAnchor: pow(6, "unknown anchor"),
  /** The seal was already accepted (the same certificate again). */
  DuplicateSeal: pow(7, "seal already used"),
  UnknownModel: pow(8, "unknown model"),
  ModelNotActive: pow(9, "model is not active"),
  /** The miner (the signer) is neither the model's owner nor one of its operators. */
  UnauthorizedMiner: pow(10, "miner is neither the model's owner nor one of its operators"),
  /** max_certs_per_block certificates were already accepted in this block: retry in the next. */
  BlockCertLimit: pow(11, "block certificate limit reached"),
  /** max_certs_per_miner_per_block certificates of this miner were accepted in this block. */
  MinerBlockCertLimit: pow(12, "miner's block certificate limit reached"),
  /** Matmul: shapes, sizes or indices out of range, or a Merkle path that misses its root. */
  InvalidMatmulCertificate: pow(13, "invalid matmul certificate"),
  /** The kind is not in accepted_kinds, or (matmul) the model has no weights_root. */
  KindNotAccepted: pow(14, "certificate kind not accepted"),
} as const;
