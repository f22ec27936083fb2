import type { QueryHandler } from "../../framework/module";
import { serveQueries } from "../../framework/query-server";
import { BASE_DENOM } from "../../types/coins";
import { DEC_ONE, decToProtoBytes, formatDec } from "../../types/dec";
import { halvingsAt, scheduledReward } from "./emission";
import type { MintKeeper } from "./keeper";
import { mintParamsToProto, scheduleOf } from "./params";
import { CosmosMintQuery, MintQuery } from "./service";

/** annual / supply as an 18-decimal fixed-point number (0 on an empty supply). */
function inflation(annual: bigint, supply: bigint): bigint {
  return supply === 0n ? 0n : (annual * DEC_ONE) / supply;
}

export function mintQueries(keeper: MintKeeper): QueryHandler[] {
  /** The estimate starts after the last committed height the query reads. */
  const estimate = (store: Parameters<MintKeeper["getParams"]>[0], height: number) => {
    const annual = keeper.annualProvisions(store, BigInt(height));
    return { annual, inflation: inflation(annual, keeper.supply(store)) };
  };
  return [
    ...serveQueries(MintQuery, {
      Params: (ctx) => ({ params: mintParamsToProto(keeper.getParams(ctx.store)) }),
      BlockReward(ctx, req) {
        const height = req.height === 0n ? BigInt(ctx.height) + 1n : req.height;
        const s = scheduleOf(keeper.getParams(ctx.store));
        return { height, scheduled: scheduledReward(s, height).toString(), halvings: halvingsAt(s, height) };
      },
      Minted: (ctx) => ({
        minted: keeper.getMinted(ctx.store).toString(),
        maxEmission: keeper.getParams(ctx.store).maxEmission.toString(),
        lastHeight: keeper.getLastHeight(ctx.store),
      }),
      AnnualProvisions(ctx) {
        const e = estimate(ctx.store, ctx.height);
        return { annualProvisions: e.annual.toString(), inflation: formatDec(e.inflation) };
      },
    }),
    // The SDK's x/mint answers, for explorers: the schedule has no inflation bounds, so min and max
    // are both the current estimate and the rate of change is zero.
    ...serveQueries(CosmosMintQuery, {
      Params(ctx) {
        const p = keeper.getParams(ctx.store);
        const rate = estimate(ctx.store, ctx.height).inflation.toString();
        return {
          params: { mintDenom: BASE_DENOM, inflationRateChange: "0", inflationMax: rate, inflationMin: rate, goalBonded: "0", blocksPerYear: p.blocksPerYear },
        };
      },
      Inflation: (ctx) => ({ inflation: decToProtoBytes(estimate(ctx.store, ctx.height).inflation) }),
      AnnualProvisions: (ctx) => ({ annualProvisions: decToProtoBytes(estimate(ctx.store, ctx.height).annual * DEC_ONE) }),
    }),
  ];
}
