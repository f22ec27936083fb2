/**
 * Benchmark of metering. Not a jest test: compile with tsc and run
 *   node dist/test/bench/metering.bench.js [claims=2000]
 * It measures, in process (no CometBFT, no network):
 *   1. voucher claims per second through FinalizeBlock, one claim per transaction (each tx pays
 *      for a tx signature check and a voucher signature check) and 100 claims per transaction;
 *      Commit (LevelDB write) is timed separately;
 *   2. off-chain verifyVoucher (the client SDK, @noble/curves) per second on one core, and the
 *      chain's verifier (OpenSSL through node:crypto) for comparison; signVoucher per second.
 */
import { performance } from "node:perf_hooks";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { verifySecp256k1 } from "../../src/framework/crypto";
import { BlockaiMsgs, createBlockaiRegistry, signVoucher, verifyVoucher, voucherPublicKey, voucherSignBytes } from "../../src/client";
import { MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import { Driver } from "../helpers/driver";
import { signTx, TestKey } from "../helpers/keys";

const registry = createBlockaiRegistry();
const CLAIMS = Number(process.argv[2] ?? 2000);

function tx(key: TestKey, accountNumber: bigint, sequence: bigint, chainId: string, msgs: EncodeObject[], gas = 400_000n): Uint8Array {
  return signTx({ key, msgs: msgs.map((m) => registry.encodeAsAny(m)), accountNumber, sequence, chainId, fee: [{ denom: "usoa", amount: ((gas * 25n) / 1000n).toString() }], gas });
}

async function timedBlock(d: Driver, txs: Uint8Array[]): Promise<{ finalizeMs: number; commitMs: number; failed: number }> {
  d.height++;
  d.timeSeconds += 1n;
  const t0 = performance.now();
  const res = await d.app.finalizeBlock({
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32),
    height: BigInt(d.height),
    time: { seconds: d.timeSeconds, nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  });
  const t1 = performance.now();
  await d.app.commit();
  const t2 = performance.now();
  const failed = res.txResults.filter((r) => r.code !== 0);
  if (failed.length > 0) console.error("first failure:", failed[0].codespace, failed[0].code, failed[0].log);
  return { finalizeMs: t1 - t0, commitMs: t2 - t1, failed: failed.length };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${CLAIMS} claims`);
  const d = await Driver.create({
    accounts: CLAIMS + 1,
    balance: 10n ** 12n,
    appState: (s) => {
      s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "10", max_operators: 5 } };
      s.epochs = { params: { epoch_length: "1000000" } };
    },
  });
  try {
    const [owner, ...consumers] = d.keys;
    await d.block();
    const acct = (k: TestKey) => d.account(k.address)!;
    // One model; every consumer opens one escrow (setup, in blocks of 500 txs).
    await d.block([
      tx(owner, acct(owner).accountNumber, 0n, d.chainId, [
        BlockaiMsgs.registerModel(owner.address, { name: "bench", version: "1", task: "bench", artifactDigest: new Uint8Array(32).fill(1), pricePerUnit: 1n, unit: "call", bond: 1000n }),
      ]),
    ]);
    const escrowIds: bigint[] = [];
    for (let i = 0; i < consumers.length; i += 500) {
      const batch = consumers.slice(i, i + 500).map((k) => tx(k, acct(k).accountNumber, 0n, d.chainId, [BlockaiMsgs.openEscrow(k.address, 1n, 10_000_000n, BigInt(d.height + 100_000))]));
      const { results } = await d.block(batch);
      for (const r of results) {
        if (r.code !== 0) throw new Error(`open failed: ${r.log}`);
        escrowIds.push(MsgOpenEscrowResponse.decode(TxMsgData.decode(r.data).msgResponses[0].value).escrowId);
      }
    }

    // 1a. One claim per tx, every claim on its own escrow (so each is a real payment).
    const ownerAcc = acct(owner);
    let seq = ownerAcc.sequence;
    const vouchers = consumers.map((k, i) => signVoucher({ chainId: d.chainId, escrowId: escrowIds[i], cumulativeUnits: 1000n, cumulativeAmount: 1_000_000n }, k.privateKey));
    const single = vouchers.map((v) => tx(owner, ownerAcc.accountNumber, seq++, d.chainId, [BlockaiMsgs.claimUsage(owner.address, v)]));
    const a = await timedBlock(d, single);
    console.log(
      `claims, 1 per tx:    ${CLAIMS} claims in one FinalizeBlock ${a.finalizeMs.toFixed(0)} ms -> ${((CLAIMS / a.finalizeMs) * 1000).toFixed(0)} claims/s ` +
        `(commit ${a.commitMs.toFixed(0)} ms; with commit ${((CLAIMS / (a.finalizeMs + a.commitMs)) * 1000).toFixed(0)} claims/s; failed ${a.failed})`,
    );

    // 1b. 100 claims per tx (a provider redeeming many escrows at once).
    const later = consumers.map((k, i) => signVoucher({ chainId: d.chainId, escrowId: escrowIds[i], cumulativeUnits: 2000n, cumulativeAmount: 2_000_000n }, k.privateKey));
    const batched: Uint8Array[] = [];
    for (let i = 0; i < later.length; i += 100) {
      batched.push(tx(owner, ownerAcc.accountNumber, seq++, d.chainId, later.slice(i, i + 100).map((v) => BlockaiMsgs.claimUsage(owner.address, v)), 20_000_000n));
    }
    const b = await timedBlock(d, batched);
    console.log(
      `claims, 100 per tx:  ${CLAIMS} claims in one FinalizeBlock ${b.finalizeMs.toFixed(0)} ms -> ${((CLAIMS / b.finalizeMs) * 1000).toFixed(0)} claims/s ` +
        `(commit ${b.commitMs.toFixed(0)} ms; failed ${b.failed})`,
    );
    const broken = d.app.checkInvariants();
    if (broken.length > 0) throw new Error(`invariants broken: ${broken.join("; ")}`);

    // 2. Off-chain verification on one core.
    const key = consumers[0];
    const pub = voucherPublicKey(key.privateKey);
    const signed = Array.from({ length: 2000 }, (_, i) => signVoucher({ chainId: d.chainId, escrowId: 1n, cumulativeUnits: BigInt(i + 1), cumulativeAmount: BigInt(i + 1) * 7n }, key.privateKey));
    const rate = (n: number, f: () => void) => {
      f(); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < n; i++) f();
      return (n / (performance.now() - t0)) * 1000;
    };
    let j = 0;
    const verifyNoble = rate(4000, () => {
      const s = signed[j++ % signed.length];
      if (!verifyVoucher(s.voucher, s.signature, pub)) throw new Error("verify failed");
    });
    j = 0;
    const verifyOpenssl = rate(8000, () => {
      const s = signed[j++ % signed.length];
      if (!verifySecp256k1(pub, voucherSignBytes(s.voucher), s.signature)) throw new Error("verify failed");
    });
    let k = 0n;
    const sign = rate(2000, () => void signVoucher({ chainId: d.chainId, escrowId: 1n, cumulativeUnits: ++k, cumulativeAmount: k }, key.privateKey));
    console.log(`verifyVoucher (client, @noble/curves): ${verifyNoble.toFixed(0)} /s on one core`);
    console.log(`voucher verify (chain, OpenSSL):       ${verifyOpenssl.toFixed(0)} /s on one core`);
    console.log(`signVoucher (client, @noble/curves):   ${sign.toFixed(0)} /s on one core`);
  } finally {
    await d.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
