import {
  ExecTxResult,
  ResponseApplySnapshotChunk,
  ResponseApplySnapshotChunk_Result,
  ResponseCheckTx,
  ResponseCommit,
  ResponseExtendVote,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponseListSnapshots,
  ResponseLoadSnapshotChunk,
  ResponseOfferSnapshot,
  ResponseOfferSnapshot_Result,
  ResponseProcessProposal,
  ResponseProcessProposal_ProposalStatus,
  ResponseQuery,
  ResponseVerifyVoteExtension,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import { trimProposalTxs } from "./guards";
import { errorMessage } from "./logger";
import type { AbciMethod, RequestOf, ResponseOf } from "./methods";

/** Code and codespace of CheckTx/Query answers produced for a handler that threw. */
export const ABCI_ERROR_CODE = 1;
export const ABCI_ERROR_CODESPACE = "abci";

/**
 * Responses for methods the application does not implement. An empty protobuf message is *not*
 * a safe default in ABCI 2.0: status UNKNOWN makes CometBFT panic in ProcessProposal and
 * VerifyVoteExtension and means "abort" in the snapshot methods, and an empty PrepareProposal
 * proposes empty blocks forever. These follow Go's `abci/types.BaseApplication`, except the
 * snapshot methods, which explicitly refuse state sync.
 */
export const SAFE_DEFAULTS: { [M in AbciMethod]: (request: RequestOf<M>) => ResponseOf<M> } = {
  echo: (request) => ({ message: request.message }),
  info: () => ResponseInfo.fromPartial({}),
  initChain: () => ResponseInitChain.fromPartial({}),
  query: () => queryError("unknown query"),
  checkTx: () => ResponseCheckTx.fromPartial({}),
  commit: () => ResponseCommit.fromPartial({}),
  listSnapshots: () => ResponseListSnapshots.fromPartial({}),
  offerSnapshot: () =>
    ResponseOfferSnapshot.fromPartial({ result: ResponseOfferSnapshot_Result.REJECT }),
  loadSnapshotChunk: () => ResponseLoadSnapshotChunk.fromPartial({}),
  applySnapshotChunk: () =>
    ResponseApplySnapshotChunk.fromPartial({ result: ResponseApplySnapshotChunk_Result.ABORT }),
  prepareProposal: (request) => ({ txs: trimProposalTxs(request.txs, request.maxTxBytes) }),
  processProposal: () =>
    ResponseProcessProposal.fromPartial({ status: ResponseProcessProposal_ProposalStatus.ACCEPT }),
  extendVote: () => ResponseExtendVote.fromPartial({}),
  verifyVoteExtension: () =>
    ResponseVerifyVoteExtension.fromPartial({
      status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT,
    }),
  // Keeps CometBFT's "one result per tx" invariant; it executes nothing (see AbciApplication).
  finalizeBlock: (request) =>
    ResponseFinalizeBlock.fromPartial({
      txResults: request.txs.map(() => ExecTxResult.fromPartial({})),
    }),
};

/**
 * Answers for a handler that threw or rejected, where one exists. Methods missing here fall
 * back to SAFE_DEFAULTS, except FATAL_METHODS, which have no safe answer at all.
 */
export const ERROR_FALLBACKS: {
  [M in AbciMethod]?: (request: RequestOf<M>, err: unknown) => ResponseOf<M>;
} = {
  query: (_request, err) => queryError(errorMessage(err)),
  checkTx: (_request, err) =>
    ResponseCheckTx.fromPartial({
      code: ABCI_ERROR_CODE,
      codespace: ABCI_ERROR_CODESPACE,
      log: errorMessage(err),
    }),
  // Rejecting a proposal we could not check costs a round; accepting it could cost safety.
  processProposal: () =>
    ResponseProcessProposal.fromPartial({ status: ResponseProcessProposal_ProposalStatus.REJECT }),
  verifyVoteExtension: () =>
    ResponseVerifyVoteExtension.fromPartial({
      status: ResponseVerifyVoteExtension_VerifyStatus.REJECT,
    }),
};

function queryError(log: string): ResponseQuery {
  return ResponseQuery.fromPartial({ code: ABCI_ERROR_CODE, codespace: ABCI_ERROR_CODESPACE, log });
}
