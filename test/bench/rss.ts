/**
 * Memory of an app holding N accounts, each phase in its own process so nothing else is counted:
 *   node dist/test/bench/rss.js build N DIR   creates N funded accounts (an auth account and a
 *                                             bank balance each) in blocks of 50,000 in DIR
 *   node dist/test/bench/rss.js load N DIR    opens the app on DIR as a restarted validator does
 * Each prints one JSON line.
 */
import { performance } from "node:perf_hooks";
import { BlockaiApp } from "../../src/app/app";
import { createLogger } from "../../src/app/logger";
import type { StoreBranch } from "../../src/store/branch";
import { defaultAppState } from "../../src/node/home";

async function build(n: number, dir: string): Promise<void> {
  const app = await BlockaiApp.open({ dataDir: dir, minGasPrices: [], logger: createLogger("none") });
  app.initChain({
    time: { seconds: 1_700_000_000n, nanos: 0 },
    chainId: "rss",
    consensusParams: undefined,
    validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify(defaultAppState())),
    initialHeight: 1n,
  });
  // Accounts are written straight through the keepers into the block's state: a genesis JSON of
  // 10^6 entries would measure the JSON parser, not the app.
  const internal = app as unknown as { deliverState?: StoreBranch; db: { branch(): StoreBranch } };
  let height = 0;
  for (let done = 0; done < n; ) {
    const count = Math.min(50_000, n - done);
    height++;
    const state = internal.deliverState ?? internal.db.branch();
    internal.deliverState = state;
    for (let i = 0; i < count; i++) {
      const address = Buffer.alloc(20);
      address.write("blockai-rss", 0);
      address.writeUInt32BE(done + i, 16);
      app.keepers.bank.importBalance(state, new Uint8Array(address), [{ denom: "usoa", amount: 1_000_000n + BigInt(done + i) }]);
    }
    app.executeBlock({
      txs: [],
      decidedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(32),
      height: BigInt(height),
      time: { seconds: 1_700_000_000n + BigInt(height), nanos: 0 },
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    });
    await app.commit();
    done += count;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[Krss: ${done}/${n} accounts`);
  }
  await app.close();
  process.stdout.write(JSON.stringify({ accounts: n, peakBuildMb: process.resourceUsage().maxRSS / 1024 }) + "\n");
}

async function load(dir: string): Promise<void> {
  const t0 = performance.now();
  const app = await BlockaiApp.open({ dataDir: dir, minGasPrices: [], logger: createLogger("none") });
  const loadMs = performance.now() - t0;
  global.gc?.();
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  const mem = process.memoryUsage();
  const heapMb = mem.heapUsed / 1024 / 1024;
  const arrayBuffersMb = mem.arrayBuffers / 1024 / 1024;
  await app.close();
  process.stdout.write(JSON.stringify({ rssMb, heapMb, arrayBuffersMb, loadMs, height: app.lastHeight }) + "\n");
}

const [mode, n, dir] = process.argv.slice(2);
(mode === "build" ? build(Number(n), dir) : load(dir)).catch((e) => {
  console.error(e);
  process.exit(1);
});
