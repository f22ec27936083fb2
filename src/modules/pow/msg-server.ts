import { MsgUpdateParams as MsgUpdatePowParams } from "../../gen/blockai/pow/v1/tx";
import { updateParamsHandler } from "../../framework/params";
import { PowParams, validateParams as validatePowParams } from "./params";
import { parseTargetHex } from "./seal";
import { MsgSubmitMatmulWork, MsgSubmitMatmulWorkResponse, MsgSubmitWork, MsgSubmitWorkResponse } from "../../gen/blockai/pow/v1/tx";
import { MAX_INNER, TILE, blockBytes } from "./matmul";
import { decodeAddress } from "../../types/address";
import type { MsgHandler } from "../../framework/module";
import { PowErrors } from "./errors";
import { PowAttributes as A, PowEvents } from "./events";
import type { PowKeeper } from "./keeper";
import { HASH_LENGTH } from "./seal";

export const MSG_SUBMIT_WORK_TYPE_URL = "/blockai.pow.v1.MsgSubmitWork";
export const MSG_SUBMIT_WORK_RESPONSE_TYPE_URL = "/blockai.pow.v1.MsgSubmitWorkResponse";

function msgSubmitWorkHandler(keeper: PowKeeper): MsgHandler<MsgSubmitWork> {
  return {
    typeUrl: MSG_SUBMIT_WORK_TYPE_URL,
    codec: MsgSubmitWork,
    // The miner signs: a certificate cannot be submitted (stolen) by anyone else, and a changed
    // miner field changes the seal.
    signers: (msg) => [msg.miner],
    validateBasic(msg) {
      decodeAddress(msg.miner, "miner address");
      if (msg.workDigest.length !== HASH_LENGTH) {
        throw PowErrors.InvalidCertificate.wrap(`work_digest must be ${HASH_LENGTH} bytes, got ${msg.workDigest.length}`);
      }
      if (msg.anchorHeight === 0n) throw PowErrors.InvalidCertificate.wrap("anchor_height must be >= 1");
    },
    // The work is the anti-spam cost: no fee, and a new miner's first certificate creates its account.
    feeless: true,
    // Runs before fees and signatures in every mode (CheckTx, RECHECK, FinalizeBlock): an invalid
    // certificate costs the node one double SHA-256 and a few reads, and never enters the mempool.
    precheck(ctx, msg) {
      keeper.verify(ctx, msg);
    },
    execute(ctx, msg) {
      // Again in execute: a faulty proposer can put anything in a block, and two certificates in
      // one block (or one tx) must not pass on the same state.
      const cert = keeper.verify(ctx, msg);
      const { work, epoch } = keeper.accept(ctx, cert);
      ctx.events.emit(PowEvents.PowCertificate, {
        [A.Miner]: msg.miner,
        [A.ModelId]: msg.modelId.toString(),
        [A.AnchorHeight]: msg.anchorHeight.toString(),
        [A.Nonce]: msg.nonce.toString(),
        [A.Seal]: cert.seal.toString("hex"),
        [A.Work]: work.toString(),
        [A.Epoch]: epoch.toString()});
      return {
        typeUrl: MSG_SUBMIT_WORK_RESPONSE_TYPE_URL,
        value: MsgSubmitWorkResponse.encode({ seal: cert.seal, work: work.toString(), epoch }).finish(),
      };
    },
  };
}

export const MSG_SUBMIT_MATMUL_WORK_TYPE_URL = "/blockai.pow.v1.MsgSubmitMatmulWork";
export const MSG_SUBMIT_MATMUL_WORK_RESPONSE_TYPE_URL = "/blockai.pow.v1.MsgSubmitMatmulWorkResponse";
/** 16 rows + 16 columns at the largest inner dimension (16 KiB), paths, signature, memo. */
export const MAX_MATMUL_TX_BYTES = 40_960;

function msgSubmitMatmulWorkHandler(keeper: PowKeeper): MsgHandler<MsgSubmitMatmulWork> {
  return {
    typeUrl: MSG_SUBMIT_MATMUL_WORK_TYPE_URL,
    codec: MsgSubmitMatmulWork,
    signers: (msg) => [msg.miner],
    validateBasic(msg) {
      decodeAddress(msg.miner, "miner address");
      if (msg.anchorHeight === 0n) throw PowErrors.InvalidCertificate.wrap("anchor_height must be >= 1");
      const size = blockBytes(msg.inner);
      if (msg.inner > MAX_INNER || msg.aBlock.length !== size || msg.bBlock.length !== size) {
        throw PowErrors.InvalidMatmulCertificate.wrap(`inner ${msg.inner} (<= ${MAX_INNER}); a_block and b_block must be ${TILE} x inner bytes`);
      }
      if (msg.aRoot.length !== HASH_LENGTH) throw PowErrors.InvalidMatmulCertificate.wrap(`a_root must be ${HASH_LENGTH} bytes`);
    },
    feeless: true,
    maxFeelessTxBytes: MAX_MATMUL_TX_BYTES,
    // Runs before fees and signatures: an invalid certificate costs the node one tile recomputation.
    precheck(ctx, msg) {
      keeper.verifyMatmul(ctx, msg);
    },
    execute(ctx, msg) {
      const cert = keeper.verifyMatmul(ctx, msg);
      const { work, epoch } = keeper.accept(ctx, cert);
      ctx.events.emit(PowEvents.PowMatmulCertificate, {
        [A.Miner]: msg.miner,
        [A.ModelId]: msg.modelId.toString(),
        [A.AnchorHeight]: msg.anchorHeight.toString(),
        [A.MatrixIndex]: msg.matrixIndex.toString(),
        [A.Inner]: msg.inner.toString(),
        [A.TileRow]: msg.tileRow.toString(),
        [A.TileCol]: msg.tileCol.toString(),
        [A.Ticket]: cert.seal.toString("hex"),
        [A.Work]: work.toString(),
        [A.Epoch]: epoch.toString()});
      return {
        typeUrl: MSG_SUBMIT_MATMUL_WORK_RESPONSE_TYPE_URL,
        value: MsgSubmitMatmulWorkResponse.encode({ ticket: cert.seal, work: work.toString(), epoch }).finish(),
      };
    },
  };
}

export function powMsgHandlers(keeper: PowKeeper): MsgHandler<any>[] {
  return [msgSubmitWorkHandler(keeper), msgSubmitMatmulWorkHandler(keeper), updateParamsHandlerOf(keeper)];
}

/** Every field given: a 0 max_certs_per_miner_per_block is refused here, not read as "the block cap". */
export function powParamsFromMsg(msg: MsgUpdatePowParams): PowParams {
  const p = msg.params;
  if (!p) throw new Error("params must be set");
  const out: PowParams = {
    anchorWindow: p.anchorWindow,
    maxCertsPerBlock: p.maxCertsPerBlock,
    targetCertsPerEpoch: p.targetCertsPerEpoch,
    minTarget: parseTargetHex(p.minTarget, "params.min_target"),
    maxTarget: parseTargetHex(p.maxTarget, "params.max_target"),
    maxCertsPerMinerPerBlock: p.maxCertsPerMinerPerBlock,
    acceptedKinds: [...p.acceptedKinds],
    matmulRewardShareBps: p.matmulRewardShareBps,
    prunePerBlock: p.prunePerBlock,
  };
  validatePowParams(out, "params");
  return out;
}

/**
 * A new [min_target, max_target] that excludes the current target clamps it into the range at
 * once (what the next retarget would do anyway), so the invariant "target within bounds" holds
 * from the next block and no block is ever checked against a target outside them.
 */
function updateParamsHandlerOf(keeper: PowKeeper): MsgHandler<MsgUpdatePowParams> {
  return updateParamsHandler<MsgUpdatePowParams, PowParams>({
    typeUrl: "/blockai.pow.v1.MsgUpdateParams",
    codec: MsgUpdatePowParams,
    read: powParamsFromMsg,
    set(ctx, p) {
      keeper.setParams(ctx.store, p);
      const target = keeper.getTarget(ctx.store);
      const clamped = target < p.minTarget ? p.minTarget : target > p.maxTarget ? p.maxTarget : target;
      if (clamped !== target) keeper.setTarget(ctx.store, clamped);
      const mm = keeper.getMatmulTarget(ctx.store);
      if (mm !== undefined) {
        const mmClamped = mm < p.minTarget ? p.minTarget : mm > p.maxTarget ? p.maxTarget : mm;
        if (mmClamped !== mm) keeper.setMatmulTarget(ctx.store, mmClamped);
      }
    },
  });
}
