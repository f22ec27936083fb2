import { Escrow } from "../../src/gen/blockai/metering/v1/metering";
import { Model } from "../../src/gen/blockai/registry/v1/registry";
import { WorkTally } from "../../src/gen/blockai/pow/v1/pow";
import { checkBlockInvariants } from "../../src/framework/invariants";
import type { StoreBranch } from "../../src/store/branch";
import { createSteadyLoad } from "../helpers/steady-load";

jest.setTimeout(300_000);

const utf8 = new TextEncoder();
const startsWith = (k: Uint8Array, p: string) => Buffer.from(k.subarray(0, p.length)).toString("latin1") === p;

/**
 * The per-block invariant checks on a block's writes (docs/pruning.md#invariants): no false
 * alarm over a few hundred blocks of steady usage (the app halts on one), and each catches a
 * write that breaks its module's accounting, which the full walk would catch too.
 */
describe("incremental invariants", () => {
  test("steady usage with the app checking every block's writes (full walks never): no alarm, and the full walk agrees", async () => {
    const { d, step } = await createSteadyLoad({ appInvariantsFullEvery: 0 });
    d.invariantsEvery = 100;
    try {
      for (let i = 0; i < 300; i++) await step();
      expect(d.app.checkInvariants()).toEqual([]);
    } finally {
      await d.close();
    }
  });

  test("a tampered balance, escrow, work record or bond is caught from the block's writes alone", async () => {
    const { d, step } = await createSteadyLoad();
    try {
      for (let i = 0; i < 60; i++) await step();
      const before = d.store as StoreBranch;
      const all = before.range(new Uint8Array(), undefined);
      const first = (prefix: string) => all.find(([k]) => startsWith(k, prefix))!;
      const check = (tamper: (s: StoreBranch) => void) => {
        const after = before.branch();
        tamper(after);
        return checkBlockInvariants(d.app.modules, before, after, after.changes, d.height + 1, 0).join("; ");
      };
      // Nothing written: nothing to report.
      expect(check(() => {})).toBe("");
      // Money from nowhere in one balance.
      const [balanceKey, balance] = first("bank/\x02");
      expect(check((s) => s.set(balanceKey, utf8.encode((BigInt(Buffer.from(balance).toString()) + 1n).toString())))).toMatch(/bank: this block changed the balances of usoa by 1 but its supply by 0/);
      // An escrow whose deposit grows without the escrow account receiving it.
      const [escrowKey, escrowRaw] = all.find(([k, v]) => startsWith(k, "metering/\x02") && Escrow.decode(v).status === 1)!;
      const e = Escrow.decode(escrowRaw);
      expect(check((s) => s.set(escrowKey, Escrow.encode({ ...e, deposit: { denom: "usoa", amount: (BigInt(e.deposit!.amount) + 5n).toString() } }).finish()))).toMatch(/metering: the escrow account changed by 0usoa but open escrows by 5usoa/);
      // A miner's work record raised without its aggregates.
      const [recordKey, recordRaw] = first("pow/\x09");
      const t = WorkTally.decode(recordRaw);
      expect(check((s) => s.set(recordKey, WorkTally.encode({ ...t, certificates: t.certificates + 1n }).finish()))).toMatch(/pow: aggregate .* its records by 0 \/ 1/);
      // A bond marked returned while the bond account still holds it.
      const [modelKey, modelRaw] = first("registry/\x02");
      const m = Model.decode(modelRaw);
      expect(check((s) => s.set(modelKey, Model.encode({ ...m, bondReturned: true }).finish()))).toMatch(/registry: the bond account changed by 0usoa but the models' bonds by -\d+usoa/);
    } finally {
      await d.close();
    }
  });
});
