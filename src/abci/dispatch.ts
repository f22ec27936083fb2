import { Response } from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication, AbciHandlers } from "./application";
import { ERROR_FALLBACKS, SAFE_DEFAULTS } from "./defaults";
import { RESPONSE_GUARDS } from "./guards";
import { type AbciLogger, errorMessage } from "./logger";
import { type AbciMethod, FATAL_METHODS, type RequestOf, type ResponseOf } from "./methods";
import type { ResponseBatch } from "./response-batch";

/** Called when a method with no safe answer fails; see `AbciServerOptions.onFatal`. */
export type FatalHandler = (err: unknown, method: AbciMethod) => void;

/**
 * "answered": exactly one response of the request's type was appended to the batch.
 * "close": nothing was appended and the connection must be closed without answering.
 */
export type Outcome = "answered" | "close";

/**
 * Turns one request into one response of the matching type, applying defaults, guards and error
 * fallbacks, and appends it to the connection's batch. Stateless apart from its collaborators,
 * so connections can share it.
 */
export class Dispatcher {
  constructor(
    private readonly app: AbciApplication,
    private readonly logger: AbciLogger,
    private readonly onFatal: FatalHandler,
  ) {}

  /**
   * Synchronous handlers give a synchronous outcome, so a burst of CheckTx costs no microtask
   * per request; only a handler that returns a promise makes this return one. The caller must
   * not append anything else to `out` until that promise settles.
   */
  dispatch<M extends AbciMethod>(
    method: M,
    request: RequestOf<M>,
    out: ResponseBatch,
  ): Outcome | Promise<Outcome> {
    const handler = (this.app as AbciHandlers)[method];
    if (handler === undefined) {
      return this.finish(method, request, SAFE_DEFAULTS[method](request), out);
    }

    let result: ResponseOf<M> | Promise<ResponseOf<M>>;
    try {
      result = handler.call(this.app, request);
    } catch (err) {
      return this.fail(method, request, err, out);
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (response) => this.finish(method, request, response, out),
        (err: unknown) => this.fail(method, request, err, out),
      );
    }
    return this.finish(method, request, result, out);
  }

  private finish<M extends AbciMethod>(
    method: M,
    request: RequestOf<M>,
    response: ResponseOf<M> | null | undefined,
    out: ResponseBatch,
  ): Outcome {
    try {
      // A JS handler can forget to return; encoding `{}` would send a Response with no oneof
      // field, which CometBFT rejects as a type mismatch and then halts.
      if (response === undefined || response === null) {
        throw new Error(`${method} handler returned no response`);
      }
      const guard = RESPONSE_GUARDS[method];
      appendResponse(out, method, guard ? guard(request, response, this.logger) : response);
      return "answered";
    } catch (err) {
      return this.fail(method, request, err, out);
    }
  }

  private fail<M extends AbciMethod>(
    method: M,
    request: RequestOf<M>,
    err: unknown,
    out: ResponseBatch,
  ): Outcome {
    if (FATAL_METHODS.has(method)) {
      this.logger.error(`${method} failed and has no safe answer: ${errorMessage(err)}`, err);
      try {
        this.onFatal(err, method);
      } catch (fatalErr) {
        this.logger.error("onFatal threw", fatalErr);
      }
      // If onFatal returned (a custom handler that does not exit), hang up instead of answering:
      // CometBFT then stops itself, which is better than committing to a state we do not have.
      return "close";
    }
    this.logger.error(`${method} failed; answering with the fallback: ${errorMessage(err)}`, err);
    const fallback = ERROR_FALLBACKS[method];
    const response = fallback ? fallback(request, err) : SAFE_DEFAULTS[method](request);
    appendResponse(out, method, response);
    return "answered";
  }
}

/**
 * Appends `{ [method]: payload }`. The generated encoders assume every field is present (they
 * read `.length` of bytes fields, compare bigints), so a plain-JS app that returns e.g.
 * `{ code: 0 }` makes them throw; such payloads are normalised with `fromPartial` and retried.
 */
function appendResponse<M extends AbciMethod>(
  out: ResponseBatch,
  method: M,
  payload: ResponseOf<M>,
): void {
  const response = { [method]: payload } as Response;
  try {
    out.append(response);
  } catch {
    out.append(Response.fromPartial(response));
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
