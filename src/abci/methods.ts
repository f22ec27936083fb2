import type { Request, Response } from "cosmjs-types/tendermint/abci/types";

/**
 * The ABCI 2.0 (CometBFT v0.38) methods an application can implement, named like the oneof
 * fields of `tendermint.abci.Request`/`Response` in cosmjs-types. Flush is absent on purpose:
 * it is a transport concern answered by the server itself.
 */
export const ABCI_METHODS = [
  "echo",
  "info",
  "initChain",
  "query",
  "checkTx",
  "commit",
  "listSnapshots",
  "offerSnapshot",
  "loadSnapshotChunk",
  "applySnapshotChunk",
  "prepareProposal",
  "processProposal",
  "extendVote",
  "verifyVoteExtension",
  "finalizeBlock",
] as const;

export type AbciMethod = (typeof ABCI_METHODS)[number];

/** The payload type of request `M`, e.g. `RequestOf<"checkTx">` is `RequestCheckTx`. */
export type RequestOf<M extends AbciMethod> = NonNullable<Request[M]>;
/** The payload type of response `M`, e.g. `ResponseOf<"checkTx">` is `ResponseCheckTx`. */
export type ResponseOf<M extends AbciMethod> = NonNullable<Response[M]>;

/** A handler may answer synchronously (fast path, no microtask) or asynchronously. */
export type MaybePromise<T> = T | Promise<T>;

// Compile-time guard: if cosmjs-types ever adds or renames a Request oneof field, this fails
// to type-check instead of the server silently treating the new request as unknown.
type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const requestKeysAreCovered: Equals<keyof Request, AbciMethod | "flush"> = true;
void requestKeysAreCovered;

/**
 * Hot methods first: CheckTx and Flush dominate the traffic on a busy node, and this lookup
 * runs once per request.
 */
const LOOKUP_ORDER: readonly (AbciMethod | "flush")[] = [
  "checkTx",
  "flush",
  "query",
  "finalizeBlock",
  "prepareProposal",
  "processProposal",
  "commit",
  "extendVote",
  "verifyVoteExtension",
  "info",
  "echo",
  "initChain",
  "listSnapshots",
  "offerSnapshot",
  "loadSnapshotChunk",
  "applySnapshotChunk",
];

/**
 * Which oneof field a decoded request carries, or `undefined` if none (an empty message, or a
 * request type this protocol version does not know).
 */
export function requestMethod(request: Request): AbciMethod | "flush" | undefined {
  for (const method of LOOKUP_ORDER) {
    if (request[method] !== undefined) return method;
  }
  return undefined;
}

/**
 * Methods with no safe answer when the application fails: any response would assert a state
 * (height, app hash, validator set) the app does not have, which forks or corrupts the node.
 */
export const FATAL_METHODS: ReadonlySet<AbciMethod> = new Set<AbciMethod>([
  "info",
  "initChain",
  "finalizeBlock",
  "commit",
]);
