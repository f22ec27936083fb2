import { decodeAddress } from "../../types/address";
import { BASE_DENOM, parseAmount } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import { arr, obj, str, u64 } from "../../types/genesis-json";
import type { Context, Module, MsgHandler, QueryHandler } from "../../framework/module";
import { MAX_VOUCHER_AMOUNT, type Voucher } from "../../types/voucher";
import { Escrow, EscrowStatus, Params, UsageRecord } from "../../gen/blockai/metering/v1/metering";
import {
  QueryEscrowRequest,
  QueryEscrowResponse,
  QueryEscrowsByConsumerRequest,
  QueryEscrowsByConsumerResponse,
  QueryEscrowsByModelRequest,
  QueryEscrowsByModelResponse,
  QueryModelUsageRequest,
  QueryModelUsageResponse,
  QueryParamsResponse,
  QueryProtocolFeesResponse,
} from "../../gen/blockai/metering/v1/query";
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
import { KVStore, PrefixStore } from "../../store/kv";
import { atField, snakeKeys } from "../../types/json";
import { paginate } from "../../framework/pagination";
import type { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { canonicalAddress, checkUsoa } from "../registry/validation";
import { DEFAULT_METERING_PARAMS, MeteringErrors, MeteringKeeper } from "./keeper";
import { METERING_STORE_PREFIX, consumerIndexPrefix, modelIndexPrefix, readU64be } from "./keys";

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
  return { chainId: v.chainId, escrowId: v.escrowId, cumulativeUnits: v.cumulativeUnits, cumulativeAmount: amount };
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
    },
    execute(ctx, msg) {
      const id = keeper.openEscrow(ctx, canonicalAddress(msg.consumer, "consumer"), msg.modelId, checkUsoa(msg.deposit, "deposit", false), msg.expiryHeight);
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
      const { paid, fee, units, epoch } = keeper.claim(ctx, canonicalAddress(msg.provider, "provider"), parseClaimVoucher(msg), msg.signature);
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

function paramsFromJson(value: unknown): Params {
  const p = obj(value, "metering.params");
  const bps = p.protocol_fee_bps === undefined ? BigInt(DEFAULT_METERING_PARAMS.protocolFeeBps) : u64(p.protocol_fee_bps, "metering.params.protocol_fee_bps");
  if (bps > 10_000n) throw new Error("metering.params.protocol_fee_bps: at most 10000 (100%)");
  const claimGrace = p.claim_grace === undefined ? DEFAULT_METERING_PARAMS.claimGrace : u64(p.claim_grace, "metering.params.claim_grace");
  const maxEscrowDuration =
    p.max_escrow_duration === undefined ? DEFAULT_METERING_PARAMS.maxEscrowDuration : u64(p.max_escrow_duration, "metering.params.max_escrow_duration");
  if (maxEscrowDuration === 0n) throw new Error("metering.params.max_escrow_duration: must be positive");
  if (claimGrace > MAX_INT64 || maxEscrowDuration > MAX_INT64) throw new Error("metering.params: durations must fit in int64");
  return { protocolFeeBps: Number(bps), claimGrace, maxEscrowDuration };
}

function paramsToJson(p: Params) {
  return { protocol_fee_bps: p.protocolFeeBps, claim_grace: p.claimGrace.toString(), max_escrow_duration: p.maxEscrowDuration.toString() };
}

function escrowFromJson(value: unknown, where: string): Escrow {
  const e = Escrow.fromJSON(obj(value, where));
  if (e.id === 0n) throw new Error(`${where}.id: must be > 0`);
  atField(`${where}.consumer`, () => {
    if (canonicalAddress(e.consumer, "consumer") !== e.consumer) throw new Error("not canonical (lowercase) bech32");
  });
  const deposit = atField(`${where}.deposit`, () => checkUsoa(e.deposit, "deposit", false));
  const claimed = atField(`${where}.claimed`, () => checkUsoa(e.claimed, "claimed", true));
  const refunded = atField(`${where}.refunded`, () => checkUsoa(e.refunded, "refunded", true));
  if (claimed > deposit) throw new Error(`${where}.claimed: exceeds the deposit`);
  if (![EscrowStatus.ESCROW_STATUS_OPEN, EscrowStatus.ESCROW_STATUS_CLOSING, EscrowStatus.ESCROW_STATUS_CLOSED].includes(e.status)) {
    throw new Error(`${where}.status: must be OPEN, CLOSING or CLOSED`);
  }
  if (e.status === EscrowStatus.ESCROW_STATUS_CLOSED ? claimed + refunded !== deposit : refunded !== 0n) {
    throw new Error(`${where}.refunded: must be deposit - claimed when CLOSED, else 0`);
  }
  return e;
}

function usageFromJson(value: unknown, where: string): UsageRecord {
  const r = UsageRecord.fromJSON(obj(value, where));
  atField(`${where}.amount_paid`, () => checkUsoa(r.amountPaid, "amount_paid", true));
  atField(`${where}.protocol_fees`, () => checkUsoa(r.protocolFees, "protocol_fees", true));
  return r;
}

export function createMeteringModule(keeper: MeteringKeeper): Module {
  const q = (path: string, handle: QueryHandler["handle"]): QueryHandler => ({ path: `/blockai.metering.v1.Query/${path}`, handle });
  const meteringStore = (root: KVStore) => new PrefixStore(root, METERING_STORE_PREFIX);
  const page = (root: KVStore, index: Uint8Array, pagination: PageRequest | undefined) => {
    const { items, pagination: p } = paginate(new PrefixStore(meteringStore(root), index), new Uint8Array(), undefined, pagination, (k) => keeper.getEscrow(root, readU64be(k, 0)));
    return { escrows: items, pagination: { nextKey: Buffer.from(p.nextKey), total: p.total } };
  };
  return {
    name: "metering",
    msgs: [openHandler(keeper), topUpHandler(keeper), claimHandler(keeper), closeHandler(keeper), payHandler(keeper)],
    queries: [
      q("Escrow", (ctx, data) => {
        const req = QueryEscrowRequest.decode(data);
        return QueryEscrowResponse.encode({ escrow: keeper.mustGetEscrow(ctx.store, req.escrowId) }).finish();
      }),
      q("EscrowsByConsumer", (ctx, data) => {
        const req = QueryEscrowsByConsumerRequest.decode(data);
        const consumer = decodeAddress(req.consumer, "consumer");
        return QueryEscrowsByConsumerResponse.encode(page(ctx.store, consumerIndexPrefix(consumer), req.pagination)).finish();
      }),
      q("EscrowsByModel", (ctx, data) => {
        const req = QueryEscrowsByModelRequest.decode(data);
        return QueryEscrowsByModelResponse.encode(page(ctx.store, modelIndexPrefix(req.modelId), req.pagination)).finish();
      }),
      q("ModelUsage", (ctx, data) => {
        const req = QueryModelUsageRequest.decode(data);
        return QueryModelUsageResponse.encode({ usage: keeper.usageOrZero(ctx.store, req.modelId, req.epoch) }).finish();
      }),
      q("ProtocolFees", (ctx) =>
        QueryProtocolFeesResponse.encode({ pending: usoa(keeper.getFeesPending(ctx.store)), swept: usoa(keeper.getFeesSwept(ctx.store)) }).finish(),
      ),
      q("Params", (ctx) => QueryParamsResponse.encode({ params: keeper.getParams(ctx.store) }).finish()),
    ],
    defaultGenesis: () => ({ params: paramsToJson(DEFAULT_METERING_PARAMS), escrows: [], next_escrow_id: "1", usage: [], payers: [], fees_pending: "0", fees_swept: "0" }),
    initGenesis(ctx: Context, genesis: unknown) {
      const g = obj(genesis ?? {}, "metering");
      keeper.setParams(ctx.store, g.params === undefined ? DEFAULT_METERING_PARAMS : paramsFromJson(g.params));
      const escrows = arr(g.escrows ?? [], "metering.escrows").map((e, i) => escrowFromJson(e, `metering.escrows[${i}]`));
      const ids = new Set<bigint>();
      let maxId = 0n;
      for (const [i, e] of escrows.entries()) {
        if (ids.has(e.id)) throw new Error(`metering.escrows[${i}].id: duplicate id ${e.id}`);
        ids.add(e.id);
        if (e.id > maxId) maxId = e.id;
      }
      const next = g.next_escrow_id === undefined ? maxId + 1n : u64(g.next_escrow_id, "metering.next_escrow_id");
      if (next <= maxId || next === 0n) throw new Error(`metering.next_escrow_id: must be > every escrow id (${maxId})`);
      keeper.setNextEscrowId(ctx.store, next);
      for (const e of escrows) keeper.importEscrow(ctx.store, e);
      arr(g.usage ?? [], "metering.usage").forEach((r, i) => keeper.setUsage(ctx.store, usageFromJson(r, `metering.usage[${i}]`)));
      arr(g.payers ?? [], "metering.payers").forEach((p, i) => {
        const o = obj(p, `metering.payers[${i}]`);
        const payer = atField(`metering.payers[${i}].payer`, () => canonicalAddress(String(o.payer), "payer"));
        keeper.importPayerMark(ctx.store, u64(o.epoch, `metering.payers[${i}].epoch`), u64(o.model_id, `metering.payers[${i}].model_id`), payer);
      });
      const amount = (v: unknown, where: string) => (v === undefined ? 0n : atField(where, () => parseAmount(str(v, where), where)));
      keeper.setFeeTotals(ctx.store, amount(g.fees_pending, "metering.fees_pending"), amount(g.fees_swept, "metering.fees_swept"));
      const problems = keeper.checkInvariants(ctx.store);
      if (problems.length > 0) throw new Error(`metering genesis is inconsistent with bank.balances: ${problems.join("; ")}`);
    },
    exportGenesis(ctx: Context) {
      return {
        params: paramsToJson(keeper.getParams(ctx.store)),
        escrows: keeper.allEscrows(ctx.store).map((e) => snakeKeys(Escrow.toJSON(e))),
        next_escrow_id: keeper.getNextEscrowId(ctx.store).toString(),
        usage: keeper.allUsage(ctx.store).map((r) => snakeKeys(UsageRecord.toJSON(r))),
        payers: keeper.allPayerMarks(ctx.store).map((p) => ({ epoch: p.epoch.toString(), model_id: p.modelId.toString(), payer: p.payer })),
        fees_pending: keeper.getFeesPending(ctx.store).toString(),
        fees_swept: keeper.getFeesSwept(ctx.store).toString(),
      };
    },
    endBlock(ctx: Context) {
      keeper.endBlock(ctx);
    },
    invariants: (store) => keeper.checkInvariants(store),
  };
}
