import {
  MsgCancelProposal,
  MsgDeposit,
  MsgSubmitProposal,
  MsgUpdateParams,
  MsgVote,
  MsgVoteWeighted,
} from "cosmjs-types/cosmos/gov/v1/tx";
import { Params, Proposal, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryParamsRequest, QueryParamsResponse, QueryProposalRequest, QueryProposalResponse } from "cosmjs-types/cosmos/gov/v1/query";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { encodeAddress, moduleAddress } from "../../src/types/address";
import type { Driver } from "./driver";
import { query } from "./pos";

export { VoteOption };

export const GOV_AUTHORITY = encodeAddress(moduleAddress("gov"));
const Q = "/cosmos.gov.v1.Query/";

const coins = (amount: bigint | Array<{ denom: string; amount: string }>, denom = "usoa") =>
  typeof amount === "bigint" ? (amount === 0n ? [] : [{ denom, amount: amount.toString() }]) : amount;

export function msgSubmitProposal(
  proposer: string,
  messages: Any[],
  deposit: bigint | Array<{ denom: string; amount: string }>,
  o: Partial<{ title: string; summary: string; metadata: string; expedited: boolean }> = {},
): Any {
  return {
    typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
    value: MsgSubmitProposal.encode({
      messages,
      initialDeposit: coins(deposit),
      proposer,
      metadata: o.metadata ?? "",
      title: o.title ?? "a proposal",
      summary: o.summary ?? "what it does",
      expedited: o.expedited ?? false,
    }).finish(),
  };
}

export function msgDeposit(depositor: string, proposalId: bigint, amount: bigint | Array<{ denom: string; amount: string }>, denom = "usoa"): Any {
  return { typeUrl: "/cosmos.gov.v1.MsgDeposit", value: MsgDeposit.encode({ proposalId, depositor, amount: coins(amount, denom) }).finish() };
}

export function msgVote(voter: string, proposalId: bigint, option: VoteOption, metadata = ""): Any {
  return { typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.encode({ proposalId, voter, option, metadata }).finish() };
}

export function msgVoteWeighted(voter: string, proposalId: bigint, options: Array<[VoteOption, string]>): Any {
  return {
    typeUrl: "/cosmos.gov.v1.MsgVoteWeighted",
    value: MsgVoteWeighted.encode({ proposalId, voter, options: options.map(([option, weight]) => ({ option, weight })), metadata: "" }).finish(),
  };
}

export function msgCancelProposal(proposer: string, proposalId: bigint): Any {
  return { typeUrl: "/cosmos.gov.v1.MsgCancelProposal", value: MsgCancelProposal.encode({ proposalId, proposer }).finish() };
}

export function msgUpdateGovParams(params: Params, authority = GOV_AUTHORITY): Any {
  return { typeUrl: "/cosmos.gov.v1.MsgUpdateParams", value: MsgUpdateParams.encode({ authority, params }).finish() };
}

export function govParams(d: Driver): Params {
  return query(d, Q + "Params", QueryParamsRequest, { paramsType: "" }, QueryParamsResponse).params!;
}

export function proposal(d: Driver, id: bigint): Proposal {
  return query(d, Q + "Proposal", QueryProposalRequest, { proposalId: id }, QueryProposalResponse).proposal!;
}
