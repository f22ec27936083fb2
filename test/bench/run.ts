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
import { benchEndToEnd, LoadResult, WALLET_INDEX_EVENTS } from "./e2e-load";
import { benchBlock, benchCheckTx, benchCommitCost, measureLimits } from "./inprocess";
import { fmt, progress, progressDone, QUICK, table } from "./lib";
import { benchGateway } from "./gateway.bench";

/**
 * BENCH_ONLY=checktx,block,commit,rss,e2e,gaiad,gateway runs just those sections (limits always
 * run). e2e includes gaiad (when bin/gaiad is there); gaiad alone runs only the BLOCKAI / gaiad rounds.
 */
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
  const e2eParts = { baselines: runs("e2e"), gaiad: runs("e2e") || runs("gaiad") };
  const e2e = e2eParts.baselines || e2eParts.gaiad ? await benchEndToEnd(QUICK ? 2000 : 10_000, QUICK ? 200 : 500, undefined, e2eParts) : undefined;
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
  // Saturation loads of each round, in order (the first load of each chain is the fixed-rate one).
  const rounds = <T extends { mode: string }>(loads: T[]) => loads.filter((r) => r.mode.includes("saturation"));
  const perRound = (a: { committedTxPerSec: number }[], b: { committedTxPerSec: number }[]) =>
    a.slice(0, Math.min(a.length, b.length)).map((x, i) => x.committedTxPerSec / b[i].committedTxPerSec);
  const ceilingRatios = e2e ? perRound(rounds(e2e.blockai), rounds(e2e.ceiling)) : [];
  const num = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);
  // Each target from this run only; null where its sections did not run (BENCH_ONLY) or a baseline is missing.
  const targets = {
    e2eVsKvstore: num(e2e?.roundRatios.length ? median(e2e.roundRatios) : undefined),
    checkTxVsTwoCoresOfVerify: num(checkTx ? ratio(checkTx.bothCoresTxPerSec, 2 * limits.secp256k1VerifyPerSec) : undefined),
    appHashCostGrowth: num(c1 && cN ? ratio(cN.appHashUsPerKey, c1.appHashUsPerKey) : undefined),
    block5kVsSequentialVerify: num(block5k ? ratio(block5k.coldMs, block5k.sequentialVerifyMs) : undefined),
    /** BLOCKAI / gaiad committed tx/s at saturation, median of the rounds' ratios. */
    e2eVsGaiad: num(e2e?.gaiad?.roundRatios.length ? median(e2e.gaiad.roundRatios) : undefined),
    /** BLOCKAI / the zero-cost app answering as BLOCKAI (null-app.ts), median of the rounds' ratios. */
    e2eVsCeiling: num(ceilingRatios.length ? median(ceilingRatios) : undefined),
    /** CheckTx both cores / (2 x libsecp256k1 verifications/s, the `secp256k1` package). */
    checkTxVsLibsecp: num(checkTx ? ratio(checkTx.bothCoresTxPerSec, 2 * limits.libsecp256k1VerifyPerSec) : undefined),
    /** Cold 5,000-send block / its 5,000 signatures verified in turn with libsecp256k1. */
    coldBlockVsLibsecp: num(block5k ? ratio(block5k.coldMs, block5k.libsecpSequentialVerifyMs) : undefined),
    /** App-hash cost per written key at the largest state / at the smallest (same as appHashCostGrowth). */
    appHashGrowth: num(c1 && cN ? ratio(cN.appHashUsPerKey, c1.appHashUsPerKey) : undefined),
    rssMbAt1e6WithCache: null as number | null,
    rssMbAt1e6WithCacheReason:
      "BLOCKAI has no state cache yet (the whole state is held in memory); the RSS at 10^6 accounts without one is measured under rss",
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
    for (const r of [...e2e.blockai, ...(e2e.gaiad?.loads ?? []), ...e2e.blockaiWalletIndex, ...e2e.kvstore, ...e2e.ceiling, ...(e2e.kvstoreSocket ? [e2e.kvstoreSocket] : [])]) {
      const refused = Object.entries(r.refused ?? {}).map(([why, count]) => `${count} refused (${why}); `).join("");
      rows.push([`e2e ${r.mode}`, `${fmt(r.committedTxPerSec)} tx/s`, `p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, ${r.committed}/${r.sent} committed; ${refused}${r.blocks} blocks of ${fmt(r.txsPerBlock)} txs every ${fmt(r.blockIntervalMs)} ms; cores: ${Object.entries(r.cores).map(([n, c]) => `${n} ${fmt(c, 2)}`).join(", ")}`]);
    }
    if (e2e.gaiad) {
      const g = e2e.gaiad;
      const bl = rounds(e2e.blockai);
      const gl = rounds(g.loads);
      rows.push([
        "e2e BLOCKAI / gaiad at saturation",
        fmt(targets.e2eVsGaiad ?? NaN, 2),
        `median of ${g.roundRatios.length} rounds (${g.roundRatios.map((x) => fmt(x, 2)).join(", ")}); ${g.version}`,
      ]);
      rows.push(["e2e tx size, BLOCKAI / gaiad", `${e2e.txBytes} / ${g.txBytes} bytes`, "MsgSend, one signature, as broadcast"]);
      rows.push(["gas per MsgSend, BLOCKAI / gaiad", `${fmt(e2e.gasPerSend ?? NaN)} / ${fmt(g.gasPerSend)}`, "gas_used, median of the last loaded block"]);
      const cpuMs = (loads: LoadResult[], name: string) => median(loads.map((r) => (r.cores[name] / r.committedTxPerSec) * 1000));
      rows.push([
        "CPU per committed tx at saturation",
        `BLOCKAI app ${fmt(cpuMs(bl, "app"), 3)} + CometBFT ${fmt(cpuMs(bl, "cometbft"), 3)} ms`,
        `gaiad (app and CometBFT in one process) ${fmt(cpuMs(gl, "gaiad"), 3)} ms; medians of the rounds`,
      ]);
    }
  }
  if (e2e && e2e.roundRatios.length) {
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
  const targetRows: string[][] = [["target", "value", "what"]];
  const t = (name: keyof typeof targets, what: string) => targetRows.push([name, targets[name] === null ? "n/a" : fmt(targets[name] as number, 2), what]);
  t("e2eVsGaiad", "BLOCKAI / gaiad e2e at saturation (median of the rounds)");
  t("e2eVsCeiling", "BLOCKAI / zero-cost app e2e at saturation (median of the rounds)");
  t("checkTxVsLibsecp", "CheckTx both cores / (2 x libsecp256k1 verify/s)");
  t("coldBlockVsLibsecp", "cold 5,000-send block / its signatures verified in turn with libsecp256k1");
  t("appHashGrowth", "app-hash cost per key, largest / smallest state");
  targetRows.push(["rssMbAt1e6WithCache", "n/a", targets.rssMbAt1e6WithCacheReason]);
  console.log(`\nBLOCKAI benchmark ${QUICK ? "(quick) " : ""}${ONLY.size ? `(only ${[...ONLY].join(", ")}) ` : ""}${started}\n`);
  console.log(table(rows));
  console.log(`\n${table(targetRows)}`);
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
