/**
 * The registry module's state layout (under the "registry/" prefix). Part of the protocol:
 * clients may build these keys to read a model with a Merkle proof. No Node-only imports here.
 *
 *   0x00                                         Params (protobuf)
 *   0x01                                         next model id (u64 big-endian)
 *   0x02 | id u64                                Model (protobuf)
 *   0x03 | len(owner) u8 | owner | id u64        owner index (value 0x01)
 *   0x04 | status u8 | id u64                    status index (value 0x01)
 *   0x05 | len(task) u8 | task (UTF-8) | id u64  task index (value 0x01)
 *   0x06 | release height u64 | id u64           bond return queue (value 0x01)
 *   0x07 | artifact digest (32) | id u64         artifact digest index (value 0x01)
 * Integers are big-endian so keys sort numerically; owner is the 20- or 32-byte address.
 */
import { concatBytes as concat, u64be } from "../../types/bytes";
export const REGISTRY_STORE_PREFIX = new TextEncoder().encode("registry/");
export const PARAMS_KEY = Uint8Array.of(0x00);
export const NEXT_ID_KEY = Uint8Array.of(0x01);
export const MODEL_PREFIX = 0x02;
export const OWNER_INDEX_PREFIX = 0x03;
export const STATUS_INDEX_PREFIX = 0x04;
export const TASK_INDEX_PREFIX = 0x05;
export const BOND_QUEUE_PREFIX = 0x06;
export const DIGEST_INDEX_PREFIX = 0x07;
/** Value of index entries (state has no empty values). */
export const INDEX_VALUE = Uint8Array.of(0x01);

export function modelKey(id: bigint): Uint8Array {
  return concat(Uint8Array.of(MODEL_PREFIX), u64be(id));
}

export function ownerIndexPrefix(owner: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(OWNER_INDEX_PREFIX, owner.length), owner);
}

export function ownerIndexKey(owner: Uint8Array, id: bigint): Uint8Array {
  return concat(ownerIndexPrefix(owner), u64be(id));
}

export function statusIndexPrefix(status: number): Uint8Array {
  return Uint8Array.of(STATUS_INDEX_PREFIX, status);
}

export function statusIndexKey(status: number, id: bigint): Uint8Array {
  return concat(statusIndexPrefix(status), u64be(id));
}

export function taskIndexPrefix(task: string): Uint8Array {
  const t = new TextEncoder().encode(task);
  return concat(Uint8Array.of(TASK_INDEX_PREFIX, t.length), t);
}

export function taskIndexKey(task: string, id: bigint): Uint8Array {
  return concat(taskIndexPrefix(task), u64be(id));
}

export function digestIndexPrefix(digest: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(DIGEST_INDEX_PREFIX), digest);
}

export function digestIndexKey(digest: Uint8Array, id: bigint): Uint8Array {
  return concat(digestIndexPrefix(digest), u64be(id));
}

export function bondQueueKey(height: bigint, id: bigint): Uint8Array {
  return concat(Uint8Array.of(BOND_QUEUE_PREFIX), u64be(height), u64be(id));
}

/** The full state key (as committed in the app hash) of a model. */
export function modelStateKey(id: bigint): Uint8Array {
  return concat(REGISTRY_STORE_PREFIX, modelKey(id));
}
