import {
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import { uvarintSize } from "./framing";
import type { AbciLogger } from "./logger";
import type { AbciMethod, RequestOf, ResponseOf } from "./methods";

/**
 * Bytes one tx occupies in the block's `Data` message: field tag (1 byte), uvarint length,
 * payload. CometBFT checks a proposal with `Txs.Validate(maxTxBytes)`, which sums
 * `ComputeProtoSizeForTxs([tx])` per tx (`types/tx.go`), and reaps the mempool the same way.
 * Counting raw bytes only (as Go's `BaseApplication` does) lets an app-built proposal that fills
 * the limit exactly overshoot by a few bytes per tx and crash the node.
 */
export function proposalTxSize(tx: Uint8Array): number {
  return 1 + uvarintSize(tx.length) + tx.length;
}

/**
 * The longest prefix of `txs` whose size, counted the way CometBFT validates proposals, stays
 * within `maxTxBytes`. Keeps order; a prefix (not best-fit packing) so that the txs the mempool
 * ordered first are never skipped in favour of later ones.
 */
export function trimProposalTxs(txs: readonly Uint8Array[], maxTxBytes: bigint): Uint8Array[] {
  const limit = Number(maxTxBytes);
  const kept: Uint8Array[] = [];
  let total = 0;
  for (const tx of txs) {
    total += proposalTxSize(tx);
    if (total > limit) break;
    kept.push(tx);
  }
  return kept;
}

/**
 * Post-conditions on what the application returned, for responses CometBFT would otherwise
 * answer with a panic or a crash. A guard returns the (possibly repaired) response, or throws
 * when no repair is correct; the throw is then handled like a handler failure.
 */
export type ResponseGuards = {
  [M in AbciMethod]?: (
    request: RequestOf<M>,
    response: ResponseOf<M>,
    logger: AbciLogger,
  ) => ResponseOf<M>;
};

export const RESPONSE_GUARDS: ResponseGuards = {
  prepareProposal(request, response, logger) {
    const txs = trimProposalTxs(response.txs, request.maxTxBytes);
    if (txs.length === response.txs.length) return response;
    logger.error(
      `prepareProposal returned ${response.txs.length} txs exceeding ` +
        `max_tx_bytes=${request.maxTxBytes}; proposing the first ${txs.length} ` +
        "(CometBFT would crash on the oversize proposal)",
    );
    return { ...response, txs };
  },

  processProposal(_request, response, logger) {
    const { ACCEPT, REJECT } = ResponseProcessProposal_ProposalStatus;
    if (response.status === ACCEPT || response.status === REJECT) return response;
    logger.error(
      `processProposal returned status ${response.status}; answering REJECT ` +
        "(CometBFT panics on anything but ACCEPT/REJECT)",
    );
    return { ...response, status: REJECT };
  },

  verifyVoteExtension(_request, response, logger) {
    const { ACCEPT, REJECT } = ResponseVerifyVoteExtension_VerifyStatus;
    if (response.status === ACCEPT || response.status === REJECT) return response;
    logger.error(
      `verifyVoteExtension returned status ${response.status}; answering REJECT ` +
        "(CometBFT panics on anything but ACCEPT/REJECT)",
    );
    return { ...response, status: REJECT };
  },

  finalizeBlock(request, response) {
    // CometBFT would stop with "expected tx results length to match size of transactions in
    // block"; padding or cutting results here would invent execution results instead.
    if (response.txResults.length !== request.txs.length) {
      const got = response.txResults.length;
      throw new Error(`finalizeBlock returned ${got} tx_results for ${request.txs.length} txs`);
    }
    return response;
  },
};
