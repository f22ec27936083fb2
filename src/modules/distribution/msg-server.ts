import {
  MsgCommunityPoolSpend,
  MsgCommunityPoolSpendResponse,
  MsgDepositValidatorRewardsPool,
  MsgDepositValidatorRewardsPoolResponse,
  MsgFundCommunityPool,
  MsgFundCommunityPoolResponse,
  MsgSetWithdrawAddress,
  MsgSetWithdrawAddressResponse,
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
  MsgWithdrawValidatorCommissionResponse,
  MsgUpdateParams,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { GOV_AUTHORITY, InvalidAuthority, updateParamsHandler } from "../../framework/params";
import { DistributionParams, distributionParamsFromMsg } from "./params";
import { decodeAddress } from "../../types/address";
import { Coin, coinsFromProto, coinsToProto } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import type { MsgHandler } from "../../framework/module";
import { operatorAccount, valoperBytes } from "../staking";
import { DistributionErrors } from "./errors";
import { DistributionAttributes, DistributionEvents } from "./events";
import type { DistributionKeeper } from "./keeper";

const TYPE = "/cosmos.distribution.v1beta1.";

function nonEmptyCoins(coins: ReadonlyArray<{ denom: string; amount: string }>, what: string): Coin[] {
  const parsed = coinsFromProto(coins);
  if (parsed.length === 0) throw SdkErrors.InvalidCoins.wrap(`${what}: no coins`);
  return parsed;
}

function setWithdrawAddressHandler(keeper: DistributionKeeper, isBlocked: (a: Uint8Array) => boolean): MsgHandler<MsgSetWithdrawAddress> {
  return {
    typeUrl: `${TYPE}MsgSetWithdrawAddress`,
    codec: MsgSetWithdrawAddress,
    signers: (msg) => [msg.delegatorAddress],
    validateBasic(msg) {
      decodeAddress(msg.delegatorAddress, "delegator address");
      decodeAddress(msg.withdrawAddress, "withdraw address");
    },
    execute(ctx, msg) {
      if (!keeper.getParams(ctx.store).withdrawAddrEnabled) throw DistributionErrors.SetWithdrawAddrDisabled.wrap();
      const withdraw = decodeAddress(msg.withdrawAddress);
      if (isBlocked(withdraw)) throw SdkErrors.Unauthorized.wrap(`${msg.withdrawAddress} is not allowed to receive external funds`);
      keeper.setWithdrawAddress(ctx.store, decodeAddress(msg.delegatorAddress), withdraw);
      ctx.events.emit(DistributionEvents.SetWithdrawAddress, { [DistributionAttributes.WithdrawAddress]: msg.withdrawAddress });
      return { typeUrl: `${TYPE}MsgSetWithdrawAddressResponse`, value: MsgSetWithdrawAddressResponse.encode({}).finish() };
    },
  };
}

function withdrawRewardHandler(keeper: DistributionKeeper): MsgHandler<MsgWithdrawDelegatorReward> {
  return {
    typeUrl: `${TYPE}MsgWithdrawDelegatorReward`,
    codec: MsgWithdrawDelegatorReward,
    signers: (msg) => [msg.delegatorAddress],
    validateBasic(msg) {
      decodeAddress(msg.delegatorAddress, "delegator address");
      valoperBytes(msg.validatorAddress);
    },
    execute(ctx, msg) {
      const coins = keeper.withdrawRewards(ctx, decodeAddress(msg.delegatorAddress), valoperBytes(msg.validatorAddress));
      return {
        typeUrl: `${TYPE}MsgWithdrawDelegatorRewardResponse`,
        value: MsgWithdrawDelegatorRewardResponse.encode({ amount: coinsToProto(coins) }).finish(),
      };
    },
  };
}

function withdrawCommissionHandler(keeper: DistributionKeeper): MsgHandler<MsgWithdrawValidatorCommission> {
  return {
    typeUrl: `${TYPE}MsgWithdrawValidatorCommission`,
    codec: MsgWithdrawValidatorCommission,
    signers: (msg) => [operatorAccount(msg.validatorAddress)],
    validateBasic(msg) {
      valoperBytes(msg.validatorAddress);
    },
    execute(ctx, msg) {
      const coins = keeper.withdrawValidatorCommission(ctx, valoperBytes(msg.validatorAddress));
      return {
        typeUrl: `${TYPE}MsgWithdrawValidatorCommissionResponse`,
        value: MsgWithdrawValidatorCommissionResponse.encode({ amount: coinsToProto(coins) }).finish(),
      };
    },
  };
}

function fundCommunityPoolHandler(keeper: DistributionKeeper): MsgHandler<MsgFundCommunityPool> {
  return {
    typeUrl: `${TYPE}MsgFundCommunityPool`,
    codec: MsgFundCommunityPool,
    signers: (msg) => [msg.depositor],
    validateBasic(msg) {
      decodeAddress(msg.depositor, "depositor address");
      nonEmptyCoins(msg.amount, "amount");
    },
    execute(ctx, msg) {
      keeper.fundCommunityPoolFrom(ctx, decodeAddress(msg.depositor), coinsFromProto(msg.amount));
      return { typeUrl: `${TYPE}MsgFundCommunityPoolResponse`, value: MsgFundCommunityPoolResponse.encode({}).finish() };
    },
  };
}

function depositValidatorRewardsPoolHandler(keeper: DistributionKeeper): MsgHandler<MsgDepositValidatorRewardsPool> {
  return {
    typeUrl: `${TYPE}MsgDepositValidatorRewardsPool`,
    codec: MsgDepositValidatorRewardsPool,
    signers: (msg) => [msg.depositor],
    validateBasic(msg) {
      decodeAddress(msg.depositor, "depositor address");
      valoperBytes(msg.validatorAddress);
      nonEmptyCoins(msg.amount, "amount");
    },
    execute(ctx, msg) {
      keeper.depositValidatorRewardsPool(ctx, decodeAddress(msg.depositor), valoperBytes(msg.validatorAddress), coinsFromProto(msg.amount));
      return { typeUrl: `${TYPE}MsgDepositValidatorRewardsPoolResponse`, value: MsgDepositValidatorRewardsPoolResponse.encode({}).finish() };
    },
  };
}

function updateParamsHandlerOf(keeper: DistributionKeeper): MsgHandler<MsgUpdateParams> {
  return updateParamsHandler<MsgUpdateParams, DistributionParams>({
    typeUrl: `${TYPE}MsgUpdateParams`,
    codec: MsgUpdateParams,
    read: (msg) => distributionParamsFromMsg(msg.params),
    set: (ctx, p) => keeper.setParams(ctx.store, p),
  });
}

/** Spends the community pool: only the gov authority signs it, so only a passed proposal does. */
function communityPoolSpendHandler(keeper: DistributionKeeper, isBlocked: (a: Uint8Array) => boolean): MsgHandler<MsgCommunityPoolSpend> {
  return {
    typeUrl: `${TYPE}MsgCommunityPoolSpend`,
    codec: MsgCommunityPoolSpend,
    signers: (msg) => [msg.authority],
    validateBasic(msg) {
      decodeAddress(msg.authority, "authority");
      decodeAddress(msg.recipient, "recipient address");
      nonEmptyCoins(msg.amount, "amount");
    },
    execute(ctx, msg) {
      if (msg.authority !== GOV_AUTHORITY) throw InvalidAuthority.wrap(`invalid authority; expected ${GOV_AUTHORITY}, got ${msg.authority}`);
      const recipient = decodeAddress(msg.recipient);
      if (isBlocked(recipient)) throw SdkErrors.Unauthorized.wrap(`${msg.recipient} is not allowed to receive external funds`);
      keeper.distributeFromCommunityPool(ctx, recipient, coinsFromProto(msg.amount));
      return { typeUrl: `${TYPE}MsgCommunityPoolSpendResponse`, value: MsgCommunityPoolSpendResponse.encode({}).finish() };
    },
  };
}

/** The distribution Msg service: one handler per message type URL. */
export function distributionMsgHandlers(keeper: DistributionKeeper, isBlocked: (a: Uint8Array) => boolean): MsgHandler<any>[] {
  return [
    updateParamsHandlerOf(keeper),
    communityPoolSpendHandler(keeper, isBlocked),
    setWithdrawAddressHandler(keeper, isBlocked),
    withdrawRewardHandler(keeper),
    withdrawCommissionHandler(keeper),
    fundCommunityPoolHandler(keeper),
    depositValidatorRewardsPoolHandler(keeper),
  ];
}
