/**
 * Pruning of the work tallies (docs/pruning.md). The rewards module reads an epoch's tallies at
 * the epoch's end (the miners' total work) and in every miner's claim until the epoch's claim
 * window closes; a tally of an epoch before the oldest open claim window is never read again and
 * is deleted, at most prune_per_block entries per block (oldest epochs first).
 */
import { readU64be, u64be } from "../../types/bytes";
import { KVStore, PrefixStore } from "../../store/kv";
import { MATMUL_TALLIES, POW_STORE_PREFIX, SHA256_TALLIES, TALLIES_PRUNED_BELOW_KEY } from "./keys";

const store = (root: KVStore) => new PrefixStore(root, POW_STORE_PREFIX);

/** Tallies of epochs below this may be (partly) pruned; the invariants check only later ones. */
export function talliesPrunedBelow(root: KVStore): bigint {
  const raw = store(root).get(TALLIES_PRUNED_BELOW_KEY);
  return raw ? readU64be(raw) : 0n;
}

/**
 * Deletes tally entries of epochs below `floor` (never more than `budget`); returns how many.
 * The four tally kinds of each certificate kind all start with the epoch, so each is one range.
 */
export function pruneTallies(root: KVStore, floor: bigint, budget: bigint): number {
  if (floor === 0n || budget === 0n) return 0;
  const s = store(root);
  // Recorded first: from now on an epoch below the floor may hold a partial set of tallies.
  if (talliesPrunedBelow(root) < floor) s.set(TALLIES_PRUNED_BELOW_KEY, u64be(floor));
  let left = Number(budget);
  let deleted = 0;
  const prefixes = [SHA256_TALLIES, MATMUL_TALLIES].flatMap((t) => [t.minerModel, t.miner, t.model, t.epoch]);
  for (const prefix of prefixes) {
    if (left === 0) break;
    const end = new Uint8Array(9);
    end[0] = prefix;
    end.set(u64be(floor), 1);
    for (const [key] of s.range(Uint8Array.of(prefix), end, { limit: left })) {
      s.delete(key);
      left--;
      deleted++;
    }
  }
  return deleted;
}
