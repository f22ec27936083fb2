import { MsgUpdateParams } from "cosmjs-types/cosmos/auth/v1beta1/tx";
import type { MsgHandler } from "../../framework/module";
import { updateParamsHandler } from "../../framework/params";
import type { AuthKeeper } from "./keeper";
import { AuthParams, validateAuthParams } from "./params";

/** MsgUpdateParams' params: every field given (zero is not "unchanged"), validated as genesis. */
export function authParamsFromMsg(msg: MsgUpdateParams): AuthParams {
  const p = msg.params;
  if (!p) throw new Error("params must be set");
  const out: AuthParams = {
    maxMemoCharacters: p.maxMemoCharacters,
    txSigLimit: p.txSigLimit,
    txSizeCostPerByte: p.txSizeCostPerByte,
    sigVerifyCostEd25519: p.sigVerifyCostEd25519,
    sigVerifyCostSecp256k1: p.sigVerifyCostSecp256k1,
  };
  validateAuthParams(out, "params");
  return out;
}

/** The auth Msg service: only MsgUpdateParams (accounts are created by transfers, not messages). */
export function authMsgHandlers(keeper: AuthKeeper): MsgHandler<any>[] {
  return [
    updateParamsHandler<MsgUpdateParams, AuthParams>({
      typeUrl: "/cosmos.auth.v1beta1.MsgUpdateParams",
      codec: MsgUpdateParams,
      read: authParamsFromMsg,
      set: (ctx, p) => keeper.setParams(ctx.store, p),
    }),
  ];
}
