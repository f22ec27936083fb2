import type { Module } from "../../framework/module";
import type { ModuleAccountKeeper, ModuleAccountShape } from "./expected-keepers";
import { defaultStakingGenesis, exportStakingGenesis, initStakingGenesis } from "./genesis";
import type { StakingKeeper } from "./keeper";
import { stakingMsgHandlers } from "./msg-server";
import { stakingQueryHandlers } from "./query-server";
import { STAKING_MODULE } from "./types";
import { StakingAmino } from "./amino";

/** The staking module: its messages, queries, genesis, and the validator set updates of each block's end. */
export function createStakingModule<A extends ModuleAccountShape>(keeper: StakingKeeper, auth: ModuleAccountKeeper<A>): Module {
  return {
    name: STAKING_MODULE,
    msgs: stakingMsgHandlers(keeper),
    amino: StakingAmino,
    queries: stakingQueryHandlers(keeper),
    defaultGenesis: defaultStakingGenesis,
    initGenesis: (ctx, genesis) => initStakingGenesis(ctx, keeper, auth, genesis),
    exportGenesis: (ctx) => exportStakingGenesis(ctx, keeper),
    endBlock: (ctx) => keeper.endBlock(ctx),
    invariants: (store) => keeper.invariants(store),
  };
}
