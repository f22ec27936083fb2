import { BLOCKAI_TYPES, BlockaiMsgs } from "../../client";
import { RewardKind } from "../../gen/blockai/rewards/v1/rewards";
import { UsageError } from "../args";
import type { Command, ModuleCli } from "../command";
import { QUERY_FLAGS, TX_FLAGS } from "../flags";
import { queryNode } from "../connect";
import { RewardsQuery } from "../../modules/rewards/service";
import { keyValues, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { checkAddressArg } from "../validate";
import { u64Arg } from "./registry";


/** Every field, zeros included (proto3 JSON leaves them out), snake_case, integers as strings. */
function fullJson(record: object): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(record)) out[k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())] = typeof v === "boolean" ? v : String(v);
  return out;
}


const KINDS: Record<string, RewardKind> = { miner: RewardKind.REWARD_KIND_MINER, model: RewardKind.REWARD_KIND_MODEL };
const kindName = (k: RewardKind) => (k === RewardKind.REWARD_KIND_MINER ? "miner" : k === RewardKind.REWARD_KIND_MODEL ? "model" : String(k));

const claim: Command = {
  name: "claim",
  summary: "withdraw every reward owed to the key, as a miner and as a model owner, for all open epochs",
  usage: "FROM_KEY",
  nargs: [1, 1],
  flags: [...TX_FLAGS, { name: "kinds", value: "LIST", description: "comma-separated: miner, model (default: both)" }],
  async run(ctx) {
    txOptions(ctx);
    const kinds = (ctx.flag("kinds") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((s) => {
        const k = KINDS[s];
        if (k === undefined) throw new UsageError(`--kinds: unknown kind "${s}" (miner, model)`);
        return k;
      });
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (claimant) => [BlockaiMsgs.claimRewards(claimant, kinds)],
      summary: [["kinds", kinds.length === 0 ? "miner, model" : kinds.map(kindName).join(", ")]],
    });
  },
};

const setPayout: Command = {
  name: "set-payout-address",
  summary: "where a model's rewards are paid (owner only; \"\" = back to the owner)",
  usage: "FROM_KEY MODEL_ID ADDRESS",
  nargs: [3, 3],
  flags: TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const modelId = u64Arg(ctx.args[1], "MODEL_ID");
    const address = ctx.args[2] === "" ? "" : checkAddressArg(ctx.args[2], "ADDRESS");
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (owner) => [BlockaiMsgs.setPayoutAddress(owner, modelId, address)],
      summary: [["model", String(modelId)], ["payout address", address || "(the owner)"]],
    });
  },
};

const params: Command = {
  name: "params",
  summary: "rewards parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, RewardsQuery.Params, {})).params!;
    const json = {
      usage_share_bps: p.usageShareBps,
      usage_cap_bps: p.usageCapBps,
      claim_epochs: String(p.claimEpochs),
      expired_epoch_retention: String(p.expiredEpochRetention),
      prune_per_block: String(p.prunePerBlock),
    };
    ctx.print(keyValues(Object.entries(json).map(([k, v]) => [k.replace(/_/g, " "), String(v)])), json);
  },
};

const accrued: Command = {
  name: "accrued",
  summary: "the emission set aside in the epoch in progress, per pool",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const r = await queryNode(ctx, RewardsQuery.Accrued, {});
    const json = { epoch: String(r.epoch), scorers: r.accrued?.scorers ?? "0", miners: r.accrued?.miners ?? "0", models: r.accrued?.models ?? "0" };
    ctx.print(keyValues(Object.entries(json)), json);
  },
};

const pending: Command = {
  name: "pending",
  summary: "what an address can claim now, by epoch and kind",
  usage: "ADDRESS",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const address = checkAddressArg(ctx.args[0], "ADDRESS");
    const r = await queryNode(ctx, RewardsQuery.Pending, { address });
    const rows = r.rewards.map((p) => ({ epoch: String(p.epoch), kind: kindName(p.kind), model_id: p.kind === RewardKind.REWARD_KIND_MODEL ? String(p.modelId) : "", amount: `${p.amount}usoa` }));
    const text = rows.length === 0 ? "nothing to claim" : `${table(rows.map((x) => [x.epoch, x.kind, x.model_id, x.amount]), ["epoch", "kind", "model", "amount"])}\ntotal ${r.total}usoa`;
    ctx.print(text, { rewards: rows, total: r.total });
  },
};

const epochRewards: Command = {
  name: "epoch-rewards",
  summary: "what an ended epoch allocated: pools, totals, paid, to the community pool, claimed",
  usage: "EPOCH",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const r = (await queryNode(ctx, RewardsQuery.EpochRewards, { epoch: u64Arg(ctx.args[0], "EPOCH") })).rewards!;
    const json = fullJson(r);
    ctx.print(keyValues(Object.entries(json).map(([k, v]) => [k.replace(/_/g, " "), String(v)])), json);
  },
};

const modelRewards: Command = {
  name: "model-rewards",
  summary: "a model's reward for an epoch (usage, performance) and where a claim pays it",
  usage: "MODEL_ID EPOCH",
  nargs: [2, 2],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const req = { modelId: u64Arg(ctx.args[0], "MODEL_ID"), epoch: u64Arg(ctx.args[1], "EPOCH") };
    const r = await queryNode(ctx, RewardsQuery.ModelRewards, req);
    const json = { ...(r.reward ? fullJson(r.reward) : { model_id: String(req.modelId), epoch: String(req.epoch), note: "no usage or score in that epoch" }), payout_address: r.payoutAddress };
    ctx.print(keyValues(Object.entries(json).map(([k, v]) => [k.replace(/_/g, " "), String(v)])), json);
  },
};

const minerRewards: Command = {
  name: "miner-rewards",
  summary: "a miner's share of an epoch's miner pool",
  usage: "ADDRESS EPOCH",
  nargs: [2, 2],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const req = { miner: checkAddressArg(ctx.args[0], "ADDRESS"), epoch: u64Arg(ctx.args[1], "EPOCH") };
    const r = await queryNode(ctx, RewardsQuery.MinerRewards, req);
    const json = { miner: req.miner, epoch: String(req.epoch), work: r.work, total_work: r.totalWork, pool: r.pool, amount: r.amount, claimed: r.claimed };
    ctx.print(keyValues(Object.entries(json).map(([k, v]) => [k.replace(/_/g, " "), String(v)])), json);
  },
};

export const rewardsCli: ModuleCli = {
  name: "rewards",
  summary: "rewards of miners, models and scorers: claims, pending, epoch allocations",
  tx: [claim, setPayout],
  query: [params, accrued, pending, epochRewards, modelRewards, minerRewards],
  types: BLOCKAI_TYPES.filter(([url]) => url.startsWith("/blockai.rewards.")),
};
