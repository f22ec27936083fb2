/**
 * Gov genesis, in the SDK's v1 GenesisState shape: starting_proposal_id, params, proposals,
 * deposits, votes (constitution is accepted and ignored). Proposal messages are exported as
 * {type_url, value (base64)}: the app does not keep a JSON form of every message type.
 */
import { Deposit, Proposal, ProposalStatus, Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import { decodeAddress, moduleAddress } from "../../types/address";
import { addCoins, coinsFromProto } from "../../types/coins";
import { arr, obj, optional, str, u64 } from "../../types/genesis-json";
import { snakeKeys } from "../../types/json";
import type { Context } from "../../framework/module";
import { GOV_MODULE, GovKeeper } from "./keeper";
import { DEFAULT_GOV_PARAMS, paramsFromJson, paramsToJson } from "./params";
import { GOV_STORE_PREFIX, INACTIVE_QUEUE_PREFIX, ACTIVE_QUEUE_PREFIX, QUEUE_VALUE, depositKey, queueKey, voteKey } from "./keys";
import { PrefixStore } from "../../store/kv";
import { timestampToNs } from "./keeper";

/** snake_case keys to the lowerCamelCase that cosmjs-types' fromJSON reads. */
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = camelKeys(v);
    return out;
  }
  return value;
}

export function defaultGovGenesis(): Record<string, unknown> {
  return { starting_proposal_id: "1", deposits: [], votes: [], proposals: [], params: paramsToJson(DEFAULT_GOV_PARAMS), constitution: "" };
}

export function initGovGenesis(keeper: GovKeeper, ctx: Context, genesis: unknown): void {
  const g = obj(genesis ?? {}, "gov");
  const params = g.params === undefined ? DEFAULT_GOV_PARAMS : paramsFromJson(g.params, "gov.params");
  try {
    keeper.checkParamsState(params);
  } catch (e) {
    throw new Error(`gov.params: ${(e as Error).message}`);
  }
  keeper.setParams(ctx.store, params);
  keeper.ensureModuleAccount(ctx.store);
  const start = g.starting_proposal_id === undefined ? 1n : u64(g.starting_proposal_id, "gov.starting_proposal_id");
  if (start === 0n) throw new Error("gov.starting_proposal_id: must be at least 1");
  const store = new PrefixStore(ctx.store, GOV_STORE_PREFIX);
  const ids = new Map<bigint, Proposal>();
  arr(g.proposals ?? [], "gov.proposals").forEach((raw, i) => {
    const where = `gov.proposals[${i}]`;
    const p = Proposal.fromJSON(camelKeys(obj(raw, where)));
    if (p.id === 0n || p.id >= start) throw new Error(`${where}.id: must be between 1 and starting_proposal_id - 1 (${start - 1n})`);
    if (ids.has(p.id)) throw new Error(`${where}.id: duplicate id ${p.id}`);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED || p.status === ProposalStatus.UNRECOGNIZED) throw new Error(`${where}.status: must be set`);
    ids.set(p.id, p);
    keeper.setProposal(ctx.store, p);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) {
      if (!p.depositEndTime) throw new Error(`${where}.deposit_end_time: must be set in the deposit period`);
      store.set(queueKey(INACTIVE_QUEUE_PREFIX, timestampToNs(p.depositEndTime), p.id), QUEUE_VALUE);
    } else if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      if (!p.votingEndTime) throw new Error(`${where}.voting_end_time: must be set in the voting period`);
      store.set(queueKey(ACTIVE_QUEUE_PREFIX, timestampToNs(p.votingEndTime), p.id), QUEUE_VALUE);
    }
  });
  const open = (id: bigint, where: string) => {
    const p = ids.get(id);
    if (!p || (p.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD)) {
      throw new Error(`${where}.proposal_id: proposal ${id} is not listed in its deposit or voting period`);
    }
    return p;
  };
  const held = arr(g.deposits ?? [], "gov.deposits").map((raw, i) => {
    const where = `gov.deposits[${i}]`;
    const d = Deposit.fromJSON(camelKeys(obj(raw, where)));
    open(d.proposalId, where);
    const coins = coinsFromProto(d.amount);
    store.set(depositKey(d.proposalId, decodeAddress(d.depositor, `${where}.depositor`)), Deposit.encode(d).finish());
    return coins;
  });
  arr(g.votes ?? [], "gov.votes").forEach((raw, i) => {
    const where = `gov.votes[${i}]`;
    const v = Vote.fromJSON(camelKeys(obj(raw, where)));
    if (open(v.proposalId, where).status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) throw new Error(`${where}: proposal ${v.proposalId} is not in its voting period`);
    store.set(voteKey(v.proposalId, decodeAddress(v.voter, `${where}.voter`)), Vote.encode(v).finish());
  });
  optional(g.constitution, (c) => str(c, "gov.constitution"));
  keeper.setNextProposalId(ctx.store, start);
  // Deposits are escrowed: the gov account's genesis balance must cover them.
  for (const c of addCoins(...held)) {
    const balance = keeper.balanceOf(ctx.store, moduleAddress(GOV_MODULE), c.denom);
    if (balance < c.amount) throw new Error(`gov.deposits: they sum to ${c.amount}${c.denom} but the gov module account holds ${balance}${c.denom} in bank.balances`);
  }
}

export function exportGovGenesis(keeper: GovKeeper, ctx: Context): Record<string, unknown> {
  const proposals = keeper.allProposals(ctx.store);
  return {
    starting_proposal_id: keeper.getNextProposalId(ctx.store).toString(),
    deposits: proposals.flatMap((p) => keeper.deposits(ctx.store, p.id).map(({ deposit }) => snakeKeys(Deposit.toJSON(deposit)))),
    votes: proposals.flatMap((p) => keeper.votes(ctx.store, p.id).map(({ vote }) => snakeKeys(Vote.toJSON(vote)))),
    proposals: proposals.map((p) => snakeKeys(Proposal.toJSON(p))),
    params: paramsToJson(keeper.getParams(ctx.store)),
    constitution: "",
  };
}
