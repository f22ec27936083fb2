/**
 * The rewards module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md), under the
 * amino names of proto/blockai/rewards/v1/tx.proto. Browser-safe.
 */
import { MsgClaimRewards, MsgSetPayoutAddress, MsgUpdateParams } from "../../gen/blockai/rewards/v1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

const T = "/blockai.rewards.v1.";

export const RewardsAmino: AminoTable = {
  [`${T}MsgClaimRewards`]: aminoType(`${T}MsgClaimRewards`, "blockai/MsgClaimRewards", MsgClaimRewards),
  [`${T}MsgSetPayoutAddress`]: aminoType(`${T}MsgSetPayoutAddress`, "blockai/MsgSetPayoutAddress", MsgSetPayoutAddress),
  [`${T}MsgUpdateParams`]: aminoType(`${T}MsgUpdateParams`, "blockai/rewards/MsgUpdateParams", MsgUpdateParams),
};
