/**
 * The rewards module's state layout (under the "rewards/" prefix). No Node-only imports here.
 *
 *   0x00                                          Params (protobuf)
 *   0x01                                          Accrued: the epoch in progress' pools (protobuf)
 *   0x02 | epoch u64                              EpochRewards (protobuf), one per ended epoch
 *   0x03 | epoch u64 | model id u64               ModelReward (protobuf)
 *   0x04 | len(owner) u8 | owner | epoch u64 | model id u64
 *                                                 unclaimed model rewards by owner (value 0x01)
 *   0x05 | len(miner) u8 | miner                  first epoch a miner has not claimed (u64)
 *   0x06 | model id u64                           payout address of a model (raw address bytes)
 *   0x07                                          epochs ended so far = last ended epoch + 1 (u64)
 *   0x08                                          oldest epoch whose claims have not expired (u64)
 * Integers are big-endian so keys sort numerically; addresses are the raw 20- or 32-byte form.
 */
import { concatBytes as concat, u64be } from "../../types/bytes";

export const REWARDS_STORE_PREFIX = new TextEncoder().encode("rewards/");
export const PARAMS_KEY = Uint8Array.of(0x00);
export const ACCRUED_KEY = Uint8Array.of(0x01);
export const EPOCH_PREFIX = 0x02;
export const MODEL_REWARD_PREFIX = 0x03;
export const OWNER_INDEX_PREFIX = 0x04;
export const MINER_CURSOR_PREFIX = 0x05;
export const PAYOUT_PREFIX = 0x06;
export const ENDED_KEY = Uint8Array.of(0x07);
export const OLDEST_KEY = Uint8Array.of(0x08);
export const INDEX_VALUE = Uint8Array.of(0x01);

export function epochKey(epoch: bigint): Uint8Array {
  return concat(Uint8Array.of(EPOCH_PREFIX), u64be(epoch));
}

export function modelRewardEpochPrefix(epoch: bigint): Uint8Array {
  return concat(Uint8Array.of(MODEL_REWARD_PREFIX), u64be(epoch));
}

export function modelRewardKey(epoch: bigint, modelId: bigint): Uint8Array {
  return concat(modelRewardEpochPrefix(epoch), u64be(modelId));
}

export function ownerIndexPrefix(owner: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(OWNER_INDEX_PREFIX, owner.length), owner);
}

export function ownerIndexKey(owner: Uint8Array, epoch: bigint, modelId: bigint): Uint8Array {
  return concat(ownerIndexPrefix(owner), u64be(epoch), u64be(modelId));
}

export function minerCursorKey(miner: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(MINER_CURSOR_PREFIX, miner.length), miner);
}

export function payoutKey(modelId: bigint): Uint8Array {
  return concat(Uint8Array.of(PAYOUT_PREFIX), u64be(modelId));
}

export { u64be, readU64be } from "../../types/bytes";
