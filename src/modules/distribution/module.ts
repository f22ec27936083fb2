import type { Module } from "../../framework/module";
import type { DistributionAccountKeeper, DistributionStaking, ModuleAccountShape } from "./expected-keepers";
import { defaultDistributionGenesis, exportDistributionGenesis, initDistributionGenesis } from "./genesis";
import { DISTRIBUTION_MODULE, DistributionKeeper } from "./keeper";
import { distributionMsgHandlers } from "./msg-server";
import { distributionQueryHandlers } from "./query-server";
import { DistributionAmino } from "./amino";

/** The distribution module: its messages, queries and genesis, and the previous block's fees paid out at each block's start. */
export function createDistributionModule<A extends ModuleAccountShape>(
  keeper: DistributionKeeper,
  staking: DistributionStaking,
  auth: DistributionAccountKeeper<A>,
  isBlocked: (a: Uint8Array) => boolean,
): Module {
  return {
    name: DISTRIBUTION_MODULE,
    msgs: distributionMsgHandlers(keeper, isBlocked),
    amino: DistributionAmino,
    queries: distributionQueryHandlers(keeper, staking),
    defaultGenesis: defaultDistributionGenesis,
    initGenesis: (ctx, genesis) => initDistributionGenesis(ctx, keeper, auth, genesis),
    exportGenesis: (ctx) => exportDistributionGenesis(ctx, keeper),
    beginBlock(ctx, info) {
      // The SDK allocates from height 2 on (the first block has no previous commit).
      if (info.height > 1) keeper.allocateTokens(ctx, info.decidedLastCommit);
    },
    invariants: (store) => keeper.invariants(store),
  };
}
