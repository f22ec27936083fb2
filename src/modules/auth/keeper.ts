import { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { Any } from "cosmjs-types/google/protobuf/any";
import { moduleAddress } from "../../types/address";
import { KVStore, PrefixStore } from "../../store/kv";
import { equalBytes } from "../../types/bytes";
import { Account, decodeAccountAny, decodeAccountBytes, encodeAccountBytes } from "./codec";
import { ACCOUNT_PREFIX, AUTH_STORE_PREFIX, NEXT_NUMBER_KEY, PARAMS_KEY, PARAMS_STATE_KEY, accountKey, accountStateKey } from "./keys";
import { AuthParams, DEFAULT_AUTH_PARAMS } from "./params";

/** Accounts: numbers, sequences and public keys. Other modules name what they use of it in their expected-keepers.ts. */
export class AuthKeeper {
  private store(root: KVStore): KVStore {
    return new PrefixStore(root, AUTH_STORE_PREFIX);
  }

  /**
   * The last params record decoded, keyed by a private copy of its bytes: getParams runs for every
   * transaction and the record rarely changes. A pure function of the stored bytes (compared in
   * full on every call), so any write to the params key is seen.
   */
  private paramsCache: { raw: Uint8Array; params: AuthParams } | undefined;

  getParams(root: KVStore): AuthParams {
    const raw = root.get(PARAMS_STATE_KEY);
    if (!raw) return DEFAULT_AUTH_PARAMS;
    const cached = this.paramsCache;
    if (cached !== undefined && equalBytes(cached.raw, raw)) return { ...cached.params };
    const p = Params.decode(raw);
    const params: AuthParams = {
      maxMemoCharacters: p.maxMemoCharacters,
      txSigLimit: p.txSigLimit,
      txSizeCostPerByte: p.txSizeCostPerByte,
      sigVerifyCostEd25519: p.sigVerifyCostEd25519,
      sigVerifyCostSecp256k1: p.sigVerifyCostSecp256k1,
    };
    this.paramsCache = { raw: raw.slice(), params: { ...params } };
    return params;
  }

  setParams(root: KVStore, params: AuthParams): void {
    this.store(root).set(PARAMS_KEY, Params.encode(Params.fromPartial(params)).finish());
  }

  getAccount(root: KVStore, address: Uint8Array): Account | undefined {
    // The full key on the root: what PrefixStore(root, AUTH_STORE_PREFIX) would pass on.
    const raw = root.get(accountStateKey(address));
    if (!raw) return undefined;
    return decodeAccountBytes(address, raw);
  }

  hasAccount(root: KVStore, address: Uint8Array): boolean {
    return root.has(accountStateKey(address));
  }

  /** Raw Any bytes of an account, as the Account query returns them. */
  getAccountAny(root: KVStore, address: Uint8Array): Any | undefined {
    const raw = this.store(root).get(accountKey(address));
    return raw ? Any.decode(raw) : undefined;
  }

  setAccount(root: KVStore, account: Account): void {
    root.set(accountStateKey(account.address), encodeAccountBytes(account));
  }

  private nextAccountNumber(root: KVStore): bigint {
    const store = this.store(root);
    const raw = store.get(NEXT_NUMBER_KEY);
    const next = raw ? Buffer.from(raw).readBigUInt64BE() : 0n;
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64BE(next + 1n);
    store.set(NEXT_NUMBER_KEY, buf);
    return next;
  }

  /** Creates the account on first receipt of coins (or first use), assigning the next number. */
  ensureAccount(root: KVStore, address: Uint8Array): Account {
    const existing = this.getAccount(root, address);
    if (existing) return existing;
    const account: Account = { address, accountNumber: this.nextAccountNumber(root), sequence: 0n };
    this.setAccount(root, account);
    return account;
  }

  /** The module account `name`, created on first use. */
  ensureModuleAccount(root: KVStore, name: string): Account {
    const address = moduleAddress(name);
    const existing = this.getAccount(root, address);
    if (existing) return existing;
    const account: Account = { address, accountNumber: this.nextAccountNumber(root), sequence: 0n, moduleName: name };
    this.setAccount(root, account);
    return account;
  }

  /** Imports an account as given (genesis): keeps its number and bumps the counter past it. */
  importAccount(root: KVStore, account: Account): void {
    this.setAccount(root, account);
    const store = this.store(root);
    const raw = store.get(NEXT_NUMBER_KEY);
    const next = raw ? Buffer.from(raw).readBigUInt64BE() : 0n;
    if (account.accountNumber >= next) {
      const buf = Buffer.alloc(8);
      buf.writeBigUInt64BE(account.accountNumber + 1n);
      store.set(NEXT_NUMBER_KEY, buf);
    }
  }

  allAccounts(root: KVStore): Account[] {
    return this.store(root)
      .range(Uint8Array.of(ACCOUNT_PREFIX), Uint8Array.of(ACCOUNT_PREFIX + 1))
      .map(([k, v]) => decodeAccountAny(k.subarray(2), Any.decode(v)));
  }
}
