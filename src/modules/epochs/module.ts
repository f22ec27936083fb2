import {
  QueryCurrentEpochResponse,
  QueryParamsResponse,
} from "../../gen/blockai/epochs/v1/epochs";
import { obj, optional, u64 } from "../../types/genesis-json";
import type { Context, Module, QueryHandler } from "../../framework/module";
import { DEFAULT_EPOCH_LENGTH, EpochsKeeper } from "./keeper";

export function createEpochsModule(keeper: EpochsKeeper): Module {
  const q = (path: string, handle: QueryHandler["handle"]): QueryHandler => ({ path: `/blockai.epochs.v1.Query/${path}`, handle });
  return {
    name: "epochs",
    queries: [
      q("Params", (ctx) => QueryParamsResponse.encode({ params: keeper.getParams(ctx.store) }).finish()),
      q("CurrentEpoch", (ctx) => QueryCurrentEpochResponse.encode({ epoch: keeper.current(ctx.store) }).finish()),
    ],
    defaultGenesis: () => ({ params: { epoch_length: DEFAULT_EPOCH_LENGTH.toString() } }),
    initGenesis(ctx: Context, genesis: unknown) {
      const g = obj(genesis ?? {}, "epochs");
      const params = optional(g.params, (p) => obj(p, "epochs.params"));
      const epochLength = params?.epoch_length === undefined ? DEFAULT_EPOCH_LENGTH : u64(params.epoch_length, "epochs.params.epoch_length");
      if (epochLength === 0n) throw new Error("epochs.params.epoch_length must be positive");
      keeper.setParams(ctx.store, { epochLength });
      const current = optional(g.current, (c) => obj(c, "epochs.current"));
      if (current) {
        keeper.startEpoch(ctx.store, u64(current.number, "epochs.current.number"), u64(current.start_height, "epochs.current.start_height"));
      } else {
        // Epoch 0 starts with the first block.
        keeper.startEpoch(ctx.store, 0n, BigInt(ctx.block.height + 1));
      }
    },
    exportGenesis(ctx: Context) {
      const e = keeper.current(ctx.store);
      return {
        params: { epoch_length: keeper.getParams(ctx.store).epochLength.toString() },
        current: { number: e.number.toString(), start_height: e.startHeight.toString() },
      };
    },
    endBlock(ctx: Context) {
      keeper.endBlock(ctx);
    },
  };
}
