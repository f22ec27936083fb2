/**
 * Invariant checking whose cost does not grow with the state (docs/pruning.md#invariants).
 *
 * Each block, a module with `blockInvariants` is checked on the keys the block wrote under its
 * prefix: the sums its invariants state are checked as deltas (what the block added to one side
 * equals what it added to the other), and each written record is checked on its own. Modules
 * without it, and every module's full walk, run on a schedule: module i of n at the heights
 * where height % full_every == i * full_every / n, so one module's full check at a time and
 * none at most heights.
 */
import type { KVStore } from "../store/kv";
import { stringToKey } from "../store/kv";
import type { Module } from "./module";

/** The module's keys among a block's changed state keys (latin1 strings), prefix removed. */
export function changedUnder(changed: Iterable<string>, prefix: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const k of changed) if (k.startsWith(prefix)) out.push(stringToKey(k.slice(prefix.length)));
  return out;
}

/**
 * The checks of one block. `fullEvery` 0 runs only the incremental checks (and the full checks
 * of modules without them never); 1 runs every full check every block (what tests do).
 */
export function checkBlockInvariants(
  modules: readonly Module[],
  before: KVStore,
  after: KVStore,
  changed: ReadonlyMap<string, unknown>,
  height: number,
  fullEvery: number,
): string[] {
  const broken: string[] = [];
  const keys = [...changed.keys()];
  modules.forEach((m, i) => {
    if (m.blockInvariants) broken.push(...m.blockInvariants(before, after, changedUnder(keys, `${m.name}/`)));
    if (!m.invariants || fullEvery <= 0) return;
    const slot = Math.floor((i * fullEvery) / modules.length);
    if (fullEvery === 1 || height % fullEvery === slot) broken.push(...m.invariants(after));
  });
  return broken;
}
