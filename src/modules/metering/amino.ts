/**
 * The metering module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md), under the
 * amino names of proto/blockai/metering/v1/tx.proto. Browser-safe.
 */
import { MsgClaimUsage, MsgCloseEscrow, MsgOpenEscrow, MsgPayForUsage, MsgTopUpEscrow, MsgUpdateParams } from "../../gen/blockai/metering/v1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

const T = "/blockai.metering.v1.";

export const MeteringAmino: AminoTable = {
  [`${T}MsgOpenEscrow`]: aminoType(`${T}MsgOpenEscrow`, "blockai/MsgOpenEscrow", MsgOpenEscrow),
  [`${T}MsgTopUpEscrow`]: aminoType(`${T}MsgTopUpEscrow`, "blockai/MsgTopUpEscrow", MsgTopUpEscrow),
  [`${T}MsgClaimUsage`]: aminoType(`${T}MsgClaimUsage`, "blockai/MsgClaimUsage", MsgClaimUsage),
  [`${T}MsgCloseEscrow`]: aminoType(`${T}MsgCloseEscrow`, "blockai/MsgCloseEscrow", MsgCloseEscrow),
  [`${T}MsgPayForUsage`]: aminoType(`${T}MsgPayForUsage`, "blockai/MsgPayForUsage", MsgPayForUsage),
  [`${T}MsgUpdateParams`]: aminoType(`${T}MsgUpdateParams`, "blockai/metering/MsgUpdateParams", MsgUpdateParams),
};
