/**
 * Steady usage of every pruned kind of state, block after block, on an in-process Driver: the
 * load of the pruning benchmark (test/bench/prune.bench.ts) and of its short jest version.
 *
 * Each block: a consumer opens an escrow, its provider claims a voucher on the escrow opened the
 * block before and closes the one opened two blocks before (escrows and their index keys); a
 * direct payment (a usage record); two PoW certificates from a pool of miners that rotates
 * (tallies per miner and model); one miner claims its rewards (rewards' miner cursor and
 * epoch records). Epochs are short so that every retention is crossed many times.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { BlockaiMsgs, createBlockaiRegistry, signVoucher } from "../../src/client";
import { MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import type { MsgSubmitWork } from "../../src/gen/blockai/pow/v1/tx";
import { MAX_TARGET, targetToHex } from "../../src/modules/pow";
import { Driver } from "./driver";
import { TestKey } from "./keys";
import { useNativeSigning } from "./native-sign";
import { driverBlockHash, findNonce, registerModel, submitWorkMsg } from "./pow";

const registry = createBlockaiRegistry();

export const STEADY = {
  epochLength: 50n,
  claimEpochs: 2n,
  expiredEpochRetention: 1n,
  closedEscrowRetention: 100n,
  models: 8,
} as const;

export interface SteadyLoad {
  d: Driver;
  /** Runs one block of the load; throws if a tx of it fails. */
  step(): Promise<void>;
}

/** `prune: false` sets every prune_per_block to 0: the baseline the benchmark compares with. */
export async function createSteadyLoad(opts: { prune?: boolean; appInvariantsFullEvery?: number } = {}): Promise<SteadyLoad> {
  const budget = opts.prune === false ? "0" : "64";
  const d = await Driver.create({
    accounts: 1 + STEADY.models,
    validators: 1,
    appInvariantsFullEvery: opts.appInvariantsFullEvery,
    appState: (s) => {
      s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "10", max_operators: 5 } };
      s.metering = { params: { protocol_fee_bps: 200, claim_grace: "5", max_escrow_duration: "1000", closed_escrow_retention: STEADY.closedEscrowRetention.toString(), prune_per_block: budget } };
      s.epochs = { params: { epoch_length: STEADY.epochLength.toString() } };
      // Every seal is below the easiest target: a certificate costs one hash to make.
      s.pow = {
        params: { anchor_window: "8", max_certs_per_block: "20", target_certs_per_epoch: "100", min_target: targetToHex(MAX_TARGET), max_target: targetToHex(MAX_TARGET), prune_per_block: budget },
        target: targetToHex(MAX_TARGET),
      };
      s.rewards.params = { ...s.rewards.params, claim_epochs: STEADY.claimEpochs.toString(), expired_epoch_retention: STEADY.expiredEpochRetention.toString(), prune_per_block: budget };
    },
  });
  for (const k of d.keys) useNativeSigning(k);
  await d.block();
  const consumer = d.keys[0];
  const owners = d.keys.slice(1);
  const models: bigint[] = [];
  for (const o of owners) models.push(await registerModel(d, o));
  const open: bigint[] = [];
  let n = 0;

  const tx = (key: TestKey, msgs: EncodeObject[]) => d.sign(key, msgs.map((m) => registry.encodeAsAny(m)), { fee: [{ denom: "usoa", amount: "25000" }], gas: 1_000_000n });
  const cert = (i: number): Uint8Array => {
    const m = i % owners.length;
    const key = owners[m];
    const anchorHeight = BigInt(d.height);
    const workDigest = Buffer.alloc(32, 0);
    workDigest.writeUInt32BE(i);
    const { nonce } = findNonce({ chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: key.addressBytes, modelId: models[m], workDigest }, MAX_TARGET);
    const msg: MsgSubmitWork = { miner: key.address, modelId: models[m], anchorHeight, workDigest, nonce };
    return d.sign(key, [submitWorkMsg(msg)], { fee: [], gas: 300_000n });
  };

  async function step(): Promise<void> {
    n++;
    const m = n % models.length;
    const txs: Uint8Array[] = [];
    const msgs: EncodeObject[] = [BlockaiMsgs.openEscrow(consumer.address, models[m], 10_000n, BigInt(d.height) + 500n), BlockaiMsgs.payForUsage(consumer.address, models[m], 1n, 5_000n)];
    txs.push(tx(consumer, msgs));
    // Claims and closes are sent by each escrow's own provider (the owner of its model).
    const prev = open[open.length - 1];
    if (prev !== undefined) {
      const e = d.app.keepers.metering.getEscrow(d.store, prev)!;
      const provider = owners[models.indexOf(e.modelId)];
      const v = signVoucher({ chainId: d.chainId, escrowId: prev, cumulativeUnits: 3n, cumulativeAmount: 3_000n }, consumer.privateKey);
      txs.push(tx(provider, [BlockaiMsgs.claimUsage(provider.address, v)]));
    }
    if (open.length >= 2) {
      const id = open.shift()!;
      const e = d.app.keepers.metering.getEscrow(d.store, id)!;
      const provider = owners[models.indexOf(e.modelId)];
      txs.push(tx(provider, [BlockaiMsgs.closeEscrow(provider.address, id)]));
    }
    txs.push(cert(2 * n), cert(2 * n + 1));
    // A miner claims now and then (when it has something to claim).
    const claimer = owners[n % owners.length];
    const pendingMiner = d.app.keepers.rewards.pending(d.store, claimer.addressBytes).length > 0;
    if (n % 7 === 0 && pendingMiner) txs.push(tx(claimer, [BlockaiMsgs.claimRewards(claimer.address)]));
    const { results } = await d.block(txs);
    const failed = results.findIndex((r) => r.code !== 0);
    if (failed >= 0) throw new Error(`steady load, height ${d.height}, tx ${failed}: ${results[failed].codespace}/${results[failed].code} ${results[failed].log}`);
    const opened = MsgOpenEscrowResponse.decode(TxMsgData.decode(results[0].data).msgResponses[0].value).escrowId;
    open.push(opened);
  }
  return { d, step };
}

/** Keys and bytes of the committed state, in total and per module prefix (up to the first '/'). */
export function stateSize(d: Driver): { keys: number; bytes: number; byModule: Record<string, number> } {
  let keys = 0;
  let bytes = 0;
  const byModule: Record<string, number> = {};
  for (const [k, v] of d.store.range(new Uint8Array(), undefined)) {
    keys++;
    bytes += k.length + v.length;
    const slash = k.indexOf(0x2f);
    const name = slash > 0 ? Buffer.from(k.subarray(0, slash)).toString("latin1") : "(other)";
    byModule[name] = (byModule[name] ?? 0) + 1;
  }
  return { keys, bytes, byModule };
}
