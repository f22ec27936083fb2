import BTree from "sorted-btree";
import { EventManager } from "../../src/framework/events";
import { GasMeter } from "../../src/framework/gas";
import type { Context } from "../../src/framework/module";
import { EpochsKeeper } from "../../src/modules/epochs";
import { type ModelDirectory, PowKeeper, createPowModule, targetToHex } from "../../src/modules/pow";
import { StoreBranch } from "../../src/store/branch";

/** A chain restarted from an export at initial height 101 (InitChain runs at height 100). */
function setup() {
  const epochs = new EpochsKeeper();
  const models: ModelDirectory = { getModel: () => ({ owner: "", operators: [], status: 1 }) };
  const keeper = new PowKeeper(epochs, models);
  const module = createPowModule(keeper, epochs);
  const store = new StoreBranch(new BTree<string, Uint8Array>());
  const ctx = (height: number): Context => ({
    store,
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    block: { height, timeNs: 0n, chainId: "c", proposerAddress: new Uint8Array(), hash: new Uint8Array(32).fill(height) },
    mode: "genesis",
  });
  return { keeper, module, store, ctx };
}

const hex = (b: number) => b.toString(16).padStart(2, "0").repeat(32);

describe("pow genesis: anchors and used seals of a restarted chain", () => {
  test("anchors within the window before the initial height and their seals are imported, exported, then pruned as blocks go by", () => {
    const { keeper, module, store, ctx } = setup();
    const genesis = {
      params: { anchor_window: "4", max_certs_per_block: "5", target_certs_per_epoch: "10" },
      target: targetToHex(1n << 250n),
      anchors: [97, 98, 99, 100].map((h) => ({ height: String(h), hash: hex(h) })),
      used_seals: [{ anchor_height: "98", seal: hex(0xaa) }, { anchor_height: "100", seal: hex(0xbb) }],
    };
    module.initGenesis!(ctx(100), genesis);
    const exported = module.exportGenesis!(ctx(100)) as Record<string, unknown>;
    expect(exported.anchors).toEqual(genesis.anchors);
    expect(exported.used_seals).toEqual(genesis.used_seals);
    expect(keeper.invariants(store)).toEqual([]);
    // Block 101: its hash is recorded; anchor 97 leaves the window (valid at 102: 98..101).
    module.beginBlock!(ctx(101), { ...ctx(101).block, misbehavior: [] });
    module.endBlock!(ctx(101));
    expect(keeper.allAnchors(store).map((a) => a.height)).toEqual([98n, 99n, 100n, 101n]);
    module.beginBlock!(ctx(102), { ...ctx(102).block, misbehavior: [] });
    module.endBlock!(ctx(102));
    expect(keeper.allAnchors(store).map((a) => a.height)).toEqual([99n, 100n, 101n, 102n]);
    expect(keeper.allUsedSeals(store).map((s) => s.anchorHeight)).toEqual([100n]);
    expect(keeper.invariants(store)).toEqual([]);
  });

  test("anchors outside the window, duplicated, or too many are refused with the field named", () => {
    const base = { params: { anchor_window: "4" } };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...base, anchors: [{ height: "96", hash: hex(1) }] }, /pow.anchors\[0\].height: 96 is outside the anchor window before the initial height \(97..100\)/],
      [{ ...base, anchors: [{ height: "101", hash: hex(1) }] }, /pow.anchors\[0\].height: 101 is outside/],
      [{ ...base, anchors: [{ height: "99", hash: hex(1) }, { height: "99", hash: hex(2) }] }, /pow.anchors\[1\].height: duplicate height 99/],
      [{ ...base, anchors: [97, 98, 99, 100, 100].map((h) => ({ height: String(h), hash: hex(h) })) }, /pow.anchors: more than anchor_window \(4\) entries/],
      [{ ...base, anchors: [{ height: "99", hash: "zz" }] }, /pow.anchors\[0\].hash: expected 64 hexadecimal digits/],
      [{ ...base, anchors: [{ height: "99", hash: hex(1) }], used_seals: [{ anchor_height: "99", seal: hex(1) }, { anchor_height: "99", seal: hex(1) }] }, /pow.used_seals\[1\].seal: duplicate/],
      [{ ...base, bogus: 1 }, /pow.bogus: unknown field/],
    ];
    for (const [g, message] of cases) {
      const { module, ctx } = setup();
      expect(() => module.initGenesis!(ctx(100), g)).toThrow(message);
    }
  });
});
