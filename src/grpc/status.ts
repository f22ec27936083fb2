import { status } from "@grpc/grpc-js";

/**
 * Validation and decoding failures (sdk codespace): the request itself is wrong. The SDK's
 * gRPC gateway reports these as InvalidArgument too.
 */
const INVALID_ARGUMENT_SDK_CODES = new Set([
  2, // tx parse error
  3, // invalid sequence
  7, // invalid address
  8, // invalid pubkey
  10, // invalid coins
  12, // memo too large
  18, // invalid request (undecodable request bytes end up here)
  26, // invalid height
  29, // invalid type
  41, // invalid gas limit
]);

/** Maps an app error (codespace, code) to a gRPC status, as the Cosmos SDK's query server does. */
export function grpcStatusOf(codespace: string, code: number): status {
  if (codespace === "sdk") {
    if (code === 22 || code === 38) return status.NOT_FOUND;
    if (INVALID_ARGUMENT_SDK_CODES.has(code)) return status.INVALID_ARGUMENT;
  }
  return status.UNKNOWN;
}
