/**
 * In-process benchmarks: the app driven through its ABCI methods with no network.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CheckTxType, RequestCheckTx, RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { BlockaiApp } from "../../src/app/app";
import { parseDecCoins } from "../../src/types/coins";
import { LIBSECP256K1_MODULE, verifySecp256k1OpenSsl } from "../../src/framework/crypto";
import { SignDoc, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createLogger } from "../../src/app/logger";
import { StateDB } from "../../src/store/state";
import { defaultAppState } from "../../src/node/home";
import { TestKey } from "../helpers/keys";
import { benchKeys, blockRequest, opsPerSecond, presignSends, progress, timeAsync, timeSync } from "./lib";

export interface Limits {
  /** Node's native crypto (OpenSSL): the baseline for a signed tx. */
  secp256k1VerifyPerSec: number;
  /**
   * libsecp256k1 through the native `secp256k1` npm package's binding (the app's verifier where
   * its addon loads): SHA-256 of the sign bytes and ecdsaVerify. NaN where the addon does not load.
   */
  libsecp256k1VerifyPerSec: number;
  doubleSha256PerSec: number;
}

/** The `secp256k1` package's native binding (libsecp256k1), or undefined where it does not load. */
const libsecp256k1: { ecdsaVerify(signature: Uint8Array, hash32: Uint8Array, pubkey: Uint8Array): boolean } | undefined = (() => {
  try {
    return require(LIBSECP256K1_MODULE);
  } catch {
    return undefined;
  }
})();

/** A libsecp256k1 verification as a tx's costs it: SHA-256 of the sign bytes, then ecdsaVerify. */
function libsecpVerify(pubkey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return libsecp256k1!.ecdsaVerify(signature, crypto.createHash("sha256").update(message).digest(), pubkey);
}

/** The physical limits of this machine, one core: native signature checks and double-SHA-256. */
export function measureLimits(ms: number): Limits {
  const key = new TestKey("limits");
  const samples = Array.from({ length: 64 }, (_, i) => {
    const message = crypto.randomBytes(180 + i);
    return { message, signature: key.sign(message) };
  });
  let i = 0;
  const secp256k1VerifyPerSec = opsPerSecond(ms, () => {
    const s = samples[i++ & 63];
    if (!verifySecp256k1OpenSsl(key.publicKey, s.message, s.signature)) throw new Error("bench signature did not verify");
  });
  const libsecp256k1VerifyPerSec = libsecp256k1
    ? opsPerSecond(ms, () => {
        const s = samples[i++ & 63];
        if (!libsecpVerify(key.publicKey, s.message, s.signature)) throw new Error("bench signature did not verify");
      })
    : NaN;
  const header = crypto.randomBytes(120);
  const doubleSha256PerSec = opsPerSecond(ms, () => {
    crypto.createHash("sha256").update(crypto.createHash("sha256").update(header).digest()).digest();
  });
  return { secp256k1VerifyPerSec, libsecp256k1VerifyPerSec, doubleSha256PerSec };
}

interface BenchChain {
  app: BlockaiApp;
  dir: string;
  keys: TestKey[];
  height: number;
}

async function openChain(senders: number, verifyThreads: number): Promise<BenchChain> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-bench-"));
  const app = await BlockaiApp.open({ dataDir: dir, minGasPrices: parseDecCoins("0.025usoa"), logger: createLogger("none"), verifyThreads });
  const keys = benchKeys(senders);
  const appState = defaultAppState() as Record<string, any>;
  appState.bank.balances = keys.map((k) => ({ address: k.address, coins: [{ denom: "usoa", amount: "1000000000000" }] }));
  app.initChain({
    time: { seconds: 1_700_000_000n, nanos: 0 },
    chainId: "bench",
    consensusParams: undefined,
    validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
    initialHeight: 1n,
  });
  const chain = { app, dir, keys, height: 0 };
  await block(chain, []);
  return chain;
}

function finalizeRequest(chain: BenchChain, txs: Uint8Array[]): RequestFinalizeBlock {
  return blockRequest(chain.height + 1, txs);
}

async function block(chain: BenchChain, txs: Uint8Array[]): Promise<number> {
  const req = finalizeRequest(chain, txs);
  chain.app.prefetch([{ finalizeBlock: req }]);
  const res = await chain.app.finalizeBlock(req);
  await chain.app.commit();
  chain.height++;
  return res.txResults.filter((r) => r.code !== 0).length;
}

async function closeChain(chain: BenchChain): Promise<void> {
  await chain.app.close();
  fs.rmSync(chain.dir, { recursive: true, force: true });
}

export interface CheckTxResult {
  txs: number;
  oneCoreTxPerSec: number;
  bothCoresTxPerSec: number;
}

/** CheckTx of signed MsgSends: on the main thread only, then with the verification pool. */
export async function benchCheckTx(senders: number, perSender: number): Promise<CheckTxResult> {
  const one = await openChain(senders, 0);
  const txs = presignSends(one.keys, one.keys.map((_, i) => BigInt(i)), perSender, "bench", (d, t) => progress(`CheckTx: signing ${d}/${t} txs`));
  progress(`CheckTx: ${txs.length} txs on one core`);
  const t1 = await timeAsync(async () => {
    for (const tx of txs) {
      const r = one.app.runCheckTx({ tx, type: CheckTxType.NEW });
      if (r.code !== 0) throw new Error(`bench tx refused: ${r.log}`);
    }
  });
  await closeChain(one);

  const both = await openChain(senders, 2);
  progress(`CheckTx: ${txs.length} txs with the verification pool (2 threads)`);
  // CometBFT pipelines CheckTx without waiting; the ABCI server hands each socket read to
  // prefetch. Batches of 200 with the next batch's verification overlapping this one's execution.
  const BATCH = 200;
  const batches: RequestCheckTx[][] = [];
  for (let i = 0; i < txs.length; i += BATCH) batches.push(txs.slice(i, i + BATCH).map((tx) => ({ tx, type: CheckTxType.NEW })));
  const t2 = await timeAsync(async () => {
    both.app.prefetch(batches[0].map((checkTx) => ({ checkTx })));
    for (let b = 0; b < batches.length; b++) {
      if (b + 1 < batches.length) both.app.prefetch(batches[b + 1].map((checkTx) => ({ checkTx })));
      for (const req of batches[b]) {
        const r = await both.app.checkTx(req);
        if (r.code !== 0) throw new Error(`bench tx refused: ${r.log}`);
      }
    }
  });
  await closeChain(both);
  return { txs: txs.length, oneCoreTxPerSec: (txs.length * 1000) / t1.ms, bothCoresTxPerSec: (txs.length * 1000) / t2.ms };
}

export interface BlockResult {
  txs: number;
  coldMs: number;
  warmMs: number;
  /** `txs` OpenSSL verifications at the rate measured in measureLimits. */
  sequentialVerifyMs: number;
  /** This block's own signatures verified one after the other with libsecp256k1 (NaN without the addon). */
  libsecpSequentialVerifyMs: number;
}

/** Verifies every signature of `txs` (signed by presignSends: sender t % senders, account number = its index) with libsecp256k1, in turn. */
function timeLibsecpVerify(txs: Uint8Array[], keys: TestKey[], chainId: string): number {
  if (!libsecp256k1) return NaN;
  const work = txs.map((tx, t) => {
    const raw = TxRaw.decode(tx);
    const accountNumber = BigInt(t % keys.length);
    const signBytes = SignDoc.encode({ bodyBytes: raw.bodyBytes, authInfoBytes: raw.authInfoBytes, chainId, accountNumber }).finish();
    return { pubkey: keys[t % keys.length].publicKey, signBytes, signature: raw.signatures[0] };
  });
  return timeSync(() => {
    for (const w of work) if (!libsecpVerify(w.pubkey, w.signBytes, w.signature)) throw new Error("bench block signature did not verify");
  }).ms;
}

/**
 * FinalizeBlock + Commit of a block of MsgSends: cold (signatures not seen before, as for a
 * block proposed by another validator) and warm (the txs passed this node's CheckTx first).
 */
export async function benchBlock(size: number, limits: Limits): Promise<BlockResult> {
  const senders = Math.min(size, 1000);
  const perSender = Math.ceil(size / senders);
  const cold = await openChain(senders, 2);
  const txs = presignSends(cold.keys, cold.keys.map((_, i) => BigInt(i)), perSender, "bench", (d, t) => progress(`block of ${size}: signing ${d}/${t}`)).slice(0, size);
  progress(`block of ${size}: FinalizeBlock + Commit (cold)`);
  const coldRun = await timeAsync(() => block(cold, txs));
  if (coldRun.value !== 0) throw new Error(`${coldRun.value} bench txs failed`);
  await closeChain(cold);

  const warm = await openChain(senders, 2);
  for (const tx of txs) warm.app.runCheckTx({ tx, type: CheckTxType.NEW });
  progress(`block of ${size}: FinalizeBlock + Commit (after CheckTx)`);
  const warmRun = await timeAsync(() => block(warm, txs));
  if (warmRun.value !== 0) throw new Error(`${warmRun.value} bench txs failed`);
  await closeChain(warm);
  progress(`block of ${size}: its signatures verified in turn with libsecp256k1`);
  const libsecpSequentialVerifyMs = timeLibsecpVerify(txs, cold.keys, "bench");
  return { txs: size, coldMs: coldRun.ms, warmMs: warmRun.ms, sequentialVerifyMs: (size * 1000) / limits.secp256k1VerifyPerSec, libsecpSequentialVerifyMs };
}

export interface CommitCostResult {
  keys: number;
  /** The new app hash: Merkle update of the written keys (StateDB.prepare). */
  appHashUsPerKey: number;
  /** Persisting the block (one LevelDB write batch). */
  persistUsPerKey: number;
  usPerWrittenKey: number;
}

/**
 * Cost per written key of a commit (Merkle update + LevelDB batch) as the state grows: blocks
 * writing 1,000 keys (half updates, half new) on states of each size. One state per size, built
 * first; the measured blocks then take turns between the states, so that a slow spell of this
 * shared machine hits every size alike instead of skewing the ratio between them. Building the
 * states takes most of the time, so rounds are cheap: with 15 or 40 the 10^6 / 10^4 ratio of
 * medians ranged from 1.55 to 2.54 over runs of the same code; with 60, nine runs gave 1.49 to 1.72.
 */
export async function benchCommitCost(sizes: number[], rounds = 60): Promise<CommitCostResult[]> {
  const key = (i: number) => crypto.createHash("sha256").update(`key-${i}`).digest().subarray(0, 24);
  const value = () => crypto.randomBytes(48);
  const states: Array<{ size: number; dir: string; db: StateDB; height: number; count: number; hash: number[]; persist: number[] }> = [];
  try {
    for (const size of sizes) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-bench-commit-"));
      // Bounded-cache mode, so that 10^7 keys fit in the bench's heap; the app hash is computed
      // the same way in either mode.
      const db = await StateDB.open(dir, { keepVersions: 2, cacheBytes: 64 * 1024 * 1024 });
      const state = { size, dir, db, height: 0, count: 0, hash: [] as number[], persist: [] as number[] };
      states.push(state);
      while (state.count < size) {
        const branch = state.db.branch();
        const n = Math.min(50_000, size - state.count);
        for (let i = 0; i < n; i++) branch.set(key(state.count++), value());
        state.height++;
        await state.db.commit(state.db.prepare(branch, state.height));
        progress(`commit cost: building a state of ${size} keys: ${state.count}`);
      }
    }
    for (let round = 0; round < rounds; round++) {
      progress(`commit cost: round ${round + 1}/${rounds}`);
      for (const state of states) {
        const branch = state.db.branch();
        for (let i = 0; i < 500; i++) branch.set(key(Math.floor(Math.random() * state.count)), value());
        for (let i = 0; i < 500; i++) branch.set(key(state.count++), value());
        state.height++;
        const prepared = timeSync(() => state.db.prepare(branch, state.height));
        const written = await timeAsync(() => state.db.commit(prepared.value));
        state.hash.push(prepared.ms); // ms per 1,000 keys = us per key
        state.persist.push(written.ms);
      }
    }
  } finally {
    for (const state of states) {
      await state.db.close();
      fs.rmSync(state.dir, { recursive: true, force: true });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return states.map((st) => ({
    keys: st.size,
    appHashUsPerKey: median(st.hash),
    persistUsPerKey: median(st.persist),
    usPerWrittenKey: median(st.hash.map((h, i) => h + st.persist[i])),
  }));
}
