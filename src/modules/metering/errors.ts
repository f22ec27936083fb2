import { ErrorKind } from "../../types/errors";

/** Errors of the metering module (codespace "metering"). Cosmos codes are used where they exist. */
export const MeteringErrors = {
  EscrowNotFound: new ErrorKind("metering", 2, "escrow not found"),
  ModelNotActive: new ErrorKind("metering", 3, "model is not active"),
  EscrowNotOpen: new ErrorKind("metering", 4, "escrow is not open"),
  EscrowClosed: new ErrorKind("metering", 5, "escrow is closed"),
  EscrowNotExpired: new ErrorKind("metering", 6, "escrow has not expired"),
  InvalidVoucher: new ErrorKind("metering", 7, "invalid voucher"),
  InvalidVoucherSignature: new ErrorKind("metering", 8, "voucher signature does not verify with the consumer's key"),
  VoucherNotNewer: new ErrorKind("metering", 9, "voucher is not newer than the last claim"),
  VoucherExceedsDeposit: new ErrorKind("metering", 10, "voucher exceeds the escrow deposit"),
  InvalidExpiry: new ErrorKind("metering", 11, "invalid expiry height"),
  ConsumerKeyUnknown: new ErrorKind("metering", 12, "consumer public key unknown"),
  WrongChain: new ErrorKind("metering", 13, "voucher is for another chain"),
} as const;
