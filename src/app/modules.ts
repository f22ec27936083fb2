import { AuthKeeper } from "../modules/auth/keeper";
import { createAuthModule } from "../modules/auth/module";
import { BankKeeper } from "../modules/bank/keeper";
import { createBankModule } from "../modules/bank/module";
import { EpochsKeeper } from "../modules/epochs/keeper";
import { createEpochsModule } from "../modules/epochs/module";
import type { Module } from "./module";
import { FEE_COLLECTOR } from "./tx";

/**
 * The module manager: builds every keeper, wires them through their small interfaces, and lists
 * the modules in the order their genesis and block hooks run.
 */
export function createModules() {
  const auth = new AuthKeeper();
  const bank = new BankKeeper(auth);
  bank.blockModuleAccount(FEE_COLLECTOR);
  const epochs = new EpochsKeeper();
  // Order matters: genesis is loaded in this order and end-block hooks run in this order. The
  // epoch clock runs last so that every module's block work is done before an epoch closes.
  const modules: Module[] = [createAuthModule(auth), createBankModule(bank), createEpochsModule(epochs)];
  return { keepers: { auth, bank, epochs }, modules };
}

export type Keepers = ReturnType<typeof createModules>["keepers"];
