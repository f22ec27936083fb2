/**
 * MsgUpdateParams of auth, bank, epochs, registry, metering, pow, scoring, mint and rewards
 * through gov (staking, slashing, distribution: gov-params.test.ts; gov's own: gov.test.ts).
 * Each module: a passed change is in force at the next block, and invariant-breaking changes are
 * refused at submission with gov/12 naming the field.
 */
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import * as authTx from "cosmjs-types/cosmos/auth/v1beta1/tx";
import * as bankTx from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import * as epochsTx from "../../src/gen/blockai/epochs/v1/tx";
import * as registryTx from "../../src/gen/blockai/registry/v1/tx";
import * as meteringTx from "../../src/gen/blockai/metering/v1/tx";
import * as powTx from "../../src/gen/blockai/pow/v1/tx";
import * as scoringTx from "../../src/gen/blockai/scoring/v1/tx";
import * as mintTx from "../../src/gen/blockai/mint/v1/tx";
import * as rewardsTx from "../../src/gen/blockai/rewards/v1/tx";
import { AuthQuery } from "../../src/modules/auth/service";
import { BankQuery } from "../../src/modules/bank/service";
import { EpochsQuery } from "../../src/modules/epochs/service";
import { RegistryQuery } from "../../src/modules/registry/service";
import { MeteringQuery } from "../../src/modules/metering/service";
import { PowQuery } from "../../src/modules/pow/service";
import { ScoringQuery } from "../../src/modules/scoring/service";
import { MintQuery } from "../../src/modules/mint/service";
import { RewardsQuery } from "../../src/modules/rewards/service";
import { Driver } from "../helpers/driver";
import { eventAttr, expectCode, expectOk, query } from "../helpers/pos";
import { msgSend } from "../helpers/keys";
import { GOV_AUTHORITY, VoteOption, msgSubmitProposal, msgVote, proposal } from "../helpers/gov";

jest.setTimeout(120_000);

const SOA = 1_000_000n;
const DEPOSIT = 10n * SOA;

async function govDriver(appState: (s: any) => void = () => {}): Promise<Driver> {
  const d = await Driver.create({
    validators: 4,
    appState: (s) => {
      s.gov.params = { voting_period: "10s", max_deposit_period: "10s", expedited_voting_period: "5s" };
      appState(s);
    },
  });
  await d.block();
  return d;
}

interface Method<Req, Res> {
  path: string;
  request: { encode(m: Req): { finish(): Uint8Array }; fromPartial(o: object): Req };
  response: { decode(b: Uint8Array): Res };
}
const ask = <Req, Res>(d: Driver, m: Method<Req, Res>, req: object = {}): Res => query(d, m.path, m.request, m.request.fromPartial(req), m.response);

/** A MsgUpdateParams signed by the gov module account, packed for a proposal. */
function update<P>(typeUrl: string, codec: { encode(m: { authority: string; params?: P }): { finish(): Uint8Array } }, params: P): Any {
  return { typeUrl, value: codec.encode({ authority: GOV_AUTHORITY, params }).finish() };
}

async function submit(d: Driver, msgs: Any[]): Promise<ExecTxResult> {
  return d.exec(d.keys[0], [msgSubmitProposal(d.keys[0].address, msgs, DEPOSIT)]);
}

async function vote(d: Driver, r: ExecTxResult): Promise<bigint> {
  expectOk(r);
  const id = BigInt(eventAttr(r.events, "submit_proposal", "proposal_id")!);
  const { results } = await d.block(d.validators.map((v) => d.sign(v.operator, [msgVote(v.operator.address, id, VoteOption.VOTE_OPTION_YES)])));
  results.forEach(expectOk);
  return id;
}

/** Submits, every validator votes yes, the voting period ends with the next block. */
async function pass(d: Driver, msgs: Any[]): Promise<void> {
  const id = await vote(d, await submit(d, msgs));
  await d.block([], { advance: 11n });
  expect(proposal(d, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
}

async function refused(d: Driver, msg: Any, why: RegExp): Promise<void> {
  const r = await submit(d, [msg]);
  expectCode(r, "gov", 12);
  expect(r.log).toMatch(why);
}

const hex64 = (n: bigint) => n.toString(16).padStart(64, "0");

describe("MsgUpdateParams of every BLOCKAI and SDK module through gov", () => {
  test("auth and bank", async () => {
    const d = await govDriver();
    const auth = ask(d, AuthQuery.Params).params!;
    const authUpdate = (p: Partial<typeof auth>) => update("/cosmos.auth.v1beta1.MsgUpdateParams", authTx.MsgUpdateParams, { ...auth, ...p });
    const bankUpdate = (p: Partial<bankTx.MsgUpdateParams["params"]>) =>
      update("/cosmos.bank.v1beta1.MsgUpdateParams", bankTx.MsgUpdateParams, { sendEnabled: [], defaultSendEnabled: true, ...p });
    await pass(d, [authUpdate({ maxMemoCharacters: 512n }), bankUpdate({ defaultSendEnabled: false })]);
    expect(ask(d, AuthQuery.Params).params!.maxMemoCharacters).toBe(512n);
    expect(ask(d, BankQuery.Params).params!.defaultSendEnabled).toBe(false);
    expectCode(await d.exec(d.keys[1], [msgSend(d.keys[1].address, d.keys[2].address, 1n)]), "bank", 5);
    await refused(d, authUpdate({ txSigLimit: 0n }), /params.tx_sig_limit must be positive/);
    await refused(d, bankUpdate({ sendEnabled: [{ denom: "usoa", enabled: true }] }), /params.send_enabled: per-denom entries are not supported/);
    // The ts-proto blockai codecs leave an absent params undefined: refused, not read as zeros.
    await refused(d, update("/blockai.metering.v1.MsgUpdateParams", meteringTx.MsgUpdateParams, undefined), /params must be set/);
    await d.close();
  });

  test("epochs: the new length applies from the next epoch; 0 is refused", async () => {
    const d = await govDriver((s) => (s.epochs = { params: { epoch_length: "50" } }));
    const before = ask(d, EpochsQuery.CurrentEpoch).epoch!;
    await pass(d, [update("/blockai.epochs.v1.MsgUpdateParams", epochsTx.MsgUpdateParams, { epochLength: 7n })]);
    expect(ask(d, EpochsQuery.Params).params!.epochLength).toBe(7n);
    // The epoch in progress keeps its end; the next one is 7 blocks.
    expect(ask(d, EpochsQuery.CurrentEpoch).epoch).toEqual(before);
    while (d.height <= Number(before.endHeight)) await d.block();
    const next = ask(d, EpochsQuery.CurrentEpoch).epoch!;
    expect(next).toEqual({ number: before.number + 1n, startHeight: before.endHeight + 1n, endHeight: before.endHeight + 7n });
    await refused(d, update("/blockai.epochs.v1.MsgUpdateParams", epochsTx.MsgUpdateParams, { epochLength: 0n }), /params.epoch_length must be positive/);
    await d.close();
  });

  test("registry, metering, scoring and rewards", async () => {
    const d = await govDriver();
    const registry = ask(d, RegistryQuery.Params).params!;
    const metering = ask(d, MeteringQuery.Params).params!;
    const scoring = ask(d, ScoringQuery.Params).params!;
    const rewards = ask(d, RewardsQuery.Params).params!;
    const reg = (p: Partial<typeof registry>) => update("/blockai.registry.v1.MsgUpdateParams", registryTx.MsgUpdateParams, { ...registry, ...p });
    const met = (p: Partial<typeof metering>) => update("/blockai.metering.v1.MsgUpdateParams", meteringTx.MsgUpdateParams, { ...metering, ...p });
    const sco = (p: Partial<typeof scoring>) => update("/blockai.scoring.v1.MsgUpdateParams", scoringTx.MsgUpdateParams, { ...scoring, ...p });
    const rew = (p: Partial<typeof rewards>) => update("/blockai.rewards.v1.MsgUpdateParams", rewardsTx.MsgUpdateParams, { ...rewards, ...p });
    await pass(d, [
      reg({ maxOperators: 3, minModelBond: { denom: "usoa", amount: "5000000" } }),
      met({ protocolFeeBps: 300 }),
      sco({ revealWindow: 20n }),
      rew({ claimEpochs: 12n }),
    ]);
    expect(ask(d, RegistryQuery.Params).params).toMatchObject({ maxOperators: 3, minModelBond: { denom: "usoa", amount: "5000000" } });
    expect(ask(d, MeteringQuery.Params).params!.protocolFeeBps).toBe(300);
    expect(ask(d, ScoringQuery.Params).params!.revealWindow).toBe(20n);
    expect(ask(d, RewardsQuery.Params).params!.claimEpochs).toBe(12n);

    await refused(d, reg({ minModelBond: { denom: "uother", amount: "1" } }), /params.min_model_bond/);
    await refused(d, reg({ maxOperators: 1_000_000 }), /params.max_operators: at most/);
    await refused(d, met({ protocolFeeBps: 10_001 }), /params.protocol_fee_bps: at most 10000/);
    await refused(d, met({ maxEscrowDuration: 0n }), /params.max_escrow_duration: must be positive/);
    await refused(d, sco({ revealWindow: 0n }), /params.reveal_window: must be at least 1 block/);
    await refused(d, sco({ minRevealStakeFractionPpm: 1_000_001 }), /params.min_reveal_stake_fraction_ppm/);
    await refused(d, rew({ usageCapBps: 10_000 }), /params.usage_cap_bps: must be below 10000/);
    await refused(d, rew({ claimEpochs: 0n }), /params.claim_epochs: must be >= 1/);
    await d.close();
  });

  test("pow: a passed change; min_target > max_target refused; new bounds clamp the current target", async () => {
    const d = await govDriver();
    const p = ask(d, PowQuery.Params).params!;
    const pow = (c: Partial<typeof p>) => update("/blockai.pow.v1.MsgUpdateParams", powTx.MsgUpdateParams, { ...p, ...c });
    await pass(d, [pow({ targetCertsPerEpoch: 123n })]);
    expect(ask(d, PowQuery.Params).params!.targetCertsPerEpoch).toBe(123n);
    await refused(d, pow({ minTarget: hex64(10n), maxTarget: hex64(9n) }), /params.min_target must be <= max_target/);
    await refused(d, pow({ targetCertsPerEpoch: 0n }), /params.target_certs_per_epoch must be >= 1/);
    await refused(d, pow({ maxCertsPerMinerPerBlock: 0n }), /params.max_certs_per_miner_per_block must be in 1..max_certs_per_block/);
    await refused(d, pow({ minTarget: "xyz" }), /params.min_target/);

    // A max_target below the current target: the target is clamped to it at once (the driver
    // checks the invariants, target within [min_target, max_target], after every block).
    const target = BigInt("0x" + ask(d, PowQuery.Target).target);
    await pass(d, [pow({ targetCertsPerEpoch: 123n, maxTarget: hex64(target / 2n) })]);
    expect(BigInt("0x" + ask(d, PowQuery.Target).target)).toBe(target / 2n);
    await d.block();
    await d.close();
  });

  test("mint: a passed change; shares above 10,000 refused; max_emission below what is minted refused at submission and at execution", async () => {
    const d = await govDriver();
    const p = ask(d, MintQuery.Params).params!;
    const mint = (c: Partial<typeof p>) => update("/blockai.mint.v1.MsgUpdateParams", mintTx.MsgUpdateParams, { ...p, ...c });
    await pass(d, [mint({ stakerBps: 3_000, modelBps: 3_000, initialBlockReward: "7000000" })]);
    expect(ask(d, MintQuery.Params).params).toMatchObject({ stakerBps: 3_000, modelBps: 3_000, initialBlockReward: "7000000" });
    // In force from the next block: it mints the new reward.
    const before = BigInt(ask(d, MintQuery.Minted).minted);
    await d.block();
    expect(BigInt(ask(d, MintQuery.Minted).minted) - before).toBe(7_000_000n);
    await refused(d, mint({ stakerBps: 7_000, minerBps: 3_001 }), /more than 10000/);
    await refused(d, mint({ halvingInterval: 0n }), /params.halving_interval: must be >= 1/);
    await refused(d, mint({ maxEmission: "" }), /params.max_emission: expected a non-negative decimal integer/);
    const minted = BigInt(ask(d, MintQuery.Minted).minted);
    expect(minted).toBeGreaterThan(0n);
    await refused(d, mint({ maxEmission: String(minted - 1n) }), /params.max_emission: .* is below the .* usoa already minted/);

    // Valid when submitted (one more block's reward of headroom); the blocks of the voting period
    // mint past it, so at execution it is refused and the proposal FAILED.
    const reward = 7_000_000n;
    const id = await vote(d, await submit(d, [mint({ maxEmission: String(BigInt(ask(d, MintQuery.Minted).minted) + reward) })]));
    await d.block([], { advance: 11n });
    const failed = proposal(d, id);
    expect(failed.status).toBe(ProposalStatus.PROPOSAL_STATUS_FAILED);
    expect(failed.failedReason).toMatch(/max_emission: .* is below the .* usoa already minted/);
    expect(ask(d, MintQuery.Params).params!.maxEmission).toBe(p.maxEmission);
    await d.close();
  });
});
