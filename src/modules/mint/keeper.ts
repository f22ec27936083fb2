import { Params } from "../../gen/blockai/mint/v1/mint";
import { BASE_DENOM } from "../../types/coins";
import type { Context } from "../../framework/module";
import { KVStore, PrefixStore } from "../../store/kv";
import { readU64be, u64be } from "../../types/bytes";
import { scheduledReward, scheduledTotal } from "./emission";
import { MintEvents } from "./events";
import type { MintBank, MintHooks } from "./expected-keepers";
import { LAST_HEIGHT_KEY, MINTED_KEY, MINT_STORE_PREFIX, PARAMS_KEY } from "./keys";
import { DEFAULT_MINT_PARAMS, MintParams, mintParamsFromProto, mintParamsToProto, scheduleOf, splitEmission, validateMintParams } from "./params";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Emission: mints each block's reward into the recipient module account (the rewards module's),
 * keeps the total minted, and never lets it pass max_emission. Reads and writes only "mint/".
 */
export class MintKeeper {
  private readonly hooks: MintHooks[] = [];

  constructor(
    private readonly bank: MintBank,
    /** The module account every block's emission goes to. */
    readonly recipientModule: string,
  ) {}

  /** Registered once at startup by the module manager, in the order they run. */
  addHooks(h: MintHooks): void {
    this.hooks.push(h);
  }

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, MINT_STORE_PREFIX);
  }

  getParams(root: KVStore): MintParams {
    const raw = this.store(root).get(PARAMS_KEY);
    return raw ? mintParamsFromProto(Params.decode(raw)) : { ...DEFAULT_MINT_PARAMS };
  }

  setParams(root: KVStore, p: MintParams): void {
    validateMintParams(p);
    this.store(root).set(PARAMS_KEY, Params.encode(mintParamsToProto(p)).finish());
  }

  getMinted(root: KVStore): bigint {
    const raw = this.store(root).get(MINTED_KEY);
    return raw ? BigInt(dec.decode(raw)) : 0n;
  }

  getLastHeight(root: KVStore): bigint {
    const raw = this.store(root).get(LAST_HEIGHT_KEY);
    return raw ? readU64be(raw) : 0n;
  }

  /** Genesis import. */
  setMinted(root: KVStore, minted: bigint, lastHeight: bigint): void {
    if (minted === 0n) this.store(root).delete(MINTED_KEY);
    else this.store(root).set(MINTED_KEY, enc.encode(minted.toString()));
    if (lastHeight === 0n) this.store(root).delete(LAST_HEIGHT_KEY);
    else this.store(root).set(LAST_HEIGHT_KEY, u64be(lastHeight));
  }

  /**
   * What height h mints given what was minted before: the schedule's reward, cut to what is left
   * under max_emission. With unchanged parameters since height 1 this is emission.rewardAt(h).
   */
  rewardFor(root: KVStore, height: bigint): bigint {
    const p = this.getParams(root);
    const left = p.maxEmission - this.getMinted(root);
    if (left <= 0n) return 0n;
    const r = scheduledReward(scheduleOf(p), height);
    return r < left ? r : left;
  }

  /** Begin block: mints this height's reward and tells the hooks (before distribution pays fees). */
  beginBlock(ctx: Context): void {
    const height = BigInt(ctx.block.height);
    const amount = this.rewardFor(ctx.store, height);
    if (amount === 0n) return;
    this.bank.mint(ctx.store, ctx.events, this.recipientModule, [{ denom: BASE_DENOM, amount }]);
    const minted = this.getMinted(ctx.store) + amount;
    this.setMinted(ctx.store, minted, height);
    ctx.events.emit(MintEvents.Mint, { height: height.toString(), amount: `${amount}${BASE_DENOM}`, minted: `${minted}${BASE_DENOM}` });
    const split = splitEmission(this.getParams(ctx.store), amount);
    for (const h of this.hooks) h.afterMint(ctx, split);
  }

  /** Emission of the blocks_per_year blocks after `height` (halvings and the cap included). */
  annualProvisions(root: KVStore, height: bigint): bigint {
    const p = this.getParams(root);
    const s = scheduleOf(p);
    const scheduled = scheduledTotal(s, height + p.blocksPerYear) - scheduledTotal(s, height);
    const left = p.maxEmission - this.getMinted(root);
    if (left <= 0n) return 0n;
    return scheduled < left ? scheduled : left;
  }

  supply(root: KVStore): bigint {
    return this.bank.getSupply(root, BASE_DENOM);
  }

  invariants(root: KVStore): string[] {
    const p = this.getParams(root);
    const minted = this.getMinted(root);
    const out: string[] = [];
    if (minted > p.maxEmission) out.push(`mint: minted ${minted} exceeds max_emission ${p.maxEmission}`);
    return out;
  }
}
