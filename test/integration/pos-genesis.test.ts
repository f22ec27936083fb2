import { Driver, FEES_ONLY } from "../helpers/driver";
import { expectOk, msgDelegate, msgRedelegate, msgSetWithdrawAddress, msgUndelegate } from "../helpers/pos";
import { TestKey, msgSend } from "../helpers/keys";

jest.setTimeout(120_000);

const SOA = 1_000_000n;

describe("proof-of-stake genesis export and import", () => {
  test("exported staking, distribution and slashing state imports into a new chain unchanged, with the same validator set", async () => {
    // No emission: the imported chain's block after genesis must leave the exported state unchanged.
    const d = await Driver.create({ validators: 3, params: { ...FEES_ONLY, slashing: { signed_blocks_window: "10" }, staking: { unbonding_time: "1000s" } } });
    const [v0, v1, v2] = d.validators;
    const [alice, bob] = d.keys;
    await d.block();
    expectOk(await d.exec(alice, [msgDelegate(alice.address, v0.valoper, 50n * SOA), msgSetWithdrawAddress(alice.address, new TestKey("alice-rewards").address)]));
    expectOk(await d.exec(bob, [msgDelegate(bob.address, v1.valoper, 30n * SOA)]));
    for (let i = 0; i < 3; i++) expectOk(await d.exec(d.keys[2], [msgSend(d.keys[2].address, d.keys[3].address, 1n)]));
    expectOk(await d.exec(alice, [msgUndelegate(alice.address, v0.valoper, 10n * SOA)]));
    expectOk(await d.exec(bob, [msgRedelegate(bob.address, v1.valoper, v0.valoper, 5n * SOA)]));
    // v2 goes offline: slashed, jailed (an F1 slash event, a jailed validator, signing infos).
    await d.blocks(12, { absent: [v2.consAddress] });
    await d.blocks(2);
    const exported = d.app.exportGenesis() as Record<string, any>;
    expect(exported.staking.exported).toBe(true);
    expect(exported.staking.unbonding_delegations).toHaveLength(1);
    expect(exported.staking.redelegations).toHaveLength(1);
    expect(exported.distribution.validator_slash_events).toHaveLength(1);
    expect(exported.staking.validators.find((v: any) => v.operator_address === v2.valoper).jailed).toBe(true);
    const expectedSet = [...d.validatorSet(d.height + 2).values()].map((m) => `${Buffer.from(m.pubKey).toString("hex")}:${m.power}`).sort();

    const e = await Driver.create({
      appState: (s) => {
        // Module accounts included: they re-import with their names and numbers.
        s.auth = exported.auth;
        for (const m of ["bank", "mint", "rewards", "staking", "distribution", "slashing"]) s[m] = exported[m];
      },
    });
    const imported = [...e.validatorSet(1).values()].map((m) => `${Buffer.from(m.pubKey).toString("hex")}:${m.power}`).sort();
    expect(imported).toEqual(expectedSet);
    await e.block(); // invariants are checked after it
    const again = e.app.exportGenesis() as Record<string, any>;
    expect(again.auth).toEqual(exported.auth);
    expect(again.bank).toEqual(exported.bank);
    expect(again.staking).toEqual(exported.staking);
    expect(again.distribution).toEqual(exported.distribution);
    expect(again.slashing.signing_infos.map((i: any) => [i.address, i.validator_signing_info.tombstoned, i.validator_signing_info.jailed_until])).toEqual(
      exported.slashing.signing_infos.map((i: any) => [i.address, i.validator_signing_info.tombstoned, i.validator_signing_info.jailed_until]),
    );
    await e.close();
    await d.close();
  });

  test("a bad staking genesis names the bad field", async () => {
    await expect(Driver.create({ validators: 1, appState: (s) => (s.staking.params.unbonding_time = "21 days") })).rejects.toThrow(/staking.params.unbonding_time/);
    await expect(Driver.create({ validators: 1, appState: (s) => (s.staking.validators[0].commission.commission_rates.rate = "0.5") })).rejects.toThrow(/staking.validators\[0\].commission/);
    await expect(Driver.create({ validators: 1, appState: (s) => (s.slashing.params.min_signed_per_window = "1.5") })).rejects.toThrow(/slashing.params.min_signed_per_window/);
    await expect(Driver.create({ validators: 1, appState: (s) => (s.distribution.params.community_tax = "x") })).rejects.toThrow(/distribution.params.community_tax/);
    await expect(Driver.create({ validators: 2, appState: (s) => (s.staking.delegations[1].shares = "1.0") })).rejects.toThrow(/delegations to .* hold/);
  });
});
