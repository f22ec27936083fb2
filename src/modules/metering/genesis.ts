import { canonicalAddress } from "../../types/address";
import { checkUsoa, parseAmount } from "../../types/coins";
import { arr, obj, str, u64 } from "../../types/genesis-json";
import { atField, snakeKeys } from "../../types/json";
import type { Context } from "../../framework/module";
import { Escrow, EscrowStatus, Params, UsageRecord } from "../../gen/blockai/metering/v1/metering";
import type { MeteringKeeper } from "./keeper";
import { prunedUsageFees, setPrunedUsageFees } from "./prune";
import { BPS_DENOMINATOR, DEFAULT_METERING_PARAMS, validateMeteringParams } from "./params";

function paramsFromJson(value: unknown): Params {
  const p = obj(value, "metering.params");
  const bps = p.protocol_fee_bps === undefined ? BigInt(DEFAULT_METERING_PARAMS.protocolFeeBps) : u64(p.protocol_fee_bps, "metering.params.protocol_fee_bps");
  // Checked as a bigint first: a u64 must not reach Number() unchecked.
  if (bps > BPS_DENOMINATOR) throw new Error("metering.params.protocol_fee_bps: at most 10000 (100%)");
  const claimGrace = p.claim_grace === undefined ? DEFAULT_METERING_PARAMS.claimGrace : u64(p.claim_grace, "metering.params.claim_grace");
  const maxEscrowDuration =
    p.max_escrow_duration === undefined ? DEFAULT_METERING_PARAMS.maxEscrowDuration : u64(p.max_escrow_duration, "metering.params.max_escrow_duration");
  const d = DEFAULT_METERING_PARAMS;
  const closedEscrowRetention =
    p.closed_escrow_retention === undefined ? d.closedEscrowRetention : u64(p.closed_escrow_retention, "metering.params.closed_escrow_retention");
  const prunePerBlock = p.prune_per_block === undefined ? d.prunePerBlock : u64(p.prune_per_block, "metering.params.prune_per_block");
  for (const k of Object.keys(p)) {
    if (!["protocol_fee_bps", "claim_grace", "max_escrow_duration", "closed_escrow_retention", "prune_per_block"].includes(k)) throw new Error(`metering.params.${k}: unknown parameter`);
  }
  const params = { protocolFeeBps: Number(bps), claimGrace, maxEscrowDuration, closedEscrowRetention, prunePerBlock };
  validateMeteringParams(params);
  return params;
}

function paramsToJson(p: Params) {
  return {
    protocol_fee_bps: p.protocolFeeBps,
    claim_grace: p.claimGrace.toString(),
    max_escrow_duration: p.maxEscrowDuration.toString(),
    closed_escrow_retention: p.closedEscrowRetention.toString(),
    prune_per_block: p.prunePerBlock.toString(),
  };
}

function escrowFromJson(value: unknown, where: string): Escrow {
  const e = Escrow.fromJSON(obj(value, where));
  if (e.id === 0n) throw new Error(`${where}.id: must be > 0`);
  atField(`${where}.consumer`, () => {
    if (canonicalAddress(e.consumer, "consumer") !== e.consumer) throw new Error("not canonical (lowercase) bech32");
  });
  atField(`${where}.provider`, () => {
    if (e.provider !== "" && canonicalAddress(e.provider, "provider") !== e.provider) throw new Error("not canonical (lowercase) bech32");
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

export function defaultMeteringGenesis() {
  return { params: paramsToJson(DEFAULT_METERING_PARAMS), escrows: [], next_escrow_id: "1", usage: [], payers: [], fees_pending: "0", fees_swept: "0", usage_fees_pruned: "0" };
}

export function initMeteringGenesis(keeper: MeteringKeeper, ctx: Context, genesis: unknown): void {
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
  setPrunedUsageFees(ctx.store, amount(g.usage_fees_pruned, "metering.usage_fees_pruned"));
  const problems = keeper.checkInvariants(ctx.store);
  if (problems.length > 0) throw new Error(`metering genesis is inconsistent with bank.balances: ${problems.join("; ")}`);
}

export function exportMeteringGenesis(keeper: MeteringKeeper, ctx: Context) {
  return {
    params: paramsToJson(keeper.getParams(ctx.store)),
    escrows: keeper.allEscrows(ctx.store).map((e) => snakeKeys(Escrow.toJSON(e))),
    next_escrow_id: keeper.getNextEscrowId(ctx.store).toString(),
    usage: keeper.allUsage(ctx.store).map((r) => snakeKeys(UsageRecord.toJSON(r))),
    payers: keeper.allPayerMarks(ctx.store).map((p) => ({ epoch: p.epoch.toString(), model_id: p.modelId.toString(), payer: p.payer })),
    fees_pending: keeper.getFeesPending(ctx.store).toString(),
    fees_swept: keeper.getFeesSwept(ctx.store).toString(),
    usage_fees_pruned: prunedUsageFees(ctx.store).toString(),
  };
}
