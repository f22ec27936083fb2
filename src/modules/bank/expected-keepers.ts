import type { KVStore } from "../../store/kv";

/** What bank needs of auth: accounts created on first receipt of coins. */
export interface BankAccountKeeper {
  ensureAccount(root: KVStore, address: Uint8Array): unknown;
  ensureModuleAccount(root: KVStore, name: string): { readonly address: Uint8Array };
}
