/** Event types of the rewards module. */
export const RewardsEvents = {
  /** An epoch's end: the pools, what each allocated and what went to the community pool. */
  EpochAllocation: "rewards_epoch_allocation",
  /** One validator's scorer reward, pushed into its distribution rewards. */
  ScorerReward: "rewards_scorer",
  /** One claim: claimant, kind, epoch, model, amount, recipient. */
  Claim: "rewards_claim",
  /** An epoch's claim window closed: what was left went to the community pool. */
  EpochExpired: "rewards_epoch_expired",
  SetPayoutAddress: "rewards_set_payout_address",
} as const;
