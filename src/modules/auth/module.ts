import type { Module } from "../../framework/module";
import { defaultAuthGenesis, exportAuthGenesis, initAuthGenesis } from "./genesis";
import type { AuthKeeper } from "./keeper";
import { authMsgHandlers } from "./msg-server";
import { authQueryHandlers } from "./query-server";
import { AuthAmino } from "./amino";

export function createAuthModule(keeper: AuthKeeper): Module {
  return {
    name: "auth",
    msgs: authMsgHandlers(keeper),
    amino: AuthAmino,
    queries: authQueryHandlers(keeper),
    defaultGenesis: defaultAuthGenesis,
    initGenesis: (ctx, genesis) => initAuthGenesis(keeper, ctx, genesis),
    exportGenesis: (ctx) => exportAuthGenesis(keeper, ctx),
  };
}
