/**
 * The registry module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md), under the
 * amino names of proto/blockai/registry/v1/tx.proto. Browser-safe.
 */
import { MsgRegisterModel, MsgSetModelStatus, MsgUpdateModel, MsgUpdateParams } from "../../gen/blockai/registry/v1/tx";
import { aminoType, type AminoTable, keepAll } from "../../types/amino";

const T = "/blockai.registry.v1.";

export const RegistryAmino: AminoTable = {
  [`${T}MsgRegisterModel`]: aminoType(`${T}MsgRegisterModel`, "blockai/MsgRegisterModel", MsgRegisterModel),
  // proto3 optional fields: written whenever set, even empty ("" clears, absent keeps).
  [`${T}MsgUpdateModel`]: aminoType(
    `${T}MsgUpdateModel`,
    "blockai/MsgUpdateModel",
    MsgUpdateModel,
    keepAll("name", "version", "task", "description", "artifactUri", "endpoint", "unit"),
  ),
  [`${T}MsgSetModelStatus`]: aminoType(`${T}MsgSetModelStatus`, "blockai/MsgSetModelStatus", MsgSetModelStatus),
  [`${T}MsgUpdateParams`]: aminoType(`${T}MsgUpdateParams`, "blockai/registry/MsgUpdateParams", MsgUpdateParams),
};
