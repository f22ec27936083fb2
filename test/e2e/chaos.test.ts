import { formatSummary, runChaos, TX_KINDS } from "../chaos/chaos";

jest.setTimeout(1_200_000);

/**
 * The short chaos run of `make test`: at least 3 minutes and 20 perturbations on 4 validators
 * under load (CHAOS_DURATION, CHAOS_SEED override). The long one is `make chaos`.
 */
describe("chaos: kills, pauses, partitions and rollbacks of validators under a mixed load", () => {
  test("nothing committed is lost, no fork, no halt, progress after every perturbation", async () => {
    const seed = Number(process.env.CHAOS_SEED ?? 20261206);
    const summary = await runChaos({
      durationMs: Number(process.env.CHAOS_DURATION ?? 180) * 1000,
      nodes: 4,
      seed,
      minPerturbations: 20,
      log: () => undefined,
    });
    console.log(formatSummary(summary));
    expect(summary.failures).toEqual([]);
    expect(summary.mismatches).toBe(0);
    expect(summary.lostCommitted).toBe(0);
    expect(summary.haltedNodes).toBe(0);
    expect(summary.total).toBeGreaterThanOrEqual(20);
    expect(summary.txsCommitted).toBeGreaterThan(0);
    // The mixed load: every kind (sends, delegations, registrations, escrow opens, claims, PoW certificates) committed.
    for (const k of TX_KINDS) expect([k, summary.byKind[k].committed > 0]).toEqual([k, true]);
    expect(summary.heightsCompared).toBeGreaterThan(30);
  });
});
