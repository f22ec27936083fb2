import { MsgUnjail, MsgUnjailResponse, MsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { updateParamsHandler } from "../../framework/params";
import { SlashingParams, slashingParamsFromMsg } from "./params";
import { ACCOUNT_PREFIX, VALIDATOR_OPERATOR_PREFIX, decodeAddress, encodeAddress } from "../../types/address";
import type { MsgHandler } from "../../framework/module";
import type { SlashingKeeper } from "./keeper";

function unjailHandler(keeper: SlashingKeeper): MsgHandler<MsgUnjail> {
  const opBytes = (a: string) => decodeAddress(a, "validator address", VALIDATOR_OPERATOR_PREFIX);
  return {
    typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail",
    codec: MsgUnjail,
    signers: (msg) => {
      try {
        return [encodeAddress(opBytes(msg.validatorAddr), ACCOUNT_PREFIX)];
      } catch {
        return [msg.validatorAddr];
      }
    },
    validateBasic(msg) {
      opBytes(msg.validatorAddr);
    },
    execute(ctx, msg) {
      keeper.unjail(ctx, opBytes(msg.validatorAddr));
      return { typeUrl: "/cosmos.slashing.v1beta1.MsgUnjailResponse", value: MsgUnjailResponse.encode({}).finish() };
    },
  };
}

/** The slashing Msg service: one handler per message type URL. */
export function slashingMsgHandlers(keeper: SlashingKeeper): MsgHandler<any>[] {
  return [unjailHandler(keeper), updateParamsHandlerOf(keeper)];
}

/**
 * The missed-block records are kept by position in the window (height mod signed_blocks_window):
 * another window length would read them at the wrong positions, so it cannot change on a running
 * chain.
 */
function updateParamsHandlerOf(keeper: SlashingKeeper): MsgHandler<MsgUpdateParams> {
  return updateParamsHandler<MsgUpdateParams, SlashingParams>({
    typeUrl: "/cosmos.slashing.v1beta1.MsgUpdateParams",
    codec: MsgUpdateParams,
    read: (msg) => slashingParamsFromMsg(msg.params),
    checkState(ctx, p) {
      const window = keeper.getParams(ctx.store).signedBlocksWindow;
      if (p.signedBlocksWindow !== window) throw new Error(`params.signed_blocks_window cannot change on a running chain (it is ${window})`);
    },
    set: (ctx, p) => keeper.setParams(ctx.store, p),
  });
}
