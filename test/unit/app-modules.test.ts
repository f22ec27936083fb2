import { EventManager } from "../../src/framework/events";
import { GasMeter } from "../../src/framework/gas";
import type { Context } from "../../src/framework/module";
import { createModules, defaultAppGenesis } from "../../src/app/modules";
import { StoreBranch } from "../../src/store/branch";
import BTree from "sorted-btree";

describe("the module manager (src/app/modules.ts)", () => {
  test("defaultAppGenesis() is every module's default genesis, in module order, as the modules themselves give it", () => {
    const fromModules: Record<string, unknown> = {};
    for (const m of createModules().modules) if (m.defaultGenesis) fromModules[m.name] = m.defaultGenesis();
    const genesis = defaultAppGenesis();
    expect(Object.keys(genesis)).toEqual(Object.keys(fromModules));
    expect(JSON.stringify(genesis)).toBe(JSON.stringify(fromModules));
  });

  test("epoch-end hooks run in the order modules.ts registers them: metering, pow, scoring (silent with no commitments), rewards, then any registered later", () => {
    const { keepers, modules } = createModules();
    const store = new StoreBranch(new BTree<string, Uint8Array>());
    const events = new EventManager();
    const ctx = (height: number): Context => ({
      store,
      gasMeter: new GasMeter(undefined),
      events,
      block: { height, timeNs: 0n, chainId: "c", proposerAddress: new Uint8Array(), hash: new Uint8Array(32) },
      mode: "genesis",
    });
    const genesis = defaultAppGenesis() as Record<string, any>;
    genesis.epochs = { params: { epoch_length: "1" } };
    for (const m of modules) if (m.name === "bank" || m.name === "pow" || m.name === "epochs" || m.name === "metering") m.initGenesis!(ctx(0), genesis[m.name]);
    // A usage record of epoch 0 makes metering's hook emit model_usage.
    const usoa = { denom: "usoa", amount: "0" };
    keepers.metering.setUsage(store, { modelId: 1n, epoch: 0n, units: 1n, amountPaid: usoa, protocolFees: usoa, payers: 1n, payments: 1n });
    keepers.epochs.onEpochEnd("probe", () => events.emit("probe", {}));
    keepers.epochs.endBlock(ctx(1));
    expect(events.events.map((e) => e.type)).toEqual(["model_usage", "pow_retarget", "pow_matmul_retarget", "rewards_epoch_allocation", "probe", "epoch_end"]);
  });
});
