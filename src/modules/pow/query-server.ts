import { decodeAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import type { QueryHandler } from "../../framework/module";
import { serveQueries } from "../../framework/query-server";
import type { EpochClock } from "./expected-keepers";
import { type PowKeeper, tallyToProto } from "./keeper";
import { paramsToProto } from "./params";
import { targetToHex, workForTarget } from "./seal";
import { PowQuery } from "./service";

export function powQueryHandlers(keeper: PowKeeper, epochs: EpochClock): QueryHandler[] {
  return serveQueries(PowQuery, {
    Params: (ctx) => ({ params: paramsToProto(keeper.getParams(ctx.store)) }),
    Target(ctx) {
      const target = keeper.getTarget(ctx.store);
      const epoch = epochs.currentEpoch(ctx.store);
      const mm = keeper.getMatmulTarget(ctx.store);
      return {
        target: targetToHex(target),
        workPerCertificate: workForTarget(target).toString(),
        epoch,
        epochCertificates: keeper.epochWork(ctx.store, epoch).certificates,
        lastRetarget: keeper.lastRetarget(ctx.store),
        matmulTarget: mm === undefined ? "" : targetToHex(mm),
        matmulTilesPerCertificate: mm === undefined ? "0" : workForTarget(mm).toString(),
        epochMatmulCertificates: keeper.epochWork(ctx.store, epoch, "matmul").certificates,
      };
    },
    MinerWork(ctx, req) {
      const miner = decodeAddress(req.miner, "miner address");
      return {
        total: tallyToProto(keeper.minerWork(ctx.store, miner, req.epoch)),
        byModel: keeper.minerWorkByModel(ctx.store, miner, req.epoch).map((e) => ({ modelId: e.modelId, tally: tallyToProto(e.tally) })),
        matmulTotal: tallyToProto(keeper.minerWork(ctx.store, miner, req.epoch, "matmul")),
      };
    },
    ModelWork: (ctx, req) => ({ total: tallyToProto(keeper.modelWork(ctx.store, req.modelId, req.epoch)) }),
    EpochWork: (ctx, req) => ({
      total: tallyToProto(keeper.epochWork(ctx.store, req.epoch)),
      matmulTotal: tallyToProto(keeper.epochWork(ctx.store, req.epoch, "matmul")),
    }),
    Anchor(ctx, req) {
      let anchor: { height: bigint; hash: Uint8Array } | undefined;
      if (req.height === 0n) anchor = keeper.latestAnchor(ctx.store);
      else {
        const hash = keeper.anchorHash(ctx.store, req.height);
        anchor = hash ? { height: req.height, hash } : undefined;
      }
      if (!anchor) throw SdkErrors.NotFound.wrap(`no anchor recorded for height ${req.height}`);
      return { height: anchor.height, hash: Buffer.from(anchor.hash) };
    },
  });
}
