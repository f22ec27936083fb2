import { QueryParamsRequest, QueryParamsResponse, QuerySigningInfoRequest, QuerySigningInfoResponse, QuerySigningInfosRequest, QuerySigningInfosResponse } from "cosmjs-types/cosmos/slashing/v1beta1/query";
import { QueryValidatorRequest, QueryValidatorResponse, QueryUnbondingDelegationRequest, QueryUnbondingDelegationResponse, QueryDelegationRequest, QueryDelegationResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { QueryValidatorSlashesRequest, QueryValidatorSlashesResponse } from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { MisbehaviorType } from "cosmjs-types/tendermint/abci/types";
import { VALIDATOR_CONSENSUS_PREFIX, encodeAddress } from "../../src/types/address";
import { Driver, TestValidator } from "../helpers/driver";
import { TestKey } from "../helpers/keys";
import { DEC, dec, eventAttr, expectCode, expectOk, msgCreateValidator, msgDelegate, msgRedelegate, msgUndelegate, msgUnjail, query } from "../helpers/pos";

jest.setTimeout(120_000);

const SOA = 1_000_000n;
const S = "/cosmos.slashing.v1beta1.Query/";
const ST = "/cosmos.staking.v1beta1.Query/";

const valcons = (v: TestValidator) => encodeAddress(v.consAddress, VALIDATOR_CONSENSUS_PREFIX);
const signingInfo = (d: Driver, v: TestValidator) => query(d, S + "SigningInfo", QuerySigningInfoRequest, { consAddress: valcons(v) }, QuerySigningInfoResponse).valSigningInfo;
const validator = (d: Driver, v: TestValidator) => query(d, ST + "Validator", QueryValidatorRequest, { validatorAddr: v.valoper }, QueryValidatorResponse).validator;
const delegationBalance = (d: Driver, del: string, valoper: string) =>
  BigInt(query(d, ST + "Delegation", QueryDelegationRequest, { delegatorAddr: del, validatorAddr: valoper }, QueryDelegationResponse).delegationResponse!.balance.amount);

describe("slashing: liveness", () => {
  test("default parameters are the SDK's", async () => {
    const d = await Driver.create({ validators: 1 });
    await d.block();
    const p = query(d, S + "Params", QueryParamsRequest, {}, QueryParamsResponse).params;
    expect(p.signedBlocksWindow).toBe(100n);
    expect(new TextDecoder().decode(p.minSignedPerWindow)).toBe(dec("0.5"));
    expect(p.downtimeJailDuration).toEqual({ seconds: 600n, nanos: 0 });
    expect(new TextDecoder().decode(p.slashFractionDoubleSign)).toBe(dec("0.05"));
    expect(new TextDecoder().decode(p.slashFractionDowntime)).toBe(dec("0.01"));
    await d.close();
  });

  test("a validator that misses more than window - min_signed blocks is slashed 1%, jailed, removed from the set; MsgUnjail brings it back after the jail time", async () => {
    const d = await Driver.create({
      validators: 4,
      params: { slashing: { signed_blocks_window: "10", min_signed_per_window: "0.5", downtime_jail_duration: "20s" }, staking: { unbonding_time: "60s" } },
    });
    const v3 = d.validators[3];
    await d.block();
    let slashedAt = 0;
    for (let i = 0; i < 15 && slashedAt === 0; i++) {
      const { response } = await d.block([], { absent: [v3.consAddress] });
      if (eventAttr(response.events, "slash", "reason") === "missing_signature") {
        slashedAt = d.height;
        expect(eventAttr(response.events, "slash", "address")).toBe(valcons(v3));
        expect(eventAttr(response.events, "slash", "burned_coins")).toBe(String(SOA));
        expect(response.validatorUpdates).toEqual([{ pubKey: { ed25519: v3.consPubKey }, power: 0n }]);
      }
    }
    // Start height 0, window 10: judged from height 11 on, when 10 > 5 blocks were missed.
    expect(slashedAt).toBe(11);
    const v = validator(d, v3);
    expect(v.jailed).toBe(true);
    expect(v.status).toBe(BondStatus.BOND_STATUS_UNBONDING);
    expect(v.tokens).toBe(String(99n * SOA));
    const info = signingInfo(d, v3);
    expect(info.missedBlocksCounter).toBe(0n);
    expect(info.indexOffset).toBe(0n);
    expect(info.jailedUntil.seconds).toBe(d.timeSeconds + 20n);
    // CometBFT drops it at H+2; the others keep producing blocks.
    await d.blocks(2, { absent: [v3.consAddress] });
    expect(d.powerAt(d.height + 1, v3.consAddress)).toBe(0n);
    expect(d.validatorSet(d.height + 1).size).toBe(3);
    // Too early to unjail.
    expectCode(await d.exec(v3.operator, [msgUnjail(v3.valoper)]), "slashing", 4);
    await d.block([], { advance: 20n });
    const { results, response } = await d.block([d.sign(v3.operator, [msgUnjail(v3.valoper)])]);
    expectOk(results[0]);
    expect(response.validatorUpdates).toEqual([{ pubKey: { ed25519: v3.consPubKey }, power: 99n }]);
    expect(validator(d, v3).jailed).toBe(false);
    // Re-bonded: a fresh window starts at this height.
    expect(signingInfo(d, v3).startHeight).toBe(BigInt(d.height));
    await d.blocks(3);
    expect(d.powerAt(d.height, v3.consAddress)).toBe(99n);
    // Not jailed any more: unjail again is refused; unknown validators too.
    expectCode(await d.exec(v3.operator, [msgUnjail(v3.valoper)]), "slashing", 5);
    expectCode(await d.exec(d.keys[0], [msgUnjail(encodeAddress(d.keys[0].addressBytes, "soavaloper"))]), "slashing", 2);
    const infos = query(d, S + "SigningInfos", QuerySigningInfosRequest, {}, QuerySigningInfosResponse).info;
    expect(infos).toHaveLength(4);
    await d.close();
  });

  test("a validator that signs enough (half the window) is not punished; one missing a little more is", async () => {
    const d = await Driver.create({ validators: 2, params: { slashing: { signed_blocks_window: "10", min_signed_per_window: "0.5" } } });
    const [, v1] = d.validators;
    await d.block();
    // Alternate: miss every other block (5 of 10): never more than 5 missed.
    for (let i = 0; i < 30; i++) await d.block([], i % 2 === 0 ? { absent: [v1.consAddress] } : {});
    expect(validator(d, v1).jailed).toBe(false);
    expect(signingInfo(d, v1).missedBlocksCounter).toBe(5n);
    // Two misses in a row make it 6 of the last 10.
    await d.blocks(2, { absent: [v1.consAddress] });
    expect(validator(d, v1).jailed).toBe(true);
    await d.close();
  });
});

describe("slashing: double signing (evidence in FinalizeBlock's misbehavior)", () => {
  test("slashed 5% of the stake at the infraction - unbonding entries and redelegations started after it included - tombstoned, removed for good", async () => {
    const d = await Driver.create({ validators: 4, accounts: 5, params: { staking: { unbonding_time: "600s" } } });
    const [v0, , v2] = d.validators;
    const [alice, bob, carol, dave, eve] = d.keys;
    await d.block();
    // Stake of v2: 100 (self) + alice 100 + bob 40 + carol 20 + dave 60.
    for (const [k, amount] of [[alice, 100n], [bob, 40n], [carol, 20n], [dave, 60n]] as const) expectOk(await d.exec(k, [msgDelegate(k.address, v2.valoper, amount * SOA)]));
    // Carol leaves well before the infraction: her unbonding did not back it and is not slashed.
    expectOk(await d.exec(carol, [msgUndelegate(carol.address, v2.valoper, 20n * SOA)]));
    await d.blocks(3);
    const infraction = d.height + 2; // v2 double-signs at this height
    const powerAtInfraction = d.powerAt(infraction, v2.consAddress);
    expect(powerAtInfraction).toBe(300n);
    // At infraction - 1 and later: Bob unbonds 40, Dave redelegates 60 to v0 (their stake backed the infraction).
    expectOk(await d.exec(bob, [msgUndelegate(bob.address, v2.valoper, 40n * SOA)]));
    expect(d.height).toBe(infraction - 1);
    expectOk(await d.exec(dave, [msgRedelegate(dave.address, v2.valoper, v0.valoper, 60n * SOA)]));
    await d.blocks(2);
    const bonded = BigInt(validator(d, v2).tokens);
    expect(bonded).toBe(200n * SOA);

    const evidence = d.evidence(v2, infraction);
    const { response } = await d.block([], { misbehavior: [evidence] });
    expect(eventAttr(response.events, "slash", "reason")).toBe("double_sign");
    // v2 leaves the set; v0 loses the 3 SOA burned from Dave's redelegated stake.
    const updates = new Map(response.validatorUpdates.map((u) => [Buffer.from(u.pubKey.ed25519!).toString("hex"), u.power]));
    expect(updates).toEqual(new Map([[Buffer.from(v2.consPubKey).toString("hex"), 0n], [Buffer.from(v0.consPubKey).toString("hex"), 157n]]));
    // 5% of 300 SOA = 15 SOA: 2 from Bob's unbonding, 3 from Dave's redelegation, 10 from v2's 200.
    expect(eventAttr(response.events, "slash", "burned_coins")).toBe(String(10n * SOA));
    const v = validator(d, v2);
    expect(v.tokens).toBe(String(190n * SOA));
    expect(v.jailed).toBe(true);
    expect(delegationBalance(d, alice.address, v2.valoper)).toBe(95n * SOA);
    expect(delegationBalance(d, v2.operator.address, v2.valoper)).toBe(95n * SOA);
    const ubd = (who: TestKey) => query(d, ST + "UnbondingDelegation", QueryUnbondingDelegationRequest, { delegatorAddr: who.address, validatorAddr: v2.valoper }, QueryUnbondingDelegationResponse).unbond.entries[0];
    expect(ubd(bob)).toMatchObject({ initialBalance: String(40n * SOA), balance: String(38n * SOA) });
    expect(ubd(carol)).toMatchObject({ initialBalance: String(20n * SOA), balance: String(20n * SOA) });
    expect(delegationBalance(d, dave.address, v0.valoper)).toBe(57n * SOA);
    const info = signingInfo(d, v2);
    expect(info.tombstoned).toBe(true);
    expect(info.jailedUntil.seconds).toBe(253402300799n);
    const slashes = query(d, "/cosmos.distribution.v1beta1.Query/ValidatorSlashes", QueryValidatorSlashesRequest, { validatorAddress: v2.valoper, startingHeight: 0n, endingHeight: BigInt(d.height) }, QueryValidatorSlashesResponse).slashes;
    expect(slashes).toHaveLength(1);
    expect(slashes[0].fraction).toBe((DEC / 20n).toString());

    // Forever: no unjail, no new stake, the key cannot come back; the same evidence again changes nothing.
    await d.block([], { advance: 10_000n });
    expectCode(await d.exec(v2.operator, [msgUnjail(v2.valoper)]), "slashing", 4);
    expectCode(await d.exec(eve, [msgDelegate(eve.address, v2.valoper, SOA)]), "staking", 7);
    expectCode(await d.exec(eve, [msgRedelegate(eve.address, v0.valoper, v2.valoper, SOA)]), "staking", 19);
    expectCode(await d.exec(eve, [msgCreateValidator(encodeAddress(eve.addressBytes, "soavaloper"), v2.consPubKey, 10n * SOA)]), "staking", 5);
    const again = await d.block([], { misbehavior: [{ ...evidence, type: MisbehaviorType.LIGHT_CLIENT_ATTACK }] });
    expect(eventAttr(again.response.events, "slash", "reason")).toBeUndefined();
    expect(validator(d, v2).tokens).toBe(String(190n * SOA));
    await d.close();
  });

  test("redelegating and then undelegating before the evidence lands does not escape the slash (the SDK's ASA-2024-005)", async () => {
    const d = await Driver.create({ validators: 4, accounts: 5, params: { staking: { unbonding_time: "600s" } } });
    const [v0, , v2] = d.validators;
    const [, , , dave, eve] = d.keys;
    await d.block();
    expectOk(await d.exec(dave, [msgDelegate(dave.address, v2.valoper, 60n * SOA)]));
    expectOk(await d.exec(eve, [msgDelegate(eve.address, v2.valoper, 60n * SOA)]));
    await d.blocks(3);
    const infraction = d.height + 1;
    await d.block();
    // After the infraction both move their 60 SOA to v0; Dave then undelegates all of it, Eve 1 SOA.
    expectOk(await d.exec(dave, [msgRedelegate(dave.address, v2.valoper, v0.valoper, 60n * SOA)]));
    expectOk(await d.exec(eve, [msgRedelegate(eve.address, v2.valoper, v0.valoper, 60n * SOA)]));
    expectOk(await d.exec(dave, [msgUndelegate(dave.address, v0.valoper, 60n * SOA)]));
    expectOk(await d.exec(eve, [msgUndelegate(eve.address, v0.valoper, 1n * SOA)]));
    await d.block([], { misbehavior: [d.evidence(v2, infraction)] });
    // 5% of each 60 SOA redelegated = 3 SOA each: Dave's from his unbonding entry at v0, Eve's 1 SOA
    // entry first, then 2 SOA of her delegation there.
    const ubd = (who: TestKey) => query(d, ST + "UnbondingDelegation", QueryUnbondingDelegationRequest, { delegatorAddr: who.address, validatorAddr: v0.valoper }, QueryUnbondingDelegationResponse).unbond.entries[0];
    expect(ubd(dave)).toMatchObject({ initialBalance: String(60n * SOA), balance: String(57n * SOA) });
    expect(ubd(eve)).toMatchObject({ initialBalance: String(1n * SOA), balance: "0" });
    expect(delegationBalance(d, eve.address, v0.valoper)).toBe(57n * SOA);
    await d.close();
  });

  test("evidence about an unknown address is ignored; the chain keeps its state", async () => {
    const d = await Driver.create({ validators: 2 });
    await d.blocks(3);
    const stranger = new TestValidator(99);
    const { response } = await d.block([], {
      misbehavior: [{ type: MisbehaviorType.DUPLICATE_VOTE, validator: { address: stranger.consAddress, power: 10n }, height: 2n, time: { seconds: d.timeSeconds, nanos: 0 }, totalVotingPower: 200n }],
    });
    expect(response.validatorUpdates).toEqual([]);
    expect(response.events.some((e) => e.type === "slash")).toBe(false);
    await d.close();
  });
});
