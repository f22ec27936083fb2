import type { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { decodeAddress } from "../../types/address";
import { isValidDenom } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import type { QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { KVStore, PrefixStore } from "../../store/kv";
import type { BankKeeper } from "./keeper";
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { BANK_STORE_PREFIX, DENOM_METADATA_PREFIX, SUPPLY_PREFIX, balancesPrefix } from "./keys";
import { BankQuery } from "./service";

function pagedBalances(root: KVStore, address: Uint8Array, pagination: PageRequest | undefined) {
  const store = new PrefixStore(new PrefixStore(root, BANK_STORE_PREFIX), balancesPrefix(address));
  return paginate(store, new Uint8Array(), undefined, pagination, (k, v) => ({
    denom: new TextDecoder().decode(k),
    amount: new TextDecoder().decode(v),
  }));
}

export function bankQueryHandlers(keeper: BankKeeper): QueryHandler[] {
  return serveQueries(BankQuery, {
    Balance(ctx, req) {
      const address = decodeAddress(req.address);
      if (!isValidDenom(req.denom)) throw SdkErrors.InvalidCoins.wrap(`invalid denom "${req.denom}"`);
      const amount = keeper.getBalance(ctx.store, address, req.denom);
      return { balance: { denom: req.denom, amount: amount.toString() } };
    },
    AllBalances(ctx, req) {
      const { items, pagination } = pagedBalances(ctx.store, decodeAddress(req.address), req.pagination);
      return { balances: items, pagination };
    },
    // Nothing is locked inside an account in BLOCKAI (bonded and escrowed coins live in module
    // accounts), so spendable = balance.
    SpendableBalances(ctx, req) {
      const { items, pagination } = pagedBalances(ctx.store, decodeAddress(req.address), req.pagination);
      return { balances: items, pagination };
    },
    TotalSupply(ctx, req) {
      const store = new PrefixStore(ctx.store, BANK_STORE_PREFIX);
      const { items, pagination } = paginate(store, Uint8Array.of(SUPPLY_PREFIX), Uint8Array.of(SUPPLY_PREFIX + 1), req.pagination, (k, v) => ({
        denom: new TextDecoder().decode(k.subarray(1)),
        amount: new TextDecoder().decode(v),
      }));
      return { supply: items, pagination };
    },
    SupplyOf(ctx, req) {
      if (!isValidDenom(req.denom)) throw SdkErrors.InvalidCoins.wrap(`invalid denom "${req.denom}"`);
      return { amount: { denom: req.denom, amount: keeper.getSupply(ctx.store, req.denom).toString() } };
    },
    Params: (ctx) => ({ params: { sendEnabled: [], defaultSendEnabled: keeper.isSendEnabled(ctx.store) } }),
    DenomMetadata(ctx, req) {
      if (!isValidDenom(req.denom)) throw SdkErrors.InvalidRequest.wrap(`invalid denom "${req.denom}"`);
      const metadata = keeper.getDenomMetadata(ctx.store, req.denom);
      if (!metadata) throw SdkErrors.NotFound.wrap(`client metadata for denom ${req.denom}`);
      return { metadata };
    },
    DenomsMetadata(ctx, req) {
      const store = new PrefixStore(ctx.store, BANK_STORE_PREFIX);
      const { items, pagination } = paginate(store, Uint8Array.of(DENOM_METADATA_PREFIX), Uint8Array.of(DENOM_METADATA_PREFIX + 1), req.pagination, (_k, v) => Metadata.decode(v));
      return { metadatas: items, pagination };
    },
  });
}
