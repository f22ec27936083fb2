import { WorkTally } from "../../gen/blockai/pow/v1/pow";
import { readU64be } from "../../types/bytes";
import { KVStore, PrefixStore } from "../../store/kv";
import {
  ANCHOR_PREFIX,
  BLOCK_CERTS_KEY,
  BLOCK_MINER_CERTS_PREFIX,
  MATMUL_TALLIES,
  POW_STORE_PREFIX,
  SHA256_TALLIES,
  type TallyPrefixes,
  epochWorkKey,
  minerWorkKey,
  modelWorkKey,
} from "./keys";
import { talliesPrunedBelow } from "./prune";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function tally(raw: Uint8Array | undefined): { work: bigint; certificates: bigint } {
  if (!raw) return { work: 0n, certificates: 0n };
  const t = WorkTally.decode(raw);
  return { work: BigInt(t.work || "0"), certificates: t.certificates };
}

/**
 * The pow invariants on one block's writes (docs/pruning.md#invariants): what the block added to
 * the (epoch, miner, model) records equals what it added to each aggregate they sum into (epochs
 * being pruned aside); no per-block counter outlives the block; at most anchor_window anchors
 * (a bounded range).
 */
export function powBlockInvariants(after: KVStore, before: KVStore, changed: readonly Uint8Array[], anchorWindow: bigint): string[] {
  const a = new PrefixStore(after, POW_STORE_PREFIX);
  const b = new PrefixStore(before, POW_STORE_PREFIX);
  const problems: string[] = [];
  if (!a.has(Uint8Array.of(0x01))) return problems; // genesis not loaded
  const below = talliesPrunedBelow(after);
  const fromRecords = new Map<string, { work: bigint; certificates: bigint }>();
  const fromAggregates = new Map<string, { work: bigint; certificates: bigint }>();
  const add = (m: typeof fromRecords, key: Uint8Array, d: { work: bigint; certificates: bigint }) => {
    const id = hex(key);
    const cur = m.get(id) ?? { work: 0n, certificates: 0n };
    m.set(id, { work: cur.work + d.work, certificates: cur.certificates + d.certificates });
  };
  // Each certificate kind keeps its own four tally prefixes (keys.ts).
  const tallySets = new Map<number, TallyPrefixes>();
  for (const t of [SHA256_TALLIES, MATMUL_TALLIES]) for (const p of [t.epoch, t.miner, t.model, t.minerModel]) tallySets.set(p, t);
  for (const key of changed) {
    const kind = key[0];
    const t = tallySets.get(kind);
    if (t === undefined || key.length < 9) continue;
    const epoch = readU64be(key, 1);
    if (epoch < below) continue;
    const now = tally(a.get(key));
    const old = tally(b.get(key));
    const delta = { work: now.work - old.work, certificates: now.certificates - old.certificates };
    if (kind === t.minerModel) {
      const len = key[9];
      const miner = key.subarray(10, 10 + len);
      const modelId = readU64be(key, 10 + len);
      add(fromRecords, epochWorkKey(epoch, t), delta);
      add(fromRecords, minerWorkKey(epoch, miner, t), delta);
      add(fromRecords, modelWorkKey(epoch, modelId, t), delta);
    } else {
      add(fromAggregates, key, delta);
    }
  }
  for (const id of new Set([...fromRecords.keys(), ...fromAggregates.keys()])) {
    const r = fromRecords.get(id) ?? { work: 0n, certificates: 0n };
    const g = fromAggregates.get(id) ?? { work: 0n, certificates: 0n };
    if (r.work !== g.work || r.certificates !== g.certificates) {
      problems.push(`pow: aggregate ${id} changed by ${g.work} work / ${g.certificates} certificates, its records by ${r.work} / ${r.certificates}`);
      break;
    }
  }
  if (a.has(BLOCK_CERTS_KEY)) problems.push("pow: the per-block certificate counter outlived its block");
  if (a.range(Uint8Array.of(BLOCK_MINER_CERTS_PREFIX), Uint8Array.of(BLOCK_MINER_CERTS_PREFIX + 1), { limit: 1 }).length > 0) problems.push("pow: a per-miner block certificate counter outlived its block");
  const anchors = a.range(Uint8Array.of(ANCHOR_PREFIX), Uint8Array.of(ANCHOR_PREFIX + 1), { limit: Number(anchorWindow) + 1 }).length;
  if (BigInt(anchors) > anchorWindow) problems.push(`pow: more than anchor_window ${anchorWindow} anchors kept`);
  return problems;
}
