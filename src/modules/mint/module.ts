import type { Context, Module } from "../../framework/module";
import { defaultMintGenesis, exportMintGenesis, initMintGenesis } from "./genesis";
import type { MintKeeper } from "./keeper";
import { mintMsgHandlers } from "./msg-server";
import { mintQueries } from "./query-server";
import { MintAmino } from "./amino";

/** The mint module: emission each begin block, its queries, its genesis. MsgUpdateParams. */
export function createMintModule(keeper: MintKeeper): Module {
  return {
    name: "mint",
    msgs: mintMsgHandlers(keeper),
    amino: MintAmino,
    queries: mintQueries(keeper),
    defaultGenesis: defaultMintGenesis,
    initGenesis: (ctx: Context, genesis: unknown) => initMintGenesis(ctx, keeper, genesis),
    exportGenesis: (ctx: Context) => exportMintGenesis(ctx, keeper),
    beginBlock: (ctx: Context) => keeper.beginBlock(ctx),
    invariants: (store) => keeper.invariants(store),
  };
}
