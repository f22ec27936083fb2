/**
 * End to end on a real network (CometBFT v0.38 + the app, one validator) through the client SDK
 * over unmodified CosmJS: register a model, open an escrow, sign 1,000 vouchers off chain, claim
 * only the last one in one transaction, claim a later one, close and refund - with exact balances.
 */
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import { AuthInfo, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  BlockaiClient,
  BlockaiTxError,
  checkVoucher,
  EscrowStatus,
  ModelStatus,
  privateKeyFromMnemonic,
  signVoucher,
  voucherPublicKey,
  type SignedVoucher,
} from "../../src/client";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(240_000);

const PRICE = 1_000n; // usoa per call
const DEPOSIT = 5_000_000n;
const BOND = 10_000_000n; // the default min_model_bond (10 SOA)

describe("end to end: model registry and metering through the BLOCKAI client SDK (CosmJS)", () => {
  let net: TestNetwork;
  let provider: BlockaiClient;
  let consumer: BlockaiClient;
  let owner: string;
  let user: string;
  let userKey: Uint8Array;

  const open = async (mnemonic: string) => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "soa" });
    const client = await BlockaiClient.connectWithSigner(net.rpc, wallet, {
      gasPrice: GasPrice.fromString("0.025usoa"),
      broadcastPollIntervalMs: 200,
      broadcastTimeoutMs: 30_000,
    });
    return { client, address: (await wallet.getAccounts())[0].address };
  };
  /** The fee a transaction paid, from its AuthInfo on chain. */
  const feeOf = async (hash: string) => {
    const tx = await provider.stargate.getTx(hash);
    const fee = AuthInfo.decode(TxRaw.decode(tx!.tx).authInfoBytes).fee!.amount.find((c) => c.denom === "usoa");
    return BigInt(fee?.amount ?? "0");
  };

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 1 });
    const [a0, a1] = net.layout.accounts;
    ({ client: provider, address: owner } = await open(a0.mnemonic));
    ({ client: consumer, address: user } = await open(a1.mnemonic));
    userKey = await privateKeyFromMnemonic(a1.mnemonic);
  });
  afterAll(async () => {
    provider?.disconnect();
    consumer?.disconnect();
    await net?.stop();
  });

  test("register, escrow, 1,000 off-chain vouchers, one claim, a later claim, close and refund: exact amounts", async () => {
    const chainId = await provider.getChainId();
    const params = await provider.getMeteringParams();
    const feeRate = BigInt(params.protocolFeeBps);
    const protocolFee = (x: bigint) => (x * feeRate) / 10_000n;
    expect((await provider.getRegistryParams()).minModelBond).toEqual({ denom: "usoa", amount: BOND.toString() });

    // 1. The owner registers a model.
    const o0 = await provider.getBalance(owner);
    const reg = await provider.registerModel(owner, {
      name: "tiny-llm",
      version: "1.0.0",
      task: "text-generation",
      description: "end-to-end test model",
      artifactDigest: new Uint8Array(32).fill(0xab),
      artifactUri: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
      endpoint: "https://127.0.0.1/tiny-llm",
      pricePerUnit: PRICE,
      unit: "call",
      bond: BOND,
    });
    const modelId = reg.modelId;
    expect(await provider.getBalance(owner)).toBe(o0 - BOND - (await feeOf(reg.tx.transactionHash)));
    expect(await provider.getModel(modelId)).toMatchObject({ id: modelId, owner, status: ModelStatus.MODEL_STATUS_ACTIVE, pricePerUnit: { amount: PRICE.toString() } });
    expect((await provider.getModels({ owner })).models.map((m) => m.id)).toEqual([modelId]);

    // 2. The consumer opens an escrow (its first signed tx also puts its public key on chain).
    const c0 = await consumer.getBalance(user);
    const expiry = BigInt(await consumer.getHeight()) + 10_000n;
    const opened = await consumer.openEscrow(user, modelId, DEPOSIT, expiry);
    const escrowId = opened.escrowId;
    const openFee = await feeOf(opened.tx.transactionHash);
    expect(await consumer.getBalance(user)).toBe(c0 - DEPOSIT - openFee);
    expect(await consumer.getEscrow(escrowId)).toMatchObject({ id: escrowId, consumer: user, modelId, status: EscrowStatus.ESCROW_STATUS_OPEN, deposit: { amount: DEPOSIT.toString() } });

    // 3. 1,000 calls, each paid with a cumulative voucher signed off chain. The provider checks each
    // one locally (no chain access per call) before "serving" it.
    const consumerPub = (await provider.getAccountPubkey(user))!;
    expect(Buffer.from(consumerPub)).toEqual(Buffer.from(voucherPublicKey(userKey)));
    let accepted = 0n;
    let acceptedUnits = 0n;
    let last: SignedVoucher | undefined;
    for (let call = 1n; call <= 1000n; call++) {
      const v = signVoucher({ chainId, escrowId, cumulativeUnits: call, cumulativeAmount: call * PRICE }, userKey);
      const check = checkVoucher(v, { chainId, escrowId, modelId, consumerPublicKey: consumerPub, deposit: DEPOSIT, accepted, acceptedUnits }, modelId);
      expect(check).toEqual({ ok: true, increment: PRICE });
      accepted = v.voucher.cumulativeAmount;
      acceptedUnits = v.voucher.cumulativeUnits;
      last = v;
    }
    // The online check agrees (escrow, consumer key and chain id fetched from the chain).
    expect(await provider.checkVoucher(last!, modelId)).toMatchObject({ ok: true, increment: 1000n * PRICE });
    expect(await provider.checkVoucher(last!, modelId + 1n)).toEqual({ ok: false, reason: `escrow ${escrowId} pays for model ${modelId}, not model ${modelId + 1n}` });

    // 4. Only the last voucher is claimed, in one transaction.
    const o1 = await provider.getBalance(owner);
    const claim = await provider.claimUsage(owner, last!);
    const claimFee = await feeOf(claim.tx.transactionHash);
    const gross = 1000n * PRICE;
    expect(claim).toMatchObject({ paid: gross, protocolFee: protocolFee(gross), units: 1000n });
    expect(await provider.getBalance(owner)).toBe(o1 + gross - protocolFee(gross) - claimFee);
    const usage = await provider.getModelUsage(modelId, claim.epoch);
    expect(usage).toMatchObject({ modelId, epoch: claim.epoch, units: 1000n, amountPaid: { amount: gross.toString() }, protocolFees: { amount: protocolFee(gross).toString() }, payers: 1n });

    // 5. Replaying the claimed voucher is refused in CheckTx with metering/9; nothing moves.
    const o2 = await provider.getBalance(owner);
    await expect(provider.claimUsage(owner, last!)).rejects.toMatchObject({ name: "BlockaiTxError", codespace: "metering", code: 9 });
    const stranger = signVoucher({ chainId, escrowId, cumulativeUnits: 2000n, cumulativeAmount: 2_000_000n }, new Uint8Array(32).fill(7));
    await expect(provider.claimUsage(owner, stranger)).rejects.toBeInstanceOf(BlockaiTxError);
    expect(await provider.getBalance(owner)).toBe(o2);

    // 6. A later voucher pays only the difference.
    const later = signVoucher({ chainId, escrowId, cumulativeUnits: 1500n, cumulativeAmount: 1500n * PRICE }, userKey);
    const claim2 = await provider.claimUsage(owner, later);
    const diff = 500n * PRICE;
    expect(claim2).toMatchObject({ paid: diff, protocolFee: protocolFee(diff), units: 500n });
    expect(await provider.getBalance(owner)).toBe(o2 + diff - protocolFee(diff) - (await feeOf(claim2.tx.transactionHash)));
    const usage2 = await provider.getModelUsage(modelId, claim2.epoch);
    expect(usage2.units).toBe(claim2.epoch === claim.epoch ? 1500n : 500n);
    const fees = await provider.getProtocolFees();
    expect(fees.pending + fees.swept).toBe(protocolFee(gross) + protocolFee(diff));

    // 7. The provider closes after its final claim: the consumer gets deposit - claims back.
    const c1 = await consumer.getBalance(user);
    const closed = await provider.closeEscrow(owner, escrowId);
    const claimed = 1500n * PRICE;
    expect(closed.refunded).toBe(DEPOSIT - claimed);
    expect(await consumer.getBalance(user)).toBe(c1 + DEPOSIT - claimed);
    expect(await consumer.getBalance(user)).toBe(c0 - openFee - claimed);
    expect(await consumer.getEscrow(escrowId)).toMatchObject({ status: EscrowStatus.ESCROW_STATUS_CLOSED, claimed: { amount: claimed.toString() }, refunded: { amount: (DEPOSIT - claimed).toString() } });
    expect((await consumer.getEscrowsByConsumer(user)).escrows.map((e) => e.id)).toEqual([escrowId]);
    expect((await consumer.getEscrowsByModel(modelId)).escrows.map((e) => e.id)).toEqual([escrowId]);
    // A claim on the closed escrow is refused.
    const after = signVoucher({ chainId, escrowId, cumulativeUnits: 1600n, cumulativeAmount: 1600n * PRICE }, userKey);
    await expect(provider.claimUsage(owner, after)).rejects.toMatchObject({ codespace: "metering", code: 5 });
  });

  test("direct payment and model status through the client; an escrow for a paused model is refused", async () => {
    const { modelId } = await provider.registerModel(owner, {
      name: "pay-direct",
      version: "1",
      task: "embedding",
      artifactDigest: new Uint8Array(32).fill(0xcd),
      pricePerUnit: 10n,
      unit: "1k-tokens",
      bond: BOND,
    });
    const o = await provider.getBalance(owner);
    const pay = await consumer.payForUsage(user, modelId, 12n, 120_000n);
    expect(pay.protocolFee).toBe((120_000n * BigInt((await consumer.getMeteringParams()).protocolFeeBps)) / 10_000n);
    expect(await provider.getBalance(owner)).toBe(o + 120_000n - pay.protocolFee);
    expect((await provider.getModelUsage(modelId, pay.epoch)).units).toBe(12n);
    await provider.setModelStatus(owner, modelId, ModelStatus.MODEL_STATUS_PAUSED);
    await expect(consumer.openEscrow(user, modelId, 1000n, BigInt(await consumer.getHeight()) + 100n)).rejects.toMatchObject({ codespace: "metering", code: 3 });
    expect((await provider.getModels({ status: ModelStatus.MODEL_STATUS_PAUSED })).models.map((m) => m.id)).toEqual([modelId]);
    expect(await provider.getModel(999n)).toBeUndefined();
    expect(await provider.getEscrow(999n)).toBeUndefined();
  });
});
