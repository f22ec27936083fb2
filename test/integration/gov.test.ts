import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import {
  QueryDepositsRequest,
  QueryDepositsResponse,
  QueryProposalsRequest,
  QueryProposalsResponse,
  QueryTallyResultRequest,
  QueryTallyResultResponse,
  QueryVotesRequest,
  QueryVotesResponse,
} from "cosmjs-types/cosmos/gov/v1/query";
import * as beta from "cosmjs-types/cosmos/gov/v1beta1/query";
import * as betaTx from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { decodeAddress, encodeAddress, moduleAddress } from "../../src/types/address";
import { Driver, FEES_ONLY } from "../helpers/driver";
import { TestKey, msgSend } from "../helpers/keys";
import { eventAttr, expectCode, expectOk, msgDelegate, query } from "../helpers/pos";
import {
  GOV_AUTHORITY,
  VoteOption,
  govParams,
  msgCancelProposal,
  msgDeposit,
  msgSubmitProposal,
  msgUpdateGovParams,
  msgVote,
  msgVoteWeighted,
  proposal,
} from "../helpers/gov";

jest.setTimeout(120_000);

const SOA = 1_000_000n;
const MIN_DEPOSIT = 10n * SOA; // the SDK's default: 10^7 of the bond denom
const FEE = 25_000n; // the driver's default fee
const Q = "/cosmos.gov.v1.Query/";
/** Voting and deposit periods of seconds, as a localnet sets them in its genesis. */
const PERIODS = { voting_period: "10s", max_deposit_period: "10s", expedited_voting_period: "5s" };

/** Emission off: the supply then moves only by what gov burns, which the tests count. */
async function govDriver(extra: Record<string, unknown> = {}, appState?: (s: Record<string, any>) => void): Promise<Driver> {
  // No emission: the tests count every usoa the deposits burn against the supply.
  const d = await Driver.create({
    validators: 4,
    params: FEES_ONLY,
    appState: (s) => {
      s.gov.params = { ...s.gov.params, ...PERIODS, ...extra };
      appState?.(s);
    },
  });
  await d.block();
  return d;
}

const proposalId = (r: ExecTxResult) => BigInt(eventAttr(r.events, "submit_proposal", "proposal_id") ?? "0");
const supply = (d: Driver) => d.app.keepers.bank.getSupply(d.store, "usoa");
const govBalance = (d: Driver) => d.balance(GOV_AUTHORITY);

/** Every validator votes `option` (each has 100 SOA of self-delegation). */
async function validatorsVote(d: Driver, id: bigint, options: VoteOption[]): Promise<void> {
  const txs = d.validators.map((v, i) => d.sign(v.operator, [msgVote(v.operator.address, id, options[i] ?? options[options.length - 1])]));
  const { results } = await d.block(txs);
  results.forEach(expectOk);
}

async function passVotingPeriod(d: Driver): Promise<void> {
  await d.block([], { advance: 11n });
}

describe("gov: proposals, deposits, votes, tally, execution by the gov authority", () => {
  test("a proposal with the minimum deposit votes at once; the validators pass it; its message changes gov's own params from the next block; the deposit comes back", async () => {
    const d = await govDriver();
    const [alice] = d.keys;
    const params = govParams(d);
    const before = d.balance(alice.address);
    const r = await d.exec(alice, [msgSubmitProposal(alice.address, [msgUpdateGovParams({ ...params, quorum: "0.400000000000000000" })], MIN_DEPOSIT)]);
    expectOk(r);
    const id = proposalId(r);
    expect(id).toBe(1n);
    expect(eventAttr(r.events, "submit_proposal", "voting_period_start")).toBe("1");
    expect(eventAttr(r.events, "submit_proposal", "proposal_messages")).toBe(",/cosmos.gov.v1.MsgUpdateParams");
    expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    expect(govBalance(d)).toBe(MIN_DEPOSIT);
    expect(d.balance(alice.address)).toBe(before - MIN_DEPOSIT - FEE);

    await validatorsVote(d, id, [VoteOption.VOTE_OPTION_YES, VoteOption.VOTE_OPTION_YES, VoteOption.VOTE_OPTION_NO]);
    const running = query(d, Q + "TallyResult", QueryTallyResultRequest, { proposalId: id }, QueryTallyResultResponse).tally!;
    expect(running).toEqual({ yesCount: String(200n * SOA), abstainCount: "0", noCount: String(200n * SOA), noWithVetoCount: "0" });
    expect(govParams(d).quorum).toBe("0.334000000000000000");

    const { response } = await d.block([], { advance: 11n });
    const p = proposal(d, id);
    expect(p.status).toBe(ProposalStatus.PROPOSAL_STATUS_REJECTED); // 50% yes is not more than 50%
    expect(p.finalTallyResult).toEqual(running);
    expect(eventAttr(response.events, "active_proposal", "proposal_result")).toBe("proposal_rejected");
    expect(govBalance(d)).toBe(0n);
    expect(d.balance(alice.address)).toBe(before - FEE);

    // Again, with a delegator overriding its validator: bob delegates 100 SOA to validator 3 and votes yes.
    const bob = d.keys[1];
    expectOk(await d.exec(bob, [msgDelegate(bob.address, d.validators[3].valoper, 100n * SOA)]));
    const r2 = await d.exec(alice, [msgSubmitProposal(alice.address, [msgUpdateGovParams({ ...params, quorum: "0.400000000000000000" })], MIN_DEPOSIT)]);
    const id2 = proposalId(r2);
    await validatorsVote(d, id2, [VoteOption.VOTE_OPTION_YES, VoteOption.VOTE_OPTION_YES, VoteOption.VOTE_OPTION_NO]);
    expectOk(await d.exec(bob, [msgVote(bob.address, id2, VoteOption.VOTE_OPTION_YES)]));
    // Votes are listed until the tally.
    const votes = query(d, Q + "Votes", QueryVotesRequest, { proposalId: id2 }, QueryVotesResponse).votes;
    expect(votes).toHaveLength(5);
    await passVotingPeriod(d);
    const p2 = proposal(d, id2);
    expect(p2.finalTallyResult).toEqual({ yesCount: String(300n * SOA), abstainCount: "0", noCount: String(200n * SOA), noWithVetoCount: "0" });
    expect(p2.status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(govParams(d).quorum).toBe("0.400000000000000000");
    // Votes are deleted by the tally, as in the SDK.
    expect(query(d, Q + "Votes", QueryVotesRequest, { proposalId: id2 }, QueryVotesResponse).votes).toHaveLength(0);
    await d.close();
  });

  test("deposit period: partial deposits add up, the one that reaches min_deposit starts the vote; an underfunded proposal is dropped and refunded when its period ends", async () => {
    const d = await govDriver();
    const [alice, bob] = d.keys;
    const r = await d.exec(alice, [msgSubmitProposal(alice.address, [], 4n * SOA)]);
    expectOk(r);
    const id = proposalId(r);
    expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    expect(eventAttr(r.events, "submit_proposal", "voting_period_start")).toBeUndefined();
    // Voting during the deposit period: inactive proposal.
    expectCode(await d.exec(alice, [msgVote(alice.address, id, VoteOption.VOTE_OPTION_YES)]), "gov", 3);
    const r2 = await d.exec(bob, [msgDeposit(bob.address, id, 6n * SOA)]);
    expectOk(r2);
    expect(eventAttr(r2.events, "proposal_deposit", "voting_period_start")).toBe(String(id));
    const p = proposal(d, id);
    expect(p.status).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    expect(p.totalDeposit).toEqual([{ denom: "usoa", amount: String(MIN_DEPOSIT) }]);
    const deposits = query(d, Q + "Deposits", QueryDepositsRequest, { proposalId: id }, QueryDepositsResponse).deposits;
    expect(deposits.map((x) => [x.depositor, x.amount[0].amount]).sort()).toEqual([[alice.address, String(4n * SOA)], [bob.address, String(6n * SOA)]].sort());

    // A second proposal that never reaches min_deposit is dropped after max_deposit_period.
    const before = d.balance(bob.address);
    const r3 = await d.exec(bob, [msgSubmitProposal(bob.address, [], 1n * SOA)]);
    const id3 = proposalId(r3);
    const { response } = await d.block([], { advance: 11n });
    expect(eventAttr(response.events, "inactive_proposal", "proposal_result")).toBe("proposal_dropped");
    expect(() => proposal(d, id3)).toThrow(/gov\/2/);
    // Both of bob's deposits are back: the dropped proposal's, and (no votes, no quorum) the first one's.
    expect(d.balance(bob.address)).toBe(before + 6n * SOA - FEE);
    await d.close();
  });

  test("burn_proposal_deposit_prevote burns the deposit of a dropped proposal", async () => {
    const d = await govDriver({ burn_proposal_deposit_prevote: true });
    const [alice] = d.keys;
    const supplyBefore = supply(d);
    expectOk(await d.exec(alice, [msgSubmitProposal(alice.address, [], 2n * SOA)]));
    await d.block([], { advance: 11n });
    expect(supply(d)).toBe(supplyBefore - 2n * SOA);
    expect(govBalance(d)).toBe(0n);
    await d.close();
  });

  test("a vetoed proposal burns its deposit (burn_vote_veto); below quorum refunds it unless burn_vote_quorum", async () => {
    const d = await govDriver();
    const [alice] = d.keys;
    const r = await d.exec(alice, [msgSubmitProposal(alice.address, [], MIN_DEPOSIT)]);
    const id = proposalId(r);
    await validatorsVote(d, id, [VoteOption.VOTE_OPTION_NO_WITH_VETO, VoteOption.VOTE_OPTION_NO_WITH_VETO, VoteOption.VOTE_OPTION_YES]);
    const supplyBefore = supply(d);
    const aliceBefore = d.balance(alice.address);
    await passVotingPeriod(d);
    expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_REJECTED);
    expect(supply(d)).toBe(supplyBefore - MIN_DEPOSIT);
    expect(d.balance(alice.address)).toBe(aliceBefore);

    // One validator of four votes: 25% < 33.4% quorum; refunded (burn_vote_quorum is false by default).
    const id2 = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, [], MIN_DEPOSIT)]));
    expectOk(await d.exec(d.validators[0].operator, [msgVote(d.validators[0].operator.address, id2, VoteOption.VOTE_OPTION_YES)]));
    const aliceBefore2 = d.balance(alice.address);
    await passVotingPeriod(d);
    expect(proposal(d, id2).status).toBe(ProposalStatus.PROPOSAL_STATUS_REJECTED);
    expect(d.balance(alice.address)).toBe(aliceBefore2 + MIN_DEPOSIT);
    await d.close();
  });

  test("execution as the authority: a MsgSend from the gov account passes when funded, fails (FAILED, reason kept, nothing moved) when not, and may never spend other proposals' deposits", async () => {
    const funded = 5n * SOA;
    const d = await govDriver({}, (s) => s.bank.balances.push({ address: GOV_AUTHORITY, coins: [{ denom: "usoa", amount: String(funded) }] }));
    const [alice, bob, carol] = d.keys;
    // Fails: more than the gov account holds.
    const id1 = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, [msgSend(GOV_AUTHORITY, carol.address, 1000n * SOA)], MIN_DEPOSIT)]));
    await validatorsVote(d, id1, [VoteOption.VOTE_OPTION_YES]);
    const carolBefore = d.balance(carol.address);
    const { response } = await d.block([], { advance: 11n });
    const p1 = proposal(d, id1);
    expect(p1.status).toBe(ProposalStatus.PROPOSAL_STATUS_FAILED);
    expect(p1.failedReason).toMatch(/msg 0 \(\/cosmos\.bank\.v1beta1\.MsgSend\) failed on execution: .*insufficient funds \(sdk\/5\)/);
    expect(eventAttr(response.events, "active_proposal", "proposal_result")).toBe("proposal_failed");
    expect(d.balance(carol.address)).toBe(carolBefore);
    expect(govBalance(d)).toBe(funded); // the deposit was refunded, the funds untouched

    // Spending the gov account's own funds while another proposal's deposit sits there: only the
    // free part may go. Proposal 3 holds a deposit; proposal 2 tries to send funded + 1.
    const id2 = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, [msgSend(GOV_AUTHORITY, carol.address, funded + 1n)], MIN_DEPOSIT)]));
    const id3 = proposalId(await d.exec(bob, [msgSubmitProposal(bob.address, [], 1n * SOA)]));
    await validatorsVote(d, id2, [VoteOption.VOTE_OPTION_YES]);
    await d.block([], { advance: 8n }); // proposal 2's vote ends; proposal 3 is still open
    expect(proposal(d, id2).status).toBe(ProposalStatus.PROPOSAL_STATUS_FAILED);
    expect(proposal(d, id2).failedReason).toMatch(/spend deposits held in escrow/);
    expect(proposal(d, id3).status).toBe(ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    expect(d.balance(carol.address)).toBe(carolBefore);

    // Passes: within the free funds; the events of the executed message reach the block.
    const id4 = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, [msgSend(GOV_AUTHORITY, carol.address, funded)], MIN_DEPOSIT)]));
    await validatorsVote(d, id4, [VoteOption.VOTE_OPTION_YES]);
    const end = await d.block([], { advance: 11n });
    expect(proposal(d, id4).status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    const transfers = end.response.events.filter((e) => e.type === "transfer").map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
    expect(transfers).toContainEqual({ recipient: carol.address, sender: GOV_AUTHORITY, amount: `${funded}usoa` });
    expect(d.balance(carol.address)).toBe(carolBefore + funded);
    await d.close();
  });

  test("a proposal of several messages is all or none", async () => {
    const d = await govDriver({}, (s) => s.bank.balances.push({ address: GOV_AUTHORITY, coins: [{ denom: "usoa", amount: String(3n * SOA) }] }));
    const [alice, , carol] = d.keys;
    const msgs = [msgSend(GOV_AUTHORITY, carol.address, 2n * SOA), msgSend(GOV_AUTHORITY, carol.address, 2n * SOA)];
    const id = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, msgs, MIN_DEPOSIT)]));
    await validatorsVote(d, id, [VoteOption.VOTE_OPTION_YES]);
    const carolBefore = d.balance(carol.address);
    await passVotingPeriod(d);
    expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_FAILED);
    expect(proposal(d, id).failedReason).toMatch(/^msg 1 /);
    expect(d.balance(carol.address)).toBe(carolBefore);
    expect(govBalance(d)).toBe(3n * SOA);
    await d.close();
  });

  test("weighted votes split a voter's power; a later vote replaces an earlier one", async () => {
    const d = await govDriver();
    const [alice] = d.keys;
    const id = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, [], MIN_DEPOSIT)]));
    const [v0, v1] = d.validators;
    expectOk(await d.exec(v0.operator, [msgVoteWeighted(v0.operator.address, id, [[VoteOption.VOTE_OPTION_YES, "0.7"], [VoteOption.VOTE_OPTION_NO, "0.3"]])]));
    expectOk(await d.exec(v1.operator, [msgVote(v1.operator.address, id, VoteOption.VOTE_OPTION_NO)]));
    expectOk(await d.exec(v1.operator, [msgVote(v1.operator.address, id, VoteOption.VOTE_OPTION_ABSTAIN)]));
    const t = query(d, Q + "TallyResult", QueryTallyResultRequest, { proposalId: id }, QueryTallyResultResponse).tally!;
    expect(t).toEqual({ yesCount: String(70n * SOA), abstainCount: String(100n * SOA), noCount: String(30n * SOA), noWithVetoCount: "0" });
    await passVotingPeriod(d);
    expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED); // 70/(70+30) > 0.5, quorum 200/400
    await d.close();
  });

  test("cancel: only the proposer, only while open; proposal_cancel_ratio of the deposits is burned, the rest refunded", async () => {
    const d = await govDriver();
    const [alice, bob] = d.keys;
    const id = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, [], 4n * SOA)]));
    expectOk(await d.exec(bob, [msgDeposit(bob.address, id, 2n * SOA)]));
    expectCode(await d.exec(bob, [msgCancelProposal(bob.address, id)]), "gov", 18);
    expectCode(await d.exec(alice, [msgCancelProposal(alice.address, 99n)]), "gov", 2);
    const supplyBefore = supply(d);
    const aliceBefore = d.balance(alice.address);
    const bobBefore = d.balance(bob.address);
    const r = await d.exec(alice, [msgCancelProposal(alice.address, id)]);
    expectOk(r);
    expect(eventAttr(r.events, "cancel_proposal", "proposal_id")).toBe(String(id));
    expect(d.balance(alice.address)).toBe(aliceBefore + 2n * SOA - FEE);
    expect(d.balance(bob.address)).toBe(bobBefore + 1n * SOA);
    expect(supply(d)).toBe(supplyBefore - 3n * SOA);
    expect(() => proposal(d, id)).toThrow(/gov\/2/);
    await d.close();
  });

  test("bad input is refused with the SDK's gov codes and nothing moves", async () => {
    // Long periods: every case below takes a block.
    const d = await govDriver({ voting_period: "120s", max_deposit_period: "120s" }, (s) => s.bank.balances.find((b: { address: string }) => b.address === new TestKey(0).address).coins.unshift({ denom: "uother", amount: "1000000000" }));
    const [alice] = d.keys;
    const id = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, [], MIN_DEPOSIT)]));
    const govBefore = govBalance(d);
    const supplyBefore = supply(d);
    const cases: Array<[string, ReturnType<typeof msgVote>, string, number]> = [
      ["deposit to an unknown proposal", msgDeposit(alice.address, 42n, SOA), "gov", 2],
      ["vote on an unknown proposal", msgVote(alice.address, 42n, VoteOption.VOTE_OPTION_YES), "gov", 2],
      ["weights summing to 0.9", msgVoteWeighted(alice.address, id, [[VoteOption.VOTE_OPTION_YES, "0.5"], [VoteOption.VOTE_OPTION_NO, "0.4"]]), "gov", 7],
      ["weights summing to 1.1", msgVoteWeighted(alice.address, id, [[VoteOption.VOTE_OPTION_YES, "0.6"], [VoteOption.VOTE_OPTION_NO, "0.5"]]), "gov", 7],
      ["an option twice", msgVoteWeighted(alice.address, id, [[VoteOption.VOTE_OPTION_YES, "0.5"], [VoteOption.VOTE_OPTION_YES, "0.5"]]), "gov", 7],
      ["an unknown option", msgVote(alice.address, id, 9 as VoteOption), "gov", 7],
      ["a deposit in another denom", msgDeposit(alice.address, id, SOA, "uother"), "gov", 23],
      ["an initial deposit in another denom", msgSubmitProposal(alice.address, [], [{ denom: "uother", amount: String(MIN_DEPOSIT) }]), "gov", 23],
      ["a proposal message not signed by the authority", msgSubmitProposal(alice.address, [msgSend(alice.address, d.keys[1].address, 1n)], MIN_DEPOSIT), "gov", 13],
      ["a proposal message of an unknown type", msgSubmitProposal(alice.address, [{ typeUrl: "/cosmos.nothing.v1.MsgNothing", value: new Uint8Array() }], MIN_DEPOSIT), "gov", 10],
      ["an invalid proposal message", msgSubmitProposal(alice.address, [msgSend(GOV_AUTHORITY, "soa1notanaddress", 1n)], MIN_DEPOSIT), "gov", 12],
      ["metadata over 255 bytes", msgSubmitProposal(alice.address, [], MIN_DEPOSIT, { metadata: "m".repeat(256) }), "gov", 15],
      ["a title over 255 bytes", msgSubmitProposal(alice.address, [], MIN_DEPOSIT, { title: "t".repeat(256) }), "gov", 15],
      ["a summary over 10200 bytes", msgSubmitProposal(alice.address, [], MIN_DEPOSIT, { summary: "s".repeat(10_201) }), "gov", 22],
      ["an empty title", msgSubmitProposal(alice.address, [], MIN_DEPOSIT, { title: "" }), "gov", 5],
      ["an expedited proposal", msgSubmitProposal(alice.address, [], MIN_DEPOSIT, { expedited: true }), "gov", 21],
      ["an initial deposit below min_deposit_ratio (1%)", msgSubmitProposal(alice.address, [], SOA / 10n - 1n), "gov", 16],
      ["vote metadata over 255 bytes", msgVote(alice.address, id, VoteOption.VOTE_OPTION_YES, "m".repeat(256)), "gov", 15],
      ["too many messages", msgSubmitProposal(alice.address, Array.from({ length: 17 }, () => msgSend(GOV_AUTHORITY, alice.address, 1n)), MIN_DEPOSIT), "gov", 12],
    ];
    for (const [what, msg, codespace, code] of cases) {
      const before = d.balance(alice.address);
      const r = await d.exec(alice, [msg]);
      try {
        expectCode(r, codespace, code);
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
      // Stateless refusals cost nothing; stateful ones only the fee.
      expect(before - d.balance(alice.address)).toBeLessThanOrEqual(FEE);
      expect(d.balance(alice.address, "uother")).toBe(1_000_000_000n);
    }
    expect(govBalance(d)).toBe(govBefore);
    expect(supply(d)).toBe(supplyBefore);
    // Vote after the voting period: the proposal is no longer open.
    await d.block([], { advance: 121n });
    expectCode(await d.exec(alice, [msgVote(alice.address, id, VoteOption.VOTE_OPTION_YES)]), "gov", 3);
    expectCode(await d.exec(alice, [msgDeposit(alice.address, id, SOA)]), "gov", 3);
    // MsgUpdateParams outside a proposal: only the authority may sign it, and nobody holds its key.
    const params = govParams(d);
    expectCode(await d.exec(alice, [msgUpdateGovParams({ ...params, quorum: "0.1" }, alice.address)]), "gov", 13);
    await d.close();
  });

  test("invalid gov params are refused at submission (validateBasic of the proposal's message) and at genesis", async () => {
    const d = await govDriver();
    const [alice] = d.keys;
    const params = govParams(d);
    const bad: Array<Partial<typeof params>> = [
      { quorum: "1.5" },
      { threshold: "0" },
      { expeditedThreshold: "0.4" },
      { votingPeriod: { seconds: 0n, nanos: 0 } },
      { expeditedVotingPeriod: { seconds: 20n, nanos: 0 } },
      { minDeposit: [] },
      { expeditedMinDeposit: [{ denom: "usoa", amount: "1" }] },
      { proposalCancelDest: "soa1bad" },
    ];
    for (const change of bad) {
      const r = await d.exec(alice, [msgSubmitProposal(alice.address, [msgUpdateGovParams({ ...params, ...change })], MIN_DEPOSIT)]);
      expectCode(r, "gov", 12);
    }
    // State-dependent: cancellation charges may go to the community pool, not to another blocked
    // module account (the bonded pool would break staking's accounting); refused at submission.
    const bonded = encodeAddress(moduleAddress("bonded_tokens_pool"));
    const r = await d.exec(alice, [msgSubmitProposal(alice.address, [msgUpdateGovParams({ ...params, proposalCancelDest: bonded })], MIN_DEPOSIT)]);
    expectCode(r, "gov", 12);
    expect(r.log).toMatch(/may not receive funds/);
    const pool = encodeAddress(moduleAddress("distribution"));
    expectOk(await d.exec(alice, [msgSubmitProposal(alice.address, [msgUpdateGovParams({ ...params, proposalCancelDest: pool })], MIN_DEPOSIT)]));
    await d.close();
    await expect(Driver.create({ validators: 1, appState: (s) => (s.gov.params = { voting_period: "0s" }) })).rejects.toThrow(/gov\.params\.voting_period: must be positive/);
    await expect(Driver.create({ validators: 1, appState: (s) => (s.gov.params = { quorum: "2" }) })).rejects.toThrow(/gov\.params\.quorum: must be at most 1/);
  });

  test("queries: proposals by status, voter and depositor with pagination; v1beta1 views for CosmJS's gov extension", async () => {
    const d = await govDriver();
    const [alice, bob] = d.keys;
    for (let i = 0; i < 3; i++) expectOk(await d.exec(alice, [msgSubmitProposal(alice.address, [], MIN_DEPOSIT, { title: `p${i}` })]));
    expectOk(await d.exec(bob, [msgSubmitProposal(bob.address, [], SOA, { title: "underfunded" })]));
    expectOk(await d.exec(bob, [msgVote(bob.address, 2n, VoteOption.VOTE_OPTION_YES)]));
    const list = (req: Partial<QueryProposalsRequest>) =>
      query(d, Q + "Proposals", QueryProposalsRequest, QueryProposalsRequest.fromPartial(req), QueryProposalsResponse);
    expect(list({}).proposals.map((p) => p.title)).toEqual(["p0", "p1", "p2", "underfunded"]);
    expect(list({ proposalStatus: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD }).proposals.map((p) => p.id)).toEqual([4n]);
    expect(list({ voter: bob.address }).proposals.map((p) => p.id)).toEqual([2n]);
    expect(list({ depositor: bob.address }).proposals.map((p) => p.id)).toEqual([4n]);
    const page1 = list({ proposalStatus: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: true, reverse: false } });
    expect(page1.proposals.map((p) => p.id)).toEqual([1n, 2n]);
    expect(page1.pagination!.total).toBe(3n);
    const page2 = list({ proposalStatus: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, pagination: { key: page1.pagination!.nextKey, offset: 0n, limit: 2n, countTotal: false, reverse: false } });
    expect(page2.proposals.map((p) => p.id)).toEqual([3n]);

    const B = "/cosmos.gov.v1beta1.Query/";
    const old = query(d, B + "Proposals", beta.QueryProposalsRequest, beta.QueryProposalsRequest.fromPartial({}), beta.QueryProposalsResponse);
    expect(old.proposals).toHaveLength(4);
    expect(TextProposal.decode(old.proposals[0].content!.value)).toEqual({ title: "p0", description: "what it does" });
    const vote = query(d, B + "Vote", beta.QueryVoteRequest, { proposalId: 2n, voter: bob.address }, beta.QueryVoteResponse).vote;
    expect(vote.options).toEqual([{ option: VoteOption.VOTE_OPTION_YES, weight: "1000000000000000000" }]);
    const ps = query(d, B + "Params", beta.QueryParamsRequest, { paramsType: "tallying" }, beta.QueryParamsResponse);
    expect(new TextDecoder().decode(ps.tallyParams.quorum)).toBe("334000000000000000");
    expect(ps.votingParams.votingPeriod).toEqual({ seconds: 10n, nanos: 0 });
    expect(() => query(d, Q + "Proposal", beta.QueryProposalRequest, { proposalId: 77n }, beta.QueryProposalResponse)).toThrow(/gov\/2/);
    await d.close();
  });

  test("v1beta1 messages (older wallets): a TextProposal, votes and weighted votes with LegacyDec weights, deposits", async () => {
    const d = await govDriver();
    const [alice] = d.keys;
    const content = { typeUrl: "/cosmos.gov.v1beta1.TextProposal", value: TextProposal.encode({ title: "text", description: "a signal" }).finish() };
    const submit = { typeUrl: "/cosmos.gov.v1beta1.MsgSubmitProposal", value: betaTx.MsgSubmitProposal.encode({ content, initialDeposit: [{ denom: "usoa", amount: String(5n * SOA) }], proposer: alice.address }).finish() };
    const r = await d.exec(alice, [submit]);
    expectOk(r);
    const id = proposalId(r);
    expect(proposal(d, id)).toMatchObject({ title: "text", summary: "a signal", messages: [] });
    const deposit = { typeUrl: "/cosmos.gov.v1beta1.MsgDeposit", value: betaTx.MsgDeposit.encode({ proposalId: id, depositor: alice.address, amount: [{ denom: "usoa", amount: String(5n * SOA) }] }).finish() };
    expectOk(await d.exec(alice, [deposit]));
    const [v0, v1] = d.validators;
    const vote = { typeUrl: "/cosmos.gov.v1beta1.MsgVote", value: betaTx.MsgVote.encode({ proposalId: id, voter: v0.operator.address, option: 1 }).finish() };
    expectOk(await d.exec(v0.operator, [vote]));
    const weighted = {
      typeUrl: "/cosmos.gov.v1beta1.MsgVoteWeighted",
      value: betaTx.MsgVoteWeighted.encode({ proposalId: id, voter: v1.operator.address, options: [{ option: 1, weight: "250000000000000000" }, { option: 3, weight: "750000000000000000" }] }).finish(),
    };
    expectOk(await d.exec(v1.operator, [weighted]));
    const t = query(d, Q + "TallyResult", QueryTallyResultRequest, { proposalId: id }, QueryTallyResultResponse).tally!;
    expect(t).toMatchObject({ yesCount: String(125n * SOA), noCount: String(75n * SOA) });
    const notText = { typeUrl: "/cosmos.gov.v1beta1.MsgSubmitProposal", value: betaTx.MsgSubmitProposal.encode({ content: msgSend(GOV_AUTHORITY, alice.address, 1n), initialDeposit: [], proposer: alice.address }).finish() };
    expectCode(await d.exec(alice, [notText]), "gov", 6);
    await passVotingPeriod(d);
    expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    await d.close();
  });

  test("genesis export and import round-trip open proposals, deposits and votes", async () => {
    const d = await govDriver();
    const [alice] = d.keys;
    const id = proposalId(await d.exec(alice, [msgSubmitProposal(alice.address, [msgUpdateGovParams(govParams(d))], MIN_DEPOSIT)]));
    expectOk(await d.exec(alice, [msgVote(alice.address, id, VoteOption.VOTE_OPTION_NO)]));
    const exported = d.app.exportGenesis();
    const gov = exported.gov as Record<string, any>;
    expect(gov.starting_proposal_id).toBe("2");
    expect(gov.proposals).toHaveLength(1);
    expect(gov.deposits).toEqual([{ proposal_id: "1", depositor: alice.address, amount: [{ denom: "usoa", amount: String(MIN_DEPOSIT) }] }]);
    expect(gov.votes[0].voter).toBe(alice.address);
    const bank = exported.bank as Record<string, any>;
    const d2 = await Driver.create({ validators: 4, appState: (s) => { s.gov = gov; s.bank.balances.push(...bank.balances.filter((b: any) => b.address === GOV_AUTHORITY)); } });
    await d2.block();
    expect(proposal(d2, id)).toEqual(proposal(d, id));
    expect(d2.app.keepers.gov.getVote(d2.store, id, decodeAddress(alice.address))).toBeDefined();
    await d2.close();
    // A deposit the gov account does not hold is refused.
    await expect(Driver.create({ validators: 1, appState: (s) => (s.gov = gov) })).rejects.toThrow(/gov\.deposits: .*gov module account holds 0usoa/);
    await d.close();
  });
});
