/**
 * Proof-of-work benchmark. Not a jest test: compile with tsc and run
 *   node dist/test/bench/pow.bench.js [seconds-per-measurement]
 * It reports
 *  1. a bare native double-SHA-256 loop over a seal-sized preimage (crypto.hash one-shot, and
 *     createHash for comparison), single thread;
 *  2. the miner's hashes per second per thread (MiningEngine worker threads, no finds: the target
 *     is unreachable), with 1 thread and with all CPUs, and the ratio per thread / bare loop;
 *  3. certificate verifications per second in CheckTx (in-process app): valid certificate txs (the
 *     whole CheckTx, signature included), invalid ones refused by the precheck (the spam path),
 *     and the keeper's verify() alone.
 * Numbers are printed, never asserted.
 */
import { createHash, hash } from "node:crypto";
import * as os from "node:os";
import { Worker } from "node:worker_threads";
import { MiningEngine } from "../../src/miner/engine";
import { sealPrefix, targetToHex, bytesToBigInt, doubleSha256 } from "../../src/modules/pow";
import { EventManager } from "../../src/framework/events";
import { GasMeter } from "../../src/framework/gas";
import { Driver } from "../helpers/driver";
import { driverBlockHash, findNonce, registerModel, signCert } from "../helpers/pow";

const SECONDS = Number(process.argv[2] ?? "3");

const fields = {
  chainId: "blockai-localnet",
  anchorHeight: 123_456n,
  anchorHash: Buffer.alloc(32, 0x5a),
  miner: Buffer.alloc(20, 0x11),
  modelId: 1n,
  workDigest: Buffer.alloc(32, 0x22),
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Bare loop: double SHA-256 of a fixed buffer of the preimage's length, for `seconds`. */
function bareLoop(seconds: number, variant: "oneshot" | "createHash"): number {
  const buf = Buffer.alloc(sealPrefix(fields).length + 8, 7);
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const t0 = process.hrtime.bigint();
  let n = 0;
  let sink = 0;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 4096; i++) {
      const d =
        variant === "oneshot"
          ? (hash("sha256", hash("sha256", buf, "buffer"), "buffer") as Buffer)
          : createHash("sha256").update(createHash("sha256").update(buf).digest()).digest();
      sink ^= d[0];
    }
    n += 4096;
  }
  if (sink === 256) console.log("unreachable");
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same bare loop inside a worker thread (the conditions the miner's threads run in). */
function bareLoopInWorker(seconds: number, length: number): Promise<number> {
  const source = `
    const { parentPort, workerData } = require("node:worker_threads");
    const { hash } = require("node:crypto");
    const buf = Buffer.alloc(workerData.length, 7);
    const deadline = process.hrtime.bigint() + BigInt(Math.round(workerData.seconds * 1e9));
    const t0 = process.hrtime.bigint();
    let n = 0, sink = 0;
    while (process.hrtime.bigint() < deadline) {
      for (let i = 0; i < 4096; i++) sink ^= hash("sha256", hash("sha256", buf, "buffer"), "buffer")[0];
      n += 4096;
    }
    parentPort.postMessage({ rate: n / (Number(process.hrtime.bigint() - t0) / 1e9), sink });`;
  const w = new Worker(source, { eval: true, workerData: { seconds, length } });
  return new Promise((resolve, reject) => {
    w.once("message", (m: { rate: number }) => {
      void w.terminate();
      resolve(m.rate);
    });
    w.once("error", reject);
  });
}

/** Miner hashes/s per thread over `seconds`, after a 0.5 s warm-up. */
async function minerRate(threads: number, seconds: number): Promise<number> {
  const engine = new MiningEngine({ threads });
  try {
    engine.want(1);
    engine.setJob({ tag: "bench", prefix: sealPrefix(fields), target: 1n }); // never met
    await sleep(500);
    const h0 = engine.hashes();
    const t0 = process.hrtime.bigint();
    await sleep(seconds * 1000);
    const h1 = engine.hashes();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    return Number(h1 - h0) / dt / threads;
  } finally {
    await engine.stop();
  }
}

async function checkTxBench(): Promise<void> {
  const target = (1n << 244n) - 1n; // 4096 hashes per certificate
  const d = await Driver.create({
    accounts: 2,
    appState: (s) => {
      s.pow = { params: { anchor_window: "1000", max_certs_per_block: "1000000", target_certs_per_epoch: "100" }, target: targetToHex(target) };
    },
  });
  try {
    const [owner] = d.keys;
    await d.block();
    const model = await registerModel(d, owner);
    const N = 2000;
    const anchorHeight = BigInt(d.height);
    const base = { chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: owner.addressBytes, modelId: model, workDigest: Buffer.alloc(32, 3) };
    const seq0 = d.account(owner.address)!.sequence;
    const valid: Uint8Array[] = [];
    const msgs = [];
    let start = 0n;
    for (let i = 0; i < N; i++) {
      const { nonce } = findNonce(base, target, { start });
      start = nonce + 1n;
      const msg = { miner: owner.address, modelId: model, anchorHeight, workDigest: base.workDigest, nonce };
      msgs.push(msg);
      valid.push(signCert(d, owner, msg, { sequence: seq0 + BigInt(i) }));
    }
    const invalid: Uint8Array[] = [];
    start = 0n;
    for (let i = 0; i < N; i++) {
      const { nonce } = findNonce(base, target, { start, above: true });
      start = nonce + 1n;
      invalid.push(signCert(d, owner, { miner: owner.address, modelId: model, anchorHeight, workDigest: base.workDigest, nonce }, { sequence: seq0 }));
    }
    const time = (label: string, txs: Uint8Array[], expect: number) => {
      const t0 = process.hrtime.bigint();
      for (const tx of txs) {
        const r = d.checkTx(tx);
        if (r.code !== expect) throw new Error(`${label}: unexpected code ${r.code} ${r.log}`);
      }
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`  ${label.padEnd(58)} ${Math.round(txs.length / s).toLocaleString("en-US").padStart(9)} /s  (${((s / txs.length) * 1e6).toFixed(0)} us each, ${txs.length} txs)`);
    };
    console.log("\nCheckTx (in-process app, one thread):");
    time("valid certificate txs (whole CheckTx, signature included)", valid, 0);
    time("invalid certificates (seal above target, refused by precheck)", invalid, 3);
    // The keeper's verify() alone: params, anchor, double SHA-256, target, used seal, model, counter.
    const store = d.app.committedStore()!;
    const ctx = { store, gasMeter: new GasMeter(undefined), events: new EventManager(), block: { height: d.height + 1, timeNs: 0n, chainId: d.chainId, proposerAddress: new Uint8Array(), hash: new Uint8Array() }, mode: "check" as const };
    const t0 = process.hrtime.bigint();
    let rounds = 0;
    while (Number(process.hrtime.bigint() - t0) < 1e9) {
      for (const m of msgs) d.app.keepers.pow.verify(ctx, m);
      rounds++;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`  ${"keeper.verify() alone (the precheck of a valid certificate)".padEnd(58)} ${Math.round((rounds * msgs.length) / s).toLocaleString("en-US").padStart(9)} /s`);
    // Sanity: the chain's seal for a valid message meets the target.
    if (bytesToBigInt(doubleSha256(Buffer.concat([sealPrefix(base), Buffer.from(msgs[0].nonce.toString(16).padStart(16, "0"), "hex")]))) > target) throw new Error("bench sanity");
  } finally {
    await d.close();
  }
}

async function main(): Promise<void> {
  const cpus = os.availableParallelism();
  console.log(`pow benchmark: node ${process.version}, ${cpus} CPUs (${os.cpus()[0]?.model ?? "?"}), ${SECONDS} s per measurement, preimage ${sealPrefix(fields).length + 8} bytes`);
  const bare: number[] = [];
  const bareWorker: number[] = [];
  const bareCreate: number[] = [];
  const miner1: number[] = [];
  const length = sealPrefix(fields).length + 8;
  // Interleaved rounds so that CPU frequency drift and other load hit every side alike.
  for (let round = 0; round < 5; round++) {
    bare.push(bareLoop(SECONDS, "oneshot"));
    miner1.push(await minerRate(1, SECONDS));
    bareWorker.push(await bareLoopInWorker(SECONDS, length));
    if (round < 2) bareCreate.push(bareLoop(SECONDS / 2, "createHash"));
  }
  const minerAll = await minerRate(cpus, SECONDS);
  const b = median(bare);
  const m = median(miner1);
  const fmt = (x: number) => Math.round(x).toLocaleString("en-US").padStart(11);
  const bw = median(bareWorker);
  const ratios = miner1.map((x, i) => x / Math.max(bare[i], bareWorker[i]));
  console.log("\nHashing (double SHA-256 per seal), medians of 5 interleaved rounds:");
  console.log(`  bare loop, crypto.hash one-shot, main thread        ${fmt(b)} H/s   (rounds: ${bare.map((x) => Math.round(x)).join(", ")})`);
  console.log(`  bare loop, crypto.hash one-shot, worker thread      ${fmt(bw)} H/s   (rounds: ${bareWorker.map((x) => Math.round(x)).join(", ")})`);
  console.log(`  bare loop, createHash, main thread                  ${fmt(median(bareCreate))} H/s`);
  console.log(`  miner, 1 worker thread                              ${fmt(m)} H/s   (rounds: ${miner1.map((x) => Math.round(x)).join(", ")})`);
  console.log(`  miner, ${cpus} worker threads, per thread                 ${fmt(minerAll)} H/s   (total ${fmt(minerAll * cpus).trim()} H/s)`);
  console.log(`  ratio miner per thread / best bare loop             ${(m / Math.max(b, bw)).toFixed(3)} (medians); per round ${ratios.map((r) => r.toFixed(2)).join(", ")}   (goal >= 0.8)`);
  await checkTxBench();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
