import { MsgMultiSend, MsgMultiSendResponse, MsgSend, MsgSendResponse, MsgUpdateParams } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { updateParamsHandler } from "../../framework/params";
import type { BankParams } from "./params";
import { decodeAddress } from "../../types/address";
import { Coin, addCoins, coinsFromProto } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import type { MsgHandler } from "../../framework/module";
import { BankErrors } from "./errors";
import type { BankKeeper } from "./keeper";

function nonEmptyCoins(coins: ReadonlyArray<{ denom: string; amount: string }>, what: string): Coin[] {
  const parsed = coinsFromProto(coins);
  if (parsed.length === 0) throw SdkErrors.InvalidCoins.wrap(`${what}: no coins`);
  return parsed;
}

function msgSendHandler(keeper: BankKeeper): MsgHandler<MsgSend> {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    codec: MsgSend,
    signers: (msg) => [msg.fromAddress],
    validateBasic(msg) {
      decodeAddress(msg.fromAddress, "sender address");
      decodeAddress(msg.toAddress, "recipient address");
      nonEmptyCoins(msg.amount, "amount");
    },
    execute(ctx, msg) {
      if (!keeper.isSendEnabled(ctx.store)) throw BankErrors.SendDisabled.wrap();
      const from = decodeAddress(msg.fromAddress);
      const to = decodeAddress(msg.toAddress);
      if (keeper.isBlocked(to)) throw SdkErrors.Unauthorized.wrap(`${msg.toAddress} is not allowed to receive funds`);
      keeper.send(ctx.store, ctx.events, from, to, coinsFromProto(msg.amount));
      return { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: MsgSendResponse.encode({}).finish() };
    },
  };
}

function msgMultiSendHandler(keeper: BankKeeper): MsgHandler<MsgMultiSend> {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
    codec: MsgMultiSend,
    signers: (msg) => msg.inputs.map((i) => i.address),
    validateBasic(msg) {
      if (msg.inputs.length === 0) throw BankErrors.NoInputs.wrap();
      if (msg.inputs.length > 1) throw BankErrors.MultipleSenders.wrap();
      if (msg.outputs.length === 0) throw BankErrors.NoOutputs.wrap();
      const ins = msg.inputs.map((i) => {
        decodeAddress(i.address, "input address");
        return nonEmptyCoins(i.coins, "input coins");
      });
      const outs = msg.outputs.map((o) => {
        decodeAddress(o.address, "output address");
        return nonEmptyCoins(o.coins, "output coins");
      });
      const a = addCoins(...ins);
      const b = addCoins(...outs);
      if (a.length !== b.length || a.some((c, i) => c.denom !== b[i].denom || c.amount !== b[i].amount)) {
        throw BankErrors.InputOutputMismatch.wrap();
      }
    },
    execute(ctx, msg) {
      if (!keeper.isSendEnabled(ctx.store)) throw BankErrors.SendDisabled.wrap();
      const input = msg.inputs[0];
      const from = decodeAddress(input.address);
      for (const o of msg.outputs) {
        const to = decodeAddress(o.address);
        if (keeper.isBlocked(to)) throw SdkErrors.Unauthorized.wrap(`${o.address} is not allowed to receive funds`);
      }
      for (const o of msg.outputs) keeper.send(ctx.store, ctx.events, from, decodeAddress(o.address), coinsFromProto(o.coins));
      return { typeUrl: "/cosmos.bank.v1beta1.MsgMultiSendResponse", value: MsgMultiSendResponse.encode({}).finish() };
    },
  };
}

export function bankMsgHandlers(keeper: BankKeeper): MsgHandler<any>[] {
  return [msgSendHandler(keeper), msgMultiSendHandler(keeper), updateParamsHandlerOf(keeper)];
}

/**
 * BLOCKAI keeps only the global send switch: per-denom send_enabled entries are refused rather
 * than accepted and silently dropped (genesis exports them empty).
 */
export function bankParamsFromMsg(msg: MsgUpdateParams): BankParams {
  const p = msg.params;
  if (!p) throw new Error("params must be set");
  if (p.sendEnabled.length > 0) throw new Error("params.send_enabled: per-denom entries are not supported (only default_send_enabled)");
  return { defaultSendEnabled: p.defaultSendEnabled };
}

function updateParamsHandlerOf(keeper: BankKeeper): MsgHandler<MsgUpdateParams> {
  return updateParamsHandler<MsgUpdateParams, BankParams>({
    typeUrl: "/cosmos.bank.v1beta1.MsgUpdateParams",
    codec: MsgUpdateParams,
    read: bankParamsFromMsg,
    set: (ctx, p) => keeper.setSendEnabled(ctx.store, p.defaultSendEnabled),
  });
}
