import { Model } from "../../gen/blockai/registry/v1/registry";
import { BASE_DENOM } from "../../types/coins";
import { KVStore, PrefixStore } from "../../store/kv";
import type { RegistryKeeper } from "./keeper";
import { MODEL_PREFIX, REGISTRY_STORE_PREFIX, digestIndexKey, statusIndexKey } from "./keys";
import { isPrunedFromIndexes } from "./prune";

const held = (raw: Uint8Array | undefined) => {
  if (!raw) return 0n;
  const m = Model.decode(raw);
  return !m.bondReturned && m.bond ? BigInt(m.bond.amount) : 0n;
};

/**
 * The registry invariants on one block's writes (docs/pruning.md#invariants): the bond account
 * changed by what the written models' unreturned bonds changed, and each written model is in the
 * status and digest indexes (unless pruned from them).
 */
export function registryBlockInvariants(keeper: RegistryKeeper, before: KVStore, after: KVStore, changed: readonly Uint8Array[]): string[] {
  const a = new PrefixStore(after, REGISTRY_STORE_PREFIX);
  const b = new PrefixStore(before, REGISTRY_STORE_PREFIX);
  const problems: string[] = [];
  let bonds = 0n;
  for (const key of changed) {
    if (key[0] !== MODEL_PREFIX) continue;
    const now = a.get(key);
    bonds += held(now) - held(b.get(key));
    if (!now) continue;
    const m = Model.decode(now);
    if (isPrunedFromIndexes(m) === a.has(statusIndexKey(m.status, m.id))) problems.push(`registry: model ${m.id}'s status index entry disagrees with its status`);
    if (!a.has(digestIndexKey(m.artifactDigest, m.id))) problems.push(`registry: model ${m.id} missing from the artifact digest index`);
  }
  const balance = keeper.bondAccountBalance(after) - keeper.bondAccountBalance(before);
  if (balance !== bonds) problems.push(`registry: the bond account changed by ${balance}${BASE_DENOM} but the models' bonds by ${bonds}${BASE_DENOM}`);
  return problems;
}
