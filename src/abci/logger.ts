/** Minimal logger contract; `console` satisfies it, and so do most structured loggers. */
export interface AbciLogger {
  info(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export const consoleLogger: AbciLogger = {
  info: (message, ...details) => console.info(`[abci] ${message}`, ...details),
  error: (message, ...details) => console.error(`[abci] ${message}`, ...details),
};

/** The message of a thrown value, without stack: it goes to CometBFT logs and clients. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    // e.g. an object with a throwing toString, or Object.create(null)
    return "unknown error";
  }
}
