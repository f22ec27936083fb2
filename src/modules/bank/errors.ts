import { ErrorKind } from "../../types/errors";

/** The Cosmos SDK's x/bank codes (codespace "bank"). */
export const BankErrors = {
  NoInputs: new ErrorKind("bank", 2, "no inputs to send transaction"),
  NoOutputs: new ErrorKind("bank", 3, "no outputs to send transaction"),
  InputOutputMismatch: new ErrorKind("bank", 4, "sum inputs != sum outputs"),
  SendDisabled: new ErrorKind("bank", 5, "send transactions are disabled"),
  DenomMetadataNotFound: new ErrorKind("bank", 6, "client denom metadata not found"),
  MultipleSenders: new ErrorKind("bank", 9, "multiple senders not allowed"),
} as const;
