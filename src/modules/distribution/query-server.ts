import { ValidatorSlashEvent } from "cosmjs-types/cosmos/distribution/v1beta1/distribution";
import { decodeAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import type { QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { KVStore, PrefixStore } from "../../store/kv";
import { accAddr, valoper, valoperBytes } from "../staking";
import { DecCoin, addDecCoins, decCoinsToProto } from "./deccoins";
import { DistributionErrors } from "./errors";
import type { DistributionStaking } from "./expected-keepers";
import type { DistributionKeeper } from "./keeper";
import * as K from "./keys";
import { distributionParamsToProto } from "./params";
import { DistributionQuery } from "./service";

/** The cosmos.distribution.v1beta1.Query service, served through its table (./service). */
export function distributionQueryHandlers(keeper: DistributionKeeper, staking: DistributionStaking): QueryHandler[] {
  const existingValidator = (root: KVStore, address: string) => {
    if (address === "") throw SdkErrors.InvalidRequest.wrap("empty validator address");
    const v = staking.getValidator(root, valoperBytes(address));
    if (!v) throw DistributionErrors.NoValidatorExists.wrap(address);
    return v;
  };
  /** Rewards as of the queried height: closes the period on the query's throwaway branch (as the SDK). */
  const rewardsOf = (root: KVStore, height: number, del: Uint8Array, val: Uint8Array): DecCoin[] => {
    const v = staking.getValidator(root, val);
    if (!v) throw DistributionErrors.NoValidatorExists.wrap(valoper(val));
    const d = staking.getDelegation(root, del, val);
    if (!d) throw DistributionErrors.NoDelegationExists.wrap(`${accAddr(del)} has no delegation to ${valoper(val)}`);
    const ending = keeper.incrementValidatorPeriod(root, v);
    return keeper.calculateDelegationRewards(root, height, staking.mustGetValidator(root, val), d, ending);
  };
  return serveQueries(DistributionQuery, {
    Params: (ctx) => ({ params: distributionParamsToProto(keeper.getParams(ctx.store)) }),
    ValidatorDistributionInfo(ctx, req) {
      const v = existingValidator(ctx.store, req.validatorAddress);
      const rewards = rewardsOf(ctx.store, ctx.height, v.operator, v.operator);
      return {
        operatorAddress: accAddr(v.operator),
        selfBondRewards: decCoinsToProto(rewards),
        commission: decCoinsToProto(keeper.getCommission(ctx.store, v.operator)),
      };
    },
    ValidatorOutstandingRewards(ctx, req) {
      const v = existingValidator(ctx.store, req.validatorAddress);
      return { rewards: { rewards: decCoinsToProto(keeper.getOutstanding(ctx.store, v.operator)) } };
    },
    ValidatorCommission(ctx, req) {
      const v = existingValidator(ctx.store, req.validatorAddress);
      return { commission: { commission: decCoinsToProto(keeper.getCommission(ctx.store, v.operator)) } };
    },
    ValidatorSlashes(ctx, req) {
      if (req.validatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty validator address");
      if (req.endingHeight < req.startingHeight) throw SdkErrors.InvalidRequest.wrap("starting height greater than ending height");
      const val = valoperBytes(req.validatorAddress);
      const store = new PrefixStore(ctx.store, K.DISTRIBUTION_STORE_PREFIX);
      const page = paginate(store, K.slashEventsFromHeight(val, req.startingHeight), K.slashEventsFromHeight(val, req.endingHeight + 1n), req.pagination, (_k, v) =>
        ValidatorSlashEvent.decode(v),
      );
      return { slashes: page.items, pagination: page.pagination };
    },
    DelegationRewards(ctx, req) {
      if (req.delegatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty delegator address");
      if (req.validatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty validator address");
      const rewards = rewardsOf(ctx.store, ctx.height, decodeAddress(req.delegatorAddress, "delegator address"), valoperBytes(req.validatorAddress));
      return { rewards: decCoinsToProto(rewards) };
    },
    DelegationTotalRewards(ctx, req) {
      if (req.delegatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty delegator address");
      const del = decodeAddress(req.delegatorAddress, "delegator address");
      let total: DecCoin[] = [];
      const rewards = staking.delegatorDelegations(ctx.store, del).map((d) => {
        const r = rewardsOf(ctx.store, ctx.height, del, d.validator);
        total = addDecCoins(total, r);
        return { validatorAddress: valoper(d.validator), reward: decCoinsToProto(r) };
      });
      return { rewards, total: decCoinsToProto(total) };
    },
    DelegatorValidators(ctx, req) {
      if (req.delegatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty delegator address");
      const del = decodeAddress(req.delegatorAddress, "delegator address");
      return { validators: staking.delegatorDelegations(ctx.store, del).map((d) => valoper(d.validator)) };
    },
    DelegatorWithdrawAddress(ctx, req) {
      if (req.delegatorAddress === "") throw SdkErrors.InvalidRequest.wrap("empty delegator address");
      const del = decodeAddress(req.delegatorAddress, "delegator address");
      return { withdrawAddress: accAddr(keeper.getWithdrawAddress(ctx.store, del)) };
    },
    CommunityPool: (ctx) => ({ pool: decCoinsToProto(keeper.getCommunityPool(ctx.store)) }),
  });
}
