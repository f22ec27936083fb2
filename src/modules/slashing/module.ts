import type { Module } from "../../framework/module";
import { defaultSlashingGenesis, exportSlashingGenesis, initSlashingGenesis } from "./genesis";
import type { SlashingKeeper } from "./keeper";
import { slashingMsgHandlers } from "./msg-server";
import { slashingQueryHandlers } from "./query-server";
import { SlashingAmino } from "./amino";

/** The slashing module: MsgUnjail, its queries and genesis, and liveness and evidence at each block's start. */
export function createSlashingModule(keeper: SlashingKeeper): Module {
  return {
    name: "slashing",
    msgs: slashingMsgHandlers(keeper),
    amino: SlashingAmino,
    queries: slashingQueryHandlers(keeper),
    defaultGenesis: defaultSlashingGenesis,
    initGenesis: (ctx, genesis) => initSlashingGenesis(ctx, keeper, genesis),
    exportGenesis: (ctx) => exportSlashingGenesis(ctx, keeper),
    beginBlock(ctx, info) {
      keeper.beginBlock(ctx, info.decidedLastCommit, info.misbehavior);
    },
    invariants: (store) => keeper.invariants(store),
  };
}
