import type { Context, Module } from "../../framework/module";
import type { EpochsReader, RewardsRegistry } from "./expected-keepers";
import { defaultRewardsGenesis, exportRewardsGenesis, initRewardsGenesis } from "./genesis";
import type { RewardsKeeper } from "./keeper";
import { rewardsMsgHandlers } from "./msg-server";
import { rewardsQueries } from "./query-server";
import { RewardsAmino } from "./amino";

/**
 * The rewards module. Its block work runs in mint's hook and its epoch work in the epoch hook; its
 * end block prunes expired epochs' records.
 */
export function createRewardsModule(keeper: RewardsKeeper, registry: RewardsRegistry, epochs: EpochsReader, isBlocked: (a: Uint8Array) => boolean): Module {
  return {
    name: "rewards",
    msgs: rewardsMsgHandlers(keeper, registry, isBlocked),
    amino: RewardsAmino,
    queries: rewardsQueries(keeper, registry, epochs),
    defaultGenesis: defaultRewardsGenesis,
    initGenesis: (ctx: Context, genesis: unknown) => initRewardsGenesis(ctx, keeper, genesis),
    exportGenesis: (ctx: Context) => exportRewardsGenesis(ctx, keeper),
    endBlock: (ctx: Context) => keeper.endBlock(ctx),
    invariants: (store) => keeper.invariants(store),
    // The full check is already bounded: accrued pools and the epochs of the claim window plus
    // expired_epoch_retention (pruning removes older ones), whatever the number of claimants.
    blockInvariants: (_before, after) => keeper.invariants(after),
  };
}
