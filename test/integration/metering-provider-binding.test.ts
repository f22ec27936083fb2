/**
 * Provider binding (docs/models.md, "Provider binding"): the two-operator double spend. Before
 * binding, a consumer could hand one cumulative voucher to two operators of a model and be served
 * by both while only one claim pays. An escrow bound to one provider pays only that provider, the
 * other operator's claim fails on chain, and checkVoucher (what gateways run before serving)
 * refuses the voucher at the other operator before any call is served.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { BlockaiMsgs, checkVoucher, createBlockaiRegistry, signVoucher, signVoucherAdr036, unboundClaimableByOthers, voucherPublicKey, type EscrowView } from "../../src/client";
import { MsgClaimUsage } from "../../src/gen/blockai/metering/v1/tx";
import { MsgClaimUsageResponse, MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { Driver } from "../helpers/driver";
import { signTx, TestKey } from "../helpers/keys";

const registry = createBlockaiRegistry();
const FEE = 10_000n;

function tx(d: Driver, key: TestKey, msgs: EncodeObject[]): Uint8Array {
  const acc = d.account(key.address)!;
  return signTx({
    key,
    msgs: msgs.map((m) => registry.encodeAsAny(m)),
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
    chainId: d.chainId,
    fee: [{ denom: "usoa", amount: FEE.toString() }],
    gas: 400_000n,
  });
}

async function send(d: Driver, key: TestKey, msgs: EncodeObject[]): Promise<ExecTxResult> {
  return (await d.block([tx(d, key, msgs)])).results[0];
}

function responseOf<T>(r: ExecTxResult, decode: (b: Uint8Array) => T): T {
  expect(r.log).toBe("");
  return decode(TxMsgData.decode(r.data).msgResponses[0].value);
}

describe("metering: escrows bound to one provider", () => {
  let d: Driver;
  let owner: TestKey;
  let opA: TestKey;
  let opB: TestKey;
  let consumer: TestKey;
  let modelId: bigint;
  const store = () => d.app.committedStore()!;

  beforeEach(async () => {
    d = await Driver.create({
      accounts: 5,
      appState: (s) => {
        s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "3", max_operators: 5 } };
        s.metering = { params: { protocol_fee_bps: 200, claim_grace: "4", max_escrow_duration: "1000" } };
      },
    });
    [owner, opA, opB, consumer] = d.keys;
    await d.block();
    const r = await send(d, owner, [
      BlockaiMsgs.registerModel(owner.address, {
        name: "m",
        version: "1",
        task: "text-generation",
        artifactDigest: new Uint8Array(32).fill(2),
        pricePerUnit: 10n,
        unit: "token",
        bond: 1000n,
        operators: [opA.address, opB.address],
      }),
    ]);
    modelId = responseOf(r, MsgRegisterModelResponse.decode).modelId;
  });
  afterEach(async () => d.close());

  async function open(provider: string): Promise<bigint> {
    const r = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 1_000n, BigInt(d.height) + 200n, provider)]);
    return responseOf(r, MsgOpenEscrowResponse.decode).escrowId;
  }

  /** What a gateway of `server` knows of the escrow before serving (as BlockaiClient.checkVoucher builds it). */
  function view(id: bigint): EscrowView {
    const e = d.app.keepers.metering.getEscrow(store(), id)!;
    return {
      chainId: d.chainId,
      escrowId: id,
      modelId: e.modelId,
      consumerPublicKey: voucherPublicKey(consumer.privateKey),
      deposit: BigInt(e.deposit!.amount),
      accepted: BigInt(e.claimed!.amount),
      boundProvider: e.provider,
    };
  }
  const model = () => ({ owner: owner.address, operators: [opA.address, opB.address] });

  test("one voucher given to two operators: the unbound provider's gateway refuses it, its claim fails, the bound one is paid once", async () => {
    const id = await open(opA.address);
    expect(d.app.keepers.metering.getEscrow(store(), id)!.provider).toBe(opA.address);
    const v = signVoucher({ chainId: d.chainId, escrowId: id, cumulativeUnits: 50n, cumulativeAmount: 500n }, consumer.privateKey);

    // Off chain, before serving: A accepts, B refuses (it would never be paid).
    expect(checkVoucher(v, view(id), modelId, { address: opA.address, othersCanClaimUnbound: unboundClaimableByOthers(model(), opA.address) })).toEqual({ ok: true, increment: 500n });
    const atB = checkVoucher(v, view(id), modelId, { address: opB.address, othersCanClaimUnbound: unboundClaimableByOthers(model(), opB.address) });
    expect(atB).toMatchObject({ ok: false });
    expect((atB as { reason: string }).reason).toContain(`bound to provider ${opA.address}`);

    // On chain: B (and the owner) cannot claim it, not even first; A can.
    const o0 = d.balance(owner.address);
    for (const other of [opB, owner]) {
      const r = await send(d, other, [BlockaiMsgs.claimUsage(other.address, v)]);
      expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 4, codespace: "sdk" });
    }
    expect(d.balance(owner.address)).toBe(o0 - FEE); // its own failed tx fee, nothing paid
    const r = await send(d, opA, [BlockaiMsgs.claimUsage(opA.address, v)]);
    expect(responseOf(r, MsgClaimUsageResponse.decode).paid?.amount).toBe("500");
    // B cannot refund the consumer early by closing A's escrow either.
    const close = await send(d, opB, [BlockaiMsgs.closeEscrow(opB.address, id)]);
    expect({ code: close.code, codespace: close.codespace }).toEqual({ code: 4, codespace: "sdk" });
    expect((await send(d, opA, [BlockaiMsgs.closeEscrow(opA.address, id)])).code).toBe(0);
  });

  test("an unbound escrow of a model with operators is refused by every gateway; with no operators the owner serves it", async () => {
    const id = await open("");
    const v = signVoucher({ chainId: d.chainId, escrowId: id, cumulativeUnits: 1n, cumulativeAmount: 10n }, consumer.privateKey);
    for (const p of [owner, opA, opB]) {
      expect(checkVoucher(v, view(id), modelId, { address: p.address, othersCanClaimUnbound: unboundClaimableByOthers(model(), p.address) })).toMatchObject({ ok: false });
    }
    expect(unboundClaimableByOthers({ owner: owner.address, operators: [] }, owner.address)).toBe(false);
    expect(checkVoucher(v, view(id), modelId, { address: owner.address, othersCanClaimUnbound: false })).toEqual({ ok: true, increment: 10n });
    // The chain still honours unbound escrows (opened before binding existed): any provider claims.
    expect((await send(d, opB, [BlockaiMsgs.claimUsage(opB.address, v)])).code).toBe(0);
  });

  test("ADR-036 signatures (what Keplr's signArbitrary makes) are claimable; a signature of one kind never passes as the other", async () => {
    const id = await open(opA.address);
    const a = signVoucherAdr036({ chainId: d.chainId, escrowId: id, cumulativeUnits: 3n, cumulativeAmount: 30n }, consumer.privateKey);
    // The same signature declared raw: refused (metering/8).
    let r = await send(d, opA, [BlockaiMsgs.claimUsage(opA.address, { ...a, kind: undefined })]);
    expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 8, codespace: "metering" });
    // A raw signature declared adr036: refused too.
    const raw = signVoucher({ chainId: d.chainId, escrowId: id, cumulativeUnits: 3n, cumulativeAmount: 30n }, consumer.privateKey);
    r = await send(d, opA, [BlockaiMsgs.claimUsage(opA.address, { ...raw, kind: "adr036" })]);
    expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 8, codespace: "metering" });
    // An unknown kind: metering/7 before the fee.
    const unknown = BlockaiMsgs.claimUsage(opA.address, a);
    (unknown.value as MsgClaimUsage).signatureKind = 9 as never;
    r = await send(d, opA, [unknown]);
    expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 7, codespace: "metering" });
    r = await send(d, opA, [BlockaiMsgs.claimUsage(opA.address, a)]);
    expect(responseOf(r, MsgClaimUsageResponse.decode).paid?.amount).toBe("30");
  });

  test("binding to an address that is neither owner nor operator, or not an address, is refused", async () => {
    const stranger = d.keys[4];
    let r = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 1_000n, BigInt(d.height) + 200n, stranger.address)]);
    expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 18, codespace: "sdk" });
    r = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 1_000n, BigInt(d.height) + 200n, "soa1notanaddress")]);
    expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 7, codespace: "sdk" });
    expect(d.app.keepers.metering.allEscrows(store())).toEqual([]);
  });
});
