/** The slashing module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md). Browser-safe. */
import { MsgUnjail, MsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

const decBytes = { kind: "decBytes", keep: true } as const;

export const SlashingAmino: AminoTable = {
  // The SDK names validator_addr "address" in amino JSON (amino.field_name).
  "/cosmos.slashing.v1beta1.MsgUnjail": aminoType("/cosmos.slashing.v1beta1.MsgUnjail", "cosmos-sdk/MsgUnjail", MsgUnjail, { validatorAddr: { json: "address", keep: true } }),
  "/cosmos.slashing.v1beta1.MsgUpdateParams": aminoType("/cosmos.slashing.v1beta1.MsgUpdateParams", "cosmos-sdk/x/slashing/MsgUpdateParams", MsgUpdateParams, {
    params: {
      keep: true,
      fields: { minSignedPerWindow: decBytes, slashFractionDoubleSign: decBytes, slashFractionDowntime: decBytes, downtimeJailDuration: { kind: "duration", keep: true } },
    },
  }),
};
