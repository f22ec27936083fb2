import type { Module } from "../../framework/module";
import { defaultBankGenesis, exportBankGenesis, initBankGenesis } from "./genesis";
import type { BankKeeper } from "./keeper";
import { bankBlockInvariants } from "./block-invariants";
import { bankMsgHandlers } from "./msg-server";
import { bankQueryHandlers } from "./query-server";
import { BankAmino } from "./amino";

export function createBankModule(keeper: BankKeeper): Module {
  return {
    name: "bank",
    msgs: bankMsgHandlers(keeper),
    amino: BankAmino,
    queries: bankQueryHandlers(keeper),
    defaultGenesis: defaultBankGenesis,
    initGenesis: (ctx, genesis) => initBankGenesis(keeper, ctx, genesis),
    exportGenesis: (ctx) => exportBankGenesis(keeper, ctx),
    invariants: (store) => keeper.checkSupplyInvariant(store),
    blockInvariants: bankBlockInvariants,
  };
}
