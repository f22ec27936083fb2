import { BaseAccount, ModuleAccount, Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Any } from "cosmjs-types/google/protobuf/any";
import { encodeAddress, moduleAddress } from "../../app/address";
import { KVStore, PrefixStore, concatBytes } from "../../store/kv";

export const AUTH_STORE_PREFIX = new TextEncoder().encode("auth/");
const PARAMS_KEY = Uint8Array.of(0x00);
const ACCOUNT_PREFIX = 0x01;
const NEXT_NUMBER_KEY = Uint8Array.of(0x02);

export const BASE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.ModuleAccount";
export const SECP256K1_PUBKEY_TYPE_URL = "/cosmos.crypto.secp256k1.PubKey";

/** An account as the chain keeps it. */
export interface Account {
  readonly address: Uint8Array;
  /** 33-byte compressed secp256k1 key; set by the account's first signed transaction. */
  pubKey?: Uint8Array;
  readonly accountNumber: bigint;
  sequence: bigint;
  /** Set for module accounts (fee_collector, ...): they hold coins but never sign. */
  readonly moduleName?: string;
}

export interface AuthParams {
  maxMemoCharacters: bigint;
  txSigLimit: bigint;
  txSizeCostPerByte: bigint;
  sigVerifyCostEd25519: bigint;
  sigVerifyCostSecp256k1: bigint;
}

/** The Cosmos SDK v0.50 defaults (x/auth/types/params.go). */
export const DEFAULT_AUTH_PARAMS: AuthParams = {
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: 10n,
  sigVerifyCostEd25519: 590n,
  sigVerifyCostSecp256k1: 1000n,
};

function accountKey(address: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(ACCOUNT_PREFIX, address.length), address);
}

export function encodeAccountAny(account: Account): Any {
  const base = BaseAccount.fromPartial({
    address: encodeAddress(account.address),
    pubKey: account.pubKey
      ? { typeUrl: SECP256K1_PUBKEY_TYPE_URL, value: PubKey.encode({ key: account.pubKey }).finish() }
      : undefined,
    accountNumber: account.accountNumber,
    sequence: account.sequence,
  });
  if (account.moduleName !== undefined) {
    return {
      typeUrl: MODULE_ACCOUNT_TYPE_URL,
      value: ModuleAccount.encode({ baseAccount: base, name: account.moduleName, permissions: [] }).finish(),
    };
  }
  return { typeUrl: BASE_ACCOUNT_TYPE_URL, value: BaseAccount.encode(base).finish() };
}

function decodeAccountAny(address: Uint8Array, any: Any): Account {
  const moduleAccount = any.typeUrl === MODULE_ACCOUNT_TYPE_URL ? ModuleAccount.decode(any.value) : undefined;
  const base = moduleAccount ? moduleAccount.baseAccount! : BaseAccount.decode(any.value);
  return {
    address,
    pubKey: base.pubKey ? PubKey.decode(base.pubKey.value).key : undefined,
    accountNumber: base.accountNumber,
    sequence: base.sequence,
    moduleName: moduleAccount?.name,
  };
}

/** Accounts: numbers, sequences and public keys. Other modules use it through AccountKeeper. */
export class AuthKeeper {
  private store(root: KVStore): KVStore {
    return new PrefixStore(root, AUTH_STORE_PREFIX);
  }

  getParams(root: KVStore): AuthParams {
    const raw = this.store(root).get(PARAMS_KEY);
    if (!raw) return DEFAULT_AUTH_PARAMS;
    const p = Params.decode(raw);
    return {
      maxMemoCharacters: p.maxMemoCharacters,
      txSigLimit: p.txSigLimit,
      txSizeCostPerByte: p.txSizeCostPerByte,
      sigVerifyCostEd25519: p.sigVerifyCostEd25519,
      sigVerifyCostSecp256k1: p.sigVerifyCostSecp256k1,
    };
  }

  setParams(root: KVStore, params: AuthParams): void {
    this.store(root).set(PARAMS_KEY, Params.encode(Params.fromPartial(params)).finish());
  }

  getAccount(root: KVStore, address: Uint8Array): Account | undefined {
    const raw = this.store(root).get(accountKey(address));
    return raw ? decodeAccountAny(address, Any.decode(raw)) : undefined;
  }

  hasAccount(root: KVStore, address: Uint8Array): boolean {
    return this.store(root).has(accountKey(address));
  }

  /** Raw Any bytes of an account, as the Account query returns them. */
  getAccountAny(root: KVStore, address: Uint8Array): Any | undefined {
    const raw = this.store(root).get(accountKey(address));
    return raw ? Any.decode(raw) : undefined;
  }

  setAccount(root: KVStore, account: Account): void {
    this.store(root).set(accountKey(account.address), Any.encode(encodeAccountAny(account)).finish());
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

/** What other modules may do with accounts. */
export interface AccountKeeper {
  ensureAccount(root: KVStore, address: Uint8Array): Account;
  ensureModuleAccount(root: KVStore, name: string): Account;
  hasAccount(root: KVStore, address: Uint8Array): boolean;
}
