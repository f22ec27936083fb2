/** The auth module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md). Browser-safe. */
import { MsgUpdateParams } from "cosmjs-types/cosmos/auth/v1beta1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

export const AuthAmino: AminoTable = {
  "/cosmos.auth.v1beta1.MsgUpdateParams": aminoType("/cosmos.auth.v1beta1.MsgUpdateParams", "cosmos-sdk/x/auth/MsgUpdateParams", MsgUpdateParams, { params: { keep: true } }),
};
