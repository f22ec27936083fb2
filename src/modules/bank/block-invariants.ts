import type { KVStore } from "../../store/kv";
import { BALANCE_PREFIX, BANK_STORE_PREFIX, SUPPLY_PREFIX } from "./keys";

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
const amount = (raw: Uint8Array | undefined) => (raw ? BigInt(latin1(raw)) : 0n);
const full = (key: Uint8Array) => {
  const out = new Uint8Array(BANK_STORE_PREFIX.length + key.length);
  out.set(BANK_STORE_PREFIX);
  out.set(key, BANK_STORE_PREFIX.length);
  return out;
};

/**
 * The supply invariant on one block's writes (docs/pruning.md#invariants): per denom, what the
 * block added to the balances equals what it added to the supply. With the invariant holding at
 * genesis (initGenesis checks it), it then holds after every block, at a cost of the block's
 * balance writes instead of a walk over every account.
 */
export function bankBlockInvariants(before: KVStore, after: KVStore, changed: readonly Uint8Array[]): string[] {
  const balances = new Map<string, bigint>();
  const supply = new Map<string, bigint>();
  for (const key of changed) {
    if (key[0] !== BALANCE_PREFIX && key[0] !== SUPPLY_PREFIX) continue;
    const k = full(key);
    const delta = amount(after.get(k)) - amount(before.get(k));
    if (delta === 0n) continue;
    if (key[0] === BALANCE_PREFIX) {
      const denom = latin1(key.subarray(2 + key[1]));
      balances.set(denom, (balances.get(denom) ?? 0n) + delta);
    } else if (key[0] === SUPPLY_PREFIX) {
      const denom = latin1(key.subarray(1));
      supply.set(denom, (supply.get(denom) ?? 0n) + delta);
    }
  }
  const problems: string[] = [];
  for (const denom of new Set([...balances.keys(), ...supply.keys()])) {
    const b = balances.get(denom) ?? 0n;
    const s = supply.get(denom) ?? 0n;
    if (b !== s) problems.push(`bank: this block changed the balances of ${denom} by ${b} but its supply by ${s}`);
  }
  return problems;
}
