import type { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { decodeAddress } from "../../types/address";
import { readU64be } from "../../types/bytes";
import { BASE_DENOM } from "../../types/coins";
import type { QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { KVStore, PrefixStore } from "../../store/kv";
import type { MeteringKeeper } from "./keeper";
import { METERING_STORE_PREFIX, consumerIndexPrefix, modelIndexPrefix } from "./keys";
import { MeteringQuery } from "./service";

const usoa = (amount: bigint) => ({ denom: BASE_DENOM, amount: amount.toString() });

export function meteringQueryHandlers(keeper: MeteringKeeper): QueryHandler[] {
  const meteringStore = (root: KVStore) => new PrefixStore(root, METERING_STORE_PREFIX);
  const page = (root: KVStore, index: Uint8Array, pagination: PageRequest | undefined) => {
    const { items, pagination: p } = paginate(new PrefixStore(meteringStore(root), index), new Uint8Array(), undefined, pagination, (k) => keeper.getEscrow(root, readU64be(k, 0)));
    return { escrows: items, pagination: { nextKey: Buffer.from(p.nextKey), total: p.total } };
  };
  return serveQueries(MeteringQuery, {
    Escrow: (ctx, req) => ({ escrow: keeper.mustGetEscrow(ctx.store, req.escrowId) }),
    EscrowsByConsumer: (ctx, req) => page(ctx.store, consumerIndexPrefix(decodeAddress(req.consumer, "consumer")), req.pagination),
    EscrowsByModel: (ctx, req) => page(ctx.store, modelIndexPrefix(req.modelId), req.pagination),
    ModelUsage: (ctx, req) => ({ usage: keeper.usageOrZero(ctx.store, req.modelId, req.epoch) }),
    ProtocolFees: (ctx) => ({ pending: usoa(keeper.getFeesPending(ctx.store)), swept: usoa(keeper.getFeesSwept(ctx.store)) }),
    Params: (ctx) => ({ params: keeper.getParams(ctx.store) }),
  });
}
