import { Params } from "../../gen/blockai/mint/v1/mint";
import { obj, u64 } from "../../types/genesis-json";
import type { Schedule } from "./emission";
import type { EmissionSplit } from "./expected-keepers";

export const BPS = 10_000n;

/** The parameters as numbers. */
export interface MintParams {
  initialBlockReward: bigint;
  halvingInterval: bigint;
  maxEmission: bigint;
  blocksPerYear: bigint;
  stakerBps: bigint;
  scorerBps: bigint;
  minerBps: bigint;
  modelBps: bigint;
}

/**
 * Defaults (docs/rewards.md argues them): 20 SOA a block halving every 4 years of 6 s blocks
 * (21,024,000 blocks), capped at 800 million SOA; 40 % to stakers, 10 % to scorers, 20 % to
 * miners, 20 % to models, 10 % to the community pool.
 */
export const DEFAULT_MINT_PARAMS: MintParams = {
  initialBlockReward: 20_000_000n,
  halvingInterval: 21_024_000n,
  maxEmission: 800_000_000_000_000n,
  blocksPerYear: 5_256_000n,
  stakerBps: 4_000n,
  scorerBps: 1_000n,
  minerBps: 2_000n,
  modelBps: 2_000n,
};

/** Throws an Error naming the bad field. */
export function validateMintParams(p: MintParams, where = "mint.params"): void {
  if (p.initialBlockReward < 0n) throw new Error(`${where}.initial_block_reward: must be >= 0`);
  if (p.halvingInterval < 1n) throw new Error(`${where}.halving_interval: must be >= 1`);
  if (p.maxEmission < 0n) throw new Error(`${where}.max_emission: must be >= 0`);
  if (p.blocksPerYear < 1n) throw new Error(`${where}.blocks_per_year: must be >= 1`);
  const shares = p.stakerBps + p.scorerBps + p.minerBps + p.modelBps;
  if (shares > BPS) throw new Error(`${where}: staker_bps + scorer_bps + miner_bps + model_bps = ${shares}, more than 10000`);
}

export function communityBps(p: MintParams): bigint {
  return BPS - p.stakerBps - p.scorerBps - p.minerBps - p.modelBps;
}

/** Splits an amount by the shares: floor of each share, the community pool takes the rest. */
export function splitEmission(p: MintParams, total: bigint): EmissionSplit {
  const stakers = (total * p.stakerBps) / BPS;
  const scorers = (total * p.scorerBps) / BPS;
  const miners = (total * p.minerBps) / BPS;
  const models = (total * p.modelBps) / BPS;
  return { total, stakers, scorers, miners, models, community: total - stakers - scorers - miners - models };
}

export function scheduleOf(p: MintParams): Schedule {
  return { initialBlockReward: p.initialBlockReward, halvingInterval: p.halvingInterval, maxEmission: p.maxEmission };
}

export function mintParamsToProto(p: MintParams): Params {
  return {
    initialBlockReward: p.initialBlockReward.toString(),
    halvingInterval: p.halvingInterval,
    maxEmission: p.maxEmission.toString(),
    blocksPerYear: p.blocksPerYear,
    stakerBps: Number(p.stakerBps),
    scorerBps: Number(p.scorerBps),
    minerBps: Number(p.minerBps),
    modelBps: Number(p.modelBps),
  };
}

export function mintParamsFromProto(p: Params): MintParams {
  return {
    initialBlockReward: BigInt(p.initialBlockReward || "0"),
    halvingInterval: p.halvingInterval,
    maxEmission: BigInt(p.maxEmission || "0"),
    blocksPerYear: p.blocksPerYear,
    stakerBps: BigInt(p.stakerBps),
    scorerBps: BigInt(p.scorerBps),
    minerBps: BigInt(p.minerBps),
    modelBps: BigInt(p.modelBps),
  };
}

export function mintParamsToJson(p: MintParams) {
  return {
    initial_block_reward: p.initialBlockReward.toString(),
    halving_interval: p.halvingInterval.toString(),
    max_emission: p.maxEmission.toString(),
    blocks_per_year: p.blocksPerYear.toString(),
    staker_bps: Number(p.stakerBps),
    scorer_bps: Number(p.scorerBps),
    miner_bps: Number(p.minerBps),
    model_bps: Number(p.modelBps),
  };
}

/** Genesis JSON; absent fields take their defaults. */
export function mintParamsFromJson(value: unknown, where = "mint.params"): MintParams {
  const o = obj(value, where);
  const read = (key: string, fallback: bigint) => (o[key] === undefined ? fallback : u64OrBig(o[key], `${where}.${key}`));
  const p: MintParams = {
    initialBlockReward: read("initial_block_reward", DEFAULT_MINT_PARAMS.initialBlockReward),
    halvingInterval: read("halving_interval", DEFAULT_MINT_PARAMS.halvingInterval),
    maxEmission: read("max_emission", DEFAULT_MINT_PARAMS.maxEmission),
    blocksPerYear: read("blocks_per_year", DEFAULT_MINT_PARAMS.blocksPerYear),
    stakerBps: read("staker_bps", DEFAULT_MINT_PARAMS.stakerBps),
    scorerBps: read("scorer_bps", DEFAULT_MINT_PARAMS.scorerBps),
    minerBps: read("miner_bps", DEFAULT_MINT_PARAMS.minerBps),
    modelBps: read("model_bps", DEFAULT_MINT_PARAMS.modelBps),
  };
  validateMintParams(p, where);
  return p;
}

/** Amounts may exceed 64 bits (usoa totals): a non-negative decimal integer string or number. */
function u64OrBig(value: unknown, where: string): bigint {
  if (typeof value === "string" && /^[0-9]{1,78}$/.test(value)) return BigInt(value);
  return u64(value, where);
}
