/**
 * The epochs module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md), under the
 * amino names of proto/blockai/epochs/v1/tx.proto. Browser-safe.
 */
import { MsgUpdateParams } from "../../gen/blockai/epochs/v1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

export const EpochsAmino: AminoTable = {
  "/blockai.epochs.v1.MsgUpdateParams": aminoType("/blockai.epochs.v1.MsgUpdateParams", "blockai/epochs/MsgUpdateParams", MsgUpdateParams),
};
