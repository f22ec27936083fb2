/**
 * Memory of an app holding N accounts (run as its own process so nothing else is counted):
 *   node dist/test/bench/rss.js N
 * Creates N funded accounts (an auth account and a bank balance each) in blocks of 50,000,
 * restarts the app on the same database, and prints JSON: peak RSS while building, RSS after
 * the reload (what a restarted validator holds) and the reload time.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { BlockaiApp } from "../../src/app/app";
import { createLogger } from "../../src/app/logger";
import { defaultAppState } from "../../src/node/home";

async function main() {
  const n = Number(process.argv[2] ?? "1000000");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-rss-"));
  try {
    let app = await BlockaiApp.open({ dataDir: dir, minGasPrices: [], logger: createLogger("none") });
    app.initChain({
      time: { seconds: 1_700_000_000n, nanos: 0 },
      chainId: "rss",
      consensusParams: undefined,
      validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(defaultAppState())),
      initialHeight: 1n,
    });
    let height = 0;
    const block = async (fill?: (store: import("../../src/store/branch").StoreBranch) => void) => {
      height++;
      // Accounts are written straight through the keepers (a genesis JSON of 10^6 entries would
      // measure the JSON parser, not the app).
      const internal = app as unknown as { deliverState?: import("../../src/store/branch").StoreBranch; db: { branch(): import("../../src/store/branch").StoreBranch } };
      const state = internal.deliverState ?? internal.db.branch();
      internal.deliverState = state;
      fill?.(state);
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
    };
    const { keepers } = app;
    for (let done = 0; done < n; ) {
      const count = Math.min(50_000, n - done);
      await block((store) => {
        for (let i = 0; i < count; i++) {
          const address = Buffer.alloc(20);
          address.writeUInt32BE(done + i, 16);
          address.write("blockai-rss", 0);
          keepers.bank.importBalance(store, new Uint8Array(address), [{ denom: "usoa", amount: 1_000_000n + BigInt(done + i) }]);
        }
      });
      done += count;
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[Krss: ${done}/${n} accounts`);
    }
    const peakBuildMb = process.resourceUsage().maxRSS / 1024;
    await app.close();
    const t0 = performance.now();
    app = await BlockaiApp.open({ dataDir: dir, minGasPrices: [], logger: createLogger("none") });
    const reloadMs = performance.now() - t0;
    global.gc?.();
    const rssAfterReloadMb = process.memoryUsage().rss / 1024 / 1024;
    await app.close();
    process.stdout.write(JSON.stringify({ accounts: n, peakBuildMb, rssAfterReloadMb, reloadMs }) + "\n");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
