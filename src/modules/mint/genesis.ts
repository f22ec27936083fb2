import { obj, optional, u64 } from "../../types/genesis-json";
import type { Context } from "../../framework/module";
import type { MintKeeper } from "./keeper";
import { DEFAULT_MINT_PARAMS, mintParamsFromJson, mintParamsToJson } from "./params";

export function defaultMintGenesis() {
  return { params: mintParamsToJson(DEFAULT_MINT_PARAMS), minted: "0", last_height: "0" };
}

/** Validates (naming the bad field) and loads the mint section. */
export function initMintGenesis(ctx: Context, keeper: MintKeeper, genesis: unknown): void {
  const g = obj(genesis ?? {}, "mint");
  const params = g.params === undefined ? { ...DEFAULT_MINT_PARAMS } : mintParamsFromJson(g.params);
  keeper.setParams(ctx.store, params);
  const minted = optional(g.minted, (v) => {
    if (typeof v !== "string" || !/^[0-9]{1,78}$/.test(v)) throw new Error(`mint.minted: expected a decimal usoa amount, got ${JSON.stringify(v)}`);
    return BigInt(v);
  }) ?? 0n;
  if (minted > params.maxEmission) throw new Error(`mint.minted: ${minted} is above mint.params.max_emission ${params.maxEmission}`);
  const lastHeight = g.last_height === undefined ? 0n : u64(g.last_height, "mint.last_height");
  keeper.setMinted(ctx.store, minted, lastHeight);
}

export function exportMintGenesis(ctx: Context, keeper: MintKeeper) {
  return {
    params: mintParamsToJson(keeper.getParams(ctx.store)),
    minted: keeper.getMinted(ctx.store).toString(),
    last_height: keeper.getLastHeight(ctx.store).toString(),
  };
}
