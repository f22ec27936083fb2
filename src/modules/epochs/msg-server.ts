import { MsgUpdateParams } from "../../gen/blockai/epochs/v1/tx";
import type { Params } from "../../gen/blockai/epochs/v1/epochs";
import type { MsgHandler } from "../../framework/module";
import { updateParamsHandler } from "../../framework/params";
import type { EpochsKeeper } from "./keeper";
import { validateEpochsParams } from "./params";

export const MSG_UPDATE_PARAMS_TYPE_URL = "/blockai.epochs.v1.MsgUpdateParams";

export function epochsParamsFromMsg(msg: MsgUpdateParams): Params {
  if (!msg.params) throw new Error("params must be set");
  const p: Params = { epochLength: msg.params.epochLength };
  validateEpochsParams(p, "params");
  return p;
}

/**
 * A new epoch_length is stored at once but read only when the next epoch starts (the keeper
 * fixes each epoch's end height when it opens), so the epoch in progress keeps its length.
 */
export function epochsMsgHandlers(keeper: EpochsKeeper): MsgHandler<any>[] {
  return [
    updateParamsHandler<MsgUpdateParams, Params>({
      typeUrl: MSG_UPDATE_PARAMS_TYPE_URL,
      codec: MsgUpdateParams,
      read: epochsParamsFromMsg,
      set: (ctx, p) => keeper.setParams(ctx.store, p),
    }),
  ];
}
