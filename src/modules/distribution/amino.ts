/** The distribution module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md). Browser-safe. */
import {
  MsgCommunityPoolSpend,
  MsgDepositValidatorRewardsPool,
  MsgFundCommunityPool,
  MsgSetWithdrawAddress,
  MsgUpdateParams,
  MsgWithdrawDelegatorReward,
  MsgWithdrawValidatorCommission,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { aminoType, type AminoTable, KEEP, keepAll } from "../../types/amino";

const T = "/cosmos.distribution.v1beta1.";
const dec = { kind: "dec", keep: true } as const;

// The amino names are the SDK's, quirks included (MsgModifyWithdrawAddress, the distr/ prefix).
export const DistributionAmino: AminoTable = {
  [`${T}MsgSetWithdrawAddress`]: aminoType(`${T}MsgSetWithdrawAddress`, "cosmos-sdk/MsgModifyWithdrawAddress", MsgSetWithdrawAddress, keepAll("delegatorAddress", "withdrawAddress")),
  [`${T}MsgWithdrawDelegatorReward`]: aminoType(`${T}MsgWithdrawDelegatorReward`, "cosmos-sdk/MsgWithdrawDelegationReward", MsgWithdrawDelegatorReward, keepAll("delegatorAddress", "validatorAddress")),
  [`${T}MsgWithdrawValidatorCommission`]: aminoType(`${T}MsgWithdrawValidatorCommission`, "cosmos-sdk/MsgWithdrawValidatorCommission", MsgWithdrawValidatorCommission, keepAll("validatorAddress")),
  [`${T}MsgFundCommunityPool`]: aminoType(`${T}MsgFundCommunityPool`, "cosmos-sdk/MsgFundCommunityPool", MsgFundCommunityPool, keepAll("amount", "depositor")),
  [`${T}MsgCommunityPoolSpend`]: aminoType(`${T}MsgCommunityPoolSpend`, "cosmos-sdk/distr/MsgCommunityPoolSpend", MsgCommunityPoolSpend, { amount: KEEP }),
  [`${T}MsgDepositValidatorRewardsPool`]: aminoType(`${T}MsgDepositValidatorRewardsPool`, "cosmos-sdk/distr/MsgDepositValRewards", MsgDepositValidatorRewardsPool, { amount: KEEP }),
  [`${T}MsgUpdateParams`]: aminoType(`${T}MsgUpdateParams`, "cosmos-sdk/distribution/MsgUpdateParams", MsgUpdateParams, {
    params: { keep: true, fields: { communityTax: dec, baseProposerReward: dec, bonusProposerReward: dec } },
  }),
};
