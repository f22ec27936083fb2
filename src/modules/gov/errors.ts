import { ErrorKind } from "../../types/errors";

export const GOV_CODESPACE = "gov";

const gov = (code: number, description: string) => new ErrorKind(GOV_CODESPACE, code, description);

/** The Cosmos SDK's x/gov error codes (x/gov/types/errors.go, v0.50), so wallets recognise them. */
export const GovErrors = {
  UnknownProposal: gov(2, "unknown proposal"),
  InactiveProposal: gov(3, "inactive proposal"),
  AlreadyActiveProposal: gov(4, "proposal already active"),
  InvalidProposalContent: gov(5, "invalid proposal content"),
  InvalidProposalType: gov(6, "invalid proposal type"),
  InvalidVote: gov(7, "invalid vote option"),
  InvalidGenesis: gov(8, "invalid genesis state"),
  NoProposalHandlerExists: gov(9, "no handler exists for proposal type"),
  UnroutableProposalMsg: gov(10, "proposal message not recognized by router"),
  NoProposalMsgs: gov(11, "no messages proposed"),
  InvalidProposalMsg: gov(12, "invalid proposal message"),
  InvalidSigner: gov(13, "expected gov account as only signer for proposal message"),
  MetadataTooLong: gov(15, "metadata too long"),
  MinDepositTooSmall: gov(16, "minimum deposit is too small"),
  InvalidProposer: gov(18, "invalid proposer"),
  VotingPeriodEnded: gov(20, "voting period already ended"),
  InvalidProposal: gov(21, "invalid proposal"),
  SummaryTooLong: gov(22, "summary too long"),
  InvalidDepositDenom: gov(23, "invalid deposit denom"),
} as const;
