import { MsgUpdateParams as MsgUpdateMeteringParams } from "../../gen/blockai/metering/v1/tx";
import type { Params as MeteringParams } from "../../gen/blockai/metering/v1/metering";
import { updateParamsHandler } from "../../framework/params";
import { validateMeteringParams } from "./params";
import { canonicalAddress } from "../../types/address";
import { BASE_DENOM, checkUsoa } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import type { MsgHandler } from "../../framework/module";
import { MAX_VOUCHER_AMOUNT, type Voucher, type VoucherSignatureKind } from "../../types/voucher";
import { SignatureKind } from "../../gen/blockai/metering/v1/metering";
import {
  MsgClaimUsage,
  MsgClaimUsageResponse,
  MsgCloseEscrow,
  MsgCloseEscrowResponse,
  MsgOpenEscrow,
  MsgOpenEscrowResponse,
  MsgPayForUsage,
  MsgPayForUsageResponse,
  MsgTopUpEscrow,
  MsgTopUpEscrowResponse,
} from "../../gen/blockai/metering/v1/tx";
import { MeteringErrors } from "./errors";
import type { MeteringKeeper } from "./keeper";

export const METERING_TYPE_URLS = {
  MsgOpenEscrow: "/blockai.metering.v1.MsgOpenEscrow",
  MsgTopUpEscrow: "/blockai.metering.v1.MsgTopUpEscrow",
  MsgClaimUsage: "/blockai.metering.v1.MsgClaimUsage",
  MsgCloseEscrow: "/blockai.metering.v1.MsgCloseEscrow",
  MsgPayForUsage: "/blockai.metering.v1.MsgPayForUsage",
} as const;

const AMOUNT_RE = /^(0|[1-9][0-9]{0,38})$/;
const MAX_INT64 = (1n << 63n) - 1n;

/** The voucher of a MsgClaimUsage, checked statelessly (metering/7 when malformed). */
export function parseClaimVoucher(msg: MsgClaimUsage): Voucher {
  const v = msg.voucher;
  if (!v) throw MeteringErrors.InvalidVoucher.wrap("voucher is required");
  const chain = new TextEncoder().encode(v.chainId);
  if (chain.length === 0 || chain.length > 255) throw MeteringErrors.InvalidVoucher.wrap(`chain_id must be 1..255 bytes, got ${chain.length}`);
  if (v.escrowId === 0n) throw MeteringErrors.InvalidVoucher.wrap("escrow_id must be set");
  if (!AMOUNT_RE.test(v.cumulativeAmount)) throw MeteringErrors.InvalidVoucher.wrap(`cumulative_amount "${v.cumulativeAmount}" is not a canonical decimal integer`);
  const amount = BigInt(v.cumulativeAmount);
  if (amount > MAX_VOUCHER_AMOUNT) throw MeteringErrors.InvalidVoucher.wrap("cumulative_amount must be < 2^128");
  if (msg.signature.length !== 64) throw MeteringErrors.InvalidVoucherSignature.wrap(`signature must be 64 bytes r||s, got ${msg.signature.length}`);
  claimSignatureKind(msg);
  return { chainId: v.chainId, escrowId: v.escrowId, cumulativeUnits: v.cumulativeUnits, cumulativeAmount: amount };
}

/** The signature kind of a MsgClaimUsage (metering/7 for an unknown one). */
export function claimSignatureKind(msg: MsgClaimUsage): VoucherSignatureKind {
  if (msg.signatureKind === SignatureKind.SIGNATURE_KIND_UNSPECIFIED) return "raw";
  if (msg.signatureKind === SignatureKind.SIGNATURE_KIND_ADR036) return "adr036";
  throw MeteringErrors.InvalidVoucher.wrap(`unknown signature_kind ${msg.signatureKind}`);
}

function checkHeight(h: bigint, field: string): void {
  if (h < 0n || h > MAX_INT64) throw MeteringErrors.InvalidExpiry.wrap(`${field} ${h} is out of range`);
}

const response = (typeUrl: string, value: Uint8Array) => ({ typeUrl: `${typeUrl}Response`, value });
const usoa = (amount: bigint) => ({ denom: BASE_DENOM, amount: amount.toString() });

function openHandler(keeper: MeteringKeeper): MsgHandler<MsgOpenEscrow> {
  return {
    typeUrl: METERING_TYPE_URLS.MsgOpenEscrow,
    codec: MsgOpenEscrow,
    signers: (msg) => [msg.consumer],
    validateBasic(msg) {
      canonicalAddress(msg.consumer, "consumer");
      if (msg.modelId === 0n) throw SdkErrors.InvalidRequest.wrap("model_id must be set");
      checkUsoa(msg.deposit, "deposit", false);
      checkHeight(msg.expiryHeight, "expiry_height");
      if (msg.expiryHeight === 0n) throw MeteringErrors.InvalidExpiry.wrap("expiry_height must be set");
      if (msg.provider !== "") canonicalAddress(msg.provider, "provider");
    },
    execute(ctx, msg) {
      const provider = msg.provider === "" ? "" : canonicalAddress(msg.provider, "provider");
      const id = keeper.openEscrow(ctx, canonicalAddress(msg.consumer, "consumer"), msg.modelId, checkUsoa(msg.deposit, "deposit", false), msg.expiryHeight, provider);
      return response(METERING_TYPE_URLS.MsgOpenEscrow, MsgOpenEscrowResponse.encode({ escrowId: id }).finish());
    },
  };
}

function topUpHandler(keeper: MeteringKeeper): MsgHandler<MsgTopUpEscrow> {
  return {
    typeUrl: METERING_TYPE_URLS.MsgTopUpEscrow,
    codec: MsgTopUpEscrow,
    signers: (msg) => [msg.consumer],
    validateBasic(msg) {
      canonicalAddress(msg.consumer, "consumer");
      if (msg.escrowId === 0n) throw SdkErrors.InvalidRequest.wrap("escrow_id must be set");
      checkHeight(msg.newExpiryHeight, "new_expiry_height");
      const amount = msg.amount ? checkUsoa(msg.amount, "amount", true) : 0n;
      if (amount === 0n && msg.newExpiryHeight === 0n) throw SdkErrors.InvalidRequest.wrap("nothing to do: amount and new_expiry_height are both zero");
    },
    execute(ctx, msg) {
      const amount = msg.amount ? checkUsoa(msg.amount, "amount", true) : 0n;
      keeper.topUpEscrow(ctx, canonicalAddress(msg.consumer, "consumer"), msg.escrowId, amount, msg.newExpiryHeight);
      return response(METERING_TYPE_URLS.MsgTopUpEscrow, MsgTopUpEscrowResponse.encode({}).finish());
    },
  };
}

function claimHandler(keeper: MeteringKeeper): MsgHandler<MsgClaimUsage> {
  return {
    typeUrl: METERING_TYPE_URLS.MsgClaimUsage,
    codec: MsgClaimUsage,
    signers: (msg) => [msg.provider],
    validateBasic(msg) {
      canonicalAddress(msg.provider, "provider");
      parseClaimVoucher(msg);
    },
    execute(ctx, msg) {
      const { paid, fee, units, epoch } = keeper.claim(ctx, canonicalAddress(msg.provider, "provider"), parseClaimVoucher(msg), msg.signature, claimSignatureKind(msg));
      return response(METERING_TYPE_URLS.MsgClaimUsage, MsgClaimUsageResponse.encode({ paid: usoa(paid), protocolFee: usoa(fee), units, epoch }).finish());
    },
  };
}

function closeHandler(keeper: MeteringKeeper): MsgHandler<MsgCloseEscrow> {
  return {
    typeUrl: METERING_TYPE_URLS.MsgCloseEscrow,
    codec: MsgCloseEscrow,
    signers: (msg) => [msg.sender],
    validateBasic(msg) {
      canonicalAddress(msg.sender, "sender");
      if (msg.escrowId === 0n) throw SdkErrors.InvalidRequest.wrap("escrow_id must be set");
    },
    execute(ctx, msg) {
      const refunded = keeper.closeEscrow(ctx, canonicalAddress(msg.sender, "sender"), msg.escrowId);
      return response(METERING_TYPE_URLS.MsgCloseEscrow, MsgCloseEscrowResponse.encode({ refunded: usoa(refunded) }).finish());
    },
  };
}

function payHandler(keeper: MeteringKeeper): MsgHandler<MsgPayForUsage> {
  return {
    typeUrl: METERING_TYPE_URLS.MsgPayForUsage,
    codec: MsgPayForUsage,
    signers: (msg) => [msg.consumer],
    validateBasic(msg) {
      canonicalAddress(msg.consumer, "consumer");
      if (msg.modelId === 0n) throw SdkErrors.InvalidRequest.wrap("model_id must be set");
      checkUsoa(msg.amount, "amount", false);
    },
    execute(ctx, msg) {
      const { fee, epoch } = keeper.payForUsage(ctx, canonicalAddress(msg.consumer, "consumer"), msg.modelId, msg.units, checkUsoa(msg.amount, "amount", false));
      return response(METERING_TYPE_URLS.MsgPayForUsage, MsgPayForUsageResponse.encode({ protocolFee: usoa(fee), epoch }).finish());
    },
  };
}

export function meteringMsgHandlers(keeper: MeteringKeeper): MsgHandler<any>[] {
  return [openHandler(keeper), topUpHandler(keeper), claimHandler(keeper), closeHandler(keeper), payHandler(keeper), updateParamsHandlerOf(keeper)];
}

export function meteringParamsFromMsg(msg: MsgUpdateMeteringParams): MeteringParams {
  const p = msg.params;
  if (!p) throw new Error("params must be set");
  const out: MeteringParams = {
    protocolFeeBps: p.protocolFeeBps,
    claimGrace: p.claimGrace,
    maxEscrowDuration: p.maxEscrowDuration,
    closedEscrowRetention: p.closedEscrowRetention,
    prunePerBlock: p.prunePerBlock,
  };
  validateMeteringParams(out, "params");
  return out;
}

/**
 * The fee applies to payments from the next block; escrows already open keep their expiry (a
 * shorter max_escrow_duration bounds only later opens and extensions).
 */
function updateParamsHandlerOf(keeper: MeteringKeeper): MsgHandler<MsgUpdateMeteringParams> {
  return updateParamsHandler<MsgUpdateMeteringParams, MeteringParams>({
    typeUrl: "/blockai.metering.v1.MsgUpdateParams",
    codec: MsgUpdateMeteringParams,
    read: meteringParamsFromMsg,
    set: (ctx, p) => keeper.setParams(ctx.store, p),
  });
}
