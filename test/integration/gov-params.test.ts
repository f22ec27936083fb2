import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import * as stakingQ from "cosmjs-types/cosmos/staking/v1beta1/query";
import * as stakingTx from "cosmjs-types/cosmos/staking/v1beta1/tx";
import * as slashingQ from "cosmjs-types/cosmos/slashing/v1beta1/query";
import * as slashingTx from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import * as distrQ from "cosmjs-types/cosmos/distribution/v1beta1/query";
import * as distrTx from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { encodeAddress, moduleAddress } from "../../src/types/address";
import { Driver, FEES_ONLY } from "../helpers/driver";
import type { ParamsOverride } from "../../src/node/network";
import { eventAttr, expectCode, expectOk, msgDelegate, msgFundCommunityPool, query } from "../helpers/pos";
import { GOV_AUTHORITY, VoteOption, msgSubmitProposal, msgVote, proposal } from "../helpers/gov";

jest.setTimeout(120_000);

const SOA = 1_000_000n;
const DEPOSIT = 10n * SOA;
const DEC = 10n ** 18n;

async function govDriver(selfDelegation?: (i: number) => bigint, params?: ParamsOverride): Promise<Driver> {
  const d = await Driver.create({
    validators: 4,
    selfDelegation,
    params,
    appState: (s) => (s.gov.params = { voting_period: "10s", max_deposit_period: "10s", expedited_voting_period: "5s" }),
  });
  await d.block();
  return d;
}

const any = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value });

async function submit(d: Driver, msgs: Any[]): Promise<ExecTxResult> {
  return d.exec(d.keys[0], [msgSubmitProposal(d.keys[0].address, msgs, DEPOSIT)]);
}

/** Submits, every validator votes yes, the voting period ends; returns the proposal id. */
async function pass(d: Driver, msgs: Any[]): Promise<bigint> {
  const r = await submit(d, msgs);
  expectOk(r);
  const id = BigInt(eventAttr(r.events, "submit_proposal", "proposal_id")!);
  const { results } = await d.block(d.validators.map((v) => d.sign(v.operator, [msgVote(v.operator.address, id, VoteOption.VOTE_OPTION_YES)])));
  results.forEach(expectOk);
  await d.block([], { advance: 11n });
  return id;
}

const stakingParams = (d: Driver) => query(d, "/cosmos.staking.v1beta1.Query/Params", stakingQ.QueryParamsRequest, {}, stakingQ.QueryParamsResponse).params;
const slashingParams = (d: Driver) => query(d, "/cosmos.slashing.v1beta1.Query/Params", slashingQ.QueryParamsRequest, {}, slashingQ.QueryParamsResponse).params;
const distrParams = (d: Driver) => query(d, "/cosmos.distribution.v1beta1.Query/Params", distrQ.QueryParamsRequest, {}, distrQ.QueryParamsResponse).params;
const communityPool = (d: Driver) =>
  BigInt(query(d, "/cosmos.distribution.v1beta1.Query/CommunityPool", distrQ.QueryCommunityPoolRequest, {}, distrQ.QueryCommunityPoolResponse).pool.find((c) => c.denom === "usoa")?.amount ?? "0") / DEC;

const stakingUpdate = (params: stakingTx.MsgUpdateParams["params"]) => any("/cosmos.staking.v1beta1.MsgUpdateParams", stakingTx.MsgUpdateParams.encode({ authority: GOV_AUTHORITY, params }).finish());
const slashingUpdate = (params: slashingTx.MsgUpdateParams["params"]) => any("/cosmos.slashing.v1beta1.MsgUpdateParams", slashingTx.MsgUpdateParams.encode({ authority: GOV_AUTHORITY, params }).finish());
const distrUpdate = (params: distrTx.MsgUpdateParams["params"]) => any("/cosmos.distribution.v1beta1.MsgUpdateParams", distrTx.MsgUpdateParams.encode({ authority: GOV_AUTHORITY, params }).finish());
const spend = (recipient: string, amount: bigint) =>
  any("/cosmos.distribution.v1beta1.MsgCommunityPoolSpend", distrTx.MsgCommunityPoolSpend.encode({ authority: GOV_AUTHORITY, recipient, amount: [{ denom: "usoa", amount: String(amount) }] }).finish());

describe("MsgUpdateParams of staking, slashing and distribution through gov; MsgCommunityPoolSpend", () => {
  test("staking: a passed change is in force from the next block (max_validators 3 drops a validator from CometBFT's set)", async () => {
    const d = await govDriver();
    const p = stakingParams(d);
    const id = await pass(d, [stakingUpdate({ ...p, maxValidators: 3, unbondingTime: { seconds: 30n, nanos: 0 } })]);
    expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(stakingParams(d)).toMatchObject({ maxValidators: 3, unbondingTime: { seconds: 30n, nanos: 0 } });
    const { response } = await d.block();
    expect(response.validatorUpdates.filter((u) => u.power === 0n)).toHaveLength(1);
    await d.close();
  });

  test("staking: invariant-breaking changes are refused at submission (gov/12), and again at execution (FAILED)", async () => {
    // Validators 0 and 1 hold 1000 SOA each, 2 and 3 hold 100: the top 2 have 2000 of 2200.
    const d = await govDriver((i) => (i < 2 ? 1000n : 100n) * SOA);
    const p = stakingParams(d);
    const refused: Array<[Partial<typeof p>, RegExp]> = [
      [{ maxValidators: 1 }, /max_validators 1 would keep validators with 1000 of 2200 voting power, not more than 2\/3/],
      [{ maxValidators: 0 }, /max_validators must be at least 1/],
      [{ bondDenom: "uother" }, /bond_denom cannot change on a running chain/],
      [{ minCommissionRate: "abc" }, /min_commission_rate: invalid decimal/],
      [{ minCommissionRate: String(2n * DEC) }, /min_commission_rate must be between 0 and 1/],
      [{ unbondingTime: { seconds: 0n, nanos: 0 } }, /unbonding_time must be positive/],
    ];
    for (const [change, why] of refused) {
      const r = await submit(d, [stakingUpdate({ ...p, ...change })]);
      expectCode(r, "gov", 12);
      expect(r.log).toMatch(why);
    }
    // Valid when submitted (2000 of 2200 > 2/3); by the end of the vote, delegations make the
    // top 2 hold 2000 of 4000: the change is refused then, the proposal FAILED, nothing changed.
    const r = await submit(d, [stakingUpdate({ ...p, maxValidators: 2 })]);
    expectOk(r);
    const id = BigInt(eventAttr(r.events, "submit_proposal", "proposal_id")!);
    const [a, b] = d.keys;
    const { results } = await d.block([d.sign(a, [msgDelegate(a.address, d.validators[2].valoper, 900n * SOA)]), d.sign(b, [msgDelegate(b.address, d.validators[3].valoper, 900n * SOA)])]);
    results.forEach(expectOk);
    const votes = await d.block(d.validators.map((v) => d.sign(v.operator, [msgVote(v.operator.address, id, VoteOption.VOTE_OPTION_YES)])));
    votes.results.forEach(expectOk);
    await d.block([], { advance: 11n });
    const failed = proposal(d, id);
    expect(failed.status).toBe(ProposalStatus.PROPOSAL_STATUS_FAILED);
    expect(failed.failedReason).toMatch(/MsgUpdateParams\) failed on execution: .*max_validators 2 would keep validators with 2000 of 4000/);
    expect(stakingParams(d).maxValidators).toBe(p.maxValidators);
    await d.close();
  });

  test("slashing: a passed change; signed_blocks_window cannot change on a running chain", async () => {
    const d = await govDriver();
    const p = slashingParams(d);
    const frac = new TextEncoder().encode(String(DEC / 50n));
    await pass(d, [slashingUpdate({ ...p, slashFractionDowntime: frac, downtimeJailDuration: { seconds: 120n, nanos: 0 } })]);
    expect(new TextDecoder().decode(slashingParams(d).slashFractionDowntime)).toBe(String(DEC / 50n));
    expect(slashingParams(d).downtimeJailDuration).toEqual({ seconds: 120n, nanos: 0 });
    const r = await submit(d, [slashingUpdate({ ...p, signedBlocksWindow: p.signedBlocksWindow + 1n })]);
    expectCode(r, "gov", 12);
    expect(r.log).toMatch(/signed_blocks_window cannot change/);
    expectCode(await submit(d, [slashingUpdate({ ...p, minSignedPerWindow: new TextEncoder().encode(String(2n * DEC)) })]), "gov", 12);
    await d.close();
  });

  test("distribution: community_tax changes; deprecated proposer rewards stay 0", async () => {
    const d = await govDriver();
    const p = distrParams(d);
    await pass(d, [distrUpdate({ ...p, communityTax: String(DEC / 20n) })]);
    expect(distrParams(d).communityTax).toBe(String(DEC / 20n));
    const r = await submit(d, [distrUpdate({ ...p, baseProposerReward: String(DEC / 100n) })]);
    expectCode(r, "gov", 12);
    expect(r.log).toMatch(/deprecated and must be 0/);
    await d.close();
  });

  test("MsgCommunityPoolSpend: a passed proposal pays from the community pool; more than it holds, or to a module account, fails and nothing moves", async () => {
    // Emission off: the pool then grows by fees alone while the proposal runs.
    const d = await govDriver(undefined, FEES_ONLY);
    const [alice, bob, carol] = d.keys;
    expectOk(await d.exec(bob, [msgFundCommunityPool(bob.address, 50n * SOA)]));
    const pool = communityPool(d);
    expect(pool).toBeGreaterThanOrEqual(50n * SOA);
    const carolBefore = d.balance(carol.address);
    const id = await pass(d, [spend(carol.address, 20n * SOA)]);
    expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(d.balance(carol.address)).toBe(carolBefore + 20n * SOA);
    const poolAfter = communityPool(d);
    // The pool also grows by 2% of every block's fees meanwhile.
    expect(poolAfter).toBeLessThan(pool - 20n * SOA + SOA);
    expect(poolAfter).toBeGreaterThanOrEqual(pool - 20n * SOA);

    const tooMuch = await pass(d, [spend(carol.address, 1000n * SOA)]);
    expect(proposal(d, tooMuch).failedReason).toMatch(/community pool does not have sufficient coins to distribute \(distribution\/9\)/);
    const toModule = await pass(d, [spend(encodeAddress(moduleAddress("bonded_tokens_pool")), SOA)]);
    expect(proposal(d, toModule).failedReason).toMatch(/not allowed to receive external funds: unauthorized \(sdk\/4\)/);
    expect(d.balance(carol.address)).toBe(carolBefore + 20n * SOA);
    // Outside a proposal nobody can sign for the authority: a user naming themselves is refused.
    const direct = any("/cosmos.distribution.v1beta1.MsgCommunityPoolSpend", distrTx.MsgCommunityPoolSpend.encode({ authority: alice.address, recipient: alice.address, amount: [{ denom: "usoa", amount: "1" }] }).finish());
    expectCode(await d.exec(alice, [direct]), "gov", 13);
    await d.close();
  });
});
