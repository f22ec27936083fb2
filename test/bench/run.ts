/**
 * `make bench`: BLOCKAI measured against the limits of this machine, in one run, so the ratios
 * mean something on a noisy shared machine. Prints a table and writes bench-results.json.
 * BENCH_QUICK=1 runs a short version.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { APP_NODE_FLAGS } from "../../src/node/network";
import { repoRoot } from "../../src/node/paths";
import { benchEndToEnd, WALLET_INDEX_EVENTS } from "./e2e-load";
import { benchBlock, benchCheckTx, benchCommitCost, measureLimits } from "./inprocess";
import { fmt, progress, progressDone, QUICK, table } from "./lib";
import { benchGateway } from "./gateway.bench";

/** BENCH_ONLY=checktx,block,commit,rss,e2e,gateway runs just those sections (limits always run). */
const ONLY = new Set((process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean));
const runs = (section: string) => ONLY.size === 0 || ONLY.has(section);

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

async function main(): Promise<void> {
  const started = new Date().toISOString();
  progress("limits: native secp256k1 verification and double-SHA-256 on one core");
  const limits = measureLimits(QUICK ? 500 : 2000);

  const checkTx = runs("checktx") ? await benchCheckTx(QUICK ? 500 : 1000, QUICK ? 4 : 10) : undefined;
  const blocks = [];
  if (runs("block")) for (const size of [1000, 5000]) blocks.push(await benchBlock(size, limits));
  const commit = runs("commit") ? await benchCommitCost(QUICK ? [1e4, 1e5] : [1e4, 1e5, 1e6]) : [];
  const rss = runs("rss") ? measureRss() : undefined;
  const e2e = runs("e2e") ? await benchEndToEnd(QUICK ? 2000 : 10_000, QUICK ? 200 : 500) : undefined;
  const gateway = [];
  if (runs("gateway")) {
    for (const kind of ["memory", "level"] as const) {
      progress(`gateway: added latency and calls/s against a trivial upstream (${kind} store)`);
      gateway.push(await benchGateway(QUICK ? 500 : 2000, 32, kind));
    }
  }
  progressDone();

  // Saturation throughput, median over the rounds (the ratio is the median of the rounds' ratios).
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const saturation = (loads: { mode: string; committedTxPerSec: number }[]) => {
    const rates = loads.filter((r) => r.mode.includes("saturation")).map((r) => r.committedTxPerSec);
    return rates.length ? { committedTxPerSec: median(rates) } : undefined;
  };
  const satB = e2e ? saturation(e2e.blockai) : undefined;
  const satK = e2e ? saturation(e2e.kvstore) : undefined;
  const c1 = commit[0];
  const cN = commit[commit.length - 1];
  const block5k = blocks.find((b) => b.txs === 5000);
  const targets = {
    e2eVsKvstore: e2e?.roundRatios.length ? median(e2e.roundRatios) : undefined,
    checkTxVsTwoCoresOfVerify: checkTx ? ratio(checkTx.bothCoresTxPerSec, 2 * limits.secp256k1VerifyPerSec) : undefined,
    appHashCostGrowth: c1 && cN ? ratio(cN.appHashUsPerKey, c1.appHashUsPerKey) : undefined,
    block5kVsSequentialVerify: block5k ? ratio(block5k.coldMs, block5k.sequentialVerifyMs) : undefined,
  };

  const rows: string[][] = [["measure", "value", "baseline / note"]];
  rows.push(["secp256k1 verify, native (OpenSSL), 1 core", `${fmt(limits.secp256k1VerifyPerSec)} /s`, "physical limit (the targets' baseline)"]);
  rows.push(["secp256k1 verify, libsecp256k1, 1 core", `${fmt(limits.libsecp256k1VerifyPerSec)} /s`, `${fmt(ratio(limits.libsecp256k1VerifyPerSec, limits.secp256k1VerifyPerSec), 2)} x OpenSSL; what the app uses`]);
  rows.push(["double-SHA-256, native, 1 core", `${fmt(limits.doubleSha256PerSec)} /s`, "physical limit"]);
  if (checkTx) {
    rows.push(["CheckTx MsgSend, 1 core", `${fmt(checkTx.oneCoreTxPerSec)} tx/s`, `${fmt(ratio(checkTx.oneCoreTxPerSec, limits.secp256k1VerifyPerSec), 2)} x verify/s`]);
    rows.push(["CheckTx MsgSend, both cores", `${fmt(checkTx.bothCoresTxPerSec)} tx/s`, `${fmt(targets.checkTxVsTwoCoresOfVerify!, 2)} x (2 x verify/s)  target >= 0.7; ${fmt(ratio(checkTx.bothCoresTxPerSec, 2 * limits.libsecp256k1VerifyPerSec), 2)} x (2 x libsecp256k1/s)`]);
  }
  for (const b of blocks) {
    rows.push([`FinalizeBlock+Commit, ${b.txs} sends (cold)`, `${fmt(b.coldMs)} ms`, `${fmt(ratio(b.coldMs, b.sequentialVerifyMs), 2)} x ${b.txs} sequential verifies (${fmt(b.sequentialVerifyMs)} ms)`]);
    rows.push([`FinalizeBlock+Commit, ${b.txs} sends (after CheckTx)`, `${fmt(b.warmMs)} ms`, "signatures cached by CheckTx"]);
  }
  for (const c of commit) {
    rows.push([`app-hash cost per written key, ${fmt(c.keys)} keys`, `${fmt(c.appHashUsPerKey, 1)} us`, `${fmt(ratio(c.appHashUsPerKey, c1.appHashUsPerKey), 2)} x at ${fmt(c1.keys)}${c === cN ? "  target <= 2" : ""}`]);
    rows.push([`  + LevelDB write per key, ${fmt(c.keys)} keys`, `${fmt(c.persistUsPerKey, 1)} us`, `${fmt(ratio(c.persistUsPerKey, c1.persistUsPerKey), 2)} x at ${fmt(c1.keys)}`]);
  }
  if (rss) rows.push([`memory with ${fmt(rss.accounts)} accounts`, `${fmt(rss.rssAfterReloadMb)} MB RSS`, `after a restart (load ${fmt(rss.reloadMs)} ms); peak ${fmt(rss.peakBuildMb)} MB while creating them`]);
  if (e2e) {
    for (const r of [...e2e.blockai, ...e2e.blockaiWalletIndex, ...e2e.kvstore, ...e2e.ceiling, ...(e2e.kvstoreSocket ? [e2e.kvstoreSocket] : [])]) {
      const refused = Object.entries(r.refused ?? {}).map(([why, count]) => `${count} refused (${why}); `).join("");
      rows.push([`e2e ${r.mode}`, `${fmt(r.committedTxPerSec)} tx/s`, `p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, ${r.committed}/${r.sent} committed; ${refused}${r.blocks} blocks of ${fmt(r.txsPerBlock)} txs every ${fmt(r.blockIntervalMs)} ms; cores: ${Object.entries(r.cores).map(([n, c]) => `${n} ${fmt(c, 2)}`).join(", ")}`]);
    }
    rows.push([
      "e2e BLOCKAI / kvstore at saturation",
      fmt(targets.e2eVsKvstore!, 2),
      `median of ${e2e.roundRatios.length} rounds (${e2e.roundRatios.map((x) => fmt(x, 2)).join(", ")}); txs of ${e2e.txBytes} bytes  target >= 0.5`,
    ]);
    if (e2e.walletIndexRoundRatios.length) {
      rows.push([
        "e2e BLOCKAI indexing what wallets need / kvstore",
        fmt(median(e2e.walletIndexRoundRatios), 2),
        `median of ${e2e.walletIndexRoundRatios.length} rounds (${e2e.walletIndexRoundRatios.map((x) => fmt(x, 2)).join(", ")}); app.json index_events: ${WALLET_INDEX_EVENTS.length} attributes instead of all`,
      ]);
    }
    if (e2e.ceilingRoundRatios.length) {
      rows.push([
        "e2e zero-cost app answering as BLOCKAI / kvstore",
        fmt(median(e2e.ceilingRoundRatios), 2),
        `median of ${e2e.ceilingRoundRatios.length} rounds (${e2e.ceilingRoundRatios.map((x) => fmt(x, 2)).join(", ")}); the most an app emitting the SDK's MsgSend events reaches here (null-app.ts)`,
      ]);
    }
    if (e2e.kvstoreSocket && satB && satK) {
      const k = e2e.kvstoreSocket.committedTxPerSec;
      rows.push(["e2e kvstore over the socket / in process", fmt(ratio(k, satK.committedTxPerSec), 2), "what the out-of-process ABCI connection alone costs (medians of the rounds)"]);
      rows.push(["e2e BLOCKAI / kvstore over the socket", fmt(ratio(satB.committedTxPerSec, k), 2), "the application's own share of the gap"]);
    }
  }

  for (const g of gateway) {
    const what = g.store === "level" ? "LevelDB store, each voucher fsynced" : "store in memory";
    rows.push([`gateway added latency per call (${what})`, `p50 ${fmt(g.addedP50Ms, 3)} ms, p99 ${fmt(g.addedP99Ms, 3)} ms`, `vs the upstream called directly in the same run (p50 ${fmt(g.directP50Ms, 3)} / p99 ${fmt(g.directP99Ms, 3)} ms); goal p50 <= 1 ms`]);
    rows.push([
      `gateway calls per gateway core-second (${what})`,
      `${fmt(g.callsPerGatewayCoreSec)} /s`,
      `${g.concurrency} consumers, one call at a time each; calls / CPU time of the gateway's threads (${g.gatewayCpuSource}; its event loop busy ${fmt(g.gatewayUtilization * 100)}% of the run, wall ${fmt(g.callsPerSec)} calls/s with the load generator and upstream on the same 2 cores); goal >= 2000`,
    ]);
  }
  console.log(`\nBLOCKAI benchmark ${QUICK ? "(quick) " : ""}${ONLY.size ? `(only ${[...ONLY].join(", ")}) ` : ""}${started}\n`);
  console.log(table(rows));
  const out = { started, quick: QUICK, only: [...ONLY], limits, checkTx, blocks, commit, rss, e2e, gateway, targets };
  const file = path.join(repoRoot(), "bench-results.json");
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

/** Peak RSS of an app holding many accounts: built in one process, measured in a fresh one. */
function measureRss(): { accounts: number; peakBuildMb: number; rssAfterReloadMb: number; reloadMs: number } {
  progress(`memory: an app holding ${QUICK ? "10^5" : "10^6"} accounts`);
  // RSS of the builder includes freed heap, so the measure is taken after a restart.
  const rssDir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-rss-"));
  const runRss = (mode: string) =>
    JSON.parse(
      execFileSync(process.execPath, [...APP_NODE_FLAGS, "--expose-gc", path.join(__dirname, "rss.js"), mode, QUICK ? "100000" : "1000000", rssDir], { encoding: "utf8", maxBuffer: 1 << 20 })
        .trim()
        .split("\n")
        .pop()!,
    );
  try {
    const built = runRss("build") as { accounts: number; peakBuildMb: number };
    const loaded = runRss("load") as { rssMb: number; loadMs: number };
    return { accounts: built.accounts, peakBuildMb: built.peakBuildMb, rssAfterReloadMb: loaded.rssMb, reloadMs: loaded.loadMs };
  } finally {
    fs.rmSync(rssDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  progressDone();
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
