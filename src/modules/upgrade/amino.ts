/** The upgrade module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md). Browser-safe. */
import { MsgCancelUpgrade, MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { aminoType, type AminoTable } from "../../types/amino";

export const UpgradeAmino: AminoTable = {
  // Plan.time is deprecated but non-nullable in the SDK: written as Go's zero time when unset.
  "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade": aminoType("/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", "cosmos-sdk/MsgSoftwareUpgrade", MsgSoftwareUpgrade, {
    plan: { keep: true, fields: { time: { kind: "timestamp", keep: true }, upgradedClientState: { kind: "any" } } },
  }),
  "/cosmos.upgrade.v1beta1.MsgCancelUpgrade": aminoType("/cosmos.upgrade.v1beta1.MsgCancelUpgrade", "cosmos-sdk/MsgCancelUpgrade", MsgCancelUpgrade),
};
