import type { Command, CommandContext, ModuleCli } from "../command";
import { QUERY_FLAGS } from "../flags";
import { queryNode } from "../connect";
import { MintQuery } from "../../modules/mint/service";
import { keyValues } from "../output";
import { u64Arg } from "./registry";



const print = (ctx: CommandContext, json: Record<string, string | number>) => ctx.print(keyValues(Object.entries(json).map(([k, v]) => [k.replace(/_/g, " "), String(v)])), json);

const params: Command = {
  name: "params",
  summary: "emission parameters: schedule, cap and shares",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, MintQuery.Params, {})).params!;
    print(ctx, {
      initial_block_reward: p.initialBlockReward,
      halving_interval: String(p.halvingInterval),
      max_emission: p.maxEmission,
      blocks_per_year: String(p.blocksPerYear),
      staker_bps: p.stakerBps,
      scorer_bps: p.scorerBps,
      miner_bps: p.minerBps,
      model_bps: p.modelBps,
      community_pool_bps: 10_000 - p.stakerBps - p.scorerBps - p.minerBps - p.modelBps,
    });
  },
};

const blockReward: Command = {
  name: "block-reward",
  summary: "the scheduled reward of a height (default: the next block) and its halvings",
  usage: "[HEIGHT]",
  nargs: [0, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const height = ctx.args[0] === undefined ? 0n : u64Arg(ctx.args[0], "HEIGHT");
    const r = await queryNode(ctx, MintQuery.BlockReward, { height });
    print(ctx, { height: String(r.height), scheduled: `${r.scheduled}usoa`, halvings: String(r.halvings) });
  },
};

const minted: Command = {
  name: "minted",
  summary: "total minted so far, and the cap",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const r = await queryNode(ctx, MintQuery.Minted, {});
    print(ctx, { minted: `${r.minted}usoa`, max_emission: `${r.maxEmission}usoa`, last_height: String(r.lastHeight) });
  },
};

const annual: Command = {
  name: "annual-provisions",
  summary: "emission of the next blocks_per_year blocks, and that over the current supply",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const r = await queryNode(ctx, MintQuery.AnnualProvisions, {});
    print(ctx, { annual_provisions: `${r.annualProvisions}usoa`, inflation: r.inflation });
  },
};

export const mintCli: ModuleCli = {
  name: "mint",
  summary: "emission: the halving schedule, minted total, annual provisions",
  query: [params, blockReward, minted, annual],
};
