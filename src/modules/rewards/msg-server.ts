import { MsgUpdateParams as MsgUpdateRewardsParams } from "../../gen/blockai/rewards/v1/tx";
import { updateParamsHandler } from "../../framework/params";
import { RewardsParams, validateRewardsParams } from "./params";
import { MsgClaimRewards, MsgClaimRewardsResponse, MsgSetPayoutAddress, MsgSetPayoutAddressResponse } from "../../gen/blockai/rewards/v1/tx";
import { decodeAddress, encodeAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import type { MsgHandler } from "../../framework/module";
import { RewardsErrors } from "./errors";
import { RewardsEvents } from "./events";
import { MODEL_STATUS_RETIRED, type RewardsRegistry } from "./expected-keepers";
import { ALL_KINDS, RewardKind, RewardsKeeper } from "./keeper";

export const REWARDS_TYPE_URLS = {
  MsgClaimRewards: "/blockai.rewards.v1.MsgClaimRewards",
  MsgSetPayoutAddress: "/blockai.rewards.v1.MsgSetPayoutAddress",
} as const;

function kindsOf(kinds: readonly RewardKind[]): Set<RewardKind> {
  if (kinds.length === 0) return new Set(ALL_KINDS);
  for (const k of kinds) {
    if (!ALL_KINDS.has(k)) throw RewardsErrors.InvalidKind.wrap(`kind ${k}: expected REWARD_KIND_MINER (1) or REWARD_KIND_MODEL (2)`);
  }
  return new Set(kinds);
}

/** A canonical (lowercase) bech32 account address. */
function account(address: string, what: string): string {
  return encodeAddress(decodeAddress(address, what));
}

function claimHandler(keeper: RewardsKeeper): MsgHandler<MsgClaimRewards> {
  return {
    typeUrl: REWARDS_TYPE_URLS.MsgClaimRewards,
    codec: MsgClaimRewards,
    signers: (msg) => [msg.claimant],
    validateBasic(msg) {
      decodeAddress(msg.claimant, "claimant");
      kindsOf(msg.kinds);
    },
    execute(ctx, msg) {
      const { amount, epochs } = keeper.claim(ctx, account(msg.claimant, "claimant"), kindsOf(msg.kinds));
      return {
        typeUrl: `${REWARDS_TYPE_URLS.MsgClaimRewards}Response`,
        value: MsgClaimRewardsResponse.encode({ amount: amount.toString(), epochs }).finish(),
      };
    },
  };
}

function setPayoutHandler(keeper: RewardsKeeper, registry: RewardsRegistry, isBlocked: (a: Uint8Array) => boolean): MsgHandler<MsgSetPayoutAddress> {
  return {
    typeUrl: REWARDS_TYPE_URLS.MsgSetPayoutAddress,
    codec: MsgSetPayoutAddress,
    signers: (msg) => [msg.owner],
    validateBasic(msg) {
      decodeAddress(msg.owner, "owner");
      if (msg.modelId === 0n) throw RewardsErrors.ModelNotFound.wrap("model_id must be set");
      if (msg.payoutAddress !== "") {
        try {
          decodeAddress(msg.payoutAddress, "payout_address");
        } catch (e) {
          throw RewardsErrors.InvalidPayoutAddress.wrap((e as Error).message);
        }
      }
    },
    execute(ctx, msg) {
      const owner = account(msg.owner, "owner");
      const model = registry.getModel(ctx.store, msg.modelId);
      if (!model) throw RewardsErrors.ModelNotFound.wrap(`model ${msg.modelId}`);
      if (model.owner !== owner) throw SdkErrors.Unauthorized.wrap(`${owner} is not the owner of model ${msg.modelId}`);
      if (model.status === MODEL_STATUS_RETIRED) throw RewardsErrors.ModelRetired.wrap(`model ${msg.modelId}`);
      const payout = msg.payoutAddress === "" ? undefined : decodeAddress(msg.payoutAddress);
      // Module accounts would hold the coins where no one can spend them (the SDK's blocked addresses).
      if (payout && isBlocked(payout)) throw RewardsErrors.InvalidPayoutAddress.wrap(`${msg.payoutAddress} is a module account`);
      keeper.setPayoutAddress(ctx.store, msg.modelId, payout);
      ctx.events.emit(RewardsEvents.SetPayoutAddress, {
        model_id: msg.modelId.toString(),
        owner,
        payout_address: payout ? encodeAddress(payout) : owner,
      });
      return { typeUrl: `${REWARDS_TYPE_URLS.MsgSetPayoutAddress}Response`, value: MsgSetPayoutAddressResponse.encode({}).finish() };
    },
  };
}

export function rewardsMsgHandlers(keeper: RewardsKeeper, registry: RewardsRegistry, isBlocked: (a: Uint8Array) => boolean): MsgHandler<any>[] {
  return [claimHandler(keeper), setPayoutHandler(keeper, registry, isBlocked), updateParamsHandlerOf(keeper)];
}

export function rewardsParamsFromMsg(msg: MsgUpdateRewardsParams): RewardsParams {
  const p = msg.params;
  if (!p) throw new Error("params must be set");
  const out: RewardsParams = {
    usageShareBps: BigInt(p.usageShareBps),
    usageCapBps: BigInt(p.usageCapBps),
    claimEpochs: p.claimEpochs,
    expiredEpochRetention: p.expiredEpochRetention,
    prunePerBlock: p.prunePerBlock,
  };
  validateRewardsParams(out, "params");
  return out;
}

function updateParamsHandlerOf(keeper: RewardsKeeper): MsgHandler<MsgUpdateRewardsParams> {
  return updateParamsHandler<MsgUpdateRewardsParams, RewardsParams>({
    typeUrl: "/blockai.rewards.v1.MsgUpdateParams",
    codec: MsgUpdateRewardsParams,
    read: rewardsParamsFromMsg,
    set: (ctx, p) => keeper.setParams(ctx.store, p),
  });
}
