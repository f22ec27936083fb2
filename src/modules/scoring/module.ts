import type { Context, Module } from "../../framework/module";
import type { StakingReader } from "./expected-keepers";
import { defaultScoringGenesis, exportGenesis, initGenesis } from "./genesis";
import type { ScoringKeeper } from "./keeper";
import { scoringMsgHandlers } from "./msg-server";
import { scoringQueryHandlers } from "./query-server";
import { ScoringAmino } from "./amino";

/**
 * The scoring module. Its epoch-end hook (ScoringKeeper.onEpochEnd) is registered by the module
 * manager; its end block computes the consensus of epochs whose reveal window ends in that block.
 */
export function createScoringModule(keeper: ScoringKeeper, staking: StakingReader): Module {
  return {
    name: "scoring",
    msgs: scoringMsgHandlers(keeper),
    amino: ScoringAmino,
    queries: scoringQueryHandlers(keeper),
    defaultGenesis: defaultScoringGenesis,
    initGenesis: (ctx: Context, genesis: unknown) => initGenesis(ctx, keeper, staking, genesis),
    exportGenesis: (ctx: Context) => exportGenesis(ctx, keeper),
    endBlock(ctx: Context) {
      keeper.endBlock(ctx);
    },
    invariants: (store) => keeper.invariants(store),
  };
}
