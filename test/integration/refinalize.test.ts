import type { RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { Driver } from "../helpers/driver";
import { msgSend } from "../helpers/keys";

/**
 * CometBFT killed between FinalizeBlock and Commit, the app left running: on its restart
 * CometBFT's handshake finds the app at H, the block H+1 in its store, and sends FinalizeBlock
 * for H+1 again. The app must execute it on the committed state of H, not on top of its own
 * uncommitted first execution (that would sign a different app hash than every other node).
 */
describe("FinalizeBlock repeated for the same height without a Commit in between", () => {
  const request = (d: Driver, txs: Uint8Array[]): RequestFinalizeBlock => ({
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32).fill(7),
    height: BigInt(d.height + 1),
    time: { seconds: d.timeSeconds + 1n, nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  });

  test("after a committed block: the second execution gives the first's app hash and results", async () => {
    const d = await Driver.create({ accounts: 2 });
    try {
      await d.block();
      const tx = d.sign(d.keys[0], [msgSend(d.keys[0].address, d.keys[1].address, 5n)]);
      const first = await d.app.finalizeBlock(request(d, [tx]));
      const second = await d.app.finalizeBlock(request(d, [tx]));
      expect(first.txResults[0].code).toBe(0);
      expect(second.txResults.map((r) => r.code)).toEqual([0]);
      expect(Buffer.from(second.appHash).toString("hex")).toBe(Buffer.from(first.appHash).toString("hex"));
      await d.app.commit();
      expect(d.balance(d.keys[1].address)).toBe(10n ** 12n + 5n);
    } finally {
      await d.close();
    }
  });

  test("the first block after InitChain: the genesis state is kept for the repeat", async () => {
    const d = await Driver.create({ accounts: 2 });
    try {
      const first = await d.app.finalizeBlock(request(d, []));
      const second = await d.app.finalizeBlock(request(d, []));
      expect(Buffer.from(second.appHash).toString("hex")).toBe(Buffer.from(first.appHash).toString("hex"));
      await d.app.commit();
      // The genesis accounts were committed with block 1.
      expect(d.balance(d.keys[0].address)).toBe(10n ** 12n);
    } finally {
      await d.close();
    }
  });
});
