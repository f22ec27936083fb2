/**
 * Pruning of past epochs' scoring records (docs/pruning.md): commitments, reveals, results, model
 * scores and agreements. The rewards module reads epoch e's scores once, when epoch e+1 ends, and
 * e's reveal window closes before that; so an epoch two below the rewards module's oldest open
 * claim epoch is never read again. At most PRUNE_PER_BLOCK entries a block, oldest first.
 */
import { u64be } from "../../types/bytes";
import { KVStore, PrefixStore } from "../../store/kv";
import { AGREEMENT_PREFIX, COMMITMENT_PREFIX, EPOCH_RESULT_PREFIX, MODEL_SCORE_PREFIX, REVEAL_PREFIX, SCORING_STORE_PREFIX } from "./keys";

/** Entries per block: a scoring epoch has at most a few per validator and per model. */
export const SCORING_PRUNE_PER_BLOCK = 256;

/** Deletes records of epochs below `below`; returns how many. */
export function pruneScoringEpochs(root: KVStore, below: bigint, budget = SCORING_PRUNE_PER_BLOCK): number {
  if (below === 0n) return 0;
  const s = new PrefixStore(root, SCORING_STORE_PREFIX);
  let left = budget;
  let deleted = 0;
  // The epoch result last: while any record of an epoch is left, so is its result.
  for (const prefix of [REVEAL_PREFIX, COMMITMENT_PREFIX, AGREEMENT_PREFIX, MODEL_SCORE_PREFIX, EPOCH_RESULT_PREFIX]) {
    if (left === 0) break;
    const end = new Uint8Array(9);
    end[0] = prefix;
    end.set(u64be(below), 1);
    for (const [key] of s.range(Uint8Array.of(prefix), end, { limit: left })) {
      s.delete(key);
      left--;
      deleted++;
    }
  }
  return deleted;
}
