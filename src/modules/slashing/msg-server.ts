import { MsgUnjail, MsgUnjailResponse } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
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
  return [unjailHandler(keeper)];
}
