/**
 * Errors that end a transaction or query with a code. The codes and texts follow the Cosmos SDK
 * (types/errors/errors.go, codespace "sdk") so wallets and explorers recognise them; BLOCKAI's
 * own modules register theirs under their own codespace.
 */
export class ChainError extends Error {
  constructor(
    readonly codespace: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "ChainError";
  }
}

/** A registered (codespace, code, description) triple; `wrap` adds context the SDK way ("ctx: desc"). */
export class ErrorKind {
  constructor(
    readonly codespace: string,
    readonly code: number,
    readonly description: string,
  ) {}
  wrap(context?: string): ChainError {
    return new ChainError(this.codespace, this.code, context ? `${context}: ${this.description}` : this.description);
  }
  is(err: unknown): boolean {
    return err instanceof ChainError && err.codespace === this.codespace && err.code === this.code;
  }
}

const sdk = (code: number, description: string) => new ErrorKind("sdk", code, description);

export const SdkErrors = {
  TxDecode: sdk(2, "tx parse error"),
  Unauthorized: sdk(4, "unauthorized"),
  InsufficientFunds: sdk(5, "insufficient funds"),
  UnknownRequest: sdk(6, "unknown request"),
  InvalidAddress: sdk(7, "invalid address"),
  InvalidPubKey: sdk(8, "invalid pubkey"),
  UnknownAddress: sdk(9, "unknown address"),
  InvalidCoins: sdk(10, "invalid coins"),
  OutOfGas: sdk(11, "out of gas"),
  MemoTooLarge: sdk(12, "memo too large"),
  InsufficientFee: sdk(13, "insufficient fee"),
  TooManySignatures: sdk(14, "maximum number of signatures exceeded"),
  NoSignatures: sdk(15, "no signatures supplied"),
  InvalidRequest: sdk(18, "invalid request"),
  TxTooLarge: sdk(21, "tx too large"),
  KeyNotFound: sdk(22, "key not found"),
  InvalidHeight: sdk(26, "invalid height"),
  InvalidType: sdk(29, "invalid type"),
  TxTimeoutHeight: sdk(30, "tx timeout height"),
  UnknownExtensionOptions: sdk(31, "unknown extension options"),
  WrongSequence: sdk(32, "incorrect account sequence"),
  NotSupported: sdk(37, "feature not supported"),
  NotFound: sdk(38, "not found"),
  InvalidGasLimit: sdk(41, "invalid gas limit"),
} as const;

/**
 * A failure of the node itself, never of a transaction: the state could not be read (a LevelDB
 * read error in bounded-cache mode). No tx, proposal or hook may turn it into a result, since a
 * node holding its state in memory would not fail there and would commit another app hash; it
 * propagates out of FinalizeBlock, and the ABCI server stops the node before Commit.
 */
export class NodeFault extends Error {}

/**
 * Anything thrown that is not a ChainError is a bug; it still must not escape the tx boundary.
 * A NodeFault is rethrown: it must.
 */
export function toChainError(err: unknown): ChainError {
  if (err instanceof NodeFault) throw err;
  if (err instanceof ChainError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ChainError("undefined", 1, `internal error: ${message}`);
}
