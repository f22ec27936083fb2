import { logFailures, powTallyFailures, type EpochTally } from "../chaos/chaos";

/**
 * The chaos run's PoW check: epoch tallies against what the committed certificates credited. The
 * 900 s run of 2026-12-06 (seed 4242) compared the sum over all epochs and failed (287 tallied,
 * 414 committed): the tallies of epochs whose rewards can no longer be claimed are pruned.
 */
describe("chaos PoW tally check", () => {
  const tally = (epoch: number, certificates: number, work = certificates * 10): EpochTally => ({ epoch: BigInt(epoch), certificates: BigInt(certificates), work: BigInt(work), epochCertificates: BigInt(certificates) });
  const credited = new Map([0, 1, 2, 3].map((e) => [BigInt(e), { certificates: 3n, work: 30n }]));

  test("every epoch tallied as credited passes", () => {
    expect(powTallyFailures([0, 1, 2, 3].map((e) => tally(e, 3)), credited)).toEqual([]);
  });
  test("a pruned prefix of epochs (tallies deleted) passes", () => {
    expect(powTallyFailures([tally(0, 0), tally(1, 0), tally(2, 3), tally(3, 3)], credited)).toEqual([]);
  });
  test("a zero epoch after a tallied one, a wrong count or work, or a zero current epoch fails", () => {
    expect(powTallyFailures([tally(0, 3), tally(1, 0), tally(2, 3), tally(3, 3)], credited)).toHaveLength(1);
    expect(powTallyFailures([tally(0, 3), tally(1, 3), tally(2, 2), tally(3, 3)], credited)).toHaveLength(1);
    expect(powTallyFailures([tally(0, 3), tally(1, 3), tally(2, 3, 29), tally(3, 3)], credited)).toHaveLength(1);
    expect(powTallyFailures([tally(0, 0), tally(1, 0), tally(2, 0), tally(3, 0)], credited)).toHaveLength(1);
    expect(powTallyFailures([tally(0, 3), tally(1, 3), tally(2, 3), { ...tally(3, 3), epochCertificates: 4n }], credited)).toHaveLength(1);
  });
});

describe("chaos log check and disk-full", () => {
  test("CometBFT stopping because its app exited on a failed Commit (disk full) is not a failure", () => {
    const line = 'E[2026-12-06|20:20:06.721] CONSENSUS FAILURE!!!                         module=consensus err="failed to apply block; error commit failed for application: read message: EOF" stack="x"';
    expect(logFailures("ERROR [abci] commit failed; exiting with code 70 (restart to recover)", line)).toEqual([]);
  });
});
