/**
 * Generic ABCI 2.0 socket server for CometBFT v0.38; it knows nothing about the application.
 *
 *   const server = new AbciServer(app);            // app: AbciApplication
 *   await server.listen("unix:///var/run/app.sock"); // or "tcp://127.0.0.1:26658"
 *   ...
 *   await server.close();
 *
 * Wire format, ordering and error rules: see framing.ts, connection.ts and dispatch.ts.
 */
export { formatListenAddress, type ListenAddress, parseListenAddress } from "./address";
export type { AbciApplication, AbciHandlers } from "./application";
export { AbciConnection } from "./connection";
export {
  ABCI_ERROR_CODE,
  ABCI_ERROR_CODESPACE,
  ERROR_FALLBACKS,
  SAFE_DEFAULTS,
} from "./defaults";
export { Dispatcher, type FatalHandler, type Outcome } from "./dispatch";
export {
  decodeUvarint,
  encodeFrame,
  encodeUvarint,
  FrameDecoder,
  FramingError,
  MAX_FRAME_BYTES,
  uvarintSize,
} from "./framing";
export { proposalTxSize, RESPONSE_GUARDS, type ResponseGuards, trimProposalTxs } from "./guards";
export { type AbciLogger, consoleLogger, errorMessage } from "./logger";
export {
  ABCI_METHODS,
  type AbciMethod,
  FATAL_METHODS,
  type MaybePromise,
  type RequestOf,
  type ResponseOf,
  requestMethod,
} from "./methods";
export { ResponseBatch } from "./response-batch";
export { AbciServer, type AbciServerOptions, exitOnFatal, FATAL_EXIT_CODE } from "./server";
