import { runFuzz } from "../fuzz/fuzz";

jest.setTimeout(300_000);

/**
 * The short run of `make fuzz` (test/fuzz/fuzz.ts): generated and mutated txs through CheckTx
 * and FinalizeBlock with every invariant checked after every block, and ABCI requests (clean and
 * damaged frame streams) through the real socket server. Any crash throws with its seed.
 */
test("20,000 generated and mutated txs and ABCI requests: no crash, every well-formed request answered", async () => {
  const s = await runFuzz({ total: 20_000, seed: 19 });
  expect(s.crashes).toBe(0);
  expect(s.txs + s.abciRequests).toBeGreaterThanOrEqual(20_000);
  // The generator reaches the handlers: some txs pass CheckTx and execute in blocks.
  expect(s.checkTxAccepted).toBeGreaterThan(100);
  expect(s.deliveredOk).toBeGreaterThan(50);
  expect(s.abciMalformedBatches).toBeGreaterThan(0);
});
