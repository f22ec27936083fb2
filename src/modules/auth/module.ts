import { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import {
  QueryAccountRequest,
  QueryAccountResponse,
  QueryAccountsRequest,
  QueryAccountsResponse,
  QueryParamsResponse,
  QueryModuleAccountByNameRequest,
  QueryModuleAccountByNameResponse,
  Bech32PrefixResponse,
} from "cosmjs-types/cosmos/auth/v1beta1/query";
import { ACCOUNT_PREFIX, decodeAddress, encodeAddress, moduleAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import type { Context, Module, QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { PrefixStore } from "../../store/kv";
import { AUTH_STORE_PREFIX, Account, AuthKeeper, AuthParams, DEFAULT_AUTH_PARAMS, encodeAccountAny, SECP256K1_PUBKEY_TYPE_URL } from "./keeper";
import { u64, obj, arr, str, optional } from "../../types/genesis-json";

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
  if (p.txSigLimit === 0n) throw new Error("auth.params.tx_sig_limit must be positive");
  return p;
}

function accountFromJson(j: unknown, where: string): Account {
  const o = obj(j, where);
  const type = str(o["@type"], `${where}.@type`);
  if (type !== "/cosmos.auth.v1beta1.BaseAccount" && type !== "/cosmos.auth.v1beta1.ModuleAccount") {
    throw new Error(`${where}: unsupported account type ${type}`);
  }
  const address = decodeAddress(str(o.address, `${where}.address`));
  let moduleName: string | undefined;
  if (type === "/cosmos.auth.v1beta1.ModuleAccount") {
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
    "@type": a.moduleName !== undefined ? "/cosmos.auth.v1beta1.ModuleAccount" : "/cosmos.auth.v1beta1.BaseAccount",
    address: encodeAddress(a.address),
    pub_key: a.pubKey ? { "@type": SECP256K1_PUBKEY_TYPE_URL, key: Buffer.from(a.pubKey).toString("base64") } : null,
    account_number: a.accountNumber.toString(),
    sequence: a.sequence.toString(),
    ...(a.moduleName !== undefined ? { name: a.moduleName } : {}),
  };
}

/** The Cosmos SDK's NotFound text: CosmJS's getAccount maps it to null ("account does not exist"). */
function accountNotFound(address: string) {
  return SdkErrors.KeyNotFound.wrap(`rpc error: code = NotFound desc = account ${address} not found`);
}

export function createAuthModule(keeper: AuthKeeper): Module {
  const q = (path: string, handle: QueryHandler["handle"]): QueryHandler => ({ path: `/cosmos.auth.v1beta1.Query/${path}`, handle });
  return {
    name: "auth",
    queries: [
      q("Account", (ctx, data) => {
        const req = QueryAccountRequest.decode(data);
        const address = decodeAddress(req.address);
        const any = keeper.getAccountAny(ctx.store, address);
        if (!any) throw accountNotFound(req.address);
        return QueryAccountResponse.encode({ account: any }).finish();
      }),
      q("Accounts", (ctx, data) => {
        const req = QueryAccountsRequest.decode(data);
        const store = new PrefixStore(ctx.store, AUTH_STORE_PREFIX);
        const { items, pagination } = paginate(store, Uint8Array.of(0x01), Uint8Array.of(0x02), req.pagination, (k) => {
          const acc = keeper.getAccount(ctx.store, k.subarray(2));
          return acc ? encodeAccountAny(acc) : undefined;
        });
        return QueryAccountsResponse.encode({ accounts: items, pagination }).finish();
      }),
      q("Params", (ctx) => QueryParamsResponse.encode({ params: Params.fromPartial(keeper.getParams(ctx.store)) }).finish()),
      q("ModuleAccountByName", (ctx, data) => {
        const req = QueryModuleAccountByNameRequest.decode(data);
        const acc = keeper.getAccount(ctx.store, moduleAddress(req.name));
        if (!acc || acc.moduleName !== req.name) throw SdkErrors.NotFound.wrap(`module account ${req.name} not found`);
        return QueryModuleAccountByNameResponse.encode({ account: encodeAccountAny(acc) }).finish();
      }),
      q("Bech32Prefix", () => Bech32PrefixResponse.encode({ bech32Prefix: ACCOUNT_PREFIX }).finish()),
    ],
    defaultGenesis: () => ({ params: paramsToJson(DEFAULT_AUTH_PARAMS), accounts: [] }),
    initGenesis(ctx: Context, genesis: unknown) {
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
    },
    exportGenesis(ctx: Context) {
      return {
        params: paramsToJson(keeper.getParams(ctx.store)),
        accounts: keeper.allAccounts(ctx.store).map(accountToJson),
      };
    },
  };
}

