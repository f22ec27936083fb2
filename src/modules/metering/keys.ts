/**
 * The metering module's state layout (under the "metering/" prefix). Part of the protocol:
 * clients may build these keys to read an escrow with a Merkle proof. No Node-only imports here.
 *
 *   0x00                                                  Params (protobuf)
 *   0x01                                                  next escrow id (u64)
 *   0x02 | id u64                                         Escrow (protobuf)
 *   0x03 | len(consumer) u8 | consumer | id u64           escrows by consumer (value 0x01)
 *   0x04 | model id u64 | id u64                          escrows by model (value 0x01)
 *   0x05 | grace end height u64 | id u64                  closing queue: refunded at the end of that height
 *   0x06 | epoch u64 | model id u64                       UsageRecord (protobuf)
 *   0x07 | epoch u64 | model id u64 | len(payer) u8 | payer   distinct payers of an epoch (value 0x01),
 *                                                         deleted when the epoch ends
 *   0x08                                                  protocol fees pending in metering_fees (decimal usoa)
 *   0x09                                                  protocol fees swept to the community pool (decimal usoa)
 *   0x0a | closed height u64 | id u64                     pruning queue of CLOSED escrows (value 0x01)
 *   0x0b                                                  protocol fees of pruned usage records (decimal usoa)
 * Integers are big-endian so keys sort numerically; addresses are the raw 20- or 32-byte form.
 */
import { concatBytes as concat, u64be } from "../../types/bytes";

export const METERING_STORE_PREFIX = new TextEncoder().encode("metering/");
export const PARAMS_KEY = Uint8Array.of(0x00);
export const NEXT_ID_KEY = Uint8Array.of(0x01);
export const ESCROW_PREFIX = 0x02;
export const CONSUMER_INDEX_PREFIX = 0x03;
export const MODEL_INDEX_PREFIX = 0x04;
export const CLOSING_QUEUE_PREFIX = 0x05;
export const USAGE_PREFIX = 0x06;
export const PAYER_PREFIX = 0x07;
export const FEES_PENDING_KEY = Uint8Array.of(0x08);
export const FEES_SWEPT_KEY = Uint8Array.of(0x09);
export const INDEX_VALUE = Uint8Array.of(0x01);
export const CLOSED_QUEUE_PREFIX = 0x0a;
export const PRUNED_USAGE_FEES_KEY = Uint8Array.of(0x0b);

export function escrowKey(id: bigint): Uint8Array {
  return concat(Uint8Array.of(ESCROW_PREFIX), u64be(id));
}

export function consumerIndexPrefix(consumer: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(CONSUMER_INDEX_PREFIX, consumer.length), consumer);
}

export function consumerIndexKey(consumer: Uint8Array, id: bigint): Uint8Array {
  return concat(consumerIndexPrefix(consumer), u64be(id));
}

export function modelIndexPrefix(modelId: bigint): Uint8Array {
  return concat(Uint8Array.of(MODEL_INDEX_PREFIX), u64be(modelId));
}

export function modelIndexKey(modelId: bigint, id: bigint): Uint8Array {
  return concat(modelIndexPrefix(modelId), u64be(id));
}

export function closingQueueKey(height: bigint, id: bigint): Uint8Array {
  return concat(Uint8Array.of(CLOSING_QUEUE_PREFIX), u64be(height), u64be(id));
}

export function closedQueueKey(closedHeight: bigint, id: bigint): Uint8Array {
  return concat(Uint8Array.of(CLOSED_QUEUE_PREFIX), u64be(closedHeight), u64be(id));
}

export function usageEpochPrefix(epoch: bigint): Uint8Array {
  return concat(Uint8Array.of(USAGE_PREFIX), u64be(epoch));
}

export function usageKey(epoch: bigint, modelId: bigint): Uint8Array {
  return concat(usageEpochPrefix(epoch), u64be(modelId));
}

export function payerEpochPrefix(epoch: bigint): Uint8Array {
  return concat(Uint8Array.of(PAYER_PREFIX), u64be(epoch));
}

export function payerKey(epoch: bigint, modelId: bigint, payer: Uint8Array): Uint8Array {
  return concat(payerEpochPrefix(epoch), u64be(modelId), Uint8Array.of(payer.length), payer);
}

/** The full state key (as committed in the app hash) of an escrow. */
export function escrowStateKey(id: bigint): Uint8Array {
  return concat(METERING_STORE_PREFIX, escrowKey(id));
}
