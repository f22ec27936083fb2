import type { Context, Module } from "../../framework/module";
import { exportGovGenesis, defaultGovGenesis, initGovGenesis } from "./genesis";
import { GovKeeper } from "./keeper";
import { createMsgHandlers } from "./msg-server";
import { createQueryHandlers } from "./query-server";
import { GovAmino } from "./amino";

export function createGovModule(keeper: GovKeeper): Module {
  return {
    name: "gov",
    msgs: createMsgHandlers(keeper),
    amino: GovAmino,
    queries: createQueryHandlers(keeper),
    defaultGenesis: defaultGovGenesis,
    initGenesis: (ctx: Context, genesis: unknown) => initGovGenesis(keeper, ctx, genesis),
    exportGenesis: (ctx: Context) => exportGovGenesis(keeper, ctx),
    endBlock(ctx: Context) {
      keeper.endBlock(ctx);
    },
    invariants: (store) => keeper.checkInvariants(store),
  };
}
