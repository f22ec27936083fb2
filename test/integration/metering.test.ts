import type { EncodeObject } from "@cosmjs/proto-signing";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { encodeAddress, moduleAddress } from "../../src/types/address";
import {
  BlockaiMsgs,
  createBlockaiRegistry,
  EscrowStatus,
  ModelStatus,
  signVoucher,
  type SignedVoucher,
  type Voucher,
} from "../../src/client";
import {
  QueryEscrowsByConsumerRequest,
  QueryEscrowsByConsumerResponse,
  QueryEscrowsByModelRequest,
  QueryEscrowsByModelResponse,
  QueryModelUsageRequest,
  QueryModelUsageResponse,
  QueryProtocolFeesResponse,
} from "../../src/gen/blockai/metering/v1/query";
import { QueryCommunityPoolResponse } from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { MsgClaimUsageResponse, MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { METERING_ESCROW_ACCOUNT, METERING_FEES_ACCOUNT } from "../../src/modules/metering";
import { FEE_COLLECTOR } from "../../src/framework/accounts";
import { MAX_PAGE_OFFSET } from "../../src/framework/pagination";
import { Driver } from "../helpers/driver";
import { msgSend, signTx, TestKey } from "../helpers/keys";

const registry = createBlockaiRegistry();
const FEE = 10_000n;
const ESCROW_ACCOUNT = encodeAddress(moduleAddress(METERING_ESCROW_ACCOUNT));
const FEES_ACCOUNT = encodeAddress(moduleAddress(METERING_FEES_ACCOUNT));
const FEE_BPS = 250n;
const GRACE = 4n;
const EPOCH = 10n;

function tx(d: Driver, key: TestKey, msgs: EncodeObject[], sequenceOffset = 0n): Uint8Array {
  const acc = d.account(key.address)!;
  return signTx({
    key,
    msgs: msgs.map((m) => registry.encodeAsAny(m)),
    accountNumber: acc.accountNumber,
    sequence: acc.sequence + sequenceOffset,
    chainId: d.chainId,
    fee: [{ denom: "usoa", amount: FEE.toString() }],
    gas: 400_000n,
  });
}

async function send(d: Driver, key: TestKey, msgs: EncodeObject[]): Promise<ExecTxResult> {
  const { results } = await d.block([tx(d, key, msgs)]);
  return results[0];
}

function responseOf<T>(r: ExecTxResult, decode: (b: Uint8Array) => T): T {
  expect(r.log).toBe("");
  return decode(TxMsgData.decode(r.data).msgResponses[0].value);
}

function q<T>(d: Driver, path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T {
  const res = d.app.query({ path: `/blockai.metering.v1.Query/${path}`, data, height: 0n, prove: false });
  if (res.code !== 0) throw Object.assign(new Error(res.log), { code: res.code, codespace: res.codespace });
  return decode(res.value);
}

const feeOf = (amount: bigint) => (amount * FEE_BPS) / 10_000n;

/** The community pool's usoa (whole units; the pool is kept with 18 decimals) through the standard query. */
function communityPool(d: Driver): bigint {
  const res = d.app.query({ path: "/cosmos.distribution.v1beta1.Query/CommunityPool", data: new Uint8Array(), height: 0n, prove: false });
  if (res.code !== 0) throw new Error(res.log);
  const pool = QueryCommunityPoolResponse.decode(res.value).pool.find((c) => c.denom === "usoa");
  return pool ? BigInt(pool.amount) / 10n ** 18n : 0n;
}

describe("metering module (in-process, invariants checked after every block)", () => {
  let d: Driver;
  let owner: TestKey;
  let operator: TestKey;
  let consumer: TestKey;
  let stranger: TestKey;
  let modelId: bigint;

  const store = () => d.app.committedStore()!;
  const escrow = (id: bigint) => d.app.keepers.metering.getEscrow(store(), id)!;
  const epochNow = () => d.app.keepers.epochs.currentEpoch(store());
  /** Protocol fees collected: pending in metering_fees plus swept to the community pool. */
  const feesCollected = () => d.app.keepers.metering.getFeesPending(store()) + d.app.keepers.metering.getFeesSwept(store());
  const voucher = (escrowId: bigint, units: bigint, amount: bigint, over: Partial<Voucher> = {}, key = consumer): SignedVoucher =>
    signVoucher({ chainId: d.chainId, escrowId, cumulativeUnits: units, cumulativeAmount: amount, ...over }, key.privateKey);

  async function open(deposit: bigint, expiryIn = 100n, key = consumer, model = modelId): Promise<bigint> {
    const r = await send(d, key, [BlockaiMsgs.openEscrow(key.address, model, deposit, BigInt(d.height + 1) + expiryIn)]);
    return responseOf(r, MsgOpenEscrowResponse.decode).escrowId;
  }

  /** Every balance and record a failed tx must leave alone (its fee payer aside). */
  function snapshot() {
    return {
      balances: Object.fromEntries([...d.keys.map((k) => k.address), ESCROW_ACCOUNT].map((a) => [a, d.balance(a)])),
      fees: feesCollected(),
      escrows: d.app.keepers.metering.allEscrows(store()),
      usage: d.app.keepers.metering.allUsage(store()),
    };
  }

  function expectNothingMoved(before: ReturnType<typeof snapshot>, payer: TestKey, fee: bigint) {
    const after = snapshot();
    const expected = { ...before.balances, [payer.address]: before.balances[payer.address] - fee };
    expect(after.balances).toEqual(expected);
    expect(after.escrows).toEqual(before.escrows);
    expect(after.usage).toEqual(before.usage);
    expect(after.fees).toEqual(before.fees);
  }

  beforeEach(async () => {
    d = await Driver.create({
      accounts: 5,
      appState: (s) => {
        s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "3", max_operators: 5 } };
        s.metering = { params: { protocol_fee_bps: Number(FEE_BPS), claim_grace: GRACE.toString(), max_escrow_duration: "1000" } };
        s.epochs = { params: { epoch_length: EPOCH.toString() } };
        // No emission: the community pool below receives protocol fees only.
        s.mint.params.initial_block_reward = "0";
      },
    });
    [owner, operator, consumer, stranger] = d.keys;
    await d.block();
    const r = await send(d, owner, [
      BlockaiMsgs.registerModel(owner.address, {
        name: "m",
        version: "1",
        task: "text-generation",
        artifactDigest: new Uint8Array(32).fill(1),
        pricePerUnit: 10n,
        unit: "call",
        bond: 1000n,
        operators: [operator.address],
      }),
    ]);
    modelId = responseOf(r, MsgRegisterModelResponse.decode).modelId;
  });
  afterEach(async () => d.close());

  test("open, claim the newest of many vouchers, claim a later one, close: exact amounts everywhere", async () => {
    const c0 = d.balance(consumer.address);
    const id = await open(1_000_000n);
    expect(d.balance(consumer.address)).toBe(c0 - 1_000_000n - FEE);
    expect(d.balance(ESCROW_ACCOUNT)).toBe(1_000_000n);
    expect(escrow(id)).toMatchObject({ id, consumer: consumer.address, modelId, status: EscrowStatus.ESCROW_STATUS_OPEN, deposit: { amount: "1000000" }, claimed: { amount: "0" } });

    // 100 calls at 10 usoa: only the newest voucher is claimed, by an operator.
    const vouchers = Array.from({ length: 100 }, (_, i) => voucher(id, BigInt(i + 1), BigInt(i + 1) * 10n));
    const o0 = d.balance(owner.address);
    const op0 = d.balance(operator.address);
    let r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, vouchers[99])]);
    const res = responseOf(r, MsgClaimUsageResponse.decode);
    expect(res).toEqual({ paid: { denom: "usoa", amount: "1000" }, protocolFee: { denom: "usoa", amount: feeOf(1000n).toString() }, units: 100n, epoch: epochNow() });
    expect(d.balance(owner.address)).toBe(o0 + 1000n - feeOf(1000n));
    expect(d.balance(operator.address)).toBe(op0 - FEE);
    expect(feesCollected()).toBe(feeOf(1000n));
    expect(d.balance(ESCROW_ACCOUNT)).toBe(1_000_000n - 1000n);
    expect(escrow(id)).toMatchObject({ claimed: { amount: "1000" }, claimedUnits: 100n });
    const epoch = res.epoch;
    const usage = q(d, "ModelUsage", QueryModelUsageRequest.encode({ modelId, epoch }).finish(), QueryModelUsageResponse.decode).usage!;
    expect(usage).toEqual({ modelId, epoch, units: 100n, amountPaid: { denom: "usoa", amount: "1000" }, protocolFees: { denom: "usoa", amount: "25" }, payers: 1n, payments: 1n });

    // An older voucher is refused; a later one pays only the difference (owner claims this time).
    r = await send(d, owner, [BlockaiMsgs.claimUsage(owner.address, vouchers[50])]);
    expect([r.codespace, r.code]).toEqual(["metering", 9]);
    const o1 = d.balance(owner.address);
    r = await send(d, owner, [BlockaiMsgs.claimUsage(owner.address, voucher(id, 150n, 1_777n))]);
    expect(responseOf(r, MsgClaimUsageResponse.decode).paid!.amount).toBe("777");
    expect(d.balance(owner.address)).toBe(o1 - FEE + 777n - feeOf(777n));

    // The provider closes: the consumer gets exactly deposit - claims back.
    const c1 = d.balance(consumer.address);
    r = await send(d, operator, [BlockaiMsgs.closeEscrow(operator.address, id)]);
    expect(r.code).toBe(0);
    expect(d.balance(consumer.address)).toBe(c1 + 1_000_000n - 1_777n);
    expect(d.balance(ESCROW_ACCOUNT)).toBe(0n);
    expect(escrow(id)).toMatchObject({ status: EscrowStatus.ESCROW_STATUS_CLOSED, refunded: { amount: String(1_000_000n - 1_777n) }, closedHeight: BigInt(d.height) });
    expect(d.balance(consumer.address)).toBe(c0 - FEE - 1_777n);
    expect(feesCollected()).toBe(feeOf(1000n) + feeOf(777n));
  });

  describe("bad claims fail with a clear code and move nothing but the fee", () => {
    let id: bigint;
    let other: bigint;
    beforeEach(async () => {
      id = await open(10_000n);
      other = await open(10_000n);
      expect(await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 10n, 100n))])).toMatchObject({ code: 0 });
    });
    // [name, signer, voucher maker, codespace, code, stateless?]
    const cases: Array<[string, () => TestKey, () => SignedVoucher, string, number, boolean]> = [
      ["voucher for another escrow (signed for one, claimed on another)", () => operator, () => ({ ...voucher(id, 20n, 200n), voucher: { ...voucher(id, 20n, 200n).voucher, escrowId: other } }), "metering", 8, false],
      ["voucher for another chain id", () => operator, () => voucher(id, 20n, 200n, { chainId: "other-chain" }), "metering", 13, false],
      ["voucher signed by someone other than the consumer", () => operator, () => voucher(id, 20n, 200n, {}, stranger), "metering", 8, false],
      ["voucher signed by the provider itself", () => operator, () => voucher(id, 20n, 200n, {}, operator), "metering", 8, false],
      ["tampered amount after signing", () => operator, () => ({ ...voucher(id, 20n, 200n), voucher: { ...voucher(id, 20n, 200n).voucher, cumulativeAmount: 5_000n } }), "metering", 8, false],
      ["stale cumulative amount", () => operator, () => voucher(id, 20n, 50n), "metering", 9, false],
      ["equal cumulative amount", () => operator, () => voucher(id, 20n, 100n), "metering", 9, false],
      ["units going backwards", () => operator, () => voucher(id, 5n, 200n), "metering", 9, false],
      ["cumulative amount beyond the deposit", () => operator, () => voucher(id, 20n, 10_001n), "metering", 10, false],
      ["claim by an address that is neither owner nor operator", () => stranger, () => voucher(id, 20n, 200n), "sdk", 4, false],
      ["claim by the consumer", () => consumer, () => voucher(id, 20n, 200n), "sdk", 4, false],
      ["claim on an unknown escrow", () => operator, () => voucher(99n, 20n, 200n), "metering", 2, false],
      ["high-S signature", () => operator, () => highS(voucher(id, 20n, 200n)), "metering", 8, false],
      ["signature of 63 bytes", () => operator, () => ({ ...voucher(id, 20n, 200n), signature: voucher(id, 20n, 200n).signature.subarray(1) }), "metering", 8, true],
    ];
    test.each(cases)("%s", async (_name, signer, make, codespace, code, stateless) => {
      const v = make();
      const before = snapshot();
      const r = await send(d, signer(), [BlockaiMsgs.claimUsage(signer().address, v)]);
      expect({ codespace: r.codespace, code: r.code }).toEqual({ codespace, code });
      expect(r.log).not.toBe("");
      expectNothingMoved(before, signer(), stateless ? 0n : FEE);
    });

    test("non-canonical amount strings are refused before the fee (metering/7)", async () => {
      const v = voucher(id, 20n, 200n);
      const msg = BlockaiMsgs.claimUsage(operator.address, v);
      for (const amount of ["0200", "", "2e2", "-1", "1".repeat(40), (1n << 128n).toString()]) {
        const bad = { ...msg, value: { ...(msg.value as object), voucher: { ...(msg.value as any).voucher, cumulativeAmount: amount } } };
        const before = snapshot();
        const r = await send(d, operator, [bad]);
        expect([amount, r.codespace, r.code]).toEqual([amount, "metering", 7]);
        expectNothingMoved(before, operator, 0n);
      }
    });

    test("claim on a closed escrow (metering/5)", async () => {
      expect((await send(d, owner, [BlockaiMsgs.closeEscrow(owner.address, id)])).code).toBe(0);
      const before = snapshot();
      const r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 20n, 200n))]);
      expect([r.codespace, r.code]).toEqual(["metering", 5]);
      expectNothingMoved(before, operator, FEE);
    });
  });

  test("consumer close: only after expiry; the provider can claim during the grace period; then the rest is refunded at end of block", async () => {
    const id = await open(50_000n, 3n);
    const expiry = escrow(id).expiryHeight;
    let r = await send(d, consumer, [BlockaiMsgs.closeEscrow(consumer.address, id)]);
    expect([r.codespace, r.code]).toEqual(["metering", 6]);
    r = await send(d, stranger, [BlockaiMsgs.closeEscrow(stranger.address, id)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 4]);
    while (BigInt(d.height) < expiry) await d.block();
    // Top-up of an expired but open escrow may extend it; here the consumer closes instead.
    r = await send(d, consumer, [BlockaiMsgs.closeEscrow(consumer.address, id)]);
    expect(r.code).toBe(0);
    const closedAt = BigInt(d.height);
    expect(escrow(id)).toMatchObject({ status: EscrowStatus.ESCROW_STATUS_CLOSING, graceEndHeight: closedAt + GRACE });
    r = await send(d, consumer, [BlockaiMsgs.closeEscrow(consumer.address, id)]);
    expect([r.codespace, r.code]).toEqual(["metering", 4]);
    r = await send(d, consumer, [BlockaiMsgs.topUpEscrow(consumer.address, id, 5n)]);
    expect([r.codespace, r.code]).toEqual(["metering", 4]);
    // In the grace period the provider still claims.
    r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 7n, 7_000n))]);
    expect(r.code).toBe(0);
    const c = d.balance(consumer.address);
    while (BigInt(d.height) < closedAt + GRACE - 1n) await d.block();
    expect(escrow(id).status).toBe(EscrowStatus.ESCROW_STATUS_CLOSING);
    const { response } = await d.block(); // height closedAt + GRACE: refunded at its end
    expect(escrow(id)).toMatchObject({ status: EscrowStatus.ESCROW_STATUS_CLOSED, refunded: { amount: "43000" }, closedHeight: closedAt + GRACE });
    expect(d.balance(consumer.address)).toBe(c + 43_000n);
    expect(response.events.find((e) => e.type === "close_escrow")?.attributes.find((a) => a.key === "reason")?.value).toBe("grace_period_ended");
    // After the grace period: claims are refused, nothing moves.
    const before = snapshot();
    r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 8n, 8_000n))]);
    expect([r.codespace, r.code]).toEqual(["metering", 5]);
    expectNothingMoved(before, operator, FEE);
    r = await send(d, consumer, [BlockaiMsgs.closeEscrow(consumer.address, id)]);
    expect([r.codespace, r.code]).toEqual(["metering", 5]);
  });

  test("escrows need an ACTIVE model: paused, retired and unknown models are refused; claims on existing escrows still work", async () => {
    const id = await open(10_000n);
    const attempt = async (model: bigint, codespace: string, code: number) => {
      const before = snapshot();
      const r = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, model, 1000n, BigInt(d.height + 50))]);
      expect([r.codespace, r.code]).toEqual([codespace, code]);
      expectNothingMoved(before, consumer, FEE);
      const before2 = snapshot();
      const r2 = await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, model, 1n, 10n)]);
      expect([r2.codespace, r2.code]).toEqual([codespace, code]);
      expectNothingMoved(before2, consumer, FEE);
    };
    await attempt(77n, "registry", 2);
    expect((await send(d, operator, [BlockaiMsgs.setModelStatus(operator.address, modelId, ModelStatus.MODEL_STATUS_PAUSED)])).code).toBe(0);
    await attempt(modelId, "metering", 3);
    let r = await send(d, consumer, [BlockaiMsgs.topUpEscrow(consumer.address, id, 10n)]);
    expect([r.codespace, r.code]).toEqual(["metering", 3]);
    r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 1n, 10n))]);
    expect(r.code).toBe(0);
    expect((await send(d, owner, [BlockaiMsgs.setModelStatus(owner.address, modelId, ModelStatus.MODEL_STATUS_RETIRED)])).code).toBe(0);
    await attempt(modelId, "metering", 3);
    r = await send(d, owner, [BlockaiMsgs.claimUsage(owner.address, voucher(id, 2n, 20n))]);
    expect(r.code).toBe(0);
  });

  test("open and top-up rules: expiry bounds, positive deposits, only the consumer tops up, extension", async () => {
    const h = () => BigInt(d.height + 1);
    let r = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 100n, h() - 1n)]);
    expect([r.codespace, r.code]).toEqual(["metering", 11]);
    r = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 100n, h() + 1001n)]);
    expect([r.codespace, r.code]).toEqual(["metering", 11]);
    r = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 0n, h() + 10n)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 10]);
    r = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 10n ** 15n, h() + 10n)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 5]);
    r = await send(d, consumer, [BlockaiMsgs.openEscrow("soa1xyz", modelId, 10n, h() + 10n)]);
    expect(r.code).not.toBe(0);
    const id = await open(1_000n, 20n);
    const expiry = escrow(id).expiryHeight;
    r = await send(d, stranger, [BlockaiMsgs.topUpEscrow(stranger.address, id, 5n)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 4]);
    r = await send(d, consumer, [BlockaiMsgs.topUpEscrow(consumer.address, id, 5n, expiry - 1n)]);
    expect([r.codespace, r.code]).toEqual(["metering", 11]);
    r = await send(d, consumer, [BlockaiMsgs.topUpEscrow(consumer.address, id, 0n, 0n)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 18]);
    const c = d.balance(consumer.address);
    r = await send(d, consumer, [BlockaiMsgs.topUpEscrow(consumer.address, id, 500n, expiry + 100n)]);
    expect(r.code).toBe(0);
    expect(escrow(id)).toMatchObject({ deposit: { amount: "1500" }, expiryHeight: expiry + 100n });
    expect(d.balance(consumer.address)).toBe(c - 500n - FEE);
    // The larger deposit can now be claimed up to 1500, not beyond.
    r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 1n, 1501n))]);
    expect([r.codespace, r.code]).toEqual(["metering", 10]);
    r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 1n, 1500n))]);
    expect(r.code).toBe(0);
  });

  test("direct payments and usage records: fee split, distinct payers per epoch, pruning at epoch end, model_usage event", async () => {
    // Move to the start of an epoch so every payment below lands in the same epoch.
    while (BigInt(d.height + 1) % EPOCH !== 1n) await d.block();
    const epoch = epochNow();
    const o = d.balance(owner.address);
    let r = await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 3n, 30_000n)]);
    expect(r.code).toBe(0);
    r = await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 1n, 10_001n)]);
    expect(r.code).toBe(0);
    r = await send(d, stranger, [BlockaiMsgs.payForUsage(stranger.address, modelId, 2n, 20_000n)]);
    expect(r.code).toBe(0);
    const fees = feeOf(30_000n) + feeOf(10_001n) + feeOf(20_000n);
    expect(d.balance(owner.address)).toBe(o + 60_001n - fees);
    expect(d.balance(FEES_ACCOUNT)).toBe(fees); // all in this epoch: still pending
    expect(d.app.keepers.metering.getFeesPending(store())).toBe(fees);
    const usage = () => q(d, "ModelUsage", QueryModelUsageRequest.encode({ modelId, epoch }).finish(), QueryModelUsageResponse.decode).usage!;
    expect(usage()).toEqual({ modelId, epoch, units: 6n, amountPaid: { denom: "usoa", amount: "60001" }, protocolFees: { denom: "usoa", amount: fees.toString() }, payers: 2n, payments: 3n });
    expect(d.app.keepers.metering.allPayerMarks(store())).toHaveLength(2);
    r = await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 1n, 10n ** 15n)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 5]);
    r = await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 1n, 0n)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 10]);
    let events: string[] = [];
    while (epochNow() === epoch) events = (await d.block()).response.events.map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(["model_usage", "epoch_end"]));
    expect(d.app.keepers.metering.allPayerMarks(store())).toHaveLength(0);
    expect(usage().payers).toBe(2n); // the record stays; only the marks are dropped
    // The epoch's protocol fees were swept to the community pool.
    expect(events).toContain("protocol_fees_swept");
    expect(d.balance(FEES_ACCOUNT)).toBe(0n);
    expect(d.app.keepers.metering.getFeesSwept(store())).toBe(fees);
    r = await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 1n, 100n)]);
    expect(r.code).toBe(0);
    const next = q(d, "ModelUsage", QueryModelUsageRequest.encode({ modelId, epoch: epoch + 1n }).finish(), QueryModelUsageResponse.decode).usage!;
    expect(next).toMatchObject({ units: 1n, payers: 1n, payments: 1n });
    const empty = q(d, "ModelUsage", QueryModelUsageRequest.encode({ modelId: 55n, epoch }).finish(), QueryModelUsageResponse.decode).usage!;
    expect(empty).toMatchObject({ modelId: 55n, units: 0n, payers: 0n, amountPaid: { amount: "0" } });
  });

  test("claims split into small increments pay at least the protocol fee of one claim of the total, and each at least 1 usoa", async () => {
    const id = await open(10_000n);
    const before = feesCollected();
    // 20 claims of 39 usoa: each increment alone would round down to a fee of 0 at 2.5%; the fee is
    // taken on the cumulative amount (less what earlier claims took), and never below 1 usoa.
    let expected = 0n;
    for (let i = 1n; i <= 20n; i++) {
      const r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, i, 39n * i))]);
      expect(r.log).toBe("");
      const increment = feeOf(39n * i) - feeOf(39n * (i - 1n));
      expected += increment < 1n ? 1n : increment;
    }
    expect(feesCollected() - before).toBe(expected);
    expect(expected).toBeGreaterThanOrEqual(feeOf(20n * 39n));
    expect(feeOf(20n * 39n)).toBe(19n);
  });

  test("the protocol fee is at least 1 usoa on any non-zero payment (a 1 usoa payment or claim rounds to 0 at 2.5%)", async () => {
    const before = feesCollected();
    let r = await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 1n, 1n)]);
    expect(r.log).toBe("");
    expect(feesCollected() - before).toBe(1n);
    const id = await open(10n);
    r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 1n, 1n))]);
    expect(responseOf(r, MsgClaimUsageResponse.decode).protocolFee!.amount).toBe("1");
    expect(feesCollected() - before).toBe(2n);
  });

  test("a stranger's direct payment of 2^64 - 1 units cannot block the model's claims: the epoch's tally saturates", async () => {
    // Start of an epoch: the four blocks below all land in it.
    while (BigInt(d.height + 1) % EPOCH !== 1n) await d.block();
    const epoch = epochNow();
    const id = await open(100_000n);
    const max = (1n << 64n) - 1n;
    let r = await send(d, stranger, [BlockaiMsgs.payForUsage(stranger.address, modelId, max, 1n)]);
    expect(r.code).toBe(0);
    r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 5n, 500n))]);
    expect(r.log).toBe("");
    r = await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 7n, 70n)]);
    expect(r.log).toBe("");
    const usage = q(d, "ModelUsage", QueryModelUsageRequest.encode({ modelId, epoch }).finish(), QueryModelUsageResponse.decode).usage!;
    expect(usage.units).toBe(max);
    expect(epochNow()).toBe(epoch);
  });

  test("protocol fees: held in metering_fees during the epoch, swept to the community pool at its end (exact amount)", async () => {
    const id = await open(100_000n);
    {
      const r = await send(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(id, 9n, 40_000n))]);
      expect(r.code).toBe(0);
    }
    const fee = feeOf(40_000n);
    expect(d.balance(FEES_ACCOUNT)).toBe(fee);
    const epoch = epochNow();
    // Empty blocks up to the epoch's last block, so the community pool changes only by the sweep
    // (distribution adds the previous block's tx fees at begin block; those blocks have none).
    await d.block();
    await d.block();
    const endHeight = d.app.keepers.epochs.current(store()).endHeight;
    while (BigInt(d.height + 1) < endHeight) await d.block();
    const pool = () => communityPool(d);
    const before = pool();
    const swept0 = d.app.keepers.metering.getFeesSwept(store());
    const { response } = await d.block();
    expect(epochNow()).toBe(epoch + 1n);
    expect(pool() - before).toBe(fee);
    expect(d.balance(FEES_ACCOUNT)).toBe(0n);
    expect(d.app.keepers.metering.getFeesSwept(store()) - swept0).toBe(fee);
    const ev = response.events.find((e) => e.type === "protocol_fees_swept")!;
    expect(ev.attributes.find((a) => a.key === "amount")!.value).toBe(`${fee}usoa`);
    const pf = q(d, "ProtocolFees", new Uint8Array(), QueryProtocolFeesResponse.decode);
    expect(pf).toEqual({ pending: { denom: "usoa", amount: "0" }, swept: { denom: "usoa", amount: (swept0 + fee).toString() } });
  });

  test("many claims in one block from different escrows, and two txs of the same provider in one block", async () => {
    const ids: bigint[] = [];
    for (let i = 0; i < 3; i++) ids.push(await open(1_000n));
    const txs = [
      tx(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(ids[0], 1n, 100n))]),
      tx(d, operator, [BlockaiMsgs.claimUsage(operator.address, voucher(ids[1], 2n, 200n)), BlockaiMsgs.claimUsage(operator.address, voucher(ids[2], 3n, 300n))], 1n),
      tx(d, owner, [BlockaiMsgs.claimUsage(owner.address, voucher(ids[0], 1n, 100n))]), // same voucher again: not newer
    ];
    const { results } = await d.block(txs);
    expect(results.map((r) => [r.codespace, r.code])).toEqual([["", 0], ["", 0], ["metering", 9]]);
    expect(ids.map((i) => escrow(i).claimed!.amount)).toEqual(["100", "200", "300"]);
  });

  test("queries: escrows by consumer and by model, paginated; unknown escrow is metering/2", async () => {
    const mine = [await open(100n), await open(200n), await open(300n)];
    const theirs = await open(400n, 100n, stranger);
    const byConsumer = (addr: string, limit = 0n, key: Uint8Array = new Uint8Array()) =>
      q(d, "EscrowsByConsumer", QueryEscrowsByConsumerRequest.encode({ consumer: addr, pagination: { key: Buffer.from(key), offset: 0n, limit, countTotal: true, reverse: false } }).finish(), QueryEscrowsByConsumerResponse.decode);
    expect(byConsumer(consumer.address).escrows.map((e) => e.id)).toEqual(mine);
    expect(byConsumer(stranger.address).escrows.map((e) => e.id)).toEqual([theirs]);
    const p1 = byConsumer(consumer.address, 2n);
    expect(p1.escrows.map((e) => e.id)).toEqual(mine.slice(0, 2));
    expect(p1.pagination!.total).toBe(3n);
    expect(byConsumer(consumer.address, 2n, p1.pagination!.nextKey).escrows.map((e) => e.id)).toEqual([mine[2]]);
    const byModel = q(d, "EscrowsByModel", QueryEscrowsByModelRequest.encode({ modelId, pagination: undefined }).finish(), QueryEscrowsByModelResponse.decode);
    expect(byModel.escrows.map((e) => e.id)).toEqual([...mine, theirs]);
    expect(() => q(d, "Escrow", new Uint8Array([8, 99]), (b) => b)).toThrow(expect.objectContaining({ codespace: "metering", code: 2 }));
  });

  test("EscrowsByConsumer: an offset above MAX_PAGE_OFFSET (100,000) is sdk/18 invalid request; 100,000 itself is served", async () => {
    const mine = [await open(100n), await open(200n)];
    const page = (offset: bigint) =>
      q(d, "EscrowsByConsumer", QueryEscrowsByConsumerRequest.encode({ consumer: consumer.address, pagination: { key: Buffer.alloc(0), offset, limit: 0n, countTotal: true, reverse: false } }).finish(), QueryEscrowsByConsumerResponse.decode);
    expect(MAX_PAGE_OFFSET).toBe(100_000n);
    expect(() => page(100_001n)).toThrow(expect.objectContaining({ codespace: "sdk", code: 18 }));
    expect(() => page(1n << 63n)).toThrow(/offset 9223372036854775808 is above 100000/);
    const atCap = page(100_000n);
    expect(atCap.escrows).toEqual([]);
    expect(atCap.pagination!.total).toBe(2n);
    expect(page(1n).escrows.map((e) => e.id)).toEqual(mine.slice(1));
  });

  test("metering module accounts refuse MsgSend (escrow accounting stays exact)", async () => {
    for (const target of [ESCROW_ACCOUNT, FEES_ACCOUNT]) {
      const acc = d.account(consumer.address)!;
      const t = signTx({ key: consumer, msgs: [msgSend(consumer.address, target, 1n)], accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId });
      const { results } = await d.block([t]);
      expect([results[0].codespace, results[0].code]).toEqual(["sdk", 4]);
    }
    expect(FEE_COLLECTOR).toBe("fee_collector");
  });
});

function highS(signed: SignedVoucher): SignedVoucher {
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const s = BigInt("0x" + Buffer.from(signed.signature.subarray(32)).toString("hex"));
  const sig = Uint8Array.from(signed.signature);
  sig.set(Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"), 32);
  return { ...signed, signature: sig };
}
