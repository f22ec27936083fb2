import { meteringBlockInvariants } from "./block-invariants";
import type { Module } from "../../framework/module";
import { defaultMeteringGenesis, exportMeteringGenesis, initMeteringGenesis } from "./genesis";
import type { MeteringKeeper } from "./keeper";
import { meteringMsgHandlers } from "./msg-server";
import { meteringQueryHandlers } from "./query-server";
import { MeteringAmino } from "./amino";

export function createMeteringModule(keeper: MeteringKeeper): Module {
  return {
    name: "metering",
    msgs: meteringMsgHandlers(keeper),
    amino: MeteringAmino,
    queries: meteringQueryHandlers(keeper),
    defaultGenesis: defaultMeteringGenesis,
    initGenesis: (ctx, genesis) => initMeteringGenesis(keeper, ctx, genesis),
    exportGenesis: (ctx) => exportMeteringGenesis(keeper, ctx),
    endBlock: (ctx) => keeper.endBlock(ctx),
    invariants: (store) => keeper.checkInvariants(store),
    blockInvariants: (before, after, changed) => meteringBlockInvariants(keeper, before, after, changed),
  };
}
