import { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { ACCOUNT_PREFIX as BECH32_ACCOUNT_PREFIX, decodeAddress, moduleAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import type { QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { PrefixStore } from "../../store/kv";
import { encodeAccountAny } from "./codec";
import type { AuthKeeper } from "./keeper";
import { ACCOUNT_PREFIX, AUTH_STORE_PREFIX } from "./keys";
import { AuthQuery } from "./service";

/** The Cosmos SDK's NotFound text: CosmJS's getAccount maps it to null ("account does not exist"). */
function accountNotFound(address: string) {
  return SdkErrors.KeyNotFound.wrap(`rpc error: code = NotFound desc = account ${address} not found`);
}

export function authQueryHandlers(keeper: AuthKeeper): QueryHandler[] {
  return serveQueries(AuthQuery, {
    Account(ctx, req) {
      const any = keeper.getAccountAny(ctx.store, decodeAddress(req.address));
      if (!any) throw accountNotFound(req.address);
      return { account: any };
    },
    Accounts(ctx, req) {
      const store = new PrefixStore(ctx.store, AUTH_STORE_PREFIX);
      const { items, pagination } = paginate(store, Uint8Array.of(ACCOUNT_PREFIX), Uint8Array.of(ACCOUNT_PREFIX + 1), req.pagination, (k) => {
        const acc = keeper.getAccount(ctx.store, k.subarray(2));
        return acc ? encodeAccountAny(acc) : undefined;
      });
      return { accounts: items, pagination };
    },
    Params: (ctx) => ({ params: Params.fromPartial(keeper.getParams(ctx.store)) }),
    ModuleAccountByName(ctx, req) {
      const acc = keeper.getAccount(ctx.store, moduleAddress(req.name));
      if (!acc || acc.moduleName !== req.name) throw SdkErrors.NotFound.wrap(`module account ${req.name} not found`);
      return { account: encodeAccountAny(acc) };
    },
    Bech32Prefix: () => ({ bech32Prefix: BECH32_ACCOUNT_PREFIX }),
  });
}
