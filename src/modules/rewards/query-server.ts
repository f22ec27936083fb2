import type { QueryHandler } from "../../framework/module";
import { serveQueries } from "../../framework/query-server";
import { decodeAddress, encodeAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import { RewardsErrors } from "./errors";
import type { EpochsReader, RewardsRegistry } from "./expected-keepers";
import { RewardsKeeper } from "./keeper";
import { rewardsParamsToProto } from "./params";
import { RewardsQuery } from "./service";

function address(text: string, what: string): Uint8Array {
  try {
    return decodeAddress(text, what);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap((e as Error).message);
  }
}

export function rewardsQueries(keeper: RewardsKeeper, registry: RewardsRegistry, epochs: EpochsReader): QueryHandler[] {
  return serveQueries(RewardsQuery, {
    Params: (ctx) => ({ params: rewardsParamsToProto(keeper.getParams(ctx.store)) }),
    Accrued: (ctx) => ({ epoch: epochs.currentEpoch(ctx.store), accrued: keeper.getAccrued(ctx.store) }),
    Pending(ctx, req) {
      const owed = keeper.pending(ctx.store, address(req.address, "address"));
      let total = 0n;
      for (const o of owed) total += o.amount;
      return { rewards: owed.map((o) => ({ epoch: o.epoch, kind: o.kind, modelId: o.modelId, amount: o.amount.toString() })), total: total.toString() };
    },
    EpochRewards(ctx, req) {
      const r = keeper.getEpochRewards(ctx.store, req.epoch);
      if (!r) throw RewardsErrors.EpochNotFound.wrap(`epoch ${req.epoch} has not ended`);
      return { rewards: r };
    },
    ModelRewards(ctx, req) {
      const model = registry.getModel(ctx.store, req.modelId);
      if (!model) throw RewardsErrors.ModelNotFound.wrap(`model ${req.modelId}`);
      const reward = keeper.getModelReward(ctx.store, req.epoch, req.modelId);
      return { reward, payoutAddress: encodeAddress(keeper.payoutOf(ctx.store, req.modelId, model.owner)) };
    },
    MinerRewards(ctx, req) {
      const miner = address(req.miner, "miner");
      const { amount, work, r } = keeper.minerOwed(ctx.store, miner, req.epoch);
      return {
        work: work.toString(),
        totalWork: r?.minerTotalWork ?? "0",
        pool: r?.minerPool ?? "0",
        amount: amount.toString(),
        claimed: r !== undefined && keeper.getMinerCursor(ctx.store, miner) > req.epoch,
      };
    },
  });
}
