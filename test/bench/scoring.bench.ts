/**
 * Scoring benchmark: the block that computes an epoch's consensus, with 100 validators each
 * revealing scores for 1,000 models. Not a jest test: compile with tsc and run
 *   node dist/test/bench/scoring.bench.js [rounds]
 * The reveals are loaded through genesis (an epoch whose reveal window ends at height 2), so the
 * measured block is exactly the consensus block: FinalizeBlock (the consensus, 1,000 model
 * scores and 100 agreements written, 100 reveals deleted) and Commit. It also times the pure
 * computation (computeConsensus) alone. Numbers are printed, never asserted.
 */
import { computeConsensus, Score } from "../../src/modules/scoring";
import { Driver, TestValidator } from "../helpers/driver";

const VALIDATORS = 100;
const MODELS = 1_000;
const ROUNDS = Number(process.argv[2] ?? "5");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Deterministic, varied scores: validator i scores model m around a per-model quality. */
function scoresOf(i: number): Score[] {
  return Array.from({ length: MODELS }, (_, m) => ({ modelId: BigInt(m + 1), scorePpm: ((m * 7_919) % 900_001) + ((i * 104_729 + m * 31) % 100_000) }));
}

async function main(): Promise<void> {
  // Validators are deterministic (TestValidator i), so their addresses are known before genesis.
  const validators = Array.from({ length: VALIDATORS }, (_, i) => new TestValidator(i));
  const blockMs: number[] = [];
  let models = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const d = await Driver.create({
      validators: VALIDATORS,
      accounts: 1,
      appState: (s) => {
        s.epochs = { params: { epoch_length: "1000" } };
        s.scoring = {
          params: { reveal_window: "2", max_scores_per_reveal: String(MODELS), min_reveal_stake_fraction_ppm: "500000" },
          commitments: validators.map((v) => ({ epoch: "0", validator: v.valoper, commitment: "00".repeat(32), height: "1", power: "100", revealed: true })),
          reveals: validators.map((v, i) => ({
            epoch: "0",
            validator: v.valoper,
            scores: scoresOf(i).map((x) => ({ model_id: x.modelId.toString(), score_ppm: x.scorePpm.toString() })),
          })),
          epoch_results: [
            {
              epoch: "0",
              status: "EPOCH_STATUS_REVEALING",
              reveal_start_height: "1",
              reveal_end_height: "2",
              bonded_power: String(VALIDATORS * 100),
              committed_power: String(VALIDATORS * 100),
              revealed_power: "0",
              revealers: "0",
              models: "0",
            },
          ],
        };
      },
    });
    try {
      await d.block();
      // Only FinalizeBlock and Commit are timed (not the driver's invariant checks after them).
      const app = d.app;
      let spent = 0n;
      const timed = <A extends unknown[], R>(f: (...a: A) => R) => async (...a: A) => {
        const t0 = process.hrtime.bigint();
        const r = await f(...a);
        spent += process.hrtime.bigint() - t0;
        return r;
      };
      app.finalizeBlock = timed(app.finalizeBlock.bind(app)) as unknown as typeof app.finalizeBlock;
      app.commit = timed(app.commit.bind(app)) as unknown as typeof app.commit;
      await d.block();
      blockMs.push(Number(spent) / 1e6);
      const result = d.app.keepers.scoring.getEpochResult(d.store, 0n)!;
      models = result.models;
      if (result.revealers !== VALIDATORS || models !== MODELS) throw new Error(`unexpected result: ${JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    } finally {
      await d.close();
    }
  }
  const inputs = validators.map((_, i) => ({ power: 100n, scores: scoresOf(i) }));
  const pureMs: number[] = [];
  for (let round = 0; round < ROUNDS * 4; round++) {
    const t0 = process.hrtime.bigint();
    computeConsensus(inputs);
    pureMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(`scoring consensus, ${VALIDATORS} validators x ${MODELS} models (${models} consensus scores written):`);
  console.log(`  consensus block (FinalizeBlock + Commit of an otherwise empty block): median ${median(blockMs).toFixed(0)} ms over ${ROUNDS} (${blockMs.map((x) => x.toFixed(0)).join(", ")})`);
  console.log(`  computeConsensus alone: median ${median(pureMs).toFixed(1)} ms over ${pureMs.length}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
