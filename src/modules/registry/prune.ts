/**
 * Pruning of retired models' index entries (docs/pruning.md). A RETIRED model never changes again
 * and, once its bond is returned, nothing but a direct lookup by id needs it: its owner, status and
 * task index entries are deleted with the bond's return (a constant amount of work per model, in
 * the block that returns the bond). The model record stays (ids are never reused, rewards and
 * metering name models by id) and so does its artifact digest entry (the digest's history decides
 * which registration is the original).
 */
import { decodeAddress } from "../../types/address";
import { Model, ModelStatus } from "../../gen/blockai/registry/v1/registry";
import { KVStore, PrefixStore } from "../../store/kv";
import { REGISTRY_STORE_PREFIX, ownerIndexKey, statusIndexKey, taskIndexKey } from "./keys";

/** True for a model whose index entries are pruned (RETIRED with its bond returned). */
export function isPrunedFromIndexes(m: Model): boolean {
  return m.status === ModelStatus.MODEL_STATUS_RETIRED && m.bondReturned;
}

export function pruneRetiredIndexes(root: KVStore, m: Model): void {
  if (!isPrunedFromIndexes(m)) return;
  const s = new PrefixStore(root, REGISTRY_STORE_PREFIX);
  s.delete(ownerIndexKey(decodeAddress(m.owner), m.id));
  s.delete(statusIndexKey(m.status, m.id));
  s.delete(taskIndexKey(m.task, m.id));
}
