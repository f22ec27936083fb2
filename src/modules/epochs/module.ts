import { epochsMsgHandlers } from "./msg-server";
import type { Module } from "../../framework/module";
import { defaultEpochsGenesis, exportEpochsGenesis, initEpochsGenesis } from "./genesis";
import type { EpochsKeeper } from "./keeper";
import { epochsQueryHandlers } from "./query-server";
import { EpochsAmino } from "./amino";

export function createEpochsModule(keeper: EpochsKeeper): Module {
  return {
    name: "epochs",
    msgs: epochsMsgHandlers(keeper),
    amino: EpochsAmino,
    queries: epochsQueryHandlers(keeper),
    defaultGenesis: defaultEpochsGenesis,
    initGenesis: (ctx, genesis) => initEpochsGenesis(keeper, ctx, genesis),
    exportGenesis: (ctx) => exportEpochsGenesis(keeper, ctx),
    endBlock: (ctx) => keeper.endBlock(ctx),
  };
}
