import { createSteadyLoad, stateSize, STEADY } from "../helpers/steady-load";

jest.setTimeout(300_000);

/**
 * The short version of the pruning benchmark (test/bench/prune.bench.ts): under steady usage of
 * everything that is pruned, the state stops growing once every retention has been crossed. Full
 * invariants are checked every 50 blocks here (the load is the same as the benchmark's).
 */
test("state size is flat under steady usage once the retentions are crossed", async () => {
  const { d, step } = await createSteadyLoad();
  d.invariantsEvery = 50;
  try {
    // Warm-up: every retention (claim window + expired retention, escrow retention) crossed.
    const warm = Number(STEADY.epochLength * (STEADY.claimEpochs + STEADY.expiredEpochRetention + 2n) + STEADY.closedEscrowRetention);
    for (let i = 0; i < warm; i++) await step();
    const samples: number[] = [];
    // Sampled at the same phase of the epoch, over 8 more epochs.
    for (let e = 0; e < 8; e++) {
      for (let i = 0; i < Number(STEADY.epochLength); i++) await step();
      samples.push(stateSize(d).keys);
    }
    const min = Math.min(...samples);
    const max = Math.max(...samples);
    // Without pruning each epoch adds about 50 escrows x 3 keys + usage and tally keys: > 150 keys.
    expect(max - min).toBeLessThan(20);
    expect(d.app.checkInvariants()).toEqual([]);
  } finally {
    await d.close();
  }
});
