import {
  QueryCommunityPoolRequest,
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorDistributionInfoRequest,
  QueryValidatorDistributionInfoResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { MsgWithdrawDelegatorRewardResponse } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { encodeAddress, moduleAddress } from "../../src/types/address";
import { Driver, FEES_ONLY } from "../helpers/driver";
import { TestKey, msgSend } from "../helpers/keys";
import {
  DEC,
  eventAttr,
  expectCode,
  expectOk,
  msgDelegate,
  msgFundCommunityPool,
  msgSetWithdrawAddress,
  msgWithdrawCommission,
  msgWithdrawReward,
  query,
} from "../helpers/pos";

jest.setTimeout(120_000);

const SOA = 1_000_000n;
const Q = "/cosmos.distribution.v1beta1.Query/";
const FEE = 25_000n; // the driver's default fee

const outstanding = (d: Driver, valoper: string, height = 0) =>
  BigInt(query(d, Q + "ValidatorOutstandingRewards", QueryValidatorOutstandingRewardsRequest, { validatorAddress: valoper }, QueryValidatorOutstandingRewardsResponse, height).rewards.rewards.find((c) => c.denom === "usoa")?.amount ?? "0");
const commission = (d: Driver, valoper: string) =>
  BigInt(query(d, Q + "ValidatorCommission", QueryValidatorCommissionRequest, { validatorAddress: valoper }, QueryValidatorCommissionResponse).commission.commission.find((c) => c.denom === "usoa")?.amount ?? "0");
const communityPool = (d: Driver) =>
  BigInt(query(d, Q + "CommunityPool", QueryCommunityPoolRequest, {}, QueryCommunityPoolResponse).pool.find((c) => c.denom === "usoa")?.amount ?? "0");
const rewards = (d: Driver, del: string, valoper: string, height = 0) =>
  BigInt(query(d, Q + "DelegationRewards", QueryDelegationRewardsRequest, { delegatorAddress: del, validatorAddress: valoper }, QueryDelegationRewardsResponse, height).rewards.find((c) => c.denom === "usoa")?.amount ?? "0");

describe("distribution: fees to the validators that signed, community tax, commission, F1 withdrawals", () => {
  test("default parameters are the SDK's", async () => {
    const d = await Driver.create({ validators: 1, params: FEES_ONLY });
    await d.block();
    expect(query(d, Q + "Params", QueryParamsRequest, {}, QueryParamsResponse).params).toEqual({
      communityTax: (DEC / 50n).toString(),
      baseProposerReward: "0",
      bonusProposerReward: "0",
      withdrawAddrEnabled: true,
    });
    await d.close();
  });

  test("a block's fees go, at the next block, 2% to the community pool and the rest to the commit's validators by power, absent ones too (as the SDK since v0.47)", async () => {
    const d = await Driver.create({ validators: 4, params: FEES_ONLY });
    await d.blocks(2);
    const [v0, v1, v2, v3] = d.validators;
    const poolBefore = communityPool(d);
    // One tx (fee 25000) at H; the allocation happens at H+1 over the votes of H's set.
    expectOk(await d.exec(d.keys[0], [msgSend(d.keys[0].address, d.keys[1].address, 1n)]));
    await d.block([], { absent: [v3.consAddress] });
    // Expected, computed the SDK's way: fees x (1 - 0.02), x trunc(100/400) each. Leaving v3's
    // signature out of the commit does not move its share to the others.
    const forValidators = (FEE * DEC * (DEC - DEC / 50n)) / DEC;
    const fraction = (100n * DEC * DEC) / (400n * DEC);
    const reward = (forValidators * fraction) / DEC;
    for (const v of [v0, v1, v2, v3]) {
      expect(outstanding(d, v.valoper)).toBe(reward);
      expect(commission(d, v.valoper)).toBe(reward / 10n);
    }
    expect(communityPool(d) - poolBefore).toBe(FEE * DEC - 4n * reward);
    // Each validator's only delegator (its operator) is owed the rest, less commission, up to the
    // F1 ratio's 18th decimal per token (reward per token is truncated: never more than allocated).
    const owed = reward - reward / 10n;
    const got = rewards(d, v0.operator.address, v0.valoper);
    expect(got).toBeLessThanOrEqual(owed);
    expect(owed - got).toBeLessThanOrEqual(100n * SOA);
    await d.close();
  });

  test("withdrawRewards pays exactly what DelegationRewards reported at the previous height; the delegators split by stake", async () => {
    const d = await Driver.create({ validators: 2, params: FEES_ONLY });
    await d.block();
    const [v0] = d.validators;
    const [alice, bob] = d.keys;
    expectOk(await d.exec(alice, [msgDelegate(alice.address, v0.valoper, 100n * SOA)]));
    expectOk(await d.exec(bob, [msgDelegate(bob.address, v0.valoper, 300n * SOA)]));
    // Generate fees for a while.
    for (let i = 0; i < 5; i++) expectOk(await d.exec(d.keys[2], [msgSend(d.keys[2].address, d.keys[3].address, 1n)]));
    await d.block(); // allocates the last fee; no tx in this block, so the next block allocates nothing
    const h = d.height;
    const ra = rewards(d, alice.address, v0.valoper, h);
    const rb = rewards(d, bob.address, v0.valoper, h);
    expect(ra).toBeGreaterThan(0n);
    // Bob has 3x Alice's stake since both delegated (Alice's first block of rewards is hers alone).
    const balance = d.balance(alice.address);
    const { results } = await d.block([d.sign(alice, [msgWithdrawReward(alice.address, v0.valoper)])]);
    expectOk(results[0]);
    const paid = d.balance(alice.address) - balance + FEE;
    expect(paid).toBe(ra / DEC);
    const res = MsgWithdrawDelegatorRewardResponse.decode(TxMsgData.decode(results[0].data).msgResponses[0].value);
    expect(res.amount).toEqual([{ denom: "usoa", amount: paid.toString() }]);
    expect(eventAttr(results[0].events, "withdraw_rewards", "amount")).toBe(`${paid}usoa`);
    expect(rb).toBeGreaterThan(2n * ra);
    // Right after withdrawing nothing more is owed (the block's allocation happened before the tx).
    expect(rewards(d, alice.address, v0.valoper)).toBe(0n);
    const total = query(d, Q + "DelegationTotalRewards", QueryDelegationTotalRewardsRequest, { delegatorAddress: bob.address }, QueryDelegationTotalRewardsResponse);
    expect(total.rewards.map((r) => r.validatorAddress)).toEqual([v0.valoper]);
    expect(BigInt(total.total[0].amount)).toBe(rewards(d, bob.address, v0.valoper));
    expect(query(d, Q + "DelegatorValidators", QueryDelegatorValidatorsRequest, { delegatorAddress: bob.address }, QueryDelegatorValidatorsResponse).validators).toEqual([v0.valoper]);
    await d.close();
  });

  test("commission withdrawal, withdraw addresses, funding the community pool; validator distribution info", async () => {
    const d = await Driver.create({ validators: 1, params: FEES_ONLY });
    await d.block();
    const [v0] = d.validators;
    const payee = new TestKey("payee");
    expectOk(await d.exec(v0.operator, [msgSetWithdrawAddress(v0.operator.address, payee.address)]));
    expect(query(d, Q + "DelegatorWithdrawAddress", QueryDelegatorWithdrawAddressRequest, { delegatorAddress: v0.operator.address }, QueryDelegatorWithdrawAddressResponse).withdrawAddress).toBe(payee.address);
    for (let i = 0; i < 3; i++) expectOk(await d.exec(d.keys[0], [msgSend(d.keys[0].address, d.keys[1].address, 1n)]));
    await d.block();
    const info = query(d, Q + "ValidatorDistributionInfo", QueryValidatorDistributionInfoRequest, { validatorAddress: v0.valoper }, QueryValidatorDistributionInfoResponse);
    expect(info.operatorAddress).toBe(v0.operator.address);
    const acc = commission(d, v0.valoper);
    expect(acc).toBeGreaterThan(0n);
    expect(BigInt(info.commission[0].amount)).toBe(acc);
    const r = await d.exec(v0.operator, [msgWithdrawCommission(v0.valoper)]);
    expectOk(r);
    // The commission accumulated until the withdrawal's block (its allocation included) goes to the payee.
    expect(d.balance(payee.address)).toBeGreaterThanOrEqual(acc / DEC);
    expect(commission(d, v0.valoper)).toBeLessThan(DEC);
    // Nothing left: a second withdrawal in the same block has nothing (sub-usoa dust stays).
    const poolBefore = communityPool(d);
    expectOk(await d.exec(d.keys[0], [msgFundCommunityPool(d.keys[0].address, 1234n)]));
    expect(communityPool(d) - poolBefore).toBeGreaterThanOrEqual(1234n * DEC);
    await d.close();
  });

  test("bad input: unknown validator, no delegation, blocked withdraw address, empty commission", async () => {
    const d = await Driver.create({ validators: 1, params: FEES_ONLY });
    await d.block();
    const [v0] = d.validators;
    const ghost = encodeAddress(new TestKey("ghost").addressBytes, "soavaloper");
    expectCode(await d.exec(d.keys[0], [msgWithdrawReward(d.keys[0].address, ghost)]), "distribution", 6);
    expectCode(await d.exec(d.keys[0], [msgWithdrawReward(d.keys[0].address, v0.valoper)]), "distribution", 5);
    expectCode(await d.exec(d.keys[0], [msgSetWithdrawAddress(d.keys[0].address, encodeAddress(moduleAddress("distribution")))]), "sdk", 4);
    expectCode(await d.exec(d.keys[0], [msgSetWithdrawAddress(d.keys[0].address, "soa1notanaddress")]), "sdk", 7);
    // Commission with nothing accumulated (block 1 had no fees; this is the validator's first block of fees).
    const fresh = await Driver.create({ validators: 1, params: { ...FEES_ONLY, distribution: { community_tax: "1" } } });
    await fresh.block();
    expectCode(await fresh.exec(fresh.validators[0].operator, [msgWithdrawCommission(fresh.validators[0].valoper)]), "distribution", 7);
    expect(() => query(d, Q + "ValidatorOutstandingRewards", QueryValidatorOutstandingRewardsRequest, { validatorAddress: ghost }, QueryValidatorOutstandingRewardsResponse)).toThrow(/distribution\/12/);
    await fresh.close();
    await d.close();
  });
});
