import type { EncodeObject } from "@cosmjs/proto-signing";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { BlockaiMsgs, createBlockaiRegistry, signVoucher } from "../../src/client";
import { MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { RewardKind } from "../../src/gen/blockai/rewards/v1/rewards";
import type { ModelPerformance } from "../../src/modules/rewards";
import { Driver } from "../helpers/driver";
import { TestKey } from "../helpers/keys";

/**
 * Wash usage: a model owner routes its own tokens through metering (directly, or through escrows
 * it then claims), split across sybil consumers, to raise its usage reward. For every amount and
 * split the washer must lose: rewards received < protocol fees paid, and its net (rewards - fees -
 * gas) < 0, while an honest model with real usage and a score keeps earning.
 */
const registry = createBlockaiRegistry();
const TX_FEE = 10_000n;
const GAS = 400_000n;
const FEE_BPS = 200n;
const CAP_BPS = 5_000n;
const EPOCH = 8n;
const MAX_U64 = (1n << 64n) - 1n;
const AMOUNTS = [1n, 37n, 1_000n, 1_000_000n, 1_000_000_000n, 1_000_000_000_000n];
const SYBILS = [1, 7, 100];
const METHODS = ["direct", "escrow"] as const;

interface WashCase {
  amount: bigint;
  sybils: number;
  method: (typeof METHODS)[number];
  washer: TestKey;
  consumers: TestKey[];
  modelId: bigint;
}

const share = (amount: bigint, n: number, i: number) => amount / BigInt(n) + (BigInt(i) < amount % BigInt(n) ? 1n : 0n);

describe("wash usage never pays (in-process; 1 usoa .. 10^12 usoa, 1 .. 100 sybils, escrow claims and direct payments)", () => {
  const cases: WashCase[] = [];
  for (const amount of AMOUNTS) {
    for (const sybils of SYBILS) {
      for (const method of METHODS) {
        const id = `${amount}-${sybils}-${method}`;
        const washer = new TestKey(`washer-${id}`);
        const consumers = Array.from({ length: sybils }, (_, i) => new TestKey(`sybil-${id}-${i}`));
        cases.push({ amount, sybils, method, washer, consumers, modelId: 0n });
      }
    }
  }
  const honestOwner = new TestKey("honest-owner");
  const honestConsumers = [0, 1, 2].map((i) => new TestKey(`honest-consumer-${i}`));
  let d: Driver;
  let honestModel = 0n;

  beforeAll(async () => {
    d = await Driver.create({
      accounts: 1,
      appState: (s) => {
        const fund = (k: TestKey, amount: bigint) => s.bank.balances.push({ address: k.address, coins: [{ denom: "usoa", amount: amount.toString() }] });
        for (const c of cases) {
          fund(c.washer, 100_000_000n + BigInt(c.sybils) * 2n * TX_FEE);
          c.consumers.forEach((k, i) => fund(k, share(c.amount, c.sybils, i) + 2n * TX_FEE));
        }
        fund(honestOwner, 100_000_000n);
        for (const k of honestConsumers) fund(k, 10n ** 12n);
        s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "3", max_operators: 5 } };
        s.metering = { params: { protocol_fee_bps: Number(FEE_BPS), claim_grace: "4", max_escrow_duration: "1000" } };
        s.epochs = { params: { epoch_length: EPOCH.toString() } };
        s.rewards.params = { ...s.rewards.params, usage_cap_bps: Number(CAP_BPS), claim_epochs: "100" };
      },
    });
    await d.block();
    const register = (owner: TestKey, name: string) =>
      d.sign(owner, [
        registry.encodeAsAny(
          BlockaiMsgs.registerModel(owner.address, { name, version: "1", task: "text-generation", artifactDigest: new Uint8Array(32).fill(name.length), pricePerUnit: 1n, unit: "call", bond: 1000n }),
        ),
      ], { fee: [{ denom: "usoa", amount: TX_FEE.toString() }], gas: GAS });
    const { results } = await d.block([register(honestOwner, "honest"), ...cases.map((c) => register(c.washer, `washed-${c.amount}-${c.sybils}-${c.method}`))]);
    const ids = results.map((r) => {
      expect(r.log).toBe("");
      return MsgRegisterModelResponse.decode(TxMsgData.decode(r.data).msgResponses[0].value).modelId;
    });
    honestModel = ids[0];
    cases.forEach((c, i) => (c.modelId = ids[i + 1]));
    // The honest model is the only one scored: the performance stream, and what the cap cuts off
    // the washers' usage, go to it.
    const scores: ModelPerformance = { scoredModels: () => [{ modelId: honestModel, scorePpm: 900_000n }], agreementPpm: () => 0n };
    d.app.keepers.rewards.setModelPerformance(scores);
  }, 120_000);
  afterAll(async () => d?.close());

  const sign = (key: TestKey, msgs: EncodeObject[]) => d.sign(key, msgs.map((m) => registry.encodeAsAny(m)), { fee: [{ denom: "usoa", amount: TX_FEE.toString() }], gas: GAS });
  const groupBalance = (c: WashCase) => [c.washer, ...c.consumers].reduce((sum, k) => sum + d.balance(k.address), 0n);
  const ok = (results: ExecTxResult[]) => results.forEach((r) => expect({ code: r.code, log: r.log }).toEqual({ code: 0, log: "" }));

  async function toEpochEnd(): Promise<bigint> {
    const e = d.app.keepers.epochs.current(d.store);
    while (BigInt(d.height) < e.endHeight) await d.block();
    return e.number;
  }

  test.each(AMOUNTS.map((a) => [a]))("wash of %s usoa", async (amount) => {
    await toEpochEnd(); // start from a fresh epoch
    const mine = cases.filter((c) => c.amount === amount);
    const before = new Map(mine.map((c) => [c, groupBalance(c)]));
    const honestBefore = d.balance(honestOwner.address);
    // Honest usage in the same epoch: 10,000,000 usoa from three consumers.
    const honestTxs = honestConsumers.map((k) => sign(k, [BlockaiMsgs.payForUsage(k.address, honestModel, 10n, 10_000_000n / 3n)]));
    // Direct payments name absurd unit counts: rewards read amounts paid only.
    const payTxs: Uint8Array[] = [];
    const openTxs: Array<{ c: WashCase; k: TestKey; amount: bigint; tx: Uint8Array }> = [];
    let txCount = new Map<WashCase, number>(mine.map((c) => [c, 0]));
    for (const c of mine) {
      c.consumers.forEach((k, i) => {
        const a = share(amount, c.sybils, i);
        if (a === 0n) return;
        txCount.set(c, txCount.get(c)! + 1);
        if (c.method === "direct") payTxs.push(sign(k, [BlockaiMsgs.payForUsage(k.address, c.modelId, MAX_U64, a)]));
        else openTxs.push({ c, k, amount: a, tx: sign(k, [BlockaiMsgs.openEscrow(k.address, c.modelId, a, BigInt(d.height) + 500n)]) });
      });
    }
    const opened = await d.block([...honestTxs, ...payTxs, ...openTxs.map((o) => o.tx)]);
    ok(opened.results);
    const escrowIds = opened.results.slice(honestTxs.length + payTxs.length).map((r) => MsgOpenEscrowResponse.decode(TxMsgData.decode(r.data).msgResponses[0].value).escrowId);
    // The washer claims each sybil's escrow in full (the vouchers are its own sybils').
    const claimTxs = openTxs.map((o, i) => {
      txCount.set(o.c, txCount.get(o.c)! + 1);
      const v = signVoucher({ chainId: d.chainId, escrowId: escrowIds[i], cumulativeUnits: MAX_U64, cumulativeAmount: o.amount }, o.k.privateKey);
      return sign(o.c.washer, [BlockaiMsgs.claimUsage(o.c.washer.address, v)]);
    });
    if (claimTxs.length > 0) ok((await d.block(claimTxs)).results);
    const epoch = await toEpochEnd();
    const store = d.store;

    let honestRewards = 0n;
    for (const c of mine) {
      const usage = d.app.keepers.metering.usageOrZero(store, c.modelId, epoch);
      const fees = BigInt(usage.protocolFees!.amount);
      expect(BigInt(usage.amountPaid!.amount)).toBe(amount);
      const pending = d.app.keepers.rewards.pending(store, c.washer.addressBytes);
      const rewards = pending.filter((p) => p.epoch === epoch && p.kind === RewardKind.REWARD_KIND_MODEL).reduce((s, p) => s + p.amount, 0n);
      if (rewards > 0n) {
        ok((await d.block([sign(c.washer, [BlockaiMsgs.claimRewards(c.washer.address)])])).results);
        txCount.set(c, txCount.get(c)! + 1);
      }
      const gas = BigInt(txCount.get(c)!) * TX_FEE;
      const net = groupBalance(c) - before.get(c)!;
      const what = `${amount} usoa over ${c.sybils} sybils (${c.method}): rewards ${rewards}, protocol fees ${fees}, gas ${gas}`;
      // Every usoa is accounted for: the group lost exactly the fees and gas, and got the rewards.
      expect({ what, net }).toEqual({ what, net: rewards - fees - gas });
      expect({ what, capped: rewards <= (fees * CAP_BPS) / 10_000n }).toEqual({ what, capped: true });
      expect({ what, washLoses: rewards < fees }).toEqual({ what, washLoses: true });
      expect({ what, netNegative: net < 0n }).toEqual({ what, netNegative: true });
    }
    const honest = d.app.keepers.rewards.pending(store, honestOwner.addressBytes).filter((p) => p.epoch === epoch);
    for (const p of honest) honestRewards += p.amount;
    // The counterweight: the honest model earns its performance stream (which the washers' capped
    // usage feeds) on top of its own capped usage reward.
    const record = d.app.keepers.rewards.getModelReward(store, epoch, honestModel)!;
    expect(BigInt(record.performanceReward)).toBeGreaterThan(0n);
    expect(honestRewards).toBe(BigInt(record.performanceReward) + BigInt(record.usageReward));
    ok((await d.block([sign(honestOwner, [BlockaiMsgs.claimRewards(honestOwner.address)])])).results);
    expect(d.balance(honestOwner.address)).toBeGreaterThan(honestBefore);
  }, 120_000);
});
