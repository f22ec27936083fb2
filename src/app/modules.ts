import { AuthKeeper } from "../modules/auth/keeper";
import { createAuthModule } from "../modules/auth/module";
import { BankKeeper } from "../modules/bank/keeper";
import { createBankModule } from "../modules/bank/module";
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
  const modules: Module[] = [createAuthModule(auth), createBankModule(bank)];
  return { keepers: { auth, bank }, modules };
}

export type Keepers = ReturnType<typeof createModules>["keepers"];
