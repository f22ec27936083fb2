import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryPoolRequest,
  QueryPoolResponse,
  QueryRedelegationsRequest,
  QueryRedelegationsResponse,
  QueryUnbondingDelegationRequest,
  QueryUnbondingDelegationResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { MsgUndelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { VALIDATOR_OPERATOR_PREFIX, encodeAddress, moduleAddress } from "../../src/types/address";
import { BONDED_POOL, DEFAULT_STAKING_PARAMS, NOT_BONDED_POOL, consAddressOf } from "../../src/modules/staking";
import { Driver } from "../helpers/driver";
import { TestKey, msgSend } from "../helpers/keys";
import {
  DEC,
  dec,
  eventAttr,
  expectCode,
  expectOk,
  msgCancelUnbonding,
  msgCreateValidator,
  msgDelegate,
  msgEditValidator,
  msgRedelegate,
  msgUndelegate,
  query,
} from "../helpers/pos";

jest.setTimeout(120_000);

const SOA = 1_000_000n;
const Q = "/cosmos.staking.v1beta1.Query/";

function newConsKey(seed: string): Uint8Array {
  return ed25519.getPublicKey(sha256(new TextEncoder().encode(seed)));
}

function valoperOf(key: TestKey): string {
  return encodeAddress(key.addressBytes, VALIDATOR_OPERATOR_PREFIX);
}

function validator(d: Driver, valoper: string) {
  return query(d, Q + "Validator", QueryValidatorRequest, { validatorAddr: valoper }, QueryValidatorResponse).validator;
}

function delegation(d: Driver, del: string, valoper: string) {
  return query(d, Q + "Delegation", QueryDelegationRequest, { delegatorAddr: del, validatorAddr: valoper }, QueryDelegationResponse).delegationResponse!;
}

function pool(d: Driver) {
  return query(d, Q + "Pool", QueryPoolRequest, {}, QueryPoolResponse).pool;
}

describe("staking: genesis, the bonded set and CometBFT validator updates", () => {
  test("InitChain returns exactly the bonded genesis set; pools hold the bonded tokens; default params are the SDK's", async () => {
    const d = await Driver.create({ validators: 3, selfDelegation: (i) => BigInt(100 + i) * SOA });
    const set = d.validatorSet(1);
    expect([...set.values()].map((m) => m.power).sort()).toEqual([100n, 101n, 102n]);
    for (const v of d.validators) expect(set.has(Buffer.from(v.consAddress).toString("hex"))).toBe(true);
    await d.block();
    expect(pool(d)).toEqual({ bondedTokens: String(303n * SOA), notBondedTokens: "0" });
    const vals = query(d, Q + "Validators", QueryValidatorsRequest, { status: "BOND_STATUS_BONDED" }, QueryValidatorsResponse).validators;
    expect(vals).toHaveLength(3);
    expect(vals[0].commission.commissionRates.rate).toBe("100000000000000000");
    expect(vals[0].delegatorShares).toBe((BigInt(vals[0].tokens) * DEC).toString());
    const params = query(d, Q + "Params", QueryParamsRequest, {}, QueryParamsResponse).params;
    expect(params).toMatchObject({ maxValidators: 100, maxEntries: 7, historicalEntries: 10000, bondDenom: "usoa", minCommissionRate: "0" });
    expect(params.unbondingTime).toEqual({ seconds: 1_814_400n, nanos: 0 });
    expect(DEFAULT_STAKING_PARAMS.unbondingTimeNs).toBe(21n * 86400n * 10n ** 9n);
    // The operators' genesis balance paid for the self-delegation.
    expect(d.balance(d.validators[0].operator.address)).toBe(10n ** 12n);
    await d.close();
  });

  test("a genesis whose CometBFT validators disagree with the staking genesis is refused", async () => {
    await expect(
      Driver.create({
        validators: 2,
        appState: (s) => {
          s.staking.validators[0].tokens = String(150n * SOA);
          s.staking.validators[0].delegator_shares = "150000000.000000000000000000";
          s.staking.delegations[0].shares = "150000000.000000000000000000";
          s.bank.balances.find((b: any) => b.address === encodeAddress(moduleAddress(NOT_BONDED_POOL))).coins[0].amount = String(250n * SOA);
          s.bank.balances[0].coins[0].amount = String(BigInt(s.bank.balances[0].coins[0].amount) - 50n * SOA);
        },
      }),
    ).rejects.toThrow(/genesis validators .* differ from the bonded set/);
  });

  test("delegating changes the validator's power: update returned at H, in CometBFT's set at H+2", async () => {
    const d = await Driver.create({ validators: 2 });
    await d.block();
    const [v0] = d.validators;
    const delegator = d.keys[0];
    const before = d.balance(delegator.address);
    const { results, response } = await d.block([d.sign(delegator, [msgDelegate(delegator.address, v0.valoper, 7n * SOA + 123n)])]);
    expectOk(results[0]);
    const h = d.height;
    expect(response.validatorUpdates).toEqual([{ pubKey: { ed25519: v0.consPubKey }, power: 107n }]);
    expect(eventAttr(results[0].events, "delegate", "new_shares")).toBe("7000123.000000000000000000");
    expect(d.balance(delegator.address)).toBe(before - 7n * SOA - 123n - 25_000n);
    expect(d.powerAt(h + 1, v0.consAddress)).toBe(100n);
    await d.blocks(2);
    expect(d.powerAt(h + 2, v0.consAddress)).toBe(107n);
    expect(delegation(d, delegator.address, v0.valoper)).toEqual({
      delegation: { delegatorAddress: delegator.address, validatorAddress: v0.valoper, shares: ((7n * SOA + 123n) * DEC).toString() },
      balance: { denom: "usoa", amount: String(7n * SOA + 123n) },
    });
    // An unchanged power sends no update.
    const again = await d.block([d.sign(delegator, [msgDelegate(delegator.address, v0.valoper, 500_000n)])]);
    expect(again.response.validatorUpdates).toEqual([]);
    await d.close();
  });

  test("undelegation: tokens locked in the not-bonded pool until unbonding_time (block time), paid in the first block at or after it", async () => {
    const d = await Driver.create({ validators: 2, params: { staking: { unbonding_time: "10s" } } });
    const [v0] = d.validators;
    const del = d.keys[1];
    expectOk(await d.exec(del, [msgDelegate(del.address, v0.valoper, 20n * SOA)]));
    const { results, response } = await d.block([d.sign(del, [msgUndelegate(del.address, v0.valoper, 5n * SOA)])]);
    expectOk(results[0]);
    expect(response.validatorUpdates).toEqual([{ pubKey: { ed25519: v0.consPubKey }, power: 115n }]);
    const res = MsgUndelegateResponse.decode(TxMsgData.decode(results[0].data).msgResponses[0].value);
    const started = d.timeSeconds;
    expect(res.completionTime).toEqual({ seconds: started + 10n, nanos: 0 });
    expect(res.amount).toEqual({ denom: "usoa", amount: String(5n * SOA) });
    expect(pool(d).notBondedTokens).toBe(String(5n * SOA));
    const ubd = query(d, Q + "UnbondingDelegation", QueryUnbondingDelegationRequest, { delegatorAddr: del.address, validatorAddr: v0.valoper }, QueryUnbondingDelegationResponse).unbond;
    expect(ubd.entries).toHaveLength(1);
    expect(ubd.entries[0]).toMatchObject({ creationHeight: BigInt(d.height), initialBalance: String(5n * SOA), balance: String(5n * SOA) });
    // (The undelegation also paid the delegation's rewards so far: read the balance after it.)
    const afterFee = d.balance(del.address);
    // Blocks at started+1 .. started+9: still locked.
    for (let t = 1n; t < 10n; t++) {
      await d.block();
      expect(d.timeSeconds).toBe(started + t);
      expect(d.balance(del.address)).toBe(afterFee);
    }
    const done = await d.block();
    expect(d.timeSeconds).toBe(started + 10n);
    expect(d.balance(del.address)).toBe(afterFee + 5n * SOA);
    expect(eventAttr(done.response.events, "complete_unbonding", "amount")).toBe(`${5n * SOA}usoa`);
    expect(pool(d).notBondedTokens).toBe("0");
    expect(query(d, Q + "DelegatorUnbondingDelegations", QueryDelegatorUnbondingDelegationsRequest, { delegatorAddr: del.address }, QueryDelegatorUnbondingDelegationsResponse).unbondingResponses).toEqual([]);
    await d.close();
  });

  test("a time jump completes every matured entry at once (block time, not height)", async () => {
    const d = await Driver.create({ validators: 1, params: { staking: { unbonding_time: "100s" } } });
    const [v0] = d.validators;
    const del = d.keys[0];
    expectOk(await d.exec(del, [msgDelegate(del.address, v0.valoper, 3n * SOA)]));
    expectOk(await d.exec(del, [msgUndelegate(del.address, v0.valoper, SOA)]));
    expectOk(await d.exec(del, [msgUndelegate(del.address, v0.valoper, SOA)]));
    const before = d.balance(del.address);
    // The entries complete at T1+100 and T1+101 (T1 = time of the first undelegation, now T1+1).
    await d.block([], { advance: 98n });
    expect(d.balance(del.address)).toBe(before);
    await d.block([], { advance: 1n });
    expect(d.balance(del.address)).toBe(before + SOA);
    await d.block([], { advance: 1n });
    expect(d.balance(del.address)).toBe(before + 2n * SOA);
    await d.close();
  });

  test("cancel an unbonding: the entry shrinks and the stake is bonded again", async () => {
    const d = await Driver.create({ validators: 1, params: { staking: { unbonding_time: "60s" } } });
    const [v0] = d.validators;
    const del = d.keys[0];
    expectOk(await d.exec(del, [msgDelegate(del.address, v0.valoper, 10n * SOA)]));
    expectOk(await d.exec(del, [msgUndelegate(del.address, v0.valoper, 4n * SOA)]));
    const height = BigInt(d.height);
    const { results, response } = await d.block([d.sign(del, [msgCancelUnbonding(del.address, v0.valoper, 3n * SOA, height)])]);
    expectOk(results[0]);
    expect(response.validatorUpdates).toEqual([{ pubKey: { ed25519: v0.consPubKey }, power: 109n }]);
    const ubd = query(d, Q + "UnbondingDelegation", QueryUnbondingDelegationRequest, { delegatorAddr: del.address, validatorAddr: v0.valoper }, QueryUnbondingDelegationResponse).unbond;
    expect(ubd.entries[0]).toMatchObject({ initialBalance: String(SOA), balance: String(SOA) });
    expect(pool(d)).toEqual({ bondedTokens: String(109n * SOA), notBondedTokens: String(SOA) });
    // More than the entry holds, or an unknown creation height: refused, nothing moves.
    expectCode(await d.exec(del, [msgCancelUnbonding(del.address, v0.valoper, 2n * SOA, height)]), "sdk", 18);
    expectCode(await d.exec(del, [msgCancelUnbonding(del.address, v0.valoper, SOA, height + 100n)]), "staking", 26);
    expect(pool(d)).toEqual({ bondedTokens: String(109n * SOA), notBondedTokens: String(SOA) });
    await d.close();
  });

  test("redelegation moves power at once; the entry completes after unbonding_time; transitive redelegation is refused", async () => {
    const d = await Driver.create({ validators: 3, params: { staking: { unbonding_time: "20s" } } });
    const [v0, v1, v2] = d.validators;
    const del = d.keys[0];
    expectOk(await d.exec(del, [msgDelegate(del.address, v0.valoper, 10n * SOA)]));
    const { results, response } = await d.block([d.sign(del, [msgRedelegate(del.address, v0.valoper, v1.valoper, 4n * SOA)])]);
    expectOk(results[0]);
    expect(response.validatorUpdates).toEqual([
      { pubKey: { ed25519: v0.consPubKey }, power: 106n },
      { pubKey: { ed25519: v1.consPubKey }, power: 104n },
    ].sort((a, b) => Buffer.compare(Buffer.from(consAddressOf(a.pubKey.ed25519)), Buffer.from(consAddressOf(b.pubKey.ed25519)))) as any);
    const reds = query(d, Q + "Redelegations", QueryRedelegationsRequest, { delegatorAddr: del.address, srcValidatorAddr: "", dstValidatorAddr: "" }, QueryRedelegationsResponse).redelegationResponses;
    expect(reds).toHaveLength(1);
    expect(reds[0].redelegation.validatorDstAddress).toBe(v1.valoper);
    expect(reds[0].entries[0].balance).toBe(String(4n * SOA));
    // From v1 (which has an incoming redelegation from this delegator) onward: transitive.
    expectCode(await d.exec(del, [msgRedelegate(del.address, v1.valoper, v2.valoper, SOA)]), "staking", 32);
    expectCode(await d.exec(del, [msgRedelegate(del.address, v0.valoper, v0.valoper, SOA)]), "staking", 29);
    expect(pool(d).notBondedTokens).toBe("0");
    await d.block([], { advance: 20n });
    expect(query(d, Q + "Redelegations", QueryRedelegationsRequest, { delegatorAddr: del.address, srcValidatorAddr: "", dstValidatorAddr: "" }, QueryRedelegationsResponse).redelegationResponses).toEqual([]);
    expectOk(await d.exec(del, [msgRedelegate(del.address, v1.valoper, v2.valoper, SOA)]));
    await d.close();
  });

  test("create-validator: unbonded until the end block bonds it; max_validators keeps the top set; a removed validator gets a power-0 update", async () => {
    const d = await Driver.create({ validators: 3, selfDelegation: (i) => BigInt(100 + 10 * i) * SOA, params: { staking: { max_validators: 3, unbonding_time: "30s" } } });
    const op = new TestKey("new-operator");
    expectOk(await d.exec(d.keys[0], [msgSend(d.keys[0].address, op.address, 1000n * SOA)]));
    const cons = newConsKey("new-validator");
    const { results, response } = await d.block([d.sign(op, [msgCreateValidator(valoperOf(op), cons, 105n * SOA)])]);
    expectOk(results[0]);
    // 105 beats validator0 (100): it is bonded, validator0 leaves (power 0).
    const byKey = new Map(response.validatorUpdates.map((u) => [Buffer.from(u.pubKey.ed25519!).toString("hex"), u.power]));
    expect(byKey.get(Buffer.from(cons).toString("hex"))).toBe(105n);
    expect(byKey.get(Buffer.from(d.validators[0].consPubKey).toString("hex"))).toBe(0n);
    expect(byKey.size).toBe(2);
    expect(validator(d, d.validators[0].valoper).status).toBe(BondStatus.BOND_STATUS_UNBONDING);
    expect(validator(d, valoperOf(op)).status).toBe(BondStatus.BOND_STATUS_BONDED);
    expect(pool(d)).toEqual({ bondedTokens: String((105n + 110n + 120n) * SOA), notBondedTokens: String(100n * SOA) });
    await d.blocks(2);
    expect(d.powerAt(d.height, d.validators[0].consAddress)).toBe(0n);
    expect(d.powerAt(d.height, consAddressOf(cons))).toBe(105n);
    // Delegating 10 SOA to validator0 brings it back above the new validator.
    const back = await d.block([d.sign(d.keys[1], [msgDelegate(d.keys[1].address, d.validators[0].valoper, 10n * SOA)])]);
    const back2 = new Map(back.response.validatorUpdates.map((u) => [Buffer.from(u.pubKey.ed25519!).toString("hex"), u.power]));
    expect(back2.get(Buffer.from(d.validators[0].consPubKey).toString("hex"))).toBe(110n);
    expect(back2.get(Buffer.from(cons).toString("hex"))).toBe(0n);
    // An unbonding validator that leaves the set finishes unbonding after unbonding_time.
    await d.block([], { advance: 31n });
    expect(validator(d, valoperOf(op)).status).toBe(BondStatus.BOND_STATUS_UNBONDED);
    expect(validator(d, d.validators[0].valoper).status).toBe(BondStatus.BOND_STATUS_BONDED);
    await d.close();
  });

  test("an operator undelegating below its min self delegation is jailed and leaves the set", async () => {
    const d = await Driver.create({ validators: 2 });
    const [v0] = d.validators;
    expectOk(await d.exec(v0.operator, [msgEditValidator(v0.valoper, { minSelfDelegation: String(90n * SOA) })]));
    const { results, response } = await d.block([d.sign(v0.operator, [msgUndelegate(v0.operator.address, v0.valoper, 11n * SOA)])]);
    expectOk(results[0]);
    expect(response.validatorUpdates).toEqual([{ pubKey: { ed25519: v0.consPubKey }, power: 0n }]);
    const v = validator(d, v0.valoper);
    expect(v.jailed).toBe(true);
    expect(v.status).toBe(BondStatus.BOND_STATUS_UNBONDING);
    await d.close();
  });

  test("queries: validators by status, delegations both ways, delegator validators, pagination", async () => {
    const d = await Driver.create({ validators: 3 });
    const del = d.keys[2];
    expectOk(await d.exec(del, [msgDelegate(del.address, d.validators[0].valoper, SOA), msgDelegate(del.address, d.validators[2].valoper, 2n * SOA)]));
    const mine = query(d, Q + "DelegatorDelegations", QueryDelegatorDelegationsRequest, { delegatorAddr: del.address }, QueryDelegatorDelegationsResponse);
    expect(mine.delegationResponses.map((r) => r.balance.amount).sort()).toEqual([String(SOA), String(2n * SOA)]);
    const vds = query(d, Q + "ValidatorDelegations", QueryValidatorDelegationsRequest, { validatorAddr: d.validators[0].valoper }, QueryValidatorDelegationsResponse);
    expect(vds.delegationResponses.map((r) => r.delegation.delegatorAddress).sort()).toEqual([d.validators[0].operator.address, del.address].sort());
    const dv = query(d, Q + "DelegatorValidators", QueryDelegatorValidatorsRequest, { delegatorAddr: del.address }, QueryDelegatorValidatorsResponse);
    expect(dv.validators.map((v) => v.operatorAddress).sort()).toEqual([d.validators[0].valoper, d.validators[2].valoper].sort());
    const page1 = query(d, Q + "Validators", QueryValidatorsRequest, { status: "", pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: true, reverse: false } }, QueryValidatorsResponse);
    expect(page1.validators).toHaveLength(2);
    expect(page1.pagination?.total).toBe(3n);
    const page2 = query(d, Q + "Validators", QueryValidatorsRequest, { status: "", pagination: { key: page1.pagination!.nextKey, offset: 0n, limit: 2n, countTotal: false, reverse: false } }, QueryValidatorsResponse);
    expect(page2.validators).toHaveLength(1);
    expect(query(d, Q + "Validators", QueryValidatorsRequest, { status: "BOND_STATUS_UNBONDED" }, QueryValidatorsResponse).validators).toEqual([]);
    expect(() => query(d, Q + "Validator", QueryValidatorRequest, { validatorAddr: valoperOf(new TestKey("nobody")) }, QueryValidatorResponse)).toThrow(/not found/);
    expect(() => query(d, Q + "Delegation", QueryDelegationRequest, { delegatorAddr: d.keys[3].address, validatorAddr: d.validators[0].valoper }, QueryDelegationResponse)).toThrow(/not found/);
    await d.close();
  });
});

describe("staking: bad input is refused with a clear code and nothing moves", () => {
  let d: Driver;
  let snapshot: () => string;
  beforeAll(async () => {
    d = await Driver.create({ validators: 2, accounts: 4, balance: 1000n * SOA });
    expectOk(await d.exec(d.keys[1], [msgDelegate(d.keys[1].address, d.validators[0].valoper, 5n * SOA)]));
    snapshot = () =>
      JSON.stringify({
        pool: pool(d),
        vals: query(d, Q + "Validators", QueryValidatorsRequest, { status: "" }, QueryValidatorsResponse).validators.map((v) => [v.tokens, v.delegatorShares, v.commission]),
        dels: d.keys.map((k) => query(d, Q + "DelegatorDelegations", QueryDelegatorDelegationsRequest, { delegatorAddr: k.address }, QueryDelegatorDelegationsResponse).delegationResponses),
      }, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  });
  afterAll(() => d.close());

  const cases: Array<[string, () => { key: TestKey; msgs: any[] }, string, number]> = [
    ["delegating more than the balance", () => ({ key: d.keys[0], msgs: [msgDelegate(d.keys[0].address, d.validators[0].valoper, 2000n * SOA)] }), "sdk", 5],
    ["delegating to an unknown validator", () => ({ key: d.keys[0], msgs: [msgDelegate(d.keys[0].address, valoperOf(new TestKey("ghost")), SOA)] }), "staking", 3],
    ["delegating zero", () => ({ key: d.keys[0], msgs: [msgDelegate(d.keys[0].address, d.validators[0].valoper, 0n)] }), "sdk", 18],
    ["delegating a negative amount", () => ({ key: d.keys[0], msgs: [msgDelegate(d.keys[0].address, d.validators[0].valoper, "-5")] }), "sdk", 18],
    ["delegating another denom", () => ({ key: d.keys[0], msgs: [msgDelegate(d.keys[0].address, d.validators[0].valoper, SOA, "uother")] }), "sdk", 18],
    ["delegating to an account address instead of a soavaloper", () => ({ key: d.keys[0], msgs: [msgDelegate(d.keys[0].address, d.keys[1].address, SOA)] }), "sdk", 7],
    ["undelegating more than delegated", () => ({ key: d.keys[1], msgs: [msgUndelegate(d.keys[1].address, d.validators[0].valoper, 5n * SOA + 1n)] }), "staking", 24],
    ["undelegating without a delegation", () => ({ key: d.keys[2], msgs: [msgUndelegate(d.keys[2].address, d.validators[0].valoper, SOA)] }), "staking", 19],
    ["undelegating zero", () => ({ key: d.keys[1], msgs: [msgUndelegate(d.keys[1].address, d.validators[0].valoper, 0n)] }), "sdk", 18],
    ["redelegating more than delegated", () => ({ key: d.keys[1], msgs: [msgRedelegate(d.keys[1].address, d.validators[0].valoper, d.validators[1].valoper, 6n * SOA)] }), "staking", 24],
    ["redelegating to an unknown validator", () => ({ key: d.keys[1], msgs: [msgRedelegate(d.keys[1].address, d.validators[0].valoper, valoperOf(new TestKey("ghost")), SOA)] }), "staking", 31],
    ["create-validator with a consensus key already in use", () => ({ key: d.keys[3], msgs: [msgCreateValidator(valoperOf(d.keys[3]), d.validators[0].consPubKey, 10n * SOA)] }), "staking", 5],
    ["create-validator twice for one operator", () => ({ key: d.validators[1].operator, msgs: [msgCreateValidator(d.validators[1].valoper, newConsKey("x"), 10n * SOA)] }), "staking", 4],
    ["create-validator with commission above its max", () => ({ key: d.keys[3], msgs: [msgCreateValidator(valoperOf(d.keys[3]), newConsKey("y"), 10n * SOA, { rate: "0.3", maxRate: "0.2" })] }), "staking", 11],
    ["create-validator with max rate above 100%", () => ({ key: d.keys[3], msgs: [msgCreateValidator(valoperOf(d.keys[3]), newConsKey("y"), 10n * SOA, { rate: "0.3", maxRate: "1.5" })] }), "staking", 10],
    ["create-validator with max change rate above max rate", () => ({ key: d.keys[3], msgs: [msgCreateValidator(valoperOf(d.keys[3]), newConsKey("y"), 10n * SOA, { maxChangeRate: "0.5" })] }), "staking", 14],
    ["create-validator below its min self delegation", () => ({ key: d.keys[3], msgs: [msgCreateValidator(valoperOf(d.keys[3]), newConsKey("y"), 10n * SOA, { minSelfDelegation: String(11n * SOA) })] }), "staking", 16],
    ["create-validator with a secp256k1 consensus key", () => ({ key: d.keys[3], msgs: [msgCreateValidator(valoperOf(d.keys[3]), newConsKey("y"), 10n * SOA, { pubKeyTypeUrl: "/cosmos.crypto.secp256k1.PubKey" })] }), "staking", 6],
    ["create-validator with a zero amount", () => ({ key: d.keys[3], msgs: [msgCreateValidator(valoperOf(d.keys[3]), newConsKey("y"), 0n)] }), "sdk", 18],
    ["create-validator with more than the balance", () => ({ key: d.keys[3], msgs: [msgCreateValidator(valoperOf(d.keys[3]), newConsKey("y"), 5000n * SOA)] }), "sdk", 5],
    ["edit-validator of a non-validator", () => ({ key: d.keys[3], msgs: [msgEditValidator(valoperOf(d.keys[3]), { moniker: "x" })] }), "staking", 3],
    // 24 characters of 3 UTF-8 bytes each: 72 bytes, over the 70-byte limit (the SDK counts bytes).
    ["edit-validator with a moniker over 70 bytes", () => ({ key: d.validators[0].operator, msgs: [msgEditValidator(d.validators[0].valoper, { moniker: "\u20ac".repeat(24) })] }), "sdk", 18],
    ["edit-validator lowering the min self delegation", () => ({ key: d.validators[0].operator, msgs: [msgEditValidator(d.validators[0].valoper, { minSelfDelegation: "1" })] }), "staking", 17],
    ["a transaction signed by someone else than the operator", () => ({ key: d.keys[0], msgs: [msgEditValidator(d.validators[0].valoper, { moniker: "x" })] }), "sdk", 8],
  ];

  test.each(cases)("%s", async (_name, build, codespace, code) => {
    const before = snapshot();
    const { key, msgs } = build();
    const r = await d.exec(key, msgs);
    expectCode(r, codespace, code);
    expect(r.log.length).toBeGreaterThan(5);
    expect(snapshot()).toBe(before);
  });

  test("commission: at most once per 24 h, by at most max_change_rate", async () => {
    const v = d.validators[0];
    // Genesis set update_time = genesis time: a change right away is too soon.
    expectCode(await d.exec(v.operator, [msgEditValidator(v.valoper, { rate: "0.105" })]), "staking", 12);
    await d.block([], { advance: 86_400n });
    expectCode(await d.exec(v.operator, [msgEditValidator(v.valoper, { rate: "0.25" })]), "staking", 11);
    expectCode(await d.exec(v.operator, [msgEditValidator(v.valoper, { rate: "0.12" })]), "staking", 15);
    expectOk(await d.exec(v.operator, [msgEditValidator(v.valoper, { rate: "0.11" })]));
    expect(validator(d, v.valoper).commission.commissionRates.rate).toBe(dec("0.11"));
    expectCode(await d.exec(v.operator, [msgEditValidator(v.valoper, { rate: "0.1" })]), "staking", 12);
    await d.block([], { advance: 86_400n });
    expectOk(await d.exec(v.operator, [msgEditValidator(v.valoper, { rate: "0.1" })]));
    expectCode(await d.exec(v.operator, [msgEditValidator(v.valoper, { minSelfDelegation: "0" })]), "sdk", 18);
  });

  test("module accounts of the pools cannot receive MsgSend", async () => {
    for (const name of [BONDED_POOL, NOT_BONDED_POOL, "distribution"]) {
      const r = await d.exec(d.keys[0], [msgSend(d.keys[0].address, encodeAddress(moduleAddress(name)), 1n)]);
      expectCode(r, "sdk", 4);
    }
  });

  test("CheckTx refuses the same bad messages before they reach a block", () => {
    const r = d.checkTx(d.sign(d.keys[0], [msgDelegate(d.keys[0].address, d.validators[0].valoper, 2000n * SOA)]));
    expect([r.codespace, r.code]).toEqual(["sdk", 5]);
  });
});
