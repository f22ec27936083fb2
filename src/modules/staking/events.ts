/** Event types and attribute keys the staking module emits (the SDK's x/staking/types/events.go). */
export const StakingEvents = {
  CreateValidator: "create_validator",
  EditValidator: "edit_validator",
  Delegate: "delegate",
  Unbond: "unbond",
  Redelegate: "redelegate",
  CancelUnbondingDelegation: "cancel_unbonding_delegation",
  CompleteUnbonding: "complete_unbonding",
  CompleteRedelegation: "complete_redelegation",
} as const;

export const StakingAttributes = {
  Validator: "validator",
  Delegator: "delegator",
  Amount: "amount",
  NewShares: "new_shares",
  CompletionTime: "completion_time",
  SourceValidator: "source_validator",
  DestinationValidator: "destination_validator",
  CreationHeight: "creation_height",
  CommissionRate: "commission_rate",
  MinSelfDelegation: "min_self_delegation",
} as const;
