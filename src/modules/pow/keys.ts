/**
 * The pow module's state layout (under "pow/"). Part of the protocol: clients may read these keys
 * with Merkle proofs. Heights, epochs and model ids are u64 big-endian so that key order is
 * numeric order (pruning and iteration walk them in order).
 *
 *   0x00                                    Params
 *   0x01                                    current target (32 bytes, big-endian)
 *   0x02                                    RetargetInfo of the last retarget
 *   0x03 | height                           block hash (32 bytes) of a recent height (anchors)
 *   0x04 | anchor_height | seal             0x01: a used seal, indexed by its anchor for pruning
 *   0x05                                    certificates accepted in the current block (u64 BE;
 *                                           transient: deleted at the end of every block)
 *   0x06 | epoch                            WorkTally of the epoch
 *   0x07 | epoch | len(miner) | miner       WorkTally of a miner in the epoch
 *   0x08 | epoch | model_id                 WorkTally of a model in the epoch
 *   0x09 | epoch | len(miner) | miner | model_id   WorkTally of (miner, model) in the epoch
 *   0x0a | len(miner) | miner                certificates of a miner accepted in the current block
 *                                           (u64 BE; transient: deleted at the end of every block)
 *   0x0b                                    current matmul target (32 bytes, big-endian)
 *   0x0c..0x0f                              matmul WorkTallies, laid out as 0x06..0x09 (work in MACs)
 *   0x10                                    RetargetInfo of the last matmul retarget
 *   0x11                                    the epoch below which work tallies (both kinds) are
 *                                           pruned (u64 BE; tallies of earlier epochs may be
 *                                           partly deleted)
 *
 * Used seals (0x04) hold matmul tickets too: both are domain-separated SHA-256 outputs.
 */
import { concatBytes as concat, u64be } from "../../types/bytes";
export const POW_STORE_PREFIX = new TextEncoder().encode("pow/");

export const PARAMS_KEY = Uint8Array.of(0x00);
export const TARGET_KEY = Uint8Array.of(0x01);
export const LAST_RETARGET_KEY = Uint8Array.of(0x02);
export const ANCHOR_PREFIX = 0x03;
export const USED_SEAL_PREFIX = 0x04;
export const BLOCK_CERTS_KEY = Uint8Array.of(0x05);
export const EPOCH_WORK_PREFIX = 0x06;
export const MINER_WORK_PREFIX = 0x07;
export const MODEL_WORK_PREFIX = 0x08;
export const MINER_MODEL_WORK_PREFIX = 0x09;
export const BLOCK_MINER_CERTS_PREFIX = 0x0a;
export const MATMUL_TARGET_KEY = Uint8Array.of(0x0b);
export const LAST_MATMUL_RETARGET_KEY = Uint8Array.of(0x10);
export const TALLIES_PRUNED_BELOW_KEY = Uint8Array.of(0x11);

/** Where one certificate kind keeps its work tallies. */
export interface TallyPrefixes {
  epoch: number;
  miner: number;
  model: number;
  minerModel: number;
}
export const SHA256_TALLIES: TallyPrefixes = { epoch: 0x06, miner: 0x07, model: 0x08, minerModel: 0x09 };
export const MATMUL_TALLIES: TallyPrefixes = { epoch: 0x0c, miner: 0x0d, model: 0x0e, minerModel: 0x0f };

export function blockMinerCertsKey(miner: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(BLOCK_MINER_CERTS_PREFIX, miner.length), miner);
}

const lenPrefixed = (address: Uint8Array) => concat(Uint8Array.of(address.length), address);

export const anchorKey = (height: bigint) => concat(Uint8Array.of(ANCHOR_PREFIX), u64be(height));
export const usedSealsAtAnchorPrefix = (anchorHeight: bigint) => concat(Uint8Array.of(USED_SEAL_PREFIX), u64be(anchorHeight));
export const usedSealKey = (anchorHeight: bigint, seal: Uint8Array) => concat(usedSealsAtAnchorPrefix(anchorHeight), seal);
export const epochWorkKey = (epoch: bigint, t: TallyPrefixes = SHA256_TALLIES) => concat(Uint8Array.of(t.epoch), u64be(epoch));
export const minerWorkKey = (epoch: bigint, miner: Uint8Array, t: TallyPrefixes = SHA256_TALLIES) => concat(Uint8Array.of(t.miner), u64be(epoch), lenPrefixed(miner));
export const modelWorkKey = (epoch: bigint, modelId: bigint, t: TallyPrefixes = SHA256_TALLIES) => concat(Uint8Array.of(t.model), u64be(epoch), u64be(modelId));
export const minerModelWorkPrefix = (epoch: bigint, miner: Uint8Array, t: TallyPrefixes = SHA256_TALLIES) =>
  concat(Uint8Array.of(t.minerModel), u64be(epoch), lenPrefixed(miner));
export const minerModelWorkKey = (epoch: bigint, miner: Uint8Array, modelId: bigint, t: TallyPrefixes = SHA256_TALLIES) =>
  concat(minerModelWorkPrefix(epoch, miner, t), u64be(modelId));

/** The full state key (as committed in the app hash) of a pow-store key. */
export function powStateKey(key: Uint8Array): Uint8Array {
  return concat(POW_STORE_PREFIX, key);
}
