import type { EncodeObject } from "@cosmjs/proto-signing";
import type { ExecTxResult, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { BlockaiMsgs, createBlockaiRegistry } from "../../src/client";
import { QueryEpochRewardsRequest, QueryEpochRewardsResponse, QueryPendingRequest, QueryPendingResponse, QueryMinerRewardsRequest, QueryMinerRewardsResponse, QueryModelRewardsRequest, QueryModelRewardsResponse } from "../../src/gen/blockai/rewards/v1/query";
import { QueryBlockRewardRequest, QueryBlockRewardResponse, QueryMintedResponse, QueryAnnualProvisionsResponse } from "../../src/gen/blockai/mint/v1/mint";
import { QueryInflationResponse, QueryAnnualProvisionsResponse as CosmosAnnualProvisionsResponse } from "cosmjs-types/cosmos/mint/v1beta1/query";
import { MsgClaimRewardsResponse } from "../../src/gen/blockai/rewards/v1/tx";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { QueryModelsByDigestRequest, QueryModelsByDigestResponse } from "../../src/gen/blockai/registry/v1/query";
import { RewardKind } from "../../src/gen/blockai/rewards/v1/rewards";
import { MsgSubmitWork } from "../../src/gen/blockai/pow/v1/tx";
import { ModelStatus } from "../../src/gen/blockai/registry/v1/registry";
import { encodeAddress, moduleAddress } from "../../src/types/address";
import { DEC_ONE } from "../../src/types/dec";
import { targetToHex } from "../../src/modules/pow/seal";
import { REWARDS_MODULE, type ModelPerformance } from "../../src/modules/rewards";
import { cumulativeEmission } from "../../src/modules/mint";
import { splitEmission } from "../../src/modules/mint/params";
import { BONDED_POOL, BondStatus, NOT_BONDED_POOL } from "../../src/modules/staking/types";
import { DISTRIBUTION_MODULE } from "../../src/modules/distribution/keeper";
import { Driver } from "../helpers/driver";
import { signTx, TestKey } from "../helpers/keys";
import { driverBlockHash, findNonce, registerModel, signCert } from "../helpers/pow";

const registry = createBlockaiRegistry();
const EPOCH = 10n;
const TARGET = (1n << 248n) - 1n;
const REWARD = 1_000_000n;
const HALVING = 25n;
const MAX_EMISSION = 40_000_000n;
const REWARDS_ACCOUNT = encodeAddress(moduleAddress(REWARDS_MODULE));
const TX_FEE = 10_000n;

/** Scores for tests: every listed model scores, validators agree by the table. */
function stubScores(scores: Map<bigint, bigint>, agreement: (op: Uint8Array) => bigint): ModelPerformance {
  return {
    scoredModels: () => [...scores].map(([modelId, scorePpm]) => ({ modelId, scorePpm })),
    agreementPpm: (_root, _epoch, op) => agreement(op),
  };
}

/**
 * The acceptance identity, checked after every block: supply = genesis supply + minted - burned,
 * and supply = balances (the rewards account included) + bonded + unbonding + distribution's
 * outstanding rewards and community pool.
 */
class SupplyLedger {
  burned = 0n;
  constructor(
    private readonly d: Driver,
    readonly genesisSupply: bigint,
  ) {}

  record(response: ResponseFinalizeBlock): void {
    const events = [...response.events, ...response.txResults.flatMap((r) => r.events)];
    for (const e of events) {
      if (e.type !== "burn") continue;
      const amount = e.attributes.find((a) => a.key === "amount")?.value ?? "";
      const m = /^([0-9]+)usoa$/.exec(amount);
      if (m) this.burned += BigInt(m[1]);
    }
  }

  check(): void {
    const k = this.d.app.keepers;
    const s = this.d.store;
    const supply = k.bank.getSupply(s, "usoa");
    expect(supply).toBe(this.genesisSupply + k.mint.getMinted(s) - this.burned);
    const special = new Set([BONDED_POOL, NOT_BONDED_POOL, DISTRIBUTION_MODULE].map((n) => Buffer.from(moduleAddress(n)).toString("hex")));
    let balances = 0n;
    for (const { address, coins } of k.bank.allBalances(s)) {
      if (special.has(Buffer.from(address).toString("hex"))) continue;
      for (const c of coins) if (c.denom === "usoa") balances += c.amount;
    }
    let bonded = 0n;
    let unbonding = 0n;
    for (const v of k.staking.allValidators(s)) {
      if (v.status === BondStatus.BOND_STATUS_BONDED) bonded += v.tokens;
      else unbonding += v.tokens;
    }
    for (const u of k.staking.allUnbondingDelegations(s)) for (const en of u.entries) unbonding += en.balance;
    const distribution = k.bank.getBalance(s, moduleAddress(DISTRIBUTION_MODULE), "usoa");
    expect(balances + bonded + unbonding + distribution).toBe(supply);
    // The rewards account holds exactly its accrued pools and the unclaimed part of open epochs.
    expect(k.rewards.invariants(s)).toEqual([]);
  }
}

describe("rewards: emission split, epoch pools, claims (in-process, supply identity after every block)", () => {
  let d: Driver;
  let ledger: SupplyLedger;
  let owner: TestKey;
  let miner: TestKey;
  let consumer: TestKey;
  let payout: TestKey;

  const store = () => d.app.committedStore()!;
  const k = () => d.app.keepers;

  async function block(txs: Uint8Array[] = []): Promise<ExecTxResult[]> {
    const { results, response } = await d.block(txs);
    ledger.record(response);
    ledger.check();
    return results;
  }

  function tx(key: TestKey, msgs: EncodeObject[]): Uint8Array {
    const acc = d.account(key.address)!;
    return signTx({ key, msgs: msgs.map((m) => registry.encodeAsAny(m)), accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId, fee: [{ denom: "usoa", amount: TX_FEE.toString() }], gas: 600_000n });
  }

  async function send(key: TestKey, msgs: EncodeObject[]): Promise<ExecTxResult> {
    const [r] = await block([tx(key, msgs)]);
    return r;
  }

  function q<T>(service: string, method: string, data: Uint8Array, decode: (b: Uint8Array) => T): T {
    const res = d.app.query({ path: `/${service}/${method}`, data, height: 0n, prove: false });
    if (res.code !== 0) throw Object.assign(new Error(res.log), { code: res.code, codespace: res.codespace });
    return decode(res.value);
  }
  const epochRewards = (epoch: bigint) => q("blockai.rewards.v1.Query", "EpochRewards", QueryEpochRewardsRequest.encode({ epoch }).finish(), QueryEpochRewardsResponse.decode).rewards!;
  const pending = (address: string) => q("blockai.rewards.v1.Query", "Pending", QueryPendingRequest.encode({ address }).finish(), QueryPendingResponse.decode);

  /** Runs empty blocks until the block that ends the current epoch has been committed. */
  async function finishEpoch(): Promise<bigint> {
    const epoch = k().epochs.current(store());
    while (BigInt(d.height) < epoch.endHeight) await block();
    return epoch.number;
  }

  /** `n` certificates by `key`, one per block (a miner has at most max_certs_per_miner_per_block). */
  async function mine(key: TestKey, modelId: bigint, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const anchorHeight = BigInt(d.height);
      const workDigest = Buffer.alloc(32, i + 1);
      const { nonce } = findNonce({ chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: key.addressBytes, modelId, workDigest }, TARGET);
      const msg: MsgSubmitWork = { miner: key.address, modelId, anchorHeight, workDigest, nonce };
      const acc = d.account(key.address);
      const [r] = await block([signCert(d, key, msg, { accountNumber: acc?.accountNumber ?? 0n, sequence: acc?.sequence ?? 0n })]);
      expect({ code: r.code, log: r.log }).toEqual({ code: 0, log: "" });
    }
  }

  /** Registers a model with artifact digest 32 x `fill`; returns its id. */
  async function registerWithDigest(key: TestKey, fill: number): Promise<bigint> {
    const r = await send(key, [
      BlockaiMsgs.registerModel(key.address, { name: `m${fill}`, version: "1", task: "text-generation", artifactDigest: new Uint8Array(32).fill(fill), pricePerUnit: 1n, unit: "call", bond: 1000n }),
    ]);
    expect(r.log).toBe("");
    return MsgRegisterModelResponse.decode(TxMsgData.decode(r.data).msgResponses[0].value).modelId;
  }

  beforeEach(async () => {
    let genesisSupply = 0n;
    d = await Driver.create({
      accounts: 5,
      validators: 2,
      appState: (s) => {
        s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "3", max_operators: 5 } };
        s.metering = { params: { protocol_fee_bps: 200, claim_grace: "4", max_escrow_duration: "1000" } };
        s.epochs = { params: { epoch_length: EPOCH.toString() } };
        s.pow = {
          params: { anchor_window: "8", max_certs_per_block: "20", target_certs_per_epoch: "10", min_target: targetToHex(TARGET), max_target: targetToHex(TARGET) },
          target: targetToHex(TARGET),
        };
        s.mint.params = { ...s.mint.params, initial_block_reward: REWARD.toString(), halving_interval: HALVING.toString(), max_emission: MAX_EMISSION.toString() };
        s.rewards.params = { ...s.rewards.params, claim_epochs: "2" };
        // The genesis state is committed with the first block: its supply is the balances' sum.
        for (const b of s.bank.balances) for (const c of b.coins) if (c.denom === "usoa") genesisSupply += BigInt(c.amount);
      },
    });
    [owner, miner, consumer, payout] = d.keys;
    ledger = new SupplyLedger(d, genesisSupply);
  });
  afterEach(async () => d.close());

  test("each block: R(h) minted, stakers' share paid by distribution in the same block, community share to the pool", async () => {
    await block();
    await block();
    const s0 = store();
    const dist0 = k().bank.getBalance(s0, moduleAddress(DISTRIBUTION_MODULE), "usoa");
    const accrued0 = k().rewards.getAccrued(s0);
    await block();
    const s1 = store();
    const split = splitEmission(k().mint.getParams(s1), REWARD);
    // No fees in these blocks: distribution received exactly the stakers' and community shares.
    expect(k().bank.getBalance(s1, moduleAddress(DISTRIBUTION_MODULE), "usoa") - dist0).toBe(split.stakers + split.community);
    const accrued1 = k().rewards.getAccrued(s1);
    expect(BigInt(accrued1.miners) - BigInt(accrued0.miners)).toBe(split.miners);
    expect(BigInt(accrued1.models) - BigInt(accrued0.models)).toBe(split.models);
    expect(BigInt(accrued1.scorers) - BigInt(accrued0.scorers)).toBe(split.scorers);
    // The validators of the last commit got the stakers' share by power (equal powers here).
    const outstanding = k().distribution.allOutstanding(s1).map((o) => o.rewards.find((c) => c.denom === "usoa")?.amount ?? 0n);
    expect(outstanding).toHaveLength(2);
    expect(outstanding[0]).toBe(outstanding[1]);
    expect(outstanding[0]).toBeGreaterThan(0n);
    // Queries.
    const minted = q("blockai.mint.v1.Query", "Minted", new Uint8Array(), QueryMintedResponse.decode);
    expect(minted).toEqual({ minted: (3n * REWARD).toString(), maxEmission: MAX_EMISSION.toString(), lastHeight: 3n });
    const next = q("blockai.mint.v1.Query", "BlockReward", QueryBlockRewardRequest.encode({ height: 0n }).finish(), QueryBlockRewardResponse.decode);
    expect(next).toEqual({ height: 4n, scheduled: REWARD.toString(), halvings: 0n });
    const later = q("blockai.mint.v1.Query", "BlockReward", QueryBlockRewardRequest.encode({ height: 2n * HALVING + 1n }).finish(), QueryBlockRewardResponse.decode);
    expect(later).toEqual({ height: 2n * HALVING + 1n, scheduled: (REWARD / 4n).toString(), halvings: 2n });
    const annual = q("blockai.mint.v1.Query", "AnnualProvisions", new Uint8Array(), QueryAnnualProvisionsResponse.decode);
    // blocks_per_year far exceeds the schedule here: the estimate is everything left under the cap.
    expect(annual.annualProvisions).toBe((MAX_EMISSION - 3n * REWARD).toString());
    const cosmos = q("cosmos.mint.v1beta1.Query", "AnnualProvisions", new Uint8Array(), CosmosAnnualProvisionsResponse.decode);
    expect(new TextDecoder().decode(cosmos.annualProvisions)).toBe(((MAX_EMISSION - 3n * REWARD) * DEC_ONE).toString());
    const inflation = q("cosmos.mint.v1beta1.Query", "Inflation", new Uint8Array(), QueryInflationResponse.decode);
    expect(BigInt(new TextDecoder().decode(inflation.inflation))).toBe(((MAX_EMISSION - 3n * REWARD) * DEC_ONE) / k().bank.getSupply(s1, "usoa"));
  });

  test("shares with no recipient (no miners, no usage, no scores) go to the community pool at the epoch's end: nothing held, nothing lost", async () => {
    await block();
    const epoch = await finishEpoch();
    const r = epochRewards(epoch);
    const minted = k().mint.getMinted(store());
    let epochShares = 0n;
    for (let h = 1n; h <= BigInt(d.height); h++) {
      const s = splitEmission(k().mint.getParams(store()), cumulativeEmission(k().mint.getParams(store()), h) - cumulativeEmission(k().mint.getParams(store()), h - 1n));
      epochShares += s.scorers + s.miners + s.models;
    }
    expect(minted).toBe(EPOCH * REWARD);
    expect(r).toMatchObject({ epoch, held: "0", claimed: "0", minerPool: "0", scorerPaid: "0", performanceAllocated: "0", usageAllocated: "0", toCommunityPool: epochShares.toString() });
    expect(d.balance(REWARDS_ACCOUNT)).toBe(0n);
    expect(pending(owner.address)).toEqual({ rewards: [], total: "0" });
    const claim = await send(owner, [BlockaiMsgs.claimRewards(owner.address)]);
    expect([claim.codespace, claim.code]).toEqual(["rewards", 2]);
  });

  test("a miner, a model with usage and a score, scorers: each claims exactly what EpochRewards says; unclaimed rewards expire into the pool", async () => {
    await block();
    const modelId = await registerModel(d, owner, [miner.address]);
    const honest = await registerWithDigest(consumer, 9);
    d.app.keepers.rewards.setModelPerformance(
      stubScores(new Map([[modelId, 600_000n], [honest, 200_000n]]), (op) => (Buffer.from(op).equals(Buffer.from(d.validators[0].operator.addressBytes)) ? 1_000_000n : 500_000n)),
    );
    await mine(miner, modelId, 3);
    await mine(owner, modelId, 1);
    expect((await send(owner, [BlockaiMsgs.setPayoutAddress(owner.address, modelId, payout.address)])).code).toBe(0);
    expect((await send(consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 5n, 1_000_000n)])).code).toBe(0);
    // Up to the epoch's last block, then that block alone: the scorers' push happens in it.
    while (BigInt(d.height) < k().epochs.current(store()).endHeight - 1n) await block();
    const usoaOf = (rewards: Array<{ denom: string; amount: bigint }>) => rewards.find((c) => c.denom === "usoa")?.amount ?? 0n;
    const outstanding = () => d.validators.map((v) => usoaOf(k().distribution.allOutstanding(store()).find((o) => Buffer.from(o.val).equals(Buffer.from(v.operator.addressBytes)))!.rewards));
    const before = outstanding();
    const epoch = await finishEpoch();
    const r = epochRewards(epoch);

    // Miners: 3 and 1 certificates at the same target.
    expect(BigInt(r.minerPool)).toBeGreaterThan(0n);
    const minerOwed = (BigInt(r.minerPool) * 3n) / 4n;
    const ownerMinerOwed = BigInt(r.minerPool) / 4n;
    const mr = q("blockai.rewards.v1.Query", "MinerRewards", QueryMinerRewardsRequest.encode({ miner: miner.address, epoch }).finish(), QueryMinerRewardsResponse.decode);
    expect(mr).toMatchObject({ amount: minerOwed.toString(), pool: r.minerPool, claimed: false });
    // Models: usage capped at half the fee (20,000 usoa fee -> 10,000), the cut flowing to performance.
    const model = q("blockai.rewards.v1.Query", "ModelRewards", QueryModelRewardsRequest.encode({ modelId, epoch }).finish(), QueryModelRewardsResponse.decode);
    expect(model.payoutAddress).toBe(payout.address);
    expect(model.reward).toMatchObject({ amountPaid: "1000000", protocolFees: "20000", usageReward: "10000", scorePpm: 600_000n });
    expect(BigInt(r.usageAllocated)).toBe(10_000n);
    expect(BigInt(r.performanceStream)).toBe(BigInt(r.modelPool) - 10_000n);
    expect(BigInt(model.reward!.performanceReward)).toBe((BigInt(r.performanceStream) * 600_000n) / 800_000n);
    // Scorers: validator 0 agrees fully, validator 1 half, equal stakes: 2/3 and 1/3 of the pool.
    const pool = BigInt(r.scorerPool);
    expect(BigInt(r.scorerPaid)).toBe((pool * 2n) / 3n + pool / 3n);
    // Both got the same stakers' share in that block (equal power); the difference is the scorers'.
    const after = outstanding();
    expect((after[0] - before[0] - (after[1] - before[1])) / DEC_ONE).toBe((pool * 2n) / 3n - pool / 3n);
    // Everything of the epoch is accounted for.
    const accruedTotal = BigInt(r.minerPool) + BigInt(r.modelPool) + pool;
    expect(BigInt(r.held) + BigInt(r.toCommunityPool) + BigInt(r.scorerPaid)).toBe(accruedTotal);

    // Claims pay exactly floor(pool x own / total), each once.
    const ownerModelOwed = BigInt(model.reward!.usageReward) + BigInt(model.reward!.performanceReward);
    expect(pending(miner.address)).toEqual({ rewards: [{ epoch, kind: RewardKind.REWARD_KIND_MINER, modelId: 0n, amount: minerOwed.toString() }], total: minerOwed.toString() });
    const m0 = d.balance(miner.address);
    const res = await send(miner, [BlockaiMsgs.claimRewards(miner.address)]);
    expect(res.log).toBe("");
    expect(MsgClaimRewardsResponse.decode(TxMsgData.decode(res.data).msgResponses[0].value)).toEqual({ amount: minerOwed.toString(), epochs: 1n });
    expect(d.balance(miner.address)).toBe(m0 + minerOwed - TX_FEE);
    expect((await send(miner, [BlockaiMsgs.claimRewards(miner.address)])).code).toBe(2);

    const p0 = d.balance(payout.address);
    const o0 = d.balance(owner.address);
    const claim = await send(owner, [BlockaiMsgs.claimRewards(owner.address, [RewardKind.REWARD_KIND_MODEL])]);
    expect(claim.log).toBe("");
    expect(d.balance(payout.address)).toBe(p0 + ownerModelOwed);
    expect(d.balance(owner.address)).toBe(o0 - TX_FEE);
    expect(epochRewards(epoch).claimed).toBe((minerOwed + ownerModelOwed).toString());

    // The honest model's owner and the owner's miner share are left unclaimed: after claim_epochs
    // (2) more epoch ends, what is left (and the rounding dust) goes to the community pool.
    const honestReward = k().rewards.getModelReward(store(), epoch, honest)!;
    expect(BigInt(honestReward.performanceReward)).toBeGreaterThan(0n);
    await finishEpoch();
    expect(epochRewards(epoch).expired).toBe(false);
    await finishEpoch();
    const expired = epochRewards(epoch);
    expect(expired.expired).toBe(true);
    expect(BigInt(expired.expiredToCommunityPool)).toBe(BigInt(r.held) - minerOwed - ownerModelOwed);
    expect(BigInt(expired.expiredToCommunityPool)).toBeGreaterThanOrEqual(ownerMinerOwed + BigInt(honestReward.performanceReward));
    expect(pending(consumer.address).rewards.filter((p) => p.epoch === epoch)).toEqual([]);
    expect(pending(owner.address).rewards.filter((p) => p.epoch === epoch)).toEqual([]);
  });

  test("a RETIRED model is never paid; only its owner sets a payout address, never to a module account", async () => {
    await block();
    const modelId = await registerModel(d, owner, []);
    d.app.keepers.rewards.setModelPerformance(stubScores(new Map([[modelId, 1_000_000n]]), () => 0n));
    expect((await send(consumer, [BlockaiMsgs.setPayoutAddress(consumer.address, modelId, consumer.address)])).code).toBe(4);
    const blocked = await send(owner, [BlockaiMsgs.setPayoutAddress(owner.address, modelId, REWARDS_ACCOUNT)]);
    expect([blocked.codespace, blocked.code]).toEqual(["rewards", 6]);
    const epoch = await finishEpoch();
    expect(BigInt(k().rewards.getModelReward(store(), epoch, modelId)!.performanceReward)).toBeGreaterThan(0n);
    expect(pending(owner.address).total).not.toBe("0");
    expect((await send(owner, [{ typeUrl: "/blockai.registry.v1.MsgSetModelStatus", value: { sender: owner.address, modelId, status: ModelStatus.MODEL_STATUS_RETIRED } }])).code).toBe(0);
    expect(pending(owner.address)).toEqual({ rewards: [], total: "0" });
    expect((await send(owner, [BlockaiMsgs.claimRewards(owner.address)])).code).toBe(2);
    // The next epoch: a retired model scores nothing.
    const next = await finishEpoch();
    expect(k().rewards.getModelReward(store(), next, modelId)).toMatchObject({ performanceReward: "0", note: "not_active" });
  });

  test("one artifact, one performance reward: a copy of an ACTIVE model's digest earns usage only; the original's retirement passes the title on", async () => {
    await block();
    const original = await registerWithDigest(owner, 5);
    const copy = await registerWithDigest(consumer, 5);
    const other = await registerWithDigest(payout, 6);
    const byDigest = q("blockai.registry.v1.Query", "ModelsByDigest", QueryModelsByDigestRequest.encode({ artifactDigest: new Uint8Array(32).fill(5), pagination: undefined }).finish(), QueryModelsByDigestResponse.decode);
    expect(byDigest.models.map((m) => m.id)).toEqual([original, copy]);
    const bad = d.app.query({ path: "/blockai.registry.v1.Query/ModelsByDigest", data: QueryModelsByDigestRequest.encode({ artifactDigest: new Uint8Array(3), pagination: undefined }).finish(), height: 0n, prove: false });
    expect(bad.code).not.toBe(0);
    d.app.keepers.rewards.setModelPerformance(stubScores(new Map([[original, 500_000n], [copy, 500_000n], [other, 500_000n]]), () => 0n));
    // Real usage of the copy: it earns its (capped) usage reward.
    expect((await send(miner, [BlockaiMsgs.payForUsage(miner.address, copy, 1n, 1_000_000n)])).code).toBe(0);
    let epoch = await finishEpoch();
    const rewardOf = (id: bigint) => k().rewards.getModelReward(store(), epoch, id)!;
    expect(rewardOf(copy)).toMatchObject({ performanceReward: "0", usageReward: "10000", note: "duplicate_artifact" });
    expect(BigInt(rewardOf(original).performanceReward)).toBeGreaterThan(0n);
    expect(rewardOf(original).performanceReward).toBe(rewardOf(other).performanceReward);
    // Retired, the original no longer holds the title: the copy is now the earliest ACTIVE one.
    expect((await send(owner, [{ typeUrl: "/blockai.registry.v1.MsgSetModelStatus", value: { sender: owner.address, modelId: original, status: ModelStatus.MODEL_STATUS_RETIRED } }])).code).toBe(0);
    epoch = await finishEpoch();
    expect(BigInt(rewardOf(copy).performanceReward)).toBeGreaterThan(0n);
    expect(rewardOf(original)).toMatchObject({ performanceReward: "0", note: "not_active" });
  });

  test("one claim pays every open epoch at once; a claimed epoch is not paid again; an expired one pays nothing", async () => {
    await block();
    const modelId = await registerWithDigest(owner, 8);
    await mine(owner, modelId, 1);
    const e1 = await finishEpoch();
    await mine(owner, modelId, 2);
    const e2 = await finishEpoch();
    const owed = (e: bigint) => {
      const r = k().rewards.getEpochRewards(store(), e)!;
      return BigInt(r.minerPool); // the only miner: the whole pool
    };
    expect(pending(owner.address).rewards.map((p) => p.epoch)).toEqual([e1, e2]);
    const m0 = d.balance(owner.address);
    const res = await send(owner, [BlockaiMsgs.claimRewards(owner.address, [RewardKind.REWARD_KIND_MINER])]);
    expect(MsgClaimRewardsResponse.decode(TxMsgData.decode(res.data).msgResponses[0].value)).toEqual({ amount: (owed(e1) + owed(e2)).toString(), epochs: 2n });
    expect(d.balance(owner.address)).toBe(m0 + owed(e1) + owed(e2) - TX_FEE);
    const mr = q("blockai.rewards.v1.Query", "MinerRewards", QueryMinerRewardsRequest.encode({ miner: owner.address, epoch: e1 }).finish(), QueryMinerRewardsResponse.decode);
    expect(mr).toMatchObject({ claimed: true, amount: owed(e1).toString() });
    // Mining in the next epoch, then letting its window close (claim_epochs = 2): nothing to claim.
    await mine(owner, modelId, 1);
    const e3 = await finishEpoch();
    await finishEpoch();
    await finishEpoch();
    expect(epochRewards(e3)).toMatchObject({ expired: true, expiredToCommunityPool: epochRewards(e3).held });
    expect(pending(owner.address)).toEqual({ rewards: [], total: "0" });
    expect((await send(owner, [BlockaiMsgs.claimRewards(owner.address)])).code).toBe(2);
  });

  test("genesis export and import: mint's total and rewards' epochs, model rewards, cursors and payout addresses come back; the rewards account must match them", async () => {
    await block();
    const modelId = await registerWithDigest(owner, 4);
    d.app.keepers.rewards.setModelPerformance(stubScores(new Map([[modelId, 700_000n]]), () => 1_000_000n));
    await mine(owner, modelId, 1);
    expect((await send(owner, [BlockaiMsgs.setPayoutAddress(owner.address, modelId, payout.address)])).code).toBe(0);
    expect((await send(consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 1n, 500_000n)])).code).toBe(0);
    await finishEpoch();
    expect((await send(owner, [BlockaiMsgs.claimRewards(owner.address, [RewardKind.REWARD_KIND_MINER])])).code).toBe(0);
    await block();
    const exported = d.app.exportGenesis() as Record<string, any>;
    expect(exported.rewards.model_rewards.length).toBeGreaterThan(0);
    expect(exported.rewards.miner_cursors).toHaveLength(1);
    expect(exported.rewards.payout_addresses).toEqual([{ model_id: modelId.toString(), address: payout.address }]);
    // Anchors are bound to heights of the old chain; the imported one starts again at height 1.
    exported.pow.anchors = [];
    exported.pow.used_seals = [];

    const e = await Driver.create({ appState: (s) => Object.assign(s, exported) });
    try {
      await e.block();
      const again = e.app.exportGenesis() as Record<string, any>;
      for (const key of ["params", "epochs", "model_rewards", "miner_cursors", "payout_addresses", "epochs_ended", "oldest_open_epoch"]) expect(again.rewards[key]).toEqual(exported.rewards[key]);
      expect(again.mint.params).toEqual(exported.mint.params);
      // The imported chain's first block is height 1 again: it mints R(1) on top of the total.
      expect(BigInt(again.mint.minted)).toBe(BigInt(exported.mint.minted) + REWARD);
    } finally {
      await e.close();
    }
    // A rewards account that does not hold what the records say is refused, naming the module.
    const bad = JSON.parse(JSON.stringify(exported));
    bad.rewards.accrued = { scorers: "1", miners: "0", models: "0" };
    await expect(Driver.create({ appState: (s) => Object.assign(s, bad) })).rejects.toThrow(/rewards: .*module account holds/);
  });

  test("emission stops at max_emission exactly, across halvings, and the epoch pools stop with it", async () => {
    // 1,000,000 for 25 blocks, 500,000 for 25, then 250,000: the 40,000,000 cap is reached in the
    // third era, at block 60 (25M + 12.5M + 10 x 250,000).
    await block();
    const params = k().mint.getParams(store());
    let h = 0n;
    while (k().mint.getMinted(store()) < MAX_EMISSION && h < 400n) {
      await block();
      h = BigInt(d.height);
      expect(k().mint.getMinted(store())).toBe(cumulativeEmission(params, h));
    }
    expect(k().mint.getMinted(store())).toBe(MAX_EMISSION);
    expect(h).toBe(60n);
    const accrued = k().rewards.getAccrued(store());
    await block();
    expect(k().mint.getMinted(store())).toBe(MAX_EMISSION);
    expect(k().rewards.getAccrued(store())).toEqual(accrued);
  });
});
