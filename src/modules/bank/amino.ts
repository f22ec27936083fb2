/** The bank module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md). Browser-safe. */
import { MsgMultiSend, MsgSend, MsgUpdateParams } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { aminoType, type AminoTable, keepAll } from "../../types/amino";

const io = { keep: true, fields: keepAll("address", "coins") };

export const BankAmino: AminoTable = {
  "/cosmos.bank.v1beta1.MsgSend": aminoType("/cosmos.bank.v1beta1.MsgSend", "cosmos-sdk/MsgSend", MsgSend, keepAll("fromAddress", "toAddress", "amount")),
  "/cosmos.bank.v1beta1.MsgMultiSend": aminoType("/cosmos.bank.v1beta1.MsgMultiSend", "cosmos-sdk/MsgMultiSend", MsgMultiSend, { inputs: io, outputs: io }),
  "/cosmos.bank.v1beta1.MsgUpdateParams": aminoType("/cosmos.bank.v1beta1.MsgUpdateParams", "cosmos-sdk/x/bank/MsgUpdateParams", MsgUpdateParams, { params: { keep: true } }),
};
