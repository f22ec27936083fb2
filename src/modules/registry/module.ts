import { registryBlockInvariants } from "./block-invariants";
import type { Module } from "../../framework/module";
import { defaultRegistryGenesis, exportRegistryGenesis, initRegistryGenesis } from "./genesis";
import type { RegistryKeeper } from "./keeper";
import { registryMsgHandlers } from "./msg-server";
import { registryQueryHandlers } from "./query-server";
import { RegistryAmino } from "./amino";

export function createRegistryModule(keeper: RegistryKeeper): Module {
  return {
    name: "registry",
    msgs: registryMsgHandlers(keeper),
    amino: RegistryAmino,
    queries: registryQueryHandlers(keeper),
    defaultGenesis: defaultRegistryGenesis,
    initGenesis: (ctx, genesis) => initRegistryGenesis(keeper, ctx, genesis),
    exportGenesis: (ctx) => exportRegistryGenesis(keeper, ctx),
    endBlock: (ctx) => keeper.releaseBonds(ctx),
    invariants: (store) => keeper.checkInvariants(store),
    blockInvariants: (before, after, changed) => registryBlockInvariants(keeper, before, after, changed),
  };
}
