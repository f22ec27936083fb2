import { MsgSubmitWork, MsgSubmitWorkResponse } from "../../gen/blockai/pow/v1/tx";
import {
  QueryAnchorRequest,
  QueryAnchorResponse,
  QueryEpochWorkRequest,
  QueryEpochWorkResponse,
  QueryMinerWorkRequest,
  QueryMinerWorkResponse,
  QueryModelWorkRequest,
  QueryModelWorkResponse,
  QueryParamsResponse,
  QueryTargetResponse,
} from "../../gen/blockai/pow/v1/query";
import { decodeAddress, encodeAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import { arr, obj, optional, str, u64 } from "../../types/genesis-json";
import type { Context, Module, MsgHandler, QueryHandler } from "../../framework/module";
import type { EpochClock } from "../epochs/keeper";
import { PowErrors } from "./errors";
import { DEFAULT_INITIAL_TARGET, DEFAULT_POW_PARAMS, PowKeeper, PowParams, paramsToProto, tallyToProto, validateParams } from "./keeper";
import { HASH_LENGTH, parseTargetHex, targetToHex, workForTarget } from "./seal";

export const MSG_SUBMIT_WORK_TYPE_URL = "/blockai.pow.v1.MsgSubmitWork";
export const MSG_SUBMIT_WORK_RESPONSE_TYPE_URL = "/blockai.pow.v1.MsgSubmitWorkResponse";
export const POW_QUERY_SERVICE = "/blockai.pow.v1.Query";

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
      ctx.events.emit("pow_certificate", {
        miner: msg.miner,
        model_id: msg.modelId.toString(),
        anchor_height: msg.anchorHeight.toString(),
        nonce: msg.nonce.toString(),
        seal: cert.seal.toString("hex"),
        work: work.toString(),
        epoch: epoch.toString(),
      });
      return {
        typeUrl: MSG_SUBMIT_WORK_RESPONSE_TYPE_URL,
        value: MsgSubmitWorkResponse.encode({ seal: cert.seal, work: work.toString(), epoch }).finish(),
      };
    },
  };
}

function hex32(value: unknown, where: string): Uint8Array {
  const s = str(value, where);
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw new Error(`${where}: expected 64 hexadecimal digits`);
  return Buffer.from(s, "hex");
}

function decimal(value: unknown, where: string): bigint {
  const s = str(value, where);
  if (!/^(0|[1-9][0-9]*)$/.test(s) || s.length > 90) throw new Error(`${where}: expected a non-negative decimal integer as a string`);
  return BigInt(s);
}

function readParams(value: unknown): PowParams {
  const p = obj(value ?? {}, "pow.params");
  const d = DEFAULT_POW_PARAMS;
  const params: PowParams = {
    anchorWindow: p.anchor_window === undefined ? d.anchorWindow : u64(p.anchor_window, "pow.params.anchor_window"),
    maxCertsPerBlock: p.max_certs_per_block === undefined ? d.maxCertsPerBlock : u64(p.max_certs_per_block, "pow.params.max_certs_per_block"),
    targetCertsPerEpoch:
      p.target_certs_per_epoch === undefined ? d.targetCertsPerEpoch : u64(p.target_certs_per_epoch, "pow.params.target_certs_per_epoch"),
    minTarget: p.min_target === undefined ? d.minTarget : parseTargetHex(str(p.min_target, "pow.params.min_target"), "pow.params.min_target"),
    maxTarget: p.max_target === undefined ? d.maxTarget : parseTargetHex(str(p.max_target, "pow.params.max_target"), "pow.params.max_target"),
    maxCertsPerMinerPerBlock: 0n,
  };
  // Absent: the default, but never above max_certs_per_block (a genesis that lowers only that).
  params.maxCertsPerMinerPerBlock =
    p.max_certs_per_miner_per_block === undefined
      ? (d.maxCertsPerMinerPerBlock < params.maxCertsPerBlock ? d.maxCertsPerMinerPerBlock : params.maxCertsPerBlock)
      : u64(p.max_certs_per_miner_per_block, "pow.params.max_certs_per_miner_per_block");
  for (const k of Object.keys(p)) {
    if (!["anchor_window", "max_certs_per_block", "target_certs_per_epoch", "min_target", "max_target", "max_certs_per_miner_per_block"].includes(k)) {
      throw new Error(`pow.params.${k}: unknown parameter`);
    }
  }
  validateParams(params);
  return params;
}

export function paramsToJson(p: PowParams) {
  return {
    anchor_window: p.anchorWindow.toString(),
    max_certs_per_block: p.maxCertsPerBlock.toString(),
    target_certs_per_epoch: p.targetCertsPerEpoch.toString(),
    min_target: targetToHex(p.minTarget),
    max_target: targetToHex(p.maxTarget),
    max_certs_per_miner_per_block: p.maxCertsPerMinerPerBlock.toString(),
  };
}

export function createPowModule(keeper: PowKeeper, epochs: EpochClock): Module {
  const q = (path: string, handle: QueryHandler["handle"]): QueryHandler => ({ path: `${POW_QUERY_SERVICE}/${path}`, handle });
  return {
    name: "pow",
    msgs: [msgSubmitWorkHandler(keeper)],
    queries: [
      q("Params", (ctx) => QueryParamsResponse.encode({ params: paramsToProto(keeper.getParams(ctx.store)) }).finish()),
      q("Target", (ctx) => {
        const target = keeper.getTarget(ctx.store);
        const epoch = epochs.currentEpoch(ctx.store);
        return QueryTargetResponse.encode({
          target: targetToHex(target),
          workPerCertificate: workForTarget(target).toString(),
          epoch,
          epochCertificates: keeper.epochWork(ctx.store, epoch).certificates,
          lastRetarget: keeper.lastRetarget(ctx.store),
        }).finish();
      }),
      q("MinerWork", (ctx, data) => {
        const req = QueryMinerWorkRequest.decode(data);
        const miner = decodeAddress(req.miner, "miner address");
        return QueryMinerWorkResponse.encode({
          total: tallyToProto(keeper.minerWork(ctx.store, miner, req.epoch)),
          byModel: keeper.minerWorkByModel(ctx.store, miner, req.epoch).map((e) => ({ modelId: e.modelId, tally: tallyToProto(e.tally) })),
        }).finish();
      }),
      q("ModelWork", (ctx, data) => {
        const req = QueryModelWorkRequest.decode(data);
        return QueryModelWorkResponse.encode({ total: tallyToProto(keeper.modelWork(ctx.store, req.modelId, req.epoch)) }).finish();
      }),
      q("EpochWork", (ctx, data) => {
        const req = QueryEpochWorkRequest.decode(data);
        return QueryEpochWorkResponse.encode({ total: tallyToProto(keeper.epochWork(ctx.store, req.epoch)) }).finish();
      }),
      q("Anchor", (ctx, data) => {
        const req = QueryAnchorRequest.decode(data);
        const anchor = req.height === 0n ? keeper.latestAnchor(ctx.store) : (() => {
          const hash = keeper.anchorHash(ctx.store, req.height);
          return hash ? { height: req.height, hash } : undefined;
        })();
        if (!anchor) throw SdkErrors.NotFound.wrap(`no anchor recorded for height ${req.height}`);
        return QueryAnchorResponse.encode({ height: anchor.height, hash: Buffer.from(anchor.hash) }).finish();
      }),
    ],
    defaultGenesis: () => ({ params: paramsToJson(DEFAULT_POW_PARAMS), target: targetToHex(DEFAULT_INITIAL_TARGET) }),
    initGenesis(ctx: Context, genesis: unknown) {
      const g = obj(genesis ?? {}, "pow");
      for (const k of Object.keys(g)) {
        if (!["params", "target", "anchors", "used_seals", "work", "last_retarget"].includes(k)) throw new Error(`pow.${k}: unknown field`);
      }
      const params = readParams(g.params);
      keeper.setParams(ctx.store, params);
      const target = g.target === undefined ? DEFAULT_INITIAL_TARGET : parseTargetHex(str(g.target, "pow.target"), "pow.target");
      if (target < params.minTarget || target > params.maxTarget) throw new Error("pow.target: must be within [params.min_target, params.max_target]");
      keeper.setTarget(ctx.store, target);

      const anchors = arr(g.anchors ?? [], "pow.anchors");
      if (BigInt(anchors.length) > params.anchorWindow) throw new Error(`pow.anchors: more than anchor_window (${params.anchorWindow}) entries`);
      const heights = new Set<bigint>();
      anchors.forEach((a, i) => {
        const o = obj(a, `pow.anchors[${i}]`);
        const height = u64(o.height, `pow.anchors[${i}].height`);
        // Only the anchors a certificate could use at the chain's first height are meaningful.
        const last = BigInt(ctx.block.height); // initial_height - 1
        if (height === 0n || height > last || last - height >= params.anchorWindow) {
          throw new Error(`pow.anchors[${i}].height: ${height} is outside the anchor window before the initial height (${last - params.anchorWindow + 1n}..${last})`);
        }
        if (heights.has(height)) throw new Error(`pow.anchors[${i}].height: duplicate height ${height}`);
        heights.add(height);
        keeper.setAnchor(ctx.store, height, hex32(o.hash, `pow.anchors[${i}].hash`));
      });
      const seals = new Set<string>();
      arr(g.used_seals ?? [], "pow.used_seals").forEach((s, i) => {
        const o = obj(s, `pow.used_seals[${i}]`);
        const anchorHeight = u64(o.anchor_height, `pow.used_seals[${i}].anchor_height`);
        if (!heights.has(anchorHeight)) throw new Error(`pow.used_seals[${i}].anchor_height: no anchor ${anchorHeight} in pow.anchors`);
        const seal = hex32(o.seal, `pow.used_seals[${i}].seal`);
        const id = Buffer.from(seal).toString("hex");
        if (seals.has(id)) throw new Error(`pow.used_seals[${i}].seal: duplicate`);
        seals.add(id);
        keeper.importUsedSeal(ctx.store, anchorHeight, seal);
      });
      arr(g.work ?? [], "pow.work").forEach((w, i) => {
        const o = obj(w, `pow.work[${i}]`);
        const where = `pow.work[${i}]`;
        const miner = decodeAddress(str(o.miner, `${where}.miner`), `${where}.miner`);
        keeper.importWorkRecord(ctx.store, {
          epoch: u64(o.epoch, `${where}.epoch`),
          miner,
          modelId: u64(o.model_id, `${where}.model_id`),
          tally: { work: decimal(o.work, `${where}.work`), certificates: u64(o.certificates, `${where}.certificates`) },
        });
      });
      const last = optional(g.last_retarget, (v) => obj(v, "pow.last_retarget"));
      if (last) {
        keeper.importLastRetarget(ctx.store, {
          epoch: u64(last.epoch, "pow.last_retarget.epoch"),
          certificates: u64(last.certificates, "pow.last_retarget.certificates"),
          oldTarget: targetToHex(parseTargetHex(str(last.old_target, "pow.last_retarget.old_target"), "pow.last_retarget.old_target")),
          newTarget: targetToHex(parseTargetHex(str(last.new_target, "pow.last_retarget.new_target"), "pow.last_retarget.new_target")),
        });
      }
    },
    exportGenesis(ctx: Context) {
      const last = keeper.lastRetarget(ctx.store);
      return {
        params: paramsToJson(keeper.getParams(ctx.store)),
        target: targetToHex(keeper.getTarget(ctx.store)),
        anchors: keeper.allAnchors(ctx.store).map((a) => ({ height: a.height.toString(), hash: Buffer.from(a.hash).toString("hex") })),
        used_seals: keeper.allUsedSeals(ctx.store).map((s) => ({ anchor_height: s.anchorHeight.toString(), seal: Buffer.from(s.seal).toString("hex") })),
        work: keeper.allWorkRecords(ctx.store).map((r) => ({
          epoch: r.epoch.toString(),
          miner: encodeAddress(r.miner),
          model_id: r.modelId.toString(),
          work: r.tally.work.toString(),
          certificates: r.tally.certificates.toString(),
        })),
        ...(last
          ? { last_retarget: { epoch: last.epoch.toString(), certificates: last.certificates.toString(), old_target: last.oldTarget, new_target: last.newTarget } }
          : {}),
      };
    },
    beginBlock(ctx: Context) {
      keeper.beginBlock(ctx);
    },
    endBlock(ctx: Context) {
      keeper.endBlock(ctx);
    },
    invariants: (store) => keeper.invariants(store),
  };
}
