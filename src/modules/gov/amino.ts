/**
 * The gov module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md). Browser-safe.
 * A proposal's messages (v1) and content (v1beta1) are Anys, written {type, value} with the
 * inner message's amino name, so a proposal signs in amino only if each of its messages does.
 */
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import * as v1beta1 from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { MsgCancelProposal, MsgDeposit, MsgSubmitProposal, MsgUpdateParams, MsgVote, MsgVoteWeighted } from "cosmjs-types/cosmos/gov/v1/tx";
import { aminoType, type AminoTable, KEEP, keepAll } from "../../types/amino";

const V1 = "/cosmos.gov.v1.";
const V1B1 = "/cosmos.gov.v1beta1.";
const duration = { kind: "duration", keep: true } as const;

export const GovAmino: AminoTable = {
  [`${V1}MsgSubmitProposal`]: aminoType(`${V1}MsgSubmitProposal`, "cosmos-sdk/v1/MsgSubmitProposal", MsgSubmitProposal, {
    messages: { kind: "any" },
    initialDeposit: KEEP,
  }),
  [`${V1}MsgDeposit`]: aminoType(`${V1}MsgDeposit`, "cosmos-sdk/v1/MsgDeposit", MsgDeposit, keepAll("proposalId", "amount")),
  [`${V1}MsgVote`]: aminoType(`${V1}MsgVote`, "cosmos-sdk/v1/MsgVote", MsgVote, keepAll("proposalId")),
  [`${V1}MsgVoteWeighted`]: aminoType(`${V1}MsgVoteWeighted`, "cosmos-sdk/v1/MsgVoteWeighted", MsgVoteWeighted, keepAll("proposalId")),
  [`${V1}MsgCancelProposal`]: aminoType(`${V1}MsgCancelProposal`, "cosmos-sdk/v1/MsgCancelProposal", MsgCancelProposal, keepAll("proposalId")),
  [`${V1}MsgUpdateParams`]: aminoType(`${V1}MsgUpdateParams`, "cosmos-sdk/x/gov/v1/MsgUpdateParams", MsgUpdateParams, {
    params: { keep: true, fields: { maxDepositPeriod: duration, votingPeriod: duration, expeditedVotingPeriod: duration } },
  }),
  // v1beta1: as CosmJS's own converters write them (every field, whatever its value).
  [`${V1B1}MsgSubmitProposal`]: aminoType(`${V1B1}MsgSubmitProposal`, "cosmos-sdk/MsgSubmitProposal", v1beta1.MsgSubmitProposal, {
    content: { kind: "any", keep: true },
    initialDeposit: KEEP,
    proposer: KEEP,
  }),
  [`${V1B1}MsgDeposit`]: aminoType(`${V1B1}MsgDeposit`, "cosmos-sdk/MsgDeposit", v1beta1.MsgDeposit, keepAll("proposalId", "depositor", "amount")),
  [`${V1B1}MsgVote`]: aminoType(`${V1B1}MsgVote`, "cosmos-sdk/MsgVote", v1beta1.MsgVote, keepAll("proposalId", "voter", "option")),
  [`${V1B1}MsgVoteWeighted`]: aminoType(`${V1B1}MsgVoteWeighted`, "cosmos-sdk/MsgVoteWeighted", v1beta1.MsgVoteWeighted, {
    proposalId: KEEP,
    voter: KEEP,
    options: { keep: true, fields: { option: KEEP, weight: { kind: "dec", keep: true } } },
  }),
  // Not a message: the content of a v1beta1 proposal.
  [`${V1B1}TextProposal`]: aminoType(`${V1B1}TextProposal`, "cosmos-sdk/TextProposal", TextProposal, keepAll("title", "description")),
};
