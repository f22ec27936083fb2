/**
 * MsgUpdateParams for any module: the SDK's pattern (every module with parameters takes
 * MsgUpdateParams{authority, params}, and only the gov module account may sign it, so parameters
 * change only through a passed proposal). One helper so every module refuses the same things with
 * the same codes, and validates exactly as its genesis does.
 */
import { decodeAddress, encodeAddress, moduleAddress } from "../types/address";
import { Dec, decFromProto } from "../types/dec";
import { ChainError, ErrorKind, SdkErrors } from "../types/errors";
import { GOV_MODULE_ACCOUNT } from "./accounts";
import type { Context, MsgHandler, ProtoCodec } from "./module";

/** The gov module account's address: the authority of every MsgUpdateParams. */
export const GOV_AUTHORITY = encodeAddress(moduleAddress(GOV_MODULE_ACCOUNT));

/**
 * A LegacyDec field of a message (the scaled integer, as cosmjs-types carries the SDK's
 * customtype): a malformed one is refused naming the field, never read as zero.
 */
export function protoDec(text: string, field: string): Dec {
  const v = decFromProto(text);
  if (v === undefined) throw new Error(`${field}: invalid decimal ${JSON.stringify(text)} (expected the integer x 10^18)`);
  return v;
}

/**
 * The SDK's modules answer a wrong authority with x/gov's ErrInvalidSigner (gov/13); the kind is
 * repeated here because the framework may not import a module.
 */
export const InvalidAuthority = new ErrorKind("gov", 13, "expected gov account as only signer for proposal message");

export interface UpdateParamsSpec<M extends { authority: string }, P> {
  /** e.g. "/cosmos.staking.v1beta1.MsgUpdateParams"; the response is "<typeUrl>Response" (empty). */
  readonly typeUrl: string;
  readonly codec: ProtoCodec<M>;
  /** The only address that may sign (default: the gov module account). */
  readonly authority?: string;
  /**
   * Reads the message's params and validates them with the module's genesis validation
   * (stateless): throws an Error naming the field, or a ChainError.
   */
  read(msg: M): P;
  /**
   * Checks that need the state, such as a limit that must stay above what the chain already
   * holds: run when a proposal carrying the message is submitted, and again when it executes.
   */
  checkState?(ctx: Context, params: P): void;
  /** Stores the params; they take effect from the next block (gov executes at the block's end). */
  set(ctx: Context, params: P): void;
}

/** A validation Error becomes sdk/18 with its text; a ChainError keeps its code. */
function asChainError(e: unknown): ChainError {
  if (e instanceof ChainError) return e;
  return SdkErrors.InvalidRequest.wrap(e instanceof Error ? e.message : String(e));
}

export function updateParamsHandler<M extends { authority: string }, P>(spec: UpdateParamsSpec<M, P>): MsgHandler<M> {
  const authority = spec.authority ?? GOV_AUTHORITY;
  const read = (msg: M): P => {
    try {
      return spec.read(msg);
    } catch (e) {
      throw asChainError(e);
    }
  };
  const checkState = (ctx: Context, params: P) => {
    try {
      spec.checkState?.(ctx, params);
    } catch (e) {
      throw asChainError(e);
    }
  };
  const emptyResponse = new Uint8Array();
  return {
    typeUrl: spec.typeUrl,
    codec: spec.codec,
    signers: (msg) => [msg.authority],
    validateBasic(msg) {
      decodeAddress(msg.authority, "authority");
      read(msg);
    },
    checkProposalMsg(ctx, msg) {
      checkState(ctx, read(msg));
    },
    execute(ctx, msg) {
      if (msg.authority !== authority) throw InvalidAuthority.wrap(`invalid authority; expected ${authority}, got ${msg.authority}`);
      const params = read(msg);
      checkState(ctx, params);
      spec.set(ctx, params);
      return { typeUrl: `${spec.typeUrl}Response`, value: emptyResponse };
    },
  };
}
