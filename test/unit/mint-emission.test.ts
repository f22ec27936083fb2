import BTree from "sorted-btree";
import fc from "fast-check";
import { EventManager } from "../../src/framework/events";
import { GasMeter } from "../../src/framework/gas";
import type { Context } from "../../src/framework/module";
import { StoreBranch } from "../../src/store/branch";
import type { KVStore } from "../../src/store/kv";
import type { Coin } from "../../src/types/coins";
import { cumulativeEmission, lastEmittingHeight, rewardAt, scheduledReward, scheduledTotal, type Schedule } from "../../src/modules/mint/emission";
import { MintKeeper, type EmissionSplit } from "../../src/modules/mint";
import { DEFAULT_MINT_PARAMS, mintParamsFromJson, type MintParams } from "../../src/modules/mint/params";

/** A bank that only counts what mint creates. */
function fakeBank() {
  const minted = new Map<string, bigint>();
  return {
    minted,
    mint(_root: KVStore, _e: unknown, module: string, coins: readonly Coin[]) {
      for (const c of coins) minted.set(module, (minted.get(module) ?? 0n) + c.amount);
    },
    getSupply: () => 0n,
  };
}

function setup(params: MintParams) {
  const bank = fakeBank();
  const keeper = new MintKeeper(bank, "rewards");
  const splits: EmissionSplit[] = [];
  keeper.addHooks({ afterMint: (_ctx, s) => splits.push(s) });
  const store = new StoreBranch(new BTree<string, Uint8Array>());
  keeper.setParams(store, params);
  const ctx = (height: number): Context => ({
    store,
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    block: { height, timeNs: 0n, chainId: "c", proposerAddress: new Uint8Array(), hash: new Uint8Array() },
    mode: "deliver",
  });
  return { bank, keeper, store, ctx, splits };
}

/** The schedule summed block by block, the definition the closed form must match. */
function naiveTotal(s: Schedule, h: bigint): bigint {
  let total = 0n;
  for (let i = 1n; i <= h; i++) {
    const halvings = (i - 1n) / s.halvingInterval;
    const r = halvings > 200n ? 0n : s.initialBlockReward / 2n ** halvings;
    total += total + r > s.maxEmission ? s.maxEmission - total : r;
  }
  return total;
}

const schedule = fc.record({
  initialBlockReward: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  halvingInterval: fc.bigInt({ min: 1n, max: 40n }),
  maxEmission: fc.bigInt({ min: 0n, max: 10n ** 11n }),
});

describe("mint: the halving schedule", () => {
  test("closed form = the block-by-block sum at every height, across halvings and the cap (property)", () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: 0, max: 400 }), (s, h) => {
        expect(cumulativeEmission(s, BigInt(h))).toBe(naiveTotal(s, BigInt(h)));
        expect(rewardAt(s, BigInt(h))).toBe(naiveTotal(s, BigInt(h)) - naiveTotal(s, BigInt(Math.max(h - 1, 0))));
      }),
      { numRuns: 300 },
    );
  });

  test("the keeper mints exactly the closed form at sampled heights and stops at max_emission exactly (property)", () => {
    fc.assert(
      fc.property(schedule, fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 8 }), (s, samples) => {
        const params = { ...DEFAULT_MINT_PARAMS, ...s };
        const { bank, keeper, store, ctx, splits } = setup(params);
        const wanted = new Set(samples);
        const last = Math.max(...samples);
        for (let h = 1; h <= last; h++) {
          keeper.beginBlock(ctx(h));
          if (wanted.has(h)) {
            expect(keeper.getMinted(store)).toBe(cumulativeEmission(s, BigInt(h)));
          }
        }
        const minted = keeper.getMinted(store);
        expect(minted).toBeLessThanOrEqual(s.maxEmission);
        expect(bank.minted.get("rewards") ?? 0n).toBe(minted);
        // Every minted unit is split, the community pool taking the rounding.
        let split = 0n;
        for (const x of splits) {
          expect(x.stakers + x.scorers + x.miners + x.models + x.community).toBe(x.total);
          expect(x.community).toBeGreaterThanOrEqual(0n);
          split += x.total;
        }
        expect(split).toBe(minted);
        // Once the schedule's total passes the cap, the total is the cap to the unit and stays there.
        if (scheduledTotal(s, BigInt(last)) >= s.maxEmission) {
          expect(minted).toBe(s.maxEmission);
          keeper.beginBlock(ctx(last + 1));
          expect(keeper.getMinted(store)).toBe(s.maxEmission);
        }
      }),
      { numRuns: 150 },
    );
  });

  test("the default schedule: 20 SOA per block, halving every 21,024,000 blocks, the cap binding at its height exactly", () => {
    const s: Schedule = DEFAULT_MINT_PARAMS;
    expect(scheduledReward(s, 1n)).toBe(20_000_000n);
    expect(scheduledReward(s, 21_024_000n)).toBe(20_000_000n);
    expect(scheduledReward(s, 21_024_001n)).toBe(10_000_000n);
    expect(scheduledReward(s, 4n * 21_024_000n + 1n)).toBe(1_250_000n);
    const end = lastEmittingHeight(s);
    expect(cumulativeEmission(s, end)).toBe(s.maxEmission);
    expect(cumulativeEmission(s, end - 1n)).toBeLessThan(s.maxEmission);
    expect(rewardAt(s, end + 1n)).toBe(0n);
    // A keeper resumed just before the cap (genesis export at end - 2) mints the same last units.
    const { keeper, store, ctx } = setup(DEFAULT_MINT_PARAMS);
    keeper.setMinted(store, cumulativeEmission(s, end - 2n), end - 2n);
    for (const h of [end - 1n, end, end + 1n, end + 2n]) keeper.beginBlock(ctx(Number(h)));
    expect(keeper.getMinted(store)).toBe(s.maxEmission);
  });

  test("genesis params: shares over 10,000 bps and a zero halving interval are refused, naming the field", () => {
    expect(() => mintParamsFromJson({ staker_bps: 6000, miner_bps: 5000 })).toThrow(/mint.params: .*10000/);
    expect(() => mintParamsFromJson({ halving_interval: "0" })).toThrow(/mint.params.halving_interval/);
    expect(() => mintParamsFromJson({ max_emission: "-1" })).toThrow(/mint.params.max_emission/);
    expect(mintParamsFromJson({}).initialBlockReward).toBe(DEFAULT_MINT_PARAMS.initialBlockReward);
  });
});
