/** Event types and attribute keys, the SDK's (x/gov/types/events.go), so indexers read them alike. */
export const GovEvents = {
  SubmitProposal: "submit_proposal",
  ProposalDeposit: "proposal_deposit",
  ProposalVote: "proposal_vote",
  InactiveProposal: "inactive_proposal",
  ActiveProposal: "active_proposal",
  CancelProposal: "cancel_proposal",
} as const;

export const GovAttributes = {
  ProposalId: "proposal_id",
  ProposalMessages: "proposal_messages",
  VotingPeriodStart: "voting_period_start",
  Depositor: "depositor",
  Amount: "amount",
  Voter: "voter",
  Option: "option",
  ProposalResult: "proposal_result",
  ProposalLog: "proposal_log",
  Proposer: "proposer",
} as const;

export const GovResults = {
  Dropped: "proposal_dropped",
  Passed: "proposal_passed",
  Rejected: "proposal_rejected",
  Failed: "proposal_failed",
  Canceled: "proposal_canceled",
} as const;
