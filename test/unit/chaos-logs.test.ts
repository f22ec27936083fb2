import { logFailures } from "../chaos/chaos";

/** The chaos run's log check: a CometBFT stopped by its app's SIGKILL is expected, a fork is not. */
describe("chaos log check", () => {
  const appKilled = [
    'E[2026-12-06|05:56:32.614] CONSENSUS FAILURE!!!                         module=consensus err="state machine returned an error (read message: read unix @->/tmp/x/node3/abci.sock: read: connection reset by peer) when calling ProcessProposal" stack="goroutine 183"',
    'E[2026-12-06|05:50:01.000] CONSENSUS FAILURE!!!                         module=consensus err="failed to apply block; error read message: EOF" stack="x"',
  ];
  test("the stop of CometBFT whose app was killed is not a failure", () => {
    expect(logFailures("", appKilled.join("\n"))).toEqual([]);
  });
  test("an app hash mismatch, another consensus failure, a broken invariant or a corrupt database is", () => {
    expect(logFailures("", "E[...] CONSENSUS FAILURE!!! err=\"+2/3 committed an invalid block: wrong Block.Header.AppHash.  Expected X, got Y\"")).toHaveLength(1);
    expect(logFailures("", 'E[...] CONSENSUS FAILURE!!! err="failed to apply block; error commit failed for application: boom"')).toHaveLength(1);
    expect(logFailures("ERROR invariant broken at height 9: bank supply", "")).toHaveLength(1);
    expect(logFailures("state database is corrupt: stored app hash", "")).toHaveLength(1);
  });
});
