import { MsgUpdateParams } from "../../gen/blockai/mint/v1/tx";
import type { MsgHandler } from "../../framework/module";
import { updateParamsHandler } from "../../framework/params";
import type { MintKeeper } from "./keeper";
import { MintParams, validateMintParams } from "./params";

export const MSG_UPDATE_PARAMS_TYPE_URL = "/blockai.mint.v1.MsgUpdateParams";

/** Amounts are decimal usoa strings; an empty or malformed one is refused, never read as zero. */
function amount(text: string, field: string): bigint {
  if (!/^[0-9]{1,78}$/.test(text)) throw new Error(`params.${field}: expected a non-negative decimal integer, got ${JSON.stringify(text)}`);
  return BigInt(text);
}

export function mintParamsFromMsg(msg: MsgUpdateParams): MintParams {
  const p = msg.params;
  if (!p) throw new Error("params must be set");
  const out: MintParams = {
    initialBlockReward: amount(p.initialBlockReward, "initial_block_reward"),
    halvingInterval: p.halvingInterval,
    maxEmission: amount(p.maxEmission, "max_emission"),
    blocksPerYear: p.blocksPerYear,
    stakerBps: BigInt(p.stakerBps),
    scorerBps: BigInt(p.scorerBps),
    minerBps: BigInt(p.minerBps),
    modelBps: BigInt(p.modelBps),
  };
  validateMintParams(out, "params");
  return out;
}

/**
 * max_emission below what was already minted would break the cap invariant (minted <=
 * max_emission) at once, so it is refused; equal to it stops emission from the next block.
 */
export function mintMsgHandlers(keeper: MintKeeper): MsgHandler<any>[] {
  return [
    updateParamsHandler<MsgUpdateParams, MintParams>({
      typeUrl: MSG_UPDATE_PARAMS_TYPE_URL,
      codec: MsgUpdateParams,
      read: mintParamsFromMsg,
      checkState(ctx, p) {
        const minted = keeper.getMinted(ctx.store);
        if (p.maxEmission < minted) throw new Error(`params.max_emission: ${p.maxEmission} is below the ${minted} usoa already minted`);
      },
      set: (ctx, p) => keeper.setParams(ctx.store, p),
    }),
  ];
}
