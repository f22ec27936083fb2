/**
 * Pruning of metering state (docs/pruning.md): CLOSED escrows with their index keys once
 * closed_escrow_retention blocks have passed, and usage records of epochs no claim can still
 * need. At most prune_per_block entries per block, oldest first, so a block's work stays bounded
 * however much is due; what is left is pruned in the next blocks.
 */
import { decodeAddress } from "../../types/address";
import { readU64be } from "../../types/bytes";
import { Escrow, EscrowStatus, UsageRecord } from "../../gen/blockai/metering/v1/metering";
import { KVStore, PrefixStore } from "../../store/kv";
import {
  CLOSED_QUEUE_PREFIX,
  INDEX_VALUE,
  METERING_STORE_PREFIX,
  PRUNED_USAGE_FEES_KEY,
  USAGE_PREFIX,
  closedQueueKey,
  consumerIndexKey,
  escrowKey,
  modelIndexKey,
  usageEpochPrefix,
} from "./keys";

const store = (root: KVStore) => new PrefixStore(root, METERING_STORE_PREFIX);

/** Queues a CLOSED escrow for pruning at closed_height + closed_escrow_retention. */
export function queueClosedEscrow(root: KVStore, e: Escrow): void {
  if (e.status === EscrowStatus.ESCROW_STATUS_CLOSED) store(root).set(closedQueueKey(BigInt(e.closedHeight), e.id), INDEX_VALUE);
}

/** Protocol fees of the usage records pruned so far (they stay in the fee accounting). */
export function prunedUsageFees(root: KVStore): bigint {
  const raw = store(root).get(PRUNED_USAGE_FEES_KEY);
  return raw ? BigInt(new TextDecoder().decode(raw)) : 0n;
}

export function setPrunedUsageFees(root: KVStore, amount: bigint): void {
  if (amount === 0n) store(root).delete(PRUNED_USAGE_FEES_KEY);
  else store(root).set(PRUNED_USAGE_FEES_KEY, new TextEncoder().encode(amount.toString()));
}

export interface MeteringPruneParams {
  closedEscrowRetention: bigint;
  prunePerBlock: bigint;
}

/**
 * Prunes at `height`: CLOSED escrows closed at or before height - retention (4 entries each:
 * record, consumer and model index, queue entry), then usage records of epochs below
 * `usageFloor` (1 entry each; their fees move to the pruned total). Returns the entries deleted:
 * at most prune_per_block, or 4 when it is below 4 (an escrow is never half pruned).
 */
export function pruneMetering(root: KVStore, height: bigint, p: MeteringPruneParams, usageFloor: bigint): number {
  const s = store(root);
  let budget = Number(p.prunePerBlock);
  let deleted = 0;
  if (height > p.closedEscrowRetention && budget > 0) {
    const end = closedQueueKey(height - p.closedEscrowRetention + 1n, 0n);
    // At least one escrow a block, even with a budget below 4: a small budget slows pruning,
    // never stops it.
    for (const [key] of s.range(Uint8Array.of(CLOSED_QUEUE_PREFIX), end, { limit: Math.max(1, Math.floor(budget / 4)) })) {
      const id = readU64be(key, 9);
      s.delete(key);
      const raw = s.get(escrowKey(id));
      const e = raw ? Escrow.decode(raw) : undefined;
      // Only a CLOSED escrow is ever queued, and a CLOSED escrow never reopens.
      if (e && e.status === EscrowStatus.ESCROW_STATUS_CLOSED) {
        s.delete(escrowKey(id));
        s.delete(consumerIndexKey(decodeAddress(e.consumer), id));
        s.delete(modelIndexKey(e.modelId, id));
      }
      budget = budget > 4 ? budget - 4 : 0;
      deleted += 4;
    }
  }
  if (usageFloor > 0n && budget > 0) {
    let fees = 0n;
    for (const [key, value] of s.range(Uint8Array.of(USAGE_PREFIX), usageEpochPrefix(usageFloor), { limit: budget })) {
      fees += BigInt(UsageRecord.decode(value).protocolFees?.amount || "0");
      s.delete(key);
      deleted++;
    }
    if (fees > 0n) setPrunedUsageFees(root, prunedUsageFees(root) + fees);
  }
  return deleted;
}

