/**
 * Governance on the 4-validator localnet with unmodified CosmJS 0.39: MsgSubmitProposal and
 * MsgVote through signAndBroadcast with the default registry, reads through the stargate gov
 * extension (v1beta1 queries). A passed proposal changes the parameters of gov, pow and metering; a vetoed one burns its
 * deposit; another spends the community pool; an upgrade plan stops all 4 validators at the same height, and restarting them as a
 * binary with the plan's handler resumes with identical app hashes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, QueryClient, SigningStargateClient, setupBankExtension, setupGovExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { MsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgCommunityPoolSpend } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { QueryAppliedPlanRequest, QueryAppliedPlanResponse } from "cosmjs-types/cosmos/upgrade/v1beta1/query";
import { QueryParamsRequest, QueryParamsResponse } from "cosmjs-types/cosmos/gov/v1/query";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgUpdateParams as MsgUpdatePowParams } from "../../src/gen/blockai/pow/v1/tx";
import { MsgUpdateParams as MsgUpdateMeteringParams } from "../../src/gen/blockai/metering/v1/tx";
import { PowQuery } from "../../src/modules/pow/service";
import { MeteringQuery } from "../../src/modules/metering/service";
import { readPids, startNode, stopNode } from "../../src/node/network";
import { isAlive, waitFor } from "../../src/node/process";
import { rpc, status } from "../../src/node/rpc";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(300_000);

const GOV_AUTHORITY = "soa10d07y265gmmuvt4z0w9aw880jnsr700j2vvzmv";
const DEPOSIT = [{ denom: "usoa", amount: "10000000" }];
const VOTING_SECONDS = 15;

describe("end to end: governance with unmodified CosmJS on 4 validators", () => {
  let net: TestNetwork;
  let comet: Comet38Client;
  let queries: ReturnType<typeof setup>;
  const clients = new Map<string, SigningStargateClient>();

  function setup(c: Comet38Client) {
    return QueryClient.withExtensions(c, setupGovExtension, setupBankExtension);
  }

  async function client(mnemonic: string): Promise<{ address: string; client: SigningStargateClient }> {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "soa" });
    const [{ address }] = await wallet.getAccounts();
    let c = clients.get(address);
    if (!c) {
      c = await SigningStargateClient.connectWithSigner(net.rpc, wallet, { gasPrice: GasPrice.fromString("0.025usoa"), broadcastPollIntervalMs: 200, broadcastTimeoutMs: 60_000 });
      clients.set(address, c);
    }
    return { address, client: c };
  }

  async function send(mnemonic: string, msgs: (address: string) => EncodeObject[]) {
    const { address, client: c } = await client(mnemonic);
    const r = await c.signAndBroadcast(address, msgs(address), 2);
    if (r.code !== 0) throw new Error(`tx failed: ${r.code} ${r.rawLog}`);
    return r;
  }

  async function submit(messages: Array<{ typeUrl: string; value: Uint8Array }>, title: string): Promise<bigint> {
    const r = await send(net.layout.accounts[0].mnemonic, (proposer) => [
      { typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: { messages, initialDeposit: DEPOSIT, proposer, metadata: "", title, summary: `${title}, from CosmJS`, expedited: false } },
    ]);
    const attr = r.events.find((e) => e.type === "submit_proposal")!.attributes.find((a) => a.key === "proposal_id")!;
    return BigInt(attr.value);
  }

  async function vote(mnemonic: string, id: bigint, option: VoteOption) {
    await send(mnemonic, (voter) => [{ typeUrl: "/cosmos.gov.v1beta1.MsgVote", value: { proposalId: id, voter, option } }]);
  }

  async function waitStatus(id: bigint, wanted: ProposalStatus) {
    await waitFor(`proposal ${id} to reach status ${ProposalStatus[wanted]}`, 60_000, async () => {
      const { proposal } = await queries.gov.proposal(id.toString());
      return proposal.status === wanted ? true : undefined;
    }, 500);
  }

  beforeAll(async () => {
    // Emission off, so that the supply moves only by what governance burns.
    net = await TestNetwork.start({
      nodes: 4,
      params: { gov: { voting_period: `${VOTING_SECONDS}s`, max_deposit_period: "60s", expedited_voting_period: "3s" }, mint: { initial_block_reward: "0" } },
    });
    comet = await Comet38Client.connect(net.rpc);
    queries = setup(comet);
  });

  afterAll(async () => {
    for (const c of clients.values()) c.disconnect();
    comet?.disconnect();
    await net?.stop();
  });

  /** One Params query through the module's service table. */
  async function ask<Res>(m: { path: string; request: { encode(r: object): { finish(): Uint8Array } }; response: { decode(b: Uint8Array): Res } }): Promise<Res> {
    const r = await comet.abciQuery({ path: m.path, data: m.request.encode({}).finish() });
    if (r.code !== 0) throw new Error(`${m.path}: code ${r.code} ${r.log}`);
    return m.response.decode(r.value);
  }

  test("a proposal changing gov's quorum, pow's target_certs_per_epoch and metering's protocol_fee_bps passes with the validators and a delegator who overrides its validator", async () => {
    const params = QueryParamsResponse.decode((await comet.abciQuery({ path: "/cosmos.gov.v1.Query/Params", data: QueryParamsRequest.encode({ paramsType: "" }).finish() })).value).params!;
    const update = { typeUrl: "/cosmos.gov.v1.MsgUpdateParams", value: MsgUpdateParams.encode({ authority: GOV_AUTHORITY, params: { ...params, quorum: "0.300000000000000000" } }).finish() };
    const pow = (await ask(PowQuery.Params)).params!;
    const metering = (await ask(MeteringQuery.Params)).params!;
    const newTargetCerts = pow.targetCertsPerEpoch + 17n;
    const newFeeBps = metering.protocolFeeBps + 150;
    const powUpdate = { typeUrl: "/blockai.pow.v1.MsgUpdateParams", value: MsgUpdatePowParams.encode({ authority: GOV_AUTHORITY, params: { ...pow, targetCertsPerEpoch: newTargetCerts } }).finish() };
    const meteringUpdate = {
      typeUrl: "/blockai.metering.v1.MsgUpdateParams",
      value: MsgUpdateMeteringParams.encode({ authority: GOV_AUTHORITY, params: { ...metering, protocolFeeBps: newFeeBps } }).finish(),
    };
    const id = await submit([update, powUpdate, meteringUpdate], "lower the quorum, retune pow and the protocol fee");
    expect((await queries.gov.proposals(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, "", "")).proposals.map((p) => p.proposalId)).toContain(id);
    // A delegator of validator 3 votes no; validators 0..2 yes, 3 no.
    const delegator = net.layout.accounts[1];
    const valoper3 = toBech32("soavaloper", fromBech32(net.layout.operators[3].address).data);
    await send(delegator.mnemonic, (address) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: { delegatorAddress: address, validatorAddress: valoper3, amount: { denom: "usoa", amount: "5000000" } } }]);
    for (let i = 0; i < 3; i++) await vote(net.layout.operators[i].mnemonic, id, VoteOption.VOTE_OPTION_YES);
    await vote(net.layout.operators[3].mnemonic, id, VoteOption.VOTE_OPTION_NO);
    await vote(delegator.mnemonic, id, VoteOption.VOTE_OPTION_NO);
    const votes = await queries.gov.votes(id.toString());
    expect(votes.votes).toHaveLength(5);
    const running = (await queries.gov.tally(id.toString())).tally;
    expect(BigInt(running.no)).toBeGreaterThan(0n);
    await waitStatus(id, ProposalStatus.PROPOSAL_STATUS_PASSED);
    const tallying = await queries.gov.params("tallying");
    expect(new TextDecoder().decode(tallying.tallyParams.quorum)).toBe("300000000000000000");
    expect((await ask(PowQuery.Params)).params).toEqual({ ...pow, targetCertsPerEpoch: newTargetCerts });
    expect((await ask(MeteringQuery.Params)).params).toEqual({ ...metering, protocolFeeBps: newFeeBps });
  });

  test("a vetoed proposal burns its deposit", async () => {
    const supplyBefore = BigInt((await queries.bank.supplyOf("usoa")).amount);
    const id = await submit([], "a text proposal the validators veto");
    for (let i = 0; i < 3; i++) await vote(net.layout.operators[i].mnemonic, id, VoteOption.VOTE_OPTION_NO_WITH_VETO);
    await waitStatus(id, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    expect(BigInt((await queries.bank.supplyOf("usoa")).amount)).toBe(supplyBefore - 10_000_000n);
  });

  test("a second proposal spends the community pool to an account", async () => {
    const funder = net.layout.accounts[2];
    await send(funder.mnemonic, (depositor) => [{ typeUrl: "/cosmos.distribution.v1beta1.MsgFundCommunityPool", value: { depositor, amount: [{ denom: "usoa", amount: "30000000" }] } }]);
    const recipient = net.layout.accounts[3].address;
    const before = BigInt((await queries.bank.balance(recipient, "usoa")).amount);
    const spend = { typeUrl: "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend", value: MsgCommunityPoolSpend.encode({ authority: GOV_AUTHORITY, recipient, amount: [{ denom: "usoa", amount: "25000000" }] }).finish() };
    const id = await submit([spend], "pay 25 SOA from the community pool");
    for (let i = 0; i < 3; i++) await vote(net.layout.operators[i].mnemonic, id, VoteOption.VOTE_OPTION_YES);
    await waitStatus(id, ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(BigInt((await queries.bank.balance(recipient, "usoa")).amount)).toBe(before + 25_000_000n);
  });

  /** Waits for `done` for as long as some node's height still rises; fails once the network has stalled for a minute. */
  async function waitWhileAdvancing(what: string, done: () => boolean): Promise<void> {
    let best = 0;
    let lastRise = Date.now();
    const outcome = await waitFor(what, 900_000, async () => {
      if (done()) return "done";
      const heights = await Promise.all(net.layout.nodes.map((n) => status(n.rpc).then((s) => s.height, () => 0)));
      const top = Math.max(...heights);
      if (top > best) {
        best = top;
        lastRise = Date.now();
      } else if (Date.now() - lastRise > 60_000) {
        return "stalled";
      }
      return undefined;
    }, 500);
    if (outcome === "stalled") throw new Error(`waiting for ${what}: no node advanced past height ${best} for a minute`);
  }

  test("an upgrade plan stops all 4 validators at its height; restarted with its handler they resume with identical app hashes", async () => {
    // The plan must land after the votes and the voting period. Blocks are well under a second on an
    // idle machine but several times slower when CI runs other networks beside this one, so the
    // distance is taken from the block time measured now, not a fixed count of blocks.
    const now = (await status(net.rpc)).height;
    const sampleStart = Date.now();
    await waitFor("ten more blocks", 120_000, async () => ((await status(net.rpc)).height >= now + 10 ? true : undefined), 200);
    const msPerBlock = (Date.now() - sampleStart) / 10;
    const planHeight = now + 10 + Math.max(40, Math.ceil(((VOTING_SECONDS + 30) * 1000) / msPerBlock));
    const upgrade = { typeUrl: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", value: MsgSoftwareUpgrade.encode({ authority: GOV_AUTHORITY, plan: { name: "v2", height: BigInt(planHeight), info: "e2e", time: { seconds: 0n, nanos: 0 } } }).finish() };
    const id = await submit([upgrade], "upgrade to v2");
    for (let i = 0; i < 4; i++) await vote(net.layout.operators[i].mnemonic, id, VoteOption.VOTE_OPTION_YES);
    await waitStatus(id, ProposalStatus.PROPOSAL_STATUS_PASSED);
    for (const c of clients.values()) c.disconnect();
    clients.clear();
    comet.disconnect();
    // Every app stops at the plan's height, naming it.
    await waitWhileAdvancing("every app to stop at the upgrade height", () => readPids(net.layout.dir).every((p) => p.app === undefined || !isAlive(p.app)));
    for (const n of net.layout.nodes) {
      const log = fs.readFileSync(path.join(n.home, "app.log"), "utf8");
      expect(log).toContain(`UPGRADE "v2" NEEDED at height: ${planHeight}: e2e`);
    }
    for (let i = 0; i < 4; i++) await stopNode(net.layout, i);
    const saved = { args: process.env.BLOCKAI_APP_NODE_ARGS, names: process.env.BLOCKAI_TEST_UPGRADE_HANDLERS };
    process.env.BLOCKAI_APP_NODE_ARGS = `--require ${path.resolve(__dirname, "../helpers/upgrade-handler-preload.cjs")}`;
    process.env.BLOCKAI_TEST_UPGRADE_HANDLERS = "v2";
    try {
      for (let i = 0; i < 4; i++) await startNode(net.layout, i);
    } finally {
      process.env.BLOCKAI_APP_NODE_ARGS = saved.args;
      process.env.BLOCKAI_TEST_UPGRADE_HANDLERS = saved.names;
      if (saved.args === undefined) delete process.env.BLOCKAI_APP_NODE_ARGS;
      if (saved.names === undefined) delete process.env.BLOCKAI_TEST_UPGRADE_HANDLERS;
    }
    const target = planHeight + 3;
    for (const n of net.layout.nodes) await waitFor(`${n.moniker} to pass the upgrade`, 300_000, async () => ((await status(n.rpc).catch(() => ({ height: 0 }))).height >= target ? true : undefined), 500);
    const hashes = await Promise.all(net.layout.nodes.map(async (n) => (await rpc(n.rpc, "block", { height: planHeight + 1 })).block.header.app_hash as string));
    expect(new Set(hashes).size).toBe(1);
    const c2 = await Comet38Client.connect(net.rpc);
    const applied = await c2.abciQuery({ path: "/cosmos.upgrade.v1beta1.Query/AppliedPlan", data: QueryAppliedPlanRequest.encode({ name: "v2" }).finish() });
    c2.disconnect();
    expect(QueryAppliedPlanResponse.decode(applied.value).height).toBe(BigInt(planHeight));
  }, 1_200_000);
});
