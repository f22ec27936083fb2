/**
 * Benchmark of pruning (docs/pruning.md). Not a jest test: compile with tsc and run
 *   node dist/test/bench/prune.bench.js [blocks=100000] [sampleEvery=1000]
 * Runs the steady load of test/helpers/steady-load.ts (escrows opened, claimed and closed, direct
 * payments, PoW certificates, reward claims: every block) in process through FinalizeBlock and
 * Commit, and samples the committed state's size (keys, bytes, keys per module) every
 * `sampleEvery` blocks. Full invariants run at every sample. It prints the samples and the ratio
 * of the last sample to the first one after the warm-up (every retention crossed): flat state
 * means a ratio of about 1. No assertion on times.
 */
import { performance } from "node:perf_hooks";
import * as fs from "node:fs";
import { createSteadyLoad, stateSize, STEADY } from "../helpers/steady-load";

const BLOCKS = Number(process.argv[2] ?? 100_000);
const EVERY = Number(process.argv[3] ?? 1000);
/** "off": the same load with every prune_per_block at 0 (the growth pruning prevents). */
const PRUNE = process.argv[4] !== "off";

async function main(): Promise<void> {
  const { d, step } = await createSteadyLoad({ prune: PRUNE });
  d.invariantsEvery = EVERY;
  const warm = Number(STEADY.epochLength * (STEADY.claimEpochs + STEADY.expiredEpochRetention + 2n) + STEADY.closedEscrowRetention);
  console.log(`node ${process.version}: ${BLOCKS} blocks of steady load, pruning ${PRUNE ? "on" : "OFF"}, epoch ${STEADY.epochLength} blocks, claim window ${STEADY.claimEpochs} epochs, escrow retention ${STEADY.closedEscrowRetention} blocks; warm-up ${warm} blocks`);
  const samples: Array<{ height: number; keys: number; bytes: number; msPerBlock: number; byModule: Record<string, number> }> = [];
  const started = performance.now();
  let t = performance.now();
  let since = 0;
  let first: (typeof samples)[number] | undefined;
  for (let i = 1; i <= BLOCKS; i++) {
    await step();
    since++;
    if (i % EVERY === 0 || i === BLOCKS) {
      const now = performance.now();
      const size = stateSize(d);
      const s = { height: d.height, keys: size.keys, bytes: size.bytes, msPerBlock: (now - t) / since, byModule: size.byModule };
      samples.push(s);
      if (!first && i >= warm) first = s;
      const mods = ["metering", "pow", "rewards", "registry", "auth", "bank"].map((m) => `${m} ${s.byModule[m] ?? 0}`).join(", ");
      console.log(`height ${s.height}: ${s.keys} keys, ${s.bytes} bytes (${mods}); ${s.msPerBlock.toFixed(2)} ms/block`);
      t = performance.now();
      since = 0;
    }
  }
  const last = samples[samples.length - 1];
  const total = (performance.now() - started) / 1000;
  const result = {
    blocks: BLOCKS,
    pruning: PRUNE,
    seconds: Math.round(total),
    firstAfterWarmup: first && { height: first.height, keys: first.keys, bytes: first.bytes },
    last: { height: last.height, keys: last.keys, bytes: last.bytes },
    keysRatio: first ? last.keys / first.keys : NaN,
    bytesRatio: first ? last.bytes / first.bytes : NaN,
    maxKeys: Math.max(...samples.filter((s) => s.height >= (first?.height ?? 0)).map((s) => s.keys)),
  };
  console.log(JSON.stringify(result));
  fs.writeFileSync(PRUNE ? "prune-bench-results.json" : "prune-bench-off-results.json", JSON.stringify({ result, samples }, null, 1));
  await d.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
