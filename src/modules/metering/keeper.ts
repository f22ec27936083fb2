import { decodeAddress, encodeAddress, moduleAddress } from "../../types/address";
import { BASE_DENOM } from "../../types/coins";
import { concatBytes, readU64be, u64be } from "../../types/bytes";
import { verifySecp256k1 } from "../../framework/crypto";
import { SdkErrors } from "../../types/errors";
import type { Context } from "../../framework/module";
import { adr036SignBytes, voucherSignBytes, type Voucher, type VoucherSignatureKind } from "../../types/voucher";
import { Escrow, EscrowStatus, Params, UsageRecord } from "../../gen/blockai/metering/v1/metering";
import { ModelStatus } from "../../gen/blockai/registry/v1/registry";
import { KVStore, PrefixStore } from "../../store/kv";
import { MeteringErrors } from "./errors";
import { MeteringAttributes as A, MeteringEvents } from "./events";
import { prunedUsageFees, pruneMetering, queueClosedEscrow } from "./prune";
import type { ClaimWindow, EpochClock, MeteringBank, MeteringModel, ModelDirectory, ProtocolFeeSink, PubKeyReader } from "./expected-keepers";
import {
  CLOSING_QUEUE_PREFIX,
  ESCROW_PREFIX,
  FEES_PENDING_KEY,
  FEES_SWEPT_KEY,
  INDEX_VALUE,
  METERING_STORE_PREFIX,
  NEXT_ID_KEY,
  PARAMS_KEY,
  USAGE_PREFIX,
  closingQueueKey,
  consumerIndexKey,
  escrowKey,
  modelIndexKey,
  payerEpochPrefix,
  payerKey,
  usageEpochPrefix,
  usageKey,
} from "./keys";
import { BPS_DENOMINATOR, DEFAULT_METERING_PARAMS } from "./params";

export { Escrow, EscrowStatus, Params, UsageRecord };

/** Module account holding the escrowed deposits. */
export const METERING_ESCROW_ACCOUNT = "metering";
/**
 * Module account receiving protocol fees during an epoch. At each epoch's end they are swept to
 * the community pool (the distribution module), until a rewards module distributes them by usage;
 * without a fee sink they stay here (see docs/models.md).
 */
export const METERING_FEES_ACCOUNT = "metering_fees";
/** Gas for verifying a voucher signature (the SDK's secp256k1 signature verification cost). */
export const VOUCHER_VERIFY_GAS = 1000n;

const usoa = (amount: bigint) => ({ denom: BASE_DENOM, amount: amount.toString() });
const amountOf = (c: { amount: string } | undefined) => BigInt(c?.amount ?? "0");

const MAX_U64 = (1n << 64n) - 1n;

/**
 * Any non-zero payment pays at least 1 usoa of protocol fee (when the fee rate is not zero): the
 * rounded-down fee of a payment below 10000 / protocol_fee_bps usoa is 0, so a wash of many small
 * payments (or claims) would pay no fee at all while its usage counts for rewards.
 */
function withFeeFloor(paid: bigint, bps: bigint, fee: bigint): bigint {
  return paid > 0n && bps > 0n && fee < 1n ? 1n : fee;
}

/**
 * Escrows, voucher claims, direct payments and per-epoch usage records. Reaches the registry,
 * bank, accounts and the epoch clock only through their small interfaces.
 */
export class MeteringKeeper {
  private feeSink: ProtocolFeeSink | undefined;
  private claimWindow: ClaimWindow | undefined;

  constructor(
    private readonly bank: MeteringBank,
    private readonly accounts: PubKeyReader,
    private readonly registry: ModelDirectory,
    private readonly epochs: EpochClock,
  ) {}

  /**
   * The oldest epoch whose rewards can still be claimed (the rewards module): usage records of
   * earlier epochs are pruned. Unset, usage records are kept.
   */
  setClaimWindow(w: ClaimWindow): void {
    this.claimWindow = w;
  }

  /** Sweeps protocol fees to a community pool at each epoch's end (wired by the module manager). */
  setProtocolFeeSink(sink: ProtocolFeeSink): void {
    this.feeSink = sink;
  }

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, METERING_STORE_PREFIX);
  }

  // ---- params, records ------------------------------------------------------------------------

  getParams(root: KVStore): Params {
    const raw = this.store(root).get(PARAMS_KEY);
    return raw ? Params.decode(raw) : DEFAULT_METERING_PARAMS;
  }

  setParams(root: KVStore, params: Params): void {
    this.store(root).set(PARAMS_KEY, Params.encode(params).finish());
  }

  getNextEscrowId(root: KVStore): bigint {
    const raw = this.store(root).get(NEXT_ID_KEY);
    return raw ? readU64be(raw) : 1n;
  }

  setNextEscrowId(root: KVStore, id: bigint): void {
    this.store(root).set(NEXT_ID_KEY, u64be(id));
  }

  getEscrow(root: KVStore, id: bigint): Escrow | undefined {
    const raw = this.store(root).get(escrowKey(id));
    return raw ? Escrow.decode(raw) : undefined;
  }

  mustGetEscrow(root: KVStore, id: bigint): Escrow {
    const e = this.getEscrow(root, id);
    if (!e) throw MeteringErrors.EscrowNotFound.wrap(`escrow ${id}`);
    return e;
  }

  private setEscrow(root: KVStore, e: Escrow): void {
    this.store(root).set(escrowKey(e.id), Escrow.encode(e).finish());
  }

  /** Imports an escrow (genesis): record, indexes and closing queue entry. */
  importEscrow(root: KVStore, e: Escrow): void {
    this.setEscrow(root, e);
    const store = this.store(root);
    store.set(consumerIndexKey(decodeAddress(e.consumer), e.id), INDEX_VALUE);
    store.set(modelIndexKey(e.modelId, e.id), INDEX_VALUE);
    if (e.status === EscrowStatus.ESCROW_STATUS_CLOSING) store.set(closingQueueKey(BigInt(e.graceEndHeight), e.id), INDEX_VALUE);
    queueClosedEscrow(root, e);
  }

  allEscrows(root: KVStore): Escrow[] {
    return this.store(root)
      .range(Uint8Array.of(ESCROW_PREFIX), Uint8Array.of(ESCROW_PREFIX + 1))
      .map(([, v]) => Escrow.decode(v));
  }

  getUsage(root: KVStore, modelId: bigint, epoch: bigint): UsageRecord | undefined {
    const raw = this.store(root).get(usageKey(epoch, modelId));
    return raw ? UsageRecord.decode(raw) : undefined;
  }

  /** Usage of a model in an epoch; a zero record if there was none. */
  usageOrZero(root: KVStore, modelId: bigint, epoch: bigint): UsageRecord {
    return this.getUsage(root, modelId, epoch) ?? { modelId, epoch, units: 0n, amountPaid: usoa(0n), protocolFees: usoa(0n), payers: 0n, payments: 0n };
  }

  /** Every model's usage in an epoch, in model id order (for the rewards module). */
  usageForEpoch(root: KVStore, epoch: bigint): UsageRecord[] {
    const prefix = usageEpochPrefix(epoch);
    return this.store(root)
      .range(prefix, usageEpochPrefix(epoch + 1n))
      .map(([, v]) => UsageRecord.decode(v));
  }

  allUsage(root: KVStore): UsageRecord[] {
    return this.store(root)
      .range(Uint8Array.of(USAGE_PREFIX), Uint8Array.of(USAGE_PREFIX + 1))
      .map(([, v]) => UsageRecord.decode(v));
  }

  setUsage(root: KVStore, r: UsageRecord): void {
    this.store(root).set(usageKey(r.epoch, r.modelId), UsageRecord.encode(r).finish());
  }

  /** Distinct payers of epochs in progress: (epoch, model id, payer address). */
  allPayerMarks(root: KVStore): Array<{ epoch: bigint; modelId: bigint; payer: string }> {
    return this.store(root)
      .range(payerEpochPrefix(0n), Uint8Array.of(0x08))
      .map(([k]) => ({ epoch: readU64be(k, 1), modelId: readU64be(k, 9), payer: encodeAddress(k.subarray(18, 18 + k[17])) }));
  }

  importPayerMark(root: KVStore, epoch: bigint, modelId: bigint, payer: string): void {
    this.store(root).set(payerKey(epoch, modelId, decodeAddress(payer)), INDEX_VALUE);
  }

  private getAmount(root: KVStore, key: Uint8Array): bigint {
    const raw = this.store(root).get(key);
    return raw ? BigInt(new TextDecoder().decode(raw)) : 0n;
  }

  private setAmount(root: KVStore, key: Uint8Array, amount: bigint): void {
    if (amount === 0n) this.store(root).delete(key);
    else this.store(root).set(key, new TextEncoder().encode(amount.toString()));
  }

  /** Protocol fees held in METERING_FEES_ACCOUNT, not yet swept. */
  getFeesPending(root: KVStore): bigint {
    return this.getAmount(root, FEES_PENDING_KEY);
  }

  /** Protocol fees swept to the community pool so far. */
  getFeesSwept(root: KVStore): bigint {
    return this.getAmount(root, FEES_SWEPT_KEY);
  }

  setFeeTotals(root: KVStore, pending: bigint, swept: bigint): void {
    this.setAmount(root, FEES_PENDING_KEY, pending);
    this.setAmount(root, FEES_SWEPT_KEY, swept);
  }

  escrowAccountBalance(root: KVStore): bigint {
    return this.bank.getBalance(root, moduleAddress(METERING_ESCROW_ACCOUNT), BASE_DENOM);
  }

  feeAccountBalance(root: KVStore): bigint {
    return this.bank.getBalance(root, moduleAddress(METERING_FEES_ACCOUNT), BASE_DENOM);
  }

  // ---- shared steps ---------------------------------------------------------------------------

  private mustGetModel(root: KVStore, id: bigint): MeteringModel {
    return this.registry.mustGetModel(root, id);
  }

  private requireActive(model: MeteringModel): void {
    if (model.status !== ModelStatus.MODEL_STATUS_ACTIVE) {
      throw MeteringErrors.ModelNotActive.wrap(`model ${model.id} is ${ModelStatus[model.status] ?? model.status}`);
    }
  }

  private checkExpiry(ctx: Context, expiry: bigint): void {
    const height = BigInt(ctx.block.height);
    const max = this.getParams(ctx.store).maxEscrowDuration;
    if (expiry <= height) throw MeteringErrors.InvalidExpiry.wrap(`expiry_height ${expiry} is not after the current height ${height}`);
    if (expiry - height > max) throw MeteringErrors.InvalidExpiry.wrap(`expiry_height ${expiry} is more than max_escrow_duration (${max}) blocks ahead of ${height}`);
  }

  /** fee = floor(amount x protocol_fee_bps / 10000), at least 1 usoa on a non-zero payment. */
  protocolFee(root: KVStore, amount: bigint): bigint {
    const bps = BigInt(this.getParams(root).protocolFeeBps);
    return withFeeFloor(amount, bps, (amount * bps) / BPS_DENOMINATOR);
  }

  /** Moves `fee` from `from` into the fee account, where it waits for the end of the epoch. */
  private collectFee(ctx: Context, from: Uint8Array, fee: bigint): void {
    if (fee === 0n) return;
    this.bank.sendToModule(ctx.store, ctx.events, from, METERING_FEES_ACCOUNT, [{ denom: BASE_DENOM, amount: fee }]);
    this.setAmount(ctx.store, FEES_PENDING_KEY, this.getFeesPending(ctx.store) + fee);
  }

  /** Adds a payment to the usage record of the model in the current epoch. */
  private recordUsage(ctx: Context, modelId: bigint, payer: Uint8Array, units: bigint, amount: bigint, fee: bigint): bigint {
    const epoch = this.epochs.currentEpoch(ctx.store);
    const r = this.usageOrZero(ctx.store, modelId, epoch);
    // The tally saturates rather than failing: units of a direct payment are the payer's own
    // figure, so a failure here would let anyone send 2^64 - 1 units for 1 usoa and make every
    // later claim on the model fail for the rest of the epoch (and a consumer keep its escrow).
    const totalUnits = r.units + units > MAX_U64 ? MAX_U64 : r.units + units;
    const store = this.store(ctx.store);
    const mark = payerKey(epoch, modelId, payer);
    let payers = r.payers;
    if (!store.has(mark)) {
      store.set(mark, INDEX_VALUE);
      payers += 1n;
    }
    this.setUsage(ctx.store, {
      modelId,
      epoch,
      units: totalUnits,
      amountPaid: usoa(amountOf(r.amountPaid) + amount),
      protocolFees: usoa(amountOf(r.protocolFees) + fee),
      payers,
      payments: r.payments + 1n,
    });
    return epoch;
  }

  /** Refunds what is left of an escrow to its consumer and marks it CLOSED. Returns the refund. */
  private finalize(ctx: Context, e: Escrow, reason: string): bigint {
    const remaining = amountOf(e.deposit) - amountOf(e.claimed);
    if (remaining > 0n) {
      this.bank.sendFromModule(ctx.store, ctx.events, METERING_ESCROW_ACCOUNT, decodeAddress(e.consumer), [{ denom: BASE_DENOM, amount: remaining }]);
    }
    if (e.status === EscrowStatus.ESCROW_STATUS_CLOSING) this.store(ctx.store).delete(closingQueueKey(BigInt(e.graceEndHeight), e.id));
    const closed = { ...e, status: EscrowStatus.ESCROW_STATUS_CLOSED, refunded: usoa(remaining), closedHeight: BigInt(ctx.block.height) };
    this.setEscrow(ctx.store, closed);
    queueClosedEscrow(ctx.store, closed);
    ctx.events.emit(MeteringEvents.CloseEscrow, { [A.EscrowId]: e.id.toString(), [A.Consumer]: e.consumer, [A.Refunded]: `${remaining}${BASE_DENOM}`, [A.Reason]: reason });
    return remaining;
  }

  // ---- message logic (inputs already passed validateBasic) ------------------------------------

  /**
   * `provider` ("" = unbound) binds the escrow to one of the model's providers: only it may claim
   * or provider-close, so one cumulative voucher cannot be served by two operators.
   */
  openEscrow(ctx: Context, consumer: string, modelId: bigint, deposit: bigint, expiry: bigint, provider = ""): bigint {
    const model = this.mustGetModel(ctx.store, modelId);
    this.requireActive(model);
    if (provider !== "" && !this.registry.isOwnerOrOperator(model, provider)) {
      throw SdkErrors.InvalidRequest.wrap(`provider ${provider} is neither the owner nor an operator of model ${model.id}`);
    }
    this.checkExpiry(ctx, expiry);
    const consumerBytes = decodeAddress(consumer);
    this.bank.sendToModule(ctx.store, ctx.events, consumerBytes, METERING_ESCROW_ACCOUNT, [{ denom: BASE_DENOM, amount: deposit }]);
    const id = this.getNextEscrowId(ctx.store);
    this.setNextEscrowId(ctx.store, id + 1n);
    const height = BigInt(ctx.block.height);
    this.importEscrow(ctx.store, {
      id,
      consumer,
      modelId,
      deposit: usoa(deposit),
      claimed: usoa(0n),
      claimedUnits: 0n,
      expiryHeight: expiry,
      status: EscrowStatus.ESCROW_STATUS_OPEN,
      createdHeight: height,
      graceEndHeight: 0n,
      refunded: usoa(0n),
      closedHeight: 0n,
      provider,
    });
    ctx.events.emit(MeteringEvents.OpenEscrow, {
      [A.EscrowId]: id.toString(),
      [A.Consumer]: consumer,
      [A.ModelId]: modelId.toString(),
      [A.Deposit]: `${deposit}${BASE_DENOM}`,
      [A.ExpiryHeight]: expiry.toString(),
      ...(provider === "" ? {} : { [A.Provider]: provider })});
    return id;
  }

  topUpEscrow(ctx: Context, consumer: string, id: bigint, amount: bigint, newExpiry: bigint): void {
    const e = this.mustGetEscrow(ctx.store, id);
    if (e.consumer !== consumer) throw SdkErrors.Unauthorized.wrap(`${consumer} is not the consumer of escrow ${id}`);
    if (e.status === EscrowStatus.ESCROW_STATUS_CLOSED) throw MeteringErrors.EscrowClosed.wrap(`escrow ${id}`);
    if (e.status !== EscrowStatus.ESCROW_STATUS_OPEN) throw MeteringErrors.EscrowNotOpen.wrap(`escrow ${id} is closing`);
    this.requireActive(this.mustGetModel(ctx.store, e.modelId));
    let expiry = e.expiryHeight;
    if (newExpiry !== 0n) {
      if (newExpiry < e.expiryHeight) throw MeteringErrors.InvalidExpiry.wrap(`new_expiry_height ${newExpiry} is before the current expiry ${e.expiryHeight}`);
      this.checkExpiry(ctx, newExpiry);
      expiry = newExpiry;
    }
    if (amount > 0n) {
      this.bank.sendToModule(ctx.store, ctx.events, decodeAddress(consumer), METERING_ESCROW_ACCOUNT, [{ denom: BASE_DENOM, amount }]);
    }
    this.setEscrow(ctx.store, { ...e, deposit: usoa(amountOf(e.deposit) + amount), expiryHeight: expiry });
    ctx.events.emit(MeteringEvents.TopUpEscrow, { [A.EscrowId]: id.toString(), [A.Consumer]: consumer, [A.Amount]: `${amount}${BASE_DENOM}`, [A.ExpiryHeight]: expiry.toString() });
  }

  /** Redeems a voucher. Returns what it paid, the fee and the unit increment. */
  claim(ctx: Context, provider: string, v: Voucher, signature: Uint8Array, kind: VoucherSignatureKind = "raw"): { paid: bigint; fee: bigint; units: bigint; epoch: bigint } {
    if (v.chainId !== ctx.block.chainId) throw MeteringErrors.WrongChain.wrap(`voucher chain_id "${v.chainId}", this chain is "${ctx.block.chainId}"`);
    const e = this.mustGetEscrow(ctx.store, v.escrowId);
    if (e.status === EscrowStatus.ESCROW_STATUS_CLOSED) throw MeteringErrors.EscrowClosed.wrap(`escrow ${e.id} was closed at height ${e.closedHeight}`);
    const model = this.mustGetModel(ctx.store, e.modelId);
    if (!this.registry.isOwnerOrOperator(model, provider)) {
      throw SdkErrors.Unauthorized.wrap(`${provider} is neither the owner nor an operator of model ${model.id}`);
    }
    if (e.provider !== "" && e.provider !== provider) {
      throw SdkErrors.Unauthorized.wrap(`escrow ${e.id} is bound to provider ${e.provider}, not ${provider}`);
    }
    const consumerKey = this.accounts.getAccount(ctx.store, decodeAddress(e.consumer))?.pubKey;
    if (!consumerKey) throw MeteringErrors.ConsumerKeyUnknown.wrap(`account ${e.consumer} has no public key`);
    ctx.gasMeter.consume(VOUCHER_VERIFY_GAS, "voucher signature");
    let signBytes: Uint8Array;
    try {
      // The ADR-036 kind signs a sign doc naming the escrow's consumer as the signer.
      signBytes = kind === "adr036" ? adr036SignBytes(v, e.consumer) : voucherSignBytes(v);
    } catch (err) {
      throw MeteringErrors.InvalidVoucher.wrap((err as Error).message);
    }
    if (!verifySecp256k1(consumerKey, signBytes, signature)) {
      throw MeteringErrors.InvalidVoucherSignature.wrap(`escrow ${e.id}, consumer ${e.consumer}`);
    }
    const claimed = amountOf(e.claimed);
    const deposit = amountOf(e.deposit);
    if (v.cumulativeAmount <= claimed) {
      throw MeteringErrors.VoucherNotNewer.wrap(`cumulative_amount ${v.cumulativeAmount} <= already claimed ${claimed}`);
    }
    if (v.cumulativeUnits < e.claimedUnits) {
      throw MeteringErrors.VoucherNotNewer.wrap(`cumulative_units ${v.cumulativeUnits} < already claimed ${e.claimedUnits}`);
    }
    if (v.cumulativeAmount > deposit) {
      throw MeteringErrors.VoucherExceedsDeposit.wrap(`cumulative_amount ${v.cumulativeAmount} > deposit ${deposit}`);
    }
    const paid = v.cumulativeAmount - claimed;
    const units = v.cumulativeUnits - e.claimedUnits;
    // The fee on the cumulative amount, less the fee on what was claimed: the same total however
    // the provider splits its claims (rounding each increment down let many small claims pay none).
    const bps = BigInt(this.getParams(ctx.store).protocolFeeBps);
    const fee = withFeeFloor(paid, bps, (v.cumulativeAmount * bps) / BPS_DENOMINATOR - (claimed * bps) / BPS_DENOMINATOR);
    const escrowAccount = moduleAddress(METERING_ESCROW_ACCOUNT);
    if (paid - fee > 0n) {
      this.bank.sendFromModule(ctx.store, ctx.events, METERING_ESCROW_ACCOUNT, decodeAddress(model.owner), [{ denom: BASE_DENOM, amount: paid - fee }]);
    }
    this.collectFee(ctx, escrowAccount, fee);
    this.setEscrow(ctx.store, { ...e, claimed: usoa(v.cumulativeAmount), claimedUnits: v.cumulativeUnits });
    const epoch = this.recordUsage(ctx, model.id, decodeAddress(e.consumer), units, paid, fee);
    ctx.events.emit(MeteringEvents.ClaimUsage, {
      [A.EscrowId]: e.id.toString(),
      [A.ModelId]: model.id.toString(),
      [A.Provider]: provider,
      [A.Owner]: model.owner,
      [A.Consumer]: e.consumer,
      [A.Units]: units.toString(),
      [A.Paid]: `${paid}${BASE_DENOM}`,
      [A.ProtocolFee]: `${fee}${BASE_DENOM}`,
      [A.CumulativeUnits]: v.cumulativeUnits.toString(),
      [A.CumulativeAmount]: v.cumulativeAmount.toString(),
      [A.Epoch]: epoch.toString()});
    return { paid, fee, units, epoch };
  }

  /** Provider: closes now and refunds. Consumer: after expiry, starts the claim grace period. */
  closeEscrow(ctx: Context, sender: string, id: bigint): bigint {
    const e = this.mustGetEscrow(ctx.store, id);
    if (e.status === EscrowStatus.ESCROW_STATUS_CLOSED) throw MeteringErrors.EscrowClosed.wrap(`escrow ${id} was closed at height ${e.closedHeight}`);
    const model = this.mustGetModel(ctx.store, e.modelId);
    // A bound escrow is closed early only by its provider: another operator closing it would
    // refund the consumer before the bound provider claims what it served.
    if (this.registry.isOwnerOrOperator(model, sender) && (e.provider === "" || e.provider === sender)) return this.finalize(ctx, e, "provider");
    if (sender !== e.consumer) throw SdkErrors.Unauthorized.wrap(`${sender} is neither the consumer nor a provider of escrow ${id}`);
    if (e.status !== EscrowStatus.ESCROW_STATUS_OPEN) throw MeteringErrors.EscrowNotOpen.wrap(`escrow ${id} is already closing until height ${e.graceEndHeight}`);
    const height = BigInt(ctx.block.height);
    if (height <= e.expiryHeight) throw MeteringErrors.EscrowNotExpired.wrap(`escrow ${id} expires after height ${e.expiryHeight}; current height ${height}`);
    const graceEnd = height + this.getParams(ctx.store).claimGrace;
    this.setEscrow(ctx.store, { ...e, status: EscrowStatus.ESCROW_STATUS_CLOSING, graceEndHeight: graceEnd });
    this.store(ctx.store).set(closingQueueKey(graceEnd, id), INDEX_VALUE);
    ctx.events.emit(MeteringEvents.CloseEscrowRequested, { [A.EscrowId]: id.toString(), [A.Consumer]: e.consumer, [A.GraceEndHeight]: graceEnd.toString() });
    return 0n;
  }

  payForUsage(ctx: Context, consumer: string, modelId: bigint, units: bigint, amount: bigint): { fee: bigint; epoch: bigint } {
    const model = this.mustGetModel(ctx.store, modelId);
    this.requireActive(model);
    const fee = this.protocolFee(ctx.store, amount);
    const from = decodeAddress(consumer);
    const balance = this.bank.getBalance(ctx.store, from, BASE_DENOM);
    if (balance < amount) throw SdkErrors.InsufficientFunds.wrap(`spendable balance ${balance}${BASE_DENOM} is smaller than ${amount}${BASE_DENOM}`);
    if (amount - fee > 0n) this.bank.send(ctx.store, ctx.events, from, decodeAddress(model.owner), [{ denom: BASE_DENOM, amount: amount - fee }]);
    this.collectFee(ctx, from, fee);
    const epoch = this.recordUsage(ctx, modelId, from, units, amount, fee);
    ctx.events.emit(MeteringEvents.PayForUsage, {
      [A.ModelId]: modelId.toString(),
      [A.Consumer]: consumer,
      [A.Owner]: model.owner,
      [A.Units]: units.toString(),
      [A.Paid]: `${amount}${BASE_DENOM}`,
      [A.ProtocolFee]: `${fee}${BASE_DENOM}`,
      [A.Epoch]: epoch.toString()});
    return { fee, epoch };
  }

  // ---- block and epoch hooks ------------------------------------------------------------------

  /**
   * End of block: refunds the escrows whose claim grace ends at this height (only the due entries
   * of the closing queue are read: keys sort by height), then prunes at most prune_per_block
   * entries (prune.ts).
   */
  endBlock(ctx: Context): void {
    this.refundDue(ctx);
    // After the refunds: an escrow closed in this block is queued before the pruning runs.
    const floor = this.claimWindow ? this.claimWindow.oldestOpenEpoch(ctx.store) : 0n;
    const current = this.epochs.currentEpoch(ctx.store);
    pruneMetering(ctx.store, BigInt(ctx.block.height), this.getParams(ctx.store), floor < current ? floor : current);
  }

  private refundDue(ctx: Context): void {
    const store = this.store(ctx.store);
    const end = concatBytes(Uint8Array.of(CLOSING_QUEUE_PREFIX), u64be(BigInt(ctx.block.height) + 1n));
    for (const [key] of store.range(Uint8Array.of(CLOSING_QUEUE_PREFIX), end)) {
      const e = this.getEscrow(ctx.store, readU64be(key, 9));
      store.delete(key);
      if (e && e.status === EscrowStatus.ESCROW_STATUS_CLOSING) this.finalize(ctx, e, "grace_period_ended");
    }
  }

  /**
   * End of an epoch: summarises each model's usage in an event (what the rewards module reads),
   * drops the epoch's distinct-payer marks (they only served to count payers), and sweeps the
   * protocol fees held in METERING_FEES_ACCOUNT to the community pool.
   */
  endEpoch(ctx: Context, epoch: bigint): void {
    const pending = this.getFeesPending(ctx.store);
    if (this.feeSink && pending > 0n) {
      this.feeSink.fundCommunityPool(ctx, METERING_FEES_ACCOUNT, [{ denom: BASE_DENOM, amount: pending }]);
      this.setFeeTotals(ctx.store, 0n, this.getFeesSwept(ctx.store) + pending);
      ctx.events.emit(MeteringEvents.ProtocolFeesSwept, { [A.Epoch]: epoch.toString(), [A.Amount]: `${pending}${BASE_DENOM}`, [A.To]: "community_pool" });
    }
    for (const r of this.usageForEpoch(ctx.store, epoch)) {
      ctx.events.emit(MeteringEvents.ModelUsage, {
        [A.ModelId]: r.modelId.toString(),
        [A.Epoch]: epoch.toString(),
        [A.Units]: r.units.toString(),
        [A.AmountPaid]: `${amountOf(r.amountPaid)}${BASE_DENOM}`,
        [A.ProtocolFees]: `${amountOf(r.protocolFees)}${BASE_DENOM}`,
        [A.Payers]: r.payers.toString(),
        [A.Payments]: r.payments.toString()});
    }
    const store = this.store(ctx.store);
    for (const [key] of store.range(payerEpochPrefix(epoch), payerEpochPrefix(epoch + 1n))) store.delete(key);
  }

  // ---- invariants -----------------------------------------------------------------------------

  /**
   * - the escrow account holds exactly the open and closing escrows' remaining deposits;
   * - no escrow has paid more than its deposit; a closed one has paid out claims + refund = deposit;
   * - the fee account holds exactly the pending fees; recorded fees = pending + swept;
   * - the closing queue lists exactly the closing escrows.
   */
  checkInvariants(root: KVStore): string[] {
    const problems: string[] = [];
    let remaining = 0n;
    let closing = 0;
    for (const e of this.allEscrows(root)) {
      const deposit = amountOf(e.deposit);
      const claimed = amountOf(e.claimed);
      const refunded = amountOf(e.refunded);
      if (claimed > deposit) problems.push(`metering: escrow ${e.id} claimed ${claimed} > deposit ${deposit}`);
      if (e.status === EscrowStatus.ESCROW_STATUS_CLOSED) {
        if (claimed + refunded !== deposit) problems.push(`metering: closed escrow ${e.id}: claimed ${claimed} + refunded ${refunded} != deposit ${deposit}`);
      } else {
        if (refunded !== 0n) problems.push(`metering: escrow ${e.id} is not closed but refunded ${refunded}`);
        remaining += deposit - claimed;
      }
      if (e.status === EscrowStatus.ESCROW_STATUS_CLOSING) {
        closing++;
        if (!this.store(root).has(closingQueueKey(BigInt(e.graceEndHeight), e.id))) problems.push(`metering: closing escrow ${e.id} is not queued`);
      }
    }
    const queued = this.store(root).range(Uint8Array.of(CLOSING_QUEUE_PREFIX), Uint8Array.of(CLOSING_QUEUE_PREFIX + 1)).length;
    if (queued !== closing) problems.push(`metering: closing queue has ${queued} entries for ${closing} closing escrows`);
    const balance = this.escrowAccountBalance(root);
    if (balance !== remaining) problems.push(`metering: escrow account holds ${balance}${BASE_DENOM} but open escrows hold ${remaining}${BASE_DENOM}`);
    let fees = 0n;
    for (const r of this.allUsage(root)) fees += amountOf(r.protocolFees);
    const pending = this.getFeesPending(root);
    const swept = this.getFeesSwept(root);
    const held = this.feeAccountBalance(root);
    if (held !== pending) problems.push(`metering: fee account holds ${held}${BASE_DENOM} but ${pending}${BASE_DENOM} of fees are pending`);
    fees += prunedUsageFees(root);
    if (fees !== pending + swept) problems.push(`metering: usage records (kept and pruned) ${fees}${BASE_DENOM} of protocol fees but pending + swept = ${pending + swept}${BASE_DENOM}`);
    return problems;
  }
}
