import { MsgCancelUpgrade, MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { QueryAppliedPlanRequest, QueryAppliedPlanResponse, QueryCurrentPlanRequest, QueryCurrentPlanResponse } from "cosmjs-types/cosmos/upgrade/v1beta1/query";
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { UpgradeHandler } from "../../src/modules/upgrade";
import { Driver } from "../helpers/driver";
import { eventAttr, expectCode, expectOk, query } from "../helpers/pos";
import { GOV_AUTHORITY, VoteOption, msgSubmitProposal, msgVote, proposal } from "../helpers/gov";

jest.setTimeout(120_000);

const MIN_DEPOSIT = 10_000_000n;
const U = "/cosmos.upgrade.v1beta1.Query/";

function msgSoftwareUpgrade(name: string, height: bigint, info = ""): Any {
  return {
    typeUrl: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade",
    value: MsgSoftwareUpgrade.encode({ authority: GOV_AUTHORITY, plan: { name, height, info, time: { seconds: 0n, nanos: 0 } } }).finish(),
  };
}

const msgCancelUpgrade: Any = { typeUrl: "/cosmos.upgrade.v1beta1.MsgCancelUpgrade", value: MsgCancelUpgrade.encode({ authority: GOV_AUTHORITY }).finish() };

async function node(upgradeHandlers?: ReadonlyMap<string, UpgradeHandler>): Promise<Driver> {
  const d = await Driver.create({ validators: 4, upgradeHandlers, appState: (s) => (s.gov.params = { voting_period: "10s", max_deposit_period: "10s", expedited_voting_period: "5s" }) });
  await d.block();
  return d;
}

/** Submits `msgs` as a proposal, every validator votes yes, and the voting period passes. */
async function pass(d: Driver, msgs: Any[]): Promise<bigint> {
  const [alice] = d.keys;
  const r = await d.exec(alice, [msgSubmitProposal(alice.address, msgs, MIN_DEPOSIT)]);
  expectOk(r);
  const id = BigInt(eventAttr(r.events, "submit_proposal", "proposal_id")!);
  const { results } = await d.block(d.validators.map((v) => d.sign(v.operator, [msgVote(v.operator.address, id, VoteOption.VOTE_OPTION_YES)])));
  results.forEach(expectOk);
  await d.block([], { advance: 11n });
  return id;
}

const currentPlan = (d: Driver) => query(d, U + "CurrentPlan", QueryCurrentPlanRequest, {}, QueryCurrentPlanResponse).plan;

describe("upgrade plans scheduled by gov", () => {
  test("every node stops at the plan's height naming it; restarted with the plan's handler they resume with identical app hashes", async () => {
    // Two nodes replaying the same chain (the driver is deterministic).
    const nodes = [await node(), await node()];
    const migrated: bigint[] = [];
    const handler: UpgradeHandler = (ctx, plan) => void migrated.push(BigInt(ctx.block.height) * 1000n + plan.height);
    let planHeight = 0n;
    for (const d of nodes) {
      planHeight = BigInt(d.height + 6);
      const id = await pass(d, [msgSoftwareUpgrade("v2", planHeight, "https://example.org/blockai/v2")]);
      expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
      expect(currentPlan(d)).toMatchObject({ name: "v2", height: planHeight });
      while (BigInt(d.height) < planHeight - 1n) await d.block();
      await expect(d.block()).rejects.toThrow(`UPGRADE "v2" NEEDED at height: ${planHeight}: https://example.org/blockai/v2`);
      // The block was not committed: the node restarts below it, as CometBFT replays it.
      expect(BigInt(d.app.lastHeight)).toBe(planHeight - 1n);
      d.height -= 1;
      d.timeSeconds -= 1n;
      await d.restart({ upgradeHandlers: new Map([["v2", handler]]) });
      const { response } = await d.block();
      expect(response.events.some((e) => e.type === "upgrade" && e.attributes.some((a) => a.key === "action" && a.value === "apply"))).toBe(true);
      expect(query(d, U + "AppliedPlan", QueryAppliedPlanRequest, { name: "v2" }, QueryAppliedPlanResponse).height).toBe(planHeight);
      expect(currentPlan(d)).toBeUndefined();
      await d.blocks(2);
    }
    expect(migrated).toEqual([planHeight * 1000n + planHeight, planHeight * 1000n + planHeight]);
    expect(Buffer.from(nodes[0].app.lastAppHash).toString("hex")).toBe(Buffer.from(nodes[1].app.lastAppHash).toString("hex"));
    expect(nodes[0].height).toBe(nodes[1].height);
    // The same name cannot be planned again.
    const [alice] = nodes[0].keys;
    const again = await nodes[0].exec(alice, [msgSubmitProposal(alice.address, [msgSoftwareUpgrade("v2", BigInt(nodes[0].height + 50))], MIN_DEPOSIT)]);
    expectCode(again, "gov", 12);
    expect(again.log).toMatch(/already been completed/);
    for (const d of nodes) await d.close();
  });

  test("a binary carrying the handler before the plan's height stops rather than apply new rules early", async () => {
    const d = await node(new Map([["v3", () => undefined]]));
    await pass(d, [msgSoftwareUpgrade("v3", BigInt(d.height + 20))]);
    await expect(d.block()).rejects.toThrow(/BINARY UPDATED BEFORE TRIGGER! UPGRADE "v3"/);
    await d.close();
  });

  test("MsgCancelUpgrade removes the plan; plans in the past or without a name are refused at submission", async () => {
    const d = await node();
    await pass(d, [msgSoftwareUpgrade("v4", BigInt(d.height + 40))]);
    expect(currentPlan(d)?.name).toBe("v4");
    await pass(d, [msgCancelUpgrade]);
    expect(currentPlan(d)).toBeUndefined();
    await d.blocks(3);
    const [alice] = d.keys;
    const past = await d.exec(alice, [msgSubmitProposal(alice.address, [msgSoftwareUpgrade("v5", BigInt(d.height))], MIN_DEPOSIT)]);
    expectCode(past, "gov", 12);
    expect(past.log).toMatch(/cannot be scheduled in the past/);
    expectCode(await d.exec(alice, [msgSubmitProposal(alice.address, [msgSoftwareUpgrade("", BigInt(d.height + 40))], MIN_DEPOSIT)]), "gov", 12);
    // Nobody but the gov account may schedule one.
    const direct = { typeUrl: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", value: MsgSoftwareUpgrade.encode({ authority: alice.address, plan: { name: "x", height: 1000n, info: "", time: { seconds: 0n, nanos: 0 } } }).finish() };
    expectCode(await d.exec(alice, [direct]), "gov", 13);
    await d.close();
  });
});
