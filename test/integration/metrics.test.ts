import * as path from "node:path";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { BlockaiApp } from "../../src/app/app";
import { createLogger } from "../../src/app/logger";
import { AppMetrics } from "../../src/app/metrics";
import { signatureStats } from "../../src/app/tx";
import { MetricsServer } from "../../src/node/metrics-server";
import { parseDecCoins } from "../../src/types/coins";
import { Driver } from "../helpers/driver";
import { msgSend } from "../helpers/keys";

describe("Prometheus metrics of the app", () => {
  let d: Driver;
  afterEach(async () => d?.close());

  test("blocks, txs by code and module, CheckTx and rechecks, app hash and LevelDB times, state size; served at /metrics", async () => {
    d = await Driver.create({ accounts: 2, validators: 1 });
    const [alice, bob] = d.keys;
    await d.block();
    // Reopen the app on the same state with metrics on, as `blockai start` does with prometheus_address.
    await d.app.close();
    const metrics = new AppMetrics();
    d.app = await BlockaiApp.open({ dataDir: path.join(d.dir, "state"), minGasPrices: parseDecCoins("0.025usoa"), logger: createLogger("none"), metrics });

    const ok = d.sign(alice, [msgSend(alice.address, bob.address, 1000n)]);
    const broke = d.sign(bob, [msgSend(bob.address, alice.address, 10n ** 30n)]);
    expect(d.checkTx(ok).code).toBe(0);
    expect(d.app.runCheckTx({ tx: ok, type: CheckTxType.RECHECK }).code).not.toBe(0); // already applied to the check state
    await d.block([ok, broke]);

    expect(metrics.blockHeight.value()).toBe(d.app.lastHeight);
    expect(metrics.blockExecution.observations).toBe(1);
    expect(metrics.appHash.observations).toBe(1);
    expect(metrics.dbCommit.observations).toBe(1);
    expect(metrics.checkTx.observations).toBe(2);
    expect(metrics.rechecks.value()).toBe(1);
    expect(metrics.txs.value({ code: "0", codespace: "", module: "bank" })).toBe(1);
    expect(metrics.txs.value({ code: "5", codespace: "sdk", module: "bank" }) + metrics.txs.value({ code: "5", codespace: "sdk", module: "none" })).toBe(1);
    expect(metrics.stateKeys.value()).toBeGreaterThan(10);

    const server = await MetricsServer.start("127.0.0.1:0", metrics);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain(`blockai_block_height ${d.app.lastHeight}`);
      expect(text).toContain('blockai_txs_total{code="0",codespace="",module="bank"} 1');
      expect(text).toMatch(/^blockai_checktx_seconds_count 2$/m);
      expect(text).toMatch(/^blockai_mempool_rechecks_total 1$/m);
      expect(text).toMatch(/^# TYPE blockai_leveldb_commit_seconds histogram$/m);
      expect(text).toMatch(/^blockai_app_hash_seconds_bucket\{le="\+Inf"\} 1$/m);
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  test("signature checks: a tx verified by CheckTx is answered from the cache in its block", async () => {
    d = await Driver.create({ accounts: 2, validators: 1 });
    const [alice, bob] = d.keys;
    await d.block();
    const metrics = new AppMetrics();
    const tx = d.sign(alice, [msgSend(alice.address, bob.address, 1000n)]);
    const before = { ...signatureStats };
    expect(d.checkTx(tx).code).toBe(0);
    const afterCheck = { ...signatureStats };
    // CheckTx verified the one signature (inline, or the threads did and CheckTx read their verdict).
    expect(afterCheck.verifiedInline - before.verifiedInline + (afterCheck.answeredFromCache - before.answeredFromCache)).toBe(1);
    await d.block([tx]);
    // The block decodes the same bytes: the verdict is reused, nothing is verified again.
    expect(signatureStats.verifiedInline).toBe(afterCheck.verifiedInline);
    expect(signatureStats.answeredFromCache).toBe(afterCheck.answeredFromCache + 1);
    const text = metrics.render();
    expect(text).toContain(`blockai_signature_checks_total{result="cache"} ${signatureStats.answeredFromCache}`);
    expect(text).toContain(`blockai_signature_checks_total{result="verified"} ${signatureStats.verifiedInline}`);
  });
});
