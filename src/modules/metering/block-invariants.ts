import { Escrow, EscrowStatus, UsageRecord } from "../../gen/blockai/metering/v1/metering";
import { BASE_DENOM } from "../../types/coins";
import { KVStore, PrefixStore } from "../../store/kv";
import type { MeteringKeeper } from "./keeper";
import { ESCROW_PREFIX, METERING_STORE_PREFIX, USAGE_PREFIX, closingQueueKey } from "./keys";
import { prunedUsageFees } from "./prune";

const amountOf = (c: { amount: string } | undefined) => BigInt(c?.amount || "0");
const remaining = (e: Escrow | undefined) => (e && e.status !== EscrowStatus.ESCROW_STATUS_CLOSED ? amountOf(e.deposit) - amountOf(e.claimed) : 0n);

/**
 * checkInvariants on one block's writes (docs/pruning.md#invariants): each escrow the block wrote
 * is checked on its own, and the sums as deltas: the escrow account changed by what the open and
 * closing escrows' remaining deposits changed; the fee account by what the pending fees changed;
 * the usage records' fees (kept and pruned) by what pending + swept changed.
 */
export function meteringBlockInvariants(keeper: MeteringKeeper, before: KVStore, after: KVStore, changed: readonly Uint8Array[]): string[] {
  const problems: string[] = [];
  const b = new PrefixStore(before, METERING_STORE_PREFIX);
  const a = new PrefixStore(after, METERING_STORE_PREFIX);
  let remainingDelta = 0n;
  let usageFeesDelta = 0n;
  for (const key of changed) {
    if (key[0] === ESCROW_PREFIX) {
      const old = b.get(key);
      const now = a.get(key);
      const e = now ? Escrow.decode(now) : undefined;
      remainingDelta += remaining(e) - remaining(old ? Escrow.decode(old) : undefined);
      if (!e) continue;
      const deposit = amountOf(e.deposit);
      const claimed = amountOf(e.claimed);
      const refunded = amountOf(e.refunded);
      if (claimed > deposit) problems.push(`metering: escrow ${e.id} claimed ${claimed} > deposit ${deposit}`);
      if (e.status === EscrowStatus.ESCROW_STATUS_CLOSED && claimed + refunded !== deposit) problems.push(`metering: closed escrow ${e.id}: claimed + refunded != deposit`);
      if (e.status !== EscrowStatus.ESCROW_STATUS_CLOSED && refunded !== 0n) problems.push(`metering: escrow ${e.id} is not closed but refunded ${refunded}`);
      if (e.status === EscrowStatus.ESCROW_STATUS_CLOSING && !a.has(closingQueueKey(BigInt(e.graceEndHeight), e.id))) problems.push(`metering: closing escrow ${e.id} is not queued`);
    } else if (key[0] === USAGE_PREFIX) {
      const fees = (s: KVStore) => {
        const raw = s.get(key);
        return raw ? amountOf(UsageRecord.decode(raw).protocolFees) : 0n;
      };
      usageFeesDelta += fees(a) - fees(b);
    }
  }
  const escrowDelta = keeper.escrowAccountBalance(after) - keeper.escrowAccountBalance(before);
  if (escrowDelta !== remainingDelta) problems.push(`metering: the escrow account changed by ${escrowDelta}${BASE_DENOM} but open escrows by ${remainingDelta}${BASE_DENOM}`);
  const pendingDelta = keeper.getFeesPending(after) - keeper.getFeesPending(before);
  const sweptDelta = keeper.getFeesSwept(after) - keeper.getFeesSwept(before);
  const feeAccountDelta = keeper.feeAccountBalance(after) - keeper.feeAccountBalance(before);
  if (feeAccountDelta !== pendingDelta) problems.push(`metering: the fee account changed by ${feeAccountDelta}${BASE_DENOM} but pending fees by ${pendingDelta}${BASE_DENOM}`);
  const recorded = usageFeesDelta + prunedUsageFees(after) - prunedUsageFees(before);
  if (recorded !== pendingDelta + sweptDelta) problems.push(`metering: usage records gained ${recorded}${BASE_DENOM} of fees but pending + swept ${pendingDelta + sweptDelta}${BASE_DENOM}`);
  return problems;
}
