/**
 * Benchmark of the rewards module at scale. Not a jest test: compile with tsc and run
 *   node dist/test/bench/rewards.bench.js [miners=10000] [models=1000]
 * From a genesis holding, for epoch 0, the work of `miners` miners and the usage of `models` models
 * (each also scored by a stub ModelPerformance), it times, in process through FinalizeBlock:
 *   1. the block that ends epoch 0 (pools allocated: O(models), never O(miners));
 *   2. a block with one miner's claim, and one with a model owner's claim.
 * It prints times only (no assertions on them): see docs/performance.md.
 */
import { performance } from "node:perf_hooks";
import { sha256 } from "@noble/hashes/sha2.js";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { BlockaiMsgs, createBlockaiRegistry } from "../../src/client";
import { Model, ModelStatus } from "../../src/gen/blockai/registry/v1/registry";
import { encodeAddress } from "../../src/types/address";
import { snakeKeys } from "../../src/types/json";
import type { ModelPerformance } from "../../src/modules/rewards";
import { Driver } from "../helpers/driver";
import { signTx, TestKey } from "../helpers/keys";

const registry = createBlockaiRegistry();
const MINERS = Number(process.argv[2] ?? 10_000);
const MODELS = Number(process.argv[3] ?? 1_000);

const address = (tag: string, i: number) => encodeAddress(sha256(new TextEncoder().encode(`${tag}-${i}`)).subarray(0, 20));

async function timedBlock(d: Driver, txs: Uint8Array[]): Promise<{ finalizeMs: number; commitMs: number; failed: number }> {
  d.height++;
  d.timeSeconds += 1n;
  const t0 = performance.now();
  const res = await d.app.finalizeBlock({
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32).fill(d.height & 0xff),
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

function tx(d: Driver, key: TestKey, msgs: EncodeObject[]): Uint8Array {
  const acc = d.account(key.address)!;
  return signTx({ key, msgs: msgs.map((m) => registry.encodeAsAny(m)), accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId, fee: [{ denom: "usoa", amount: "50000" }], gas: 2_000_000n });
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${MINERS} miners, ${MODELS} models with usage and a score`);
  const claimer = new TestKey("bench-claiming-miner");
  const owner = new TestKey("bench-model-owner");
  const t0 = performance.now();
  const d = await Driver.create({
    accounts: 1,
    appState: (s) => {
      s.bank.balances.push({ address: claimer.address, coins: [{ denom: "usoa", amount: "1000000000" }] });
      s.bank.balances.push({ address: owner.address, coins: [{ denom: "usoa", amount: "1000000000" }] });
      s.epochs = { params: { epoch_length: "5" }, current: { number: "0", start_height: "1" } };
      s.registry = {
        params: { min_model_bond: { denom: "usoa", amount: "0" }, bond_return_delay: "10", max_operators: 5 },
        models: Array.from({ length: MODELS }, (_, i) =>
          snakeKeys(
            Model.toJSON(
              Model.fromPartial({
                id: BigInt(i + 1),
                owner: i === 0 ? owner.address : address("owner", i),
                name: `model-${i}`,
                version: "1",
                task: "text-generation",
                artifactDigest: sha256(new TextEncoder().encode(`artifact-${i}`)),
                pricePerUnit: { denom: "usoa", amount: "1" },
                unit: "call",
                bond: { denom: "usoa", amount: "0" },
                status: ModelStatus.MODEL_STATUS_ACTIVE,
                createdHeight: 0n,
              }),
            ),
          ),
        ),
      };
      let fees = 0n;
      s.metering.usage = Array.from({ length: MODELS }, (_, i) => {
        const paid = BigInt(1_000_000 + i);
        const fee = (paid * 200n) / 10_000n;
        fees += fee;
        return { model_id: String(i + 1), epoch: "0", units: "1", amount_paid: { denom: "usoa", amount: paid.toString() }, protocol_fees: { denom: "usoa", amount: fee.toString() }, payers: "1", payments: "1" };
      });
      s.metering.fees_swept = fees.toString();
      s.pow.work = Array.from({ length: MINERS }, (_, i) => ({
        epoch: "0",
        miner: i === 0 ? claimer.address : address("miner", i),
        model_id: String((i % MODELS) + 1),
        work: String(1_000 + i),
        certificates: "1",
      }));
    },
  });
  console.log(`genesis with ${MINERS} work records and ${MODELS} models: ${(performance.now() - t0).toFixed(0)} ms`);
  const scores: ModelPerformance = { scoredModels: () => Array.from({ length: MODELS }, (_, i) => ({ modelId: BigInt(i + 1), scorePpm: BigInt(1 + (i % 1000) * 1000) })), agreementPpm: () => 0n };
  d.app.keepers.rewards.setModelPerformance(scores);
  // Epoch 0 is heights 1..5: four ordinary blocks, then the epoch's last block.
  const ordinary = [];
  for (let i = 0; i < 4; i++) ordinary.push(await timedBlock(d, []));
  const epochEnd = await timedBlock(d, []);
  const r = d.app.keepers.rewards.getEpochRewards(d.store, 0n);
  if (!r) throw new Error("epoch 0 did not end");
  const claimMiner = await timedBlock(d, [tx(d, claimer, [BlockaiMsgs.claimRewards(claimer.address, [1])])]);
  const claimModel = await timedBlock(d, [tx(d, owner, [BlockaiMsgs.claimRewards(owner.address, [2])])]);
  const empty = await timedBlock(d, []);
  console.log(JSON.stringify({ miners: MINERS, models: MODELS, modelsRewarded: r.modelsRewarded.toString(), ordinary: ordinary[3], epochEnd, claimMiner, claimModel, emptyAfter: empty }, null, 1));
  await d.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
