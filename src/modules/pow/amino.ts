/**
 * The pow module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md), under the amino
 * names of proto/blockai/pow/v1/tx.proto. Browser-safe.
 */
import { MsgSubmitMatmulWork, MsgSubmitWork, MsgUpdateParams } from "../../gen/blockai/pow/v1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

export const PowAmino: AminoTable = {
  "/blockai.pow.v1.MsgSubmitWork": aminoType("/blockai.pow.v1.MsgSubmitWork", "blockai/MsgSubmitWork", MsgSubmitWork),
  "/blockai.pow.v1.MsgSubmitMatmulWork": aminoType("/blockai.pow.v1.MsgSubmitMatmulWork", "blockai/MsgSubmitMatmulWork", MsgSubmitMatmulWork),
  "/blockai.pow.v1.MsgUpdateParams": aminoType("/blockai.pow.v1.MsgUpdateParams", "blockai/pow/MsgUpdateParams", MsgUpdateParams),
};
