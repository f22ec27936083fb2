/** Event types and attribute keys the distribution module emits (the SDK's x/distribution/types/events.go). */
export const DistributionEvents = {
  SetWithdrawAddress: "set_withdraw_address",
  WithdrawRewards: "withdraw_rewards",
  WithdrawCommission: "withdraw_commission",
  Commission: "commission",
  Rewards: "rewards",
} as const;

export const DistributionAttributes = {
  WithdrawAddress: "withdraw_address",
  Amount: "amount",
  Validator: "validator",
  Delegator: "delegator",
} as const;
