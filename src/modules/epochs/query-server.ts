import type { QueryHandler } from "../../framework/module";
import { serveQueries } from "../../framework/query-server";
import type { EpochsKeeper } from "./keeper";
import { EpochsQuery } from "./service";

export function epochsQueryHandlers(keeper: EpochsKeeper): QueryHandler[] {
  return serveQueries(EpochsQuery, {
    Params: (ctx) => ({ params: keeper.getParams(ctx.store) }),
    CurrentEpoch: (ctx) => ({ epoch: keeper.current(ctx.store) }),
  });
}
