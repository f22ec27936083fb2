/**
 * Matmul certificate verification cost (docs/pow-matmul.md), in process, one thread. Not a jest test:
 *   make build && flock /tmp/blockai-heavy.lock node dist/test/bench/matmul.bench.js
 * Reports, in the same run: CheckTx of a valid sha256 certificate tx (the baseline), CheckTx of a
 * valid matmul certificate tx and of one above the target (the spam path) at inner 256 and 512,
 * and the keeper's verifyMatmul alone. Numbers are printed, never asserted.
 */
import { MsgSubmitMatmulWork } from "../../src/gen/blockai/pow/v1/tx";
import { EventManager } from "../../src/framework/events";
import { GasMeter } from "../../src/framework/gas";
import { MSG_SUBMIT_MATMUL_WORK_TYPE_URL, MAX_TARGET, bytesToBigInt, targetToHex } from "../../src/modules/pow";
import { MatmulJob, pseudoRandomInt8, weightsRootOf } from "../../src/miner/matmul-prover";
import { Driver } from "../helpers/driver";
import { TestKey } from "../helpers/keys";
import { driverBlockHash, findNonce, signAs, signCert } from "../helpers/pow";
import { BlockaiMsgs, createBlockaiRegistry } from "../../src/client";
import { signTx } from "../helpers/keys";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";

const MM_TARGET = (1n << 254n) - 1n;
const SHA_TARGET = (1n << 244n) - 1n;
const weights = [
  { rows: 256, cols: 256, data: pseudoRandomInt8(1, 256 * 256) },
  { rows: 512, cols: 256, data: pseudoRandomInt8(2, 512 * 256) },
];

/** `warm`: run the first calls once before timing (not for CheckTx: it records what it accepts). */
function perSecond(label: string, n: number, f: (i: number) => void, warm = false): number {
  if (warm) for (let i = 0; i < Math.min(n, 20); i++) f(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(i);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`| ${label} | ${((s / n) * 1e3).toFixed(3)} ms | ${Math.round(n / s).toLocaleString("en-US")} /s |`);
  return s / n;
}

async function main(): Promise<void> {
  const registry = createBlockaiRegistry();
  const d = await Driver.create({
    accounts: 2,
    appState: (s) => {
      s.pow = {
        params: { anchor_window: "1000", max_certs_per_block: "1000000", max_certs_per_miner_per_block: "1000000", target_certs_per_epoch: "100", min_target: targetToHex(1n), max_target: targetToHex(MAX_TARGET), accepted_kinds: ["sha256", "matmul"], matmul_reward_share_bps: "5000" },
        target: targetToHex(SHA_TARGET),
        matmul_target: targetToHex(MM_TARGET),
      };
    },
  });
  try {
    const [owner] = d.keys as TestKey[];
    await d.block();
    const acc = d.account(owner.address)!;
    const reg = signTx({ key: owner, msgs: [registry.encodeAsAny(BlockaiMsgs.registerModel(owner.address, { name: "b", version: "1", task: "text-generation", artifactDigest: new Uint8Array(32).fill(1), pricePerUnit: 0n, unit: "call", bond: 10_000_000n, weightsRoot: weightsRootOf(weights).root }))], accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId, fee: [{ denom: "usoa", amount: "10000" }], gas: 600_000n });
    const { results } = await d.block([reg]);
    const model = MsgRegisterModelResponse.decode(TxMsgData.decode(results[0].data).msgResponses[0].value).modelId;
    const anchorHeight = BigInt(d.height);
    const seq0 = d.account(owner.address)!.sequence;
    console.log(`matmul verification benchmark: node ${process.version}, one thread, in process (Driver), ${new Date().toISOString()}`);
    console.log("\n| measure | per certificate | rate |\n|---|---|---|");
    // Baseline: sha256 certificates.
    const base = { chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: owner.addressBytes, modelId: model, workDigest: Buffer.alloc(32, 3) };
    const shaTxs: Uint8Array[] = [];
    let start = 0n;
    for (let i = 0; i < 500; i++) {
      const { nonce } = findNonce(base, SHA_TARGET, { start });
      start = nonce + 1n;
      shaTxs.push(signCert(d, owner, { miner: owner.address, modelId: model, anchorHeight, workDigest: base.workDigest, nonce }, { sequence: seq0 + BigInt(i) }));
    }
    const shaCost = perSecond("CheckTx, valid sha256 certificate tx (baseline)", shaTxs.length, (i) => {
      const r = d.checkTx(shaTxs[i]);
      if (r.code !== 0) throw new Error(r.log);
    });
    const store = d.app.committedStore()!;
    const ctx = { store, gasMeter: new GasMeter(undefined), events: new EventManager(), block: { height: d.height + 1, timeNs: 0n, chainId: d.chainId, proposerAddress: new Uint8Array(), hash: new Uint8Array() }, mode: "check" as const };
    // CheckTx advanced the check state's sequence past the sha256 txs.
    let nextSeq = seq0 + BigInt(shaTxs.length);
    for (const [index, inner] of [[0, 256], [1, 512]] as const) {
      const job = new MatmulJob({ chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: owner.addressBytes, minerAddress: owner.address, modelId: model, weights, matrixIndex: index, a: { rows: 256, cols: inner, data: pseudoRandomInt8(7 + index, 256 * inner) } });
      const all = job.allTickets();
      const good = all.filter((t) => bytesToBigInt(t.ticket) <= MM_TARGET).slice(0, 100);
      const bad = all.filter((t) => bytesToBigInt(t.ticket) > MM_TARGET).slice(0, 100);
      const sign = (t: { tileRow: number; tileCol: number }, sequence: bigint) =>
        signAs(d, owner, [{ typeUrl: MSG_SUBMIT_MATMUL_WORK_TYPE_URL, value: MsgSubmitMatmulWork.encode(job.message(t.tileRow, t.tileCol)).finish() }], { fee: [], gas: 3_000_000n, sequence });
      const goodTxs = good.map((t, k) => sign(t, nextSeq + BigInt(k)));
      nextSeq += BigInt(goodTxs.length);
      const badTxs = bad.map((t) => sign(t, nextSeq));
      const c = perSecond(`CheckTx, valid matmul certificate tx, inner ${inner} (${goodTxs[0].length} bytes)`, goodTxs.length, (i) => {
        const r = d.checkTx(goodTxs[i]);
        if (r.code !== 0) throw new Error(r.log);
      });
      perSecond(`CheckTx, matmul ticket above the target (refused by the precheck), inner ${inner}`, badTxs.length, (i) => {
        const r = d.checkTx(badTxs[i]);
        if (r.code !== 3) throw new Error(`${r.code} ${r.log}`);
      });
      const msgs = good.map((t) => job.message(t.tileRow, t.tileCol));
      perSecond(`keeper.verifyMatmul alone, inner ${inner}`, msgs.length, (i) => d.app.keepers.pow.verifyMatmul(ctx, msgs[i]), true);
      console.log(`| ratio: matmul CheckTx / sha256 CheckTx, inner ${inner} | ${(c / shaCost).toFixed(1)} x | |`);
    }
  } finally {
    await d.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
