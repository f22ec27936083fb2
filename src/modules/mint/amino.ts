/**
 * The mint module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md), under the amino
 * names of proto/blockai/mint/v1/tx.proto. Browser-safe.
 */
import { MsgUpdateParams } from "../../gen/blockai/mint/v1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

export const MintAmino: AminoTable = {
  "/blockai.mint.v1.MsgUpdateParams": aminoType("/blockai.mint.v1.MsgUpdateParams", "blockai/mint/MsgUpdateParams", MsgUpdateParams),
};
