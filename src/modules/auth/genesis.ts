import { decodeAddress, encodeAddress, moduleAddress } from "../../types/address";
import { arr, obj, optional, str, u64 } from "../../types/genesis-json";
import type { Context } from "../../framework/module";
import { Account, BASE_ACCOUNT_TYPE_URL, MODULE_ACCOUNT_TYPE_URL, SECP256K1_PUBKEY_TYPE_URL } from "./codec";
import type { AuthKeeper } from "./keeper";
import { AuthParams, DEFAULT_AUTH_PARAMS, validateAuthParams } from "./params";

export interface AuthGenesis {
  params: AuthParams;
  accounts: Account[];
}

function paramsToJson(p: AuthParams) {
  return {
    max_memo_characters: p.maxMemoCharacters.toString(),
    tx_sig_limit: p.txSigLimit.toString(),
    tx_size_cost_per_byte: p.txSizeCostPerByte.toString(),
    sig_verify_cost_ed25519: p.sigVerifyCostEd25519.toString(),
    sig_verify_cost_secp256k1: p.sigVerifyCostSecp256k1.toString(),
  };
}

function paramsFromJson(j: unknown): AuthParams {
  if (j === undefined) return DEFAULT_AUTH_PARAMS;
  const o = obj(j, "auth.params");
  const p: AuthParams = {
    maxMemoCharacters: u64(o.max_memo_characters, "auth.params.max_memo_characters"),
    txSigLimit: u64(o.tx_sig_limit, "auth.params.tx_sig_limit"),
    txSizeCostPerByte: u64(o.tx_size_cost_per_byte, "auth.params.tx_size_cost_per_byte"),
    sigVerifyCostEd25519: u64(o.sig_verify_cost_ed25519, "auth.params.sig_verify_cost_ed25519"),
    sigVerifyCostSecp256k1: u64(o.sig_verify_cost_secp256k1, "auth.params.sig_verify_cost_secp256k1"),
  };
  validateAuthParams(p);
  return p;
}

function accountFromJson(j: unknown, where: string): Account {
  const o = obj(j, where);
  const type = str(o["@type"], `${where}.@type`);
  if (type !== BASE_ACCOUNT_TYPE_URL && type !== MODULE_ACCOUNT_TYPE_URL) {
    throw new Error(`${where}: unsupported account type ${type}`);
  }
  const address = decodeAddress(str(o.address, `${where}.address`));
  let moduleName: string | undefined;
  if (type === MODULE_ACCOUNT_TYPE_URL) {
    moduleName = str(o.name, `${where}.name`);
    // A module account's address is derived from its name; anything else is a forged entry.
    if (!Buffer.from(moduleAddress(moduleName)).equals(Buffer.from(address))) {
      throw new Error(`${where}: address ${o.address} is not the address of module account "${moduleName}"`);
    }
    if (o.pub_key !== undefined && o.pub_key !== null) throw new Error(`${where}: a module account has no public key`);
  }
  const pub = optional(o.pub_key, (p) => {
    const po = obj(p, `${where}.pub_key`);
    if (po["@type"] !== SECP256K1_PUBKEY_TYPE_URL) throw new Error(`${where}.pub_key: only ${SECP256K1_PUBKEY_TYPE_URL} is supported`);
    const key = Buffer.from(str(po.key, `${where}.pub_key.key`), "base64");
    if (key.length !== 33) throw new Error(`${where}.pub_key.key: expected 33 bytes`);
    return new Uint8Array(key);
  });
  return {
    address,
    pubKey: pub,
    accountNumber: u64(o.account_number ?? "0", `${where}.account_number`),
    sequence: u64(o.sequence ?? "0", `${where}.sequence`),
    moduleName,
  };
}

function accountToJson(a: Account) {
  return {
    "@type": a.moduleName !== undefined ? MODULE_ACCOUNT_TYPE_URL : BASE_ACCOUNT_TYPE_URL,
    address: encodeAddress(a.address),
    pub_key: a.pubKey ? { "@type": SECP256K1_PUBKEY_TYPE_URL, key: Buffer.from(a.pubKey).toString("base64") } : null,
    account_number: a.accountNumber.toString(),
    sequence: a.sequence.toString(),
    ...(a.moduleName !== undefined ? { name: a.moduleName } : {}),
  };
}

export function defaultAuthGenesis() {
  return { params: paramsToJson(DEFAULT_AUTH_PARAMS), accounts: [] };
}

export function initAuthGenesis(keeper: AuthKeeper, ctx: Context, genesis: unknown): void {
  const g = obj(genesis ?? {}, "auth");
  keeper.setParams(ctx.store, paramsFromJson(g.params));
  const accounts = arr(g.accounts ?? [], "auth.accounts").map((a, i) => accountFromJson(a, `auth.accounts[${i}]`));
  const seen = new Set<string>();
  const numbers = new Set<bigint>();
  for (const a of accounts) {
    const id = Buffer.from(a.address).toString("hex");
    if (seen.has(id)) throw new Error(`auth.accounts: duplicate account ${encodeAddress(a.address)}`);
    if (numbers.has(a.accountNumber)) throw new Error(`auth.accounts: duplicate account_number ${a.accountNumber}`);
    seen.add(id);
    numbers.add(a.accountNumber);
    keeper.importAccount(ctx.store, a);
  }
}

export function exportAuthGenesis(keeper: AuthKeeper, ctx: Context) {
  return {
    params: paramsToJson(keeper.getParams(ctx.store)),
    accounts: keeper.allAccounts(ctx.store).map(accountToJson),
  };
}
