import type { Module } from "../../framework/module";
import type { EpochClock } from "./expected-keepers";
import { defaultPowGenesis, exportPowGenesis, initPowGenesis } from "./genesis";
import type { PowKeeper } from "./keeper";
import { powMsgHandlers } from "./msg-server";
import { powQueryHandlers } from "./query-server";
import { powBlockInvariants } from "./block-invariants";
import { PowAmino } from "./amino";

// src/cli imports these from here; once it uses the index (or service.ts), they can go.
export { MSG_SUBMIT_WORK_TYPE_URL } from "./msg-server";

export function createPowModule(keeper: PowKeeper, epochs: EpochClock): Module {
  return {
    name: "pow",
    msgs: powMsgHandlers(keeper),
    amino: PowAmino,
    queries: powQueryHandlers(keeper, epochs),
    defaultGenesis: defaultPowGenesis,
    initGenesis: (ctx, genesis) => initPowGenesis(keeper, ctx, genesis),
    exportGenesis: (ctx) => exportPowGenesis(keeper, ctx),
    beginBlock: (ctx) => keeper.beginBlock(ctx),
    endBlock: (ctx) => keeper.endBlock(ctx),
    invariants: (store) => keeper.invariants(store),
    blockInvariants: (before, after, changed) => powBlockInvariants(after, before, changed, keeper.getParams(after).anchorWindow),
  };
}
