/**
 * Memory and throughput of an app holding N accounts, each phase in its own process so nothing
 * else is counted:
 *   node dist/test/bench/rss.js build N DIR            creates N funded accounts (an auth account
 *                                                      and a bank balance each) in blocks of
 *                                                      50,000 in DIR, plus SIGNERS funded keys
 *   node dist/test/bench/rss.js load N DIR [CACHE_MB]  opens the app on DIR as a restarted
 *                                                      validator does (CACHE_MB > 0: bounded-cache
 *                                                      mode with that cache; 0: all in memory),
 *                                                      runs BLOCKS blocks of sends from the signers
 *                                                      to accounts spread over the whole state,
 *                                                      then reads every account's balance
 * Each prints one JSON line.
 */
import { performance } from "node:perf_hooks";
import { BlockaiApp } from "../../src/app/app";
import { createLogger } from "../../src/app/logger";
import type { StateDB } from "../../src/store/state";
import { defaultAppState } from "../../src/node/home";
import { encodeAddress } from "../../src/types/address";
import { signTx, msgSend } from "../helpers/keys";
import { benchKeys, blockRequest } from "./lib";

const SIGNERS = 200;
// 20 blocks (40,000 sends, 10 to 12 s of execution): with 5, single rounds of the same code swung
// from 0.70 to 1.19 x between the two modes on this shared machine.
const BLOCKS = 20;
const TXS_PER_BLOCK = 2000;
/** The build writes in bounded-cache mode, so that it scales to states larger than memory. */
const BUILD_CACHE_BYTES = 64 * 1024 * 1024;

function accountAddress(i: number): Uint8Array {
  const address = Buffer.alloc(20);
  address.write("blockai-rss", 0);
  address.writeUInt32BE(i, 16);
  return new Uint8Array(address);
}

async function build(n: number, dir: string): Promise<void> {
  const app = await BlockaiApp.open({ dataDir: dir, minGasPrices: [], logger: createLogger("none"), stateCacheBytes: BUILD_CACHE_BYTES });
  app.initChain({
    time: { seconds: 1_700_000_000n, nanos: 0 },
    chainId: "rss",
    consensusParams: undefined,
    validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify(defaultAppState())),
    initialHeight: 1n,
  });
  app.executeBlock(blockRequest(1, []));
  await app.commit();
  // Accounts are written straight through the keepers into committed versions of the state: a
  // genesis JSON of 10^6 entries would measure the JSON parser, not the app. (The app's own
  // block path starts each block from the committed state, so writes must be committed here.)
  const db = (app as unknown as { db: StateDB }).db;
  const signers = benchKeys(SIGNERS, "rss");
  let height = 1;
  for (let done = 0; done < n; ) {
    const count = Math.min(50_000, n - done);
    const state = db.branch();
    if (done === 0) for (const k of signers) app.keepers.bank.importBalance(state, k.addressBytes, [{ denom: "usoa", amount: 10n ** 15n }]);
    for (let i = 0; i < count; i++) app.keepers.bank.importBalance(state, accountAddress(done + i), [{ denom: "usoa", amount: 1_000_000n + BigInt(done + i) }]);
    height++;
    await db.commit(db.prepare(state, height));
    done += count;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[Krss: ${done}/${n} accounts`);
  }
  await app.close();
  process.stdout.write(JSON.stringify({ accounts: n, peakBuildMb: process.resourceUsage().maxRSS / 1024 }) + "\n");
}

function rssMb(): number {
  global.gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}

async function load(n: number, dir: string, cacheMb: number): Promise<void> {
  const t0 = performance.now();
  const app = await BlockaiApp.open({ dataDir: dir, minGasPrices: [], logger: createLogger("none"), stateCacheBytes: cacheMb * 1024 * 1024 });
  const loadMs = performance.now() - t0;
  const rssIdleMb = rssMb();
  const heapIdleMb = process.memoryUsage().heapUsed / 1024 / 1024;
  const idleBreakdownMb = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1024 / 1024)]));
  const stateKeys = (app as unknown as { db: StateDB }).db.latest.data.size;

  // Sends from the signers to accounts spread over the whole state (most of them cold), signed
  // before the clock starts.
  const signers = benchKeys(SIGNERS, "rss");
  const store = app.committedStore()!;
  const accounts = signers.map((k) => app.keepers.auth.getAccount(store, k.addressBytes)!);
  const blocks: Uint8Array[][] = [];
  let t = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < TXS_PER_BLOCK; i++, t++) {
      const s = t % SIGNERS;
      const to = accountAddress((t * 2_654_435_761) % n);
      const from = signers[s];
      txs.push(
        signTx({
          key: from,
          msgs: [msgSend(from.address, encodeAddress(to), 1n)],
          accountNumber: accounts[s].accountNumber,
          sequence: accounts[s].sequence + BigInt(Math.floor(t / SIGNERS)),
          chainId: "rss",
          fee: [{ denom: "usoa", amount: "5000" }],
          gas: 200_000n,
        }),
      );
    }
    blocks.push(txs);
  }
  let height = app.lastHeight;
  let failed = 0;
  const t1 = performance.now();
  for (const txs of blocks) {
    height++;
    const req = blockRequest(height, txs);
    app.prefetch([{ finalizeBlock: req }]);
    const res = await app.finalizeBlock(req);
    failed += res.txResults.filter((r) => r.code !== 0).length;
    await app.commit();
  }
  const blocksMs = performance.now() - t1;
  if (failed > 0) throw new Error(`${failed} bench txs failed`);
  const rssAfterBlocksMb = rssMb();
  const heapAfterBlocksMb = process.memoryUsage().heapUsed / 1024 / 1024;
  const afterBlocksBreakdownMb = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1024 / 1024)]));

  // Every account's balance read once: in bounded-cache mode this fills the cache to its bound.
  const t2 = performance.now();
  const latest = app.committedStore()!;
  let total = 0n;
  for (let i = 0; i < n; i++) total += app.keepers.bank.getBalance(latest, accountAddress(i), "usoa");
  const sweepMs = performance.now() - t2;
  if (total === 0n) throw new Error("no balances read");
  const rssAfterSweepMb = rssMb();
  const cache = (app as unknown as { db: { cache?: { bytes: number; hits: number; misses: number } } }).db.cache;
  await app.close();
  process.stdout.write(
    JSON.stringify({
      accounts: n,
      cacheMb,
      loadMs,
      rssIdleMb,
      heapIdleMb,
      idleBreakdownMb,
      stateKeys,
      blockTxPerSec: (BLOCKS * TXS_PER_BLOCK) / (blocksMs / 1000),
      rssAfterBlocksMb,
      heapAfterBlocksMb,
      afterBlocksBreakdownMb,
      sweepAccountsPerSec: n / (sweepMs / 1000),
      rssAfterSweepMb,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      cacheMbUsed: cache ? cache.bytes / 1024 / 1024 : null,
      height: app.lastHeight,
    }) + "\n",
  );
}

const [mode, n, dir, cacheMb] = process.argv.slice(2);
(mode === "build" ? build(Number(n), dir) : load(Number(n), dir, Number(cacheMb ?? "0"))).catch((e) => {
  console.error(e);
  process.exit(1);
});
