import { obj, optional, u64 } from "../../types/genesis-json";
import type { Context } from "../../framework/module";
import type { EpochsKeeper } from "./keeper";
import { DEFAULT_EPOCH_LENGTH, validateEpochsParams } from "./params";

export function defaultEpochsGenesis() {
  return { params: { epoch_length: DEFAULT_EPOCH_LENGTH.toString() } };
}

export function initEpochsGenesis(keeper: EpochsKeeper, ctx: Context, genesis: unknown): void {
  const g = obj(genesis ?? {}, "epochs");
  const params = optional(g.params, (p) => obj(p, "epochs.params"));
  const epochLength = params?.epoch_length === undefined ? DEFAULT_EPOCH_LENGTH : u64(params.epoch_length, "epochs.params.epoch_length");
  validateEpochsParams({ epochLength });
  keeper.setParams(ctx.store, { epochLength });
  const current = optional(g.current, (c) => obj(c, "epochs.current"));
  if (current) {
    keeper.startEpoch(ctx.store, u64(current.number, "epochs.current.number"), u64(current.start_height, "epochs.current.start_height"));
  } else {
    // Epoch 0 starts with the first block.
    keeper.startEpoch(ctx.store, 0n, BigInt(ctx.block.height + 1));
  }
}

export function exportEpochsGenesis(keeper: EpochsKeeper, ctx: Context) {
  const e = keeper.current(ctx.store);
  return {
    params: { epoch_length: keeper.getParams(ctx.store).epochLength.toString() },
    current: { number: e.number.toString(), start_height: e.startHeight.toString() },
  };
}
