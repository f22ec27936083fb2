import {
  MsgFundCommunityPool,
  MsgSetWithdrawAddress,
  MsgWithdrawDelegatorReward,
  MsgWithdrawValidatorCommission,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import type { DecCoin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { DistributionQuery } from "../../modules/distribution/service";
import { formatDec } from "../../types/dec";
import { parseCoinsArg } from "../amount";
import { UsageError } from "../args";
import type { Command, ModuleCli } from "../command";
import { type NodeConnection, queryNode, withNode } from "../connect";
import { QUERY_FLAGS } from "../flags";
import { formatCoinsHuman, keyValues, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { checkAddressArg } from "../validate";
import { POS_TX_FLAGS, decText, fromAddress, operatorOf, validatorArg } from "./staking";

/** DecCoins (integer x 10^18 on the wire) as decimal text: "12.345usoa". */
const decCoinsText = (coins: readonly DecCoin[]) => (coins.length === 0 ? "none" : coins.map((c) => `${formatDec(BigInt(c.amount || "0"))}${c.denom}`).join(", "));
const decCoinsJson = (coins: readonly DecCoin[]) => coins.map((c) => ({ denom: c.denom, amount: formatDec(BigInt(c.amount || "0")) }));

const withdrawRewards: Command = {
  name: "withdraw-rewards",
  summary: "withdraw the rewards of a delegation (and, with --commission, the validator's commission)",
  usage: "VALIDATOR",
  nargs: [1, 1],
  flags: [...POS_TX_FLAGS, { name: "commission", description: "also withdraw the commission (the --from key must operate VALIDATOR)" }],
  async run(ctx) {
    txOptions(ctx);
    const validator = validatorArg(ctx.args[0]);
    const commission = ctx.bool("commission");
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => {
        if (commission && operatorOf(sender) !== validator) throw new UsageError(`--commission: ${sender} does not operate ${validator}`);
        return [
          { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", value: MsgWithdrawDelegatorReward.fromPartial({ delegatorAddress: sender, validatorAddress: validator }) },
          ...(commission ? [{ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", value: MsgWithdrawValidatorCommission.fromPartial({ validatorAddress: validator }) }] : []),
        ];
      },
      summary: [["validator", validator], ...(commission ? [["and commission", "yes"] as const] : [])],
    });
  },
};

const withdrawAllRewards: Command = {
  name: "withdraw-all-rewards",
  summary: "withdraw the rewards of every delegation of the --from key",
  flags: POS_TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const address = fromAddress(ctx);
    const r = await queryNode(ctx, DistributionQuery.DelegationTotalRewards, { delegatorAddress: address });
    if (r.rewards.length === 0) throw new Error(`${address} has no delegations: nothing to withdraw`);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) =>
        r.rewards.map((x) => ({ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", value: MsgWithdrawDelegatorReward.fromPartial({ delegatorAddress: sender, validatorAddress: x.validatorAddress }) })),
      summary: [
        ["validators", String(r.rewards.length)],
        ["rewards (about)", decCoinsText(r.total)],
      ],
    });
  },
};

const setWithdrawAddr: Command = {
  name: "set-withdraw-addr",
  summary: "where the --from key's rewards (and commission) are paid",
  usage: "ADDRESS",
  nargs: [1, 1],
  flags: POS_TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const to = checkAddressArg(ctx.args[0], "withdraw address");
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [{ typeUrl: "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress", value: MsgSetWithdrawAddress.fromPartial({ delegatorAddress: sender, withdrawAddress: to }) }],
      summary: [["withdraw address", to]],
    });
  },
};

const fundCommunityPool: Command = {
  name: "fund-community-pool",
  summary: "give coins to the community pool",
  usage: "AMOUNT",
  nargs: [1, 1],
  flags: POS_TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    let amount;
    try {
      amount = parseCoinsArg(ctx.args[0]);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [
        { typeUrl: "/cosmos.distribution.v1beta1.MsgFundCommunityPool", value: MsgFundCommunityPool.fromPartial({ depositor: sender, amount: amount.map((c) => ({ denom: c.denom, amount: c.amount.toString() })) }) },
      ],
      summary: [["amount", formatCoinsHuman(amount)]],
    });
  },
};

const rewards: Command = {
  name: "rewards",
  summary: "rewards a delegator can withdraw (from one validator, or all)",
  usage: "DELEGATOR [VALIDATOR]",
  nargs: [1, 2],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const del = checkAddressArg(ctx.args[0], "delegator");
    if (ctx.args[1] !== undefined) {
      const val = validatorArg(ctx.args[1]);
      const r = await queryNode(ctx, DistributionQuery.DelegationRewards, { delegatorAddress: del, validatorAddress: val });
      ctx.print(`${decCoinsText(r.rewards)}\n`, { delegator: del, validator: val, rewards: decCoinsJson(r.rewards) });
      return;
    }
    const r = await queryNode(ctx, DistributionQuery.DelegationTotalRewards, { delegatorAddress: del });
    ctx.print(table([...r.rewards.map((x) => [x.validatorAddress, decCoinsText(x.reward)]), ["total", decCoinsText(r.total)]], ["VALIDATOR", "REWARDS"]), {
      delegator: del,
      rewards: r.rewards.map((x) => ({ validator: x.validatorAddress, reward: decCoinsJson(x.reward) })),
      total: decCoinsJson(r.total),
    });
  },
};

function validatorDecCoinsQuery(name: string, summary: string, read: (node: NodeConnection, validatorAddress: string) => Promise<readonly DecCoin[]>): Command {
  return {
    name,
    summary,
    usage: "VALIDATOR",
    nargs: [1, 1],
    flags: QUERY_FLAGS,
    async run(ctx) {
      const val = validatorArg(ctx.args[0]);
      const coins = await withNode(ctx, (node) => read(node, val));
      ctx.print(`${decCoinsText(coins)}\n`, { validator: val, [name.replace(/-/g, "_")]: decCoinsJson(coins) });
    },
  };
}

const slashes: Command = {
  name: "slashes",
  summary: "a validator's slashes between two heights",
  usage: "VALIDATOR",
  nargs: [1, 1],
  flags: [...QUERY_FLAGS, { name: "start", value: "H", description: "first height", default: "1" }, { name: "end", value: "H", description: "last height", default: "the latest" }],
  async run(ctx) {
    const val = validatorArg(ctx.args[0]);
    const num = (name: string, def: bigint) => {
      const t = ctx.flag(name);
      if (t === undefined) return def;
      if (!/^[0-9]{1,19}$/.test(t)) throw new UsageError(`--${name} must be a height, got "${t}"`);
      return BigInt(t);
    };
    const r = await withNode(ctx, async (node) => {
      const end = num("end", BigInt(node.status.latest_block_height));
      return node.query(DistributionQuery.ValidatorSlashes, { validatorAddress: val, startingHeight: num("start", 1n), endingHeight: end });
    });
    const json = r.slashes.map((s) => ({ period: String(s.validatorPeriod), fraction: decText(s.fraction) }));
    ctx.print(json.length === 0 ? `${val} was never slashed\n` : table(json.map((s) => [s.period, s.fraction]), ["PERIOD", "FRACTION"]), { slashes: json });
  },
};

const withdrawAddr: Command = {
  name: "withdraw-addr",
  summary: "where a delegator's rewards are paid",
  usage: "DELEGATOR",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const del = checkAddressArg(ctx.args[0], "delegator");
    const r = await queryNode(ctx, DistributionQuery.DelegatorWithdrawAddress, { delegatorAddress: del });
    ctx.print(`${r.withdrawAddress}\n`, { delegator: del, withdraw_address: r.withdrawAddress });
  },
};

const communityPool: Command = {
  name: "community-pool",
  summary: "the community pool",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const r = await queryNode(ctx, DistributionQuery.CommunityPool, {});
    ctx.print(`${decCoinsText(r.pool)}\n`, { pool: decCoinsJson(r.pool) });
  },
};

const params: Command = {
  name: "params",
  summary: "distribution parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, DistributionQuery.Params, {})).params;
    const j = { community_tax: decText(p.communityTax), withdraw_addr_enabled: p.withdrawAddrEnabled };
    ctx.print(keyValues([["community tax", j.community_tax], ["withdraw addresses enabled", String(j.withdraw_addr_enabled)]]), j);
  },
};

export const distributionCli: ModuleCli = {
  name: "distribution",
  summary: "staking rewards, commission and the community pool",
  tx: [withdrawRewards, withdrawAllRewards, setWithdrawAddr, fundCommunityPool],
  query: [
    rewards,
    validatorDecCoinsQuery("commission", "a validator's accumulated commission", async (node, validatorAddress) => (await node.query(DistributionQuery.ValidatorCommission, { validatorAddress })).commission?.commission ?? []),
    validatorDecCoinsQuery("outstanding-rewards", "rewards a validator holds for itself and its delegators", async (node, validatorAddress) => (await node.query(DistributionQuery.ValidatorOutstandingRewards, { validatorAddress })).rewards?.rewards ?? []),
    communityPool,
    slashes,
    withdrawAddr,
    params,
  ],
  // Every distribution message is in CosmJS's default registry.
};
