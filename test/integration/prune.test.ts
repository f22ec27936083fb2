import type { EncodeObject } from "@cosmjs/proto-signing";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { BlockaiMsgs, createBlockaiRegistry, ModelStatus, signVoucher } from "../../src/client";
import { MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import { MsgClaimRewardsResponse } from "../../src/gen/blockai/rewards/v1/tx";
import type { MsgSubmitWork } from "../../src/gen/blockai/pow/v1/tx";
import { RewardKind } from "../../src/gen/blockai/rewards/v1/rewards";
import { targetToHex } from "../../src/modules/pow/seal";
import { concatBytes } from "../../src/types/bytes";
import type { Any } from "cosmjs-types/google/protobuf/any";
import * as meteringTx from "../../src/gen/blockai/metering/v1/tx";
import * as powTx from "../../src/gen/blockai/pow/v1/tx";
import * as rewardsTx from "../../src/gen/blockai/rewards/v1/tx";
import { paramsToProto } from "../../src/modules/pow";
import { rewardsParamsToProto } from "../../src/modules/rewards/params";
import { GOV_AUTHORITY, VoteOption, msgSubmitProposal, msgVote } from "../helpers/gov";
import { Driver } from "../helpers/driver";
import { signTx, TestKey } from "../helpers/keys";
import { driverBlockHash, findNonce, registerModel, signCert } from "../helpers/pow";

/**
 * Pruning (docs/pruning.md), in-process with every invariant checked after every block: what is
 * pruned is gone, and nothing a claim can still need is pruned — the attacks here are a miner or a
 * provider who waits to the last moment, and one who replays what was pruned.
 */
const registry = createBlockaiRegistry();
const EPOCH = 10n;
const CLAIM_EPOCHS = 3n;
const TARGET = (1n << 248n) - 1n;
const FEE = 10_000n;
const RETENTION = 5n;

function tx(d: Driver, key: TestKey, msgs: EncodeObject[]): Uint8Array {
  const acc = d.account(key.address)!;
  return signTx({ key, msgs: msgs.map((m) => registry.encodeAsAny(m)), accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId, fee: [{ denom: "usoa", amount: FEE.toString() }], gas: 600_000n });
}

async function send(d: Driver, key: TestKey, msgs: EncodeObject[]): Promise<ExecTxResult> {
  const { results } = await d.block([tx(d, key, msgs)]);
  return results[0];
}

/** Every state key under a module prefix whose next byte is `sub` (the committed state). */
function countKeys(d: Driver, prefix: string, sub: number): number {
  const p = concatBytes(new TextEncoder().encode(prefix), Uint8Array.of(sub));
  return d.store.range(p, concatBytes(new TextEncoder().encode(prefix), Uint8Array.of(sub + 1))).length;
}

describe("pruning: bounded work per block, never what a claim can still read", () => {
  let d: Driver;
  let owner: TestKey;
  let early: TestKey;
  let late: TestKey;
  let consumer: TestKey;
  const k = () => d.app.keepers;
  const epochNow = () => k().epochs.currentEpoch(d.store);

  beforeEach(async () => {
    d = await Driver.create({
      accounts: 4,
      validators: 1,
      appState: (s) => {
        s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "3", max_operators: 5 } };
        // One entry per block: pruning a backlog takes many blocks, each doing bounded work.
        s.metering = { params: { protocol_fee_bps: 200, claim_grace: "2", max_escrow_duration: "1000", closed_escrow_retention: RETENTION.toString(), prune_per_block: "4" } };
        s.epochs = { params: { epoch_length: EPOCH.toString() } };
        s.pow = {
          params: { anchor_window: "8", max_certs_per_block: "20", target_certs_per_epoch: "10", min_target: targetToHex(TARGET), max_target: targetToHex(TARGET), prune_per_block: "1" },
          target: targetToHex(TARGET),
        };
        s.rewards.params = { ...s.rewards.params, claim_epochs: CLAIM_EPOCHS.toString(), expired_epoch_retention: "1", prune_per_block: "1" };
      },
    });
    [owner, early, late, consumer] = d.keys;
    await d.block();
  });
  afterEach(async () => d.close());

  async function mine(key: TestKey, modelId: bigint, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const anchorHeight = BigInt(d.height);
      const workDigest = Buffer.alloc(32, i + 1);
      const { nonce } = findNonce({ chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: key.addressBytes, modelId, workDigest }, TARGET);
      const msg: MsgSubmitWork = { miner: key.address, modelId, anchorHeight, workDigest, nonce };
      const acc = d.account(key.address);
      const { results } = await d.block([signCert(d, key, msg, { accountNumber: acc?.accountNumber ?? 0n, sequence: acc?.sequence ?? 0n })]);
      expect({ code: results[0].code, log: results[0].log }).toEqual({ code: 0, log: "" });
    }
  }

  /** Empty blocks up to and including the last block of epoch `e`. */
  async function endOfEpoch(e: bigint): Promise<void> {
    while (epochNow() <= e) await d.block();
  }

  test("a miner who claims in the last epoch of the window gets exactly his share; after expiry the tallies go, a few per block", async () => {
    const modelId = await registerModel(d, owner, [early.address, late.address]);
    const epoch = epochNow();
    await mine(early, modelId, 2);
    await mine(late, modelId, 3);
    expect((await send(d, consumer, [BlockaiMsgs.payForUsage(consumer.address, modelId, 5n, 1_000_000n)])).code).toBe(0);
    await endOfEpoch(epoch);
    const r = k().rewards.getEpochRewards(d.store, epoch)!;
    expect(BigInt(r.minerPool)).toBeGreaterThan(0n);
    const lateOwed = (BigInt(r.minerPool) * 3n) / 5n;

    // The early miner claims at once, then the late one waits until the last block before expiry.
    expect((await send(d, early, [BlockaiMsgs.claimRewards(early.address)])).code).toBe(0);
    while (epochNow() < epoch + CLAIM_EPOCHS) await d.block();
    while (BigInt(d.height) < k().epochs.current(d.store).endHeight - 1n) await d.block();
    // Dozens of blocks of pruning have run: the window's tallies and usage are all still there.
    expect(k().pow.minerWork(d.store, late.addressBytes, epoch).work).toBeGreaterThan(0n);
    expect(k().metering.usageForEpoch(d.store, epoch)).toHaveLength(1);
    const before = d.balance(late.address);
    const claim = await send(d, late, [BlockaiMsgs.claimRewards(late.address, [RewardKind.REWARD_KIND_MINER])]);
    expect(claim.log).toBe("");
    expect(MsgClaimRewardsResponse.decode(TxMsgData.decode(claim.data).msgResponses[0].value).amount).toBe(lateOwed.toString());
    expect(d.balance(late.address)).toBe(before + lateOwed - FEE);

    // That block ended the window. Epoch `epoch` is expired: its 9 tally entries (1 epoch, 2 miners,
    // 1 model, 2 miner-model... and their aggregates) go at prune_per_block = 1 a block.
    expect(k().rewards.getEpochRewards(d.store, epoch)!.expired).toBe(true);
    const tallies = () => [0x06, 0x07, 0x08, 0x09].reduce((n, p) => n + countKeys(d, "pow/", p), 0);
    const start = tallies();
    expect(start).toBeGreaterThan(0);
    await d.block();
    expect(tallies()).toBe(start - 1);
    await d.blocks(start);
    expect(tallies()).toBe(0);
    expect(k().pow.minerWork(d.store, late.addressBytes, epoch).work).toBe(0n);
    expect(k().metering.usageForEpoch(d.store, epoch)).toHaveLength(0);
    // The fees of the pruned usage record stay accounted (the invariant checked every block).
    expect(k().metering.checkInvariants(d.store)).toEqual([]);
    // Nothing to claim for the expired epoch, and no double pay for the late miner.
    expect((await send(d, late, [BlockaiMsgs.claimRewards(late.address, [RewardKind.REWARD_KIND_MINER])])).code).toBe(2);
    // The expired epoch's own records go expired_epoch_retention (1) epoch later.
    await endOfEpoch(epochNow());
    await d.blocks(3);
    expect(k().rewards.getEpochRewards(d.store, epoch)).toBeUndefined();
    expect(k().rewards.allModelRewards(d.store).filter((m) => m.epoch === epoch)).toHaveLength(0);
  });

  test("a closed escrow and its index keys are pruned after the retention; its old vouchers then find nothing to pay", async () => {
    const modelId = await registerModel(d, owner);
    const open = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 1_000_000n, BigInt(d.height) + 100n)]);
    const id = MsgOpenEscrowResponse.decode(TxMsgData.decode(open.data).msgResponses[0].value).escrowId;
    const voucher = (amount: bigint) => signVoucher({ chainId: d.chainId, escrowId: id, cumulativeUnits: amount, cumulativeAmount: amount }, consumer.privateKey);
    expect((await send(d, owner, [BlockaiMsgs.claimUsage(owner.address, voucher(100n))])).code).toBe(0);
    expect((await send(d, owner, [BlockaiMsgs.closeEscrow(owner.address, id)])).code).toBe(0);
    const closedAt = BigInt(d.height);
    expect(countKeys(d, "metering/", 0x0a)).toBe(1);
    // Kept (and queryable, refusing claims as CLOSED) during the retention.
    while (BigInt(d.height) < closedAt + RETENTION - 1n) await d.block();
    expect(k().metering.getEscrow(d.store, id)).toBeDefined();
    expect(await send(d, owner, [BlockaiMsgs.claimUsage(owner.address, voucher(200n))])).toMatchObject({ codespace: "metering", code: 5 });
    // The retention ended in that block: record, both index keys and the queue entry are gone.
    expect(BigInt(d.height)).toBe(closedAt + RETENTION);
    expect(k().metering.getEscrow(d.store, id)).toBeUndefined();
    for (const sub of [0x02, 0x03, 0x04, 0x0a]) expect(countKeys(d, "metering/", sub)).toBe(0);
    // A replayed or newer voucher of the pruned escrow pays nothing: the escrow is unknown.
    const ownerBefore = d.balance(owner.address);
    expect(await send(d, owner, [BlockaiMsgs.claimUsage(owner.address, voucher(300n))])).toMatchObject({ codespace: "metering", code: 2 });
    expect(d.balance(owner.address)).toBe(ownerBefore - FEE);
    // Ids are never reused: the next escrow gets a new one.
    const again = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 1_000n, BigInt(d.height) + 100n)]);
    expect(MsgOpenEscrowResponse.decode(TxMsgData.decode(again.data).msgResponses[0].value).escrowId).toBe(id + 1n);
  });

  test("a retired model loses its owner, status and task index entries when its bond is returned; the record stays", async () => {
    const modelId = await registerModel(d, owner);
    expect((await send(d, owner, [BlockaiMsgs.setModelStatus(owner.address, modelId, ModelStatus.MODEL_STATUS_RETIRED)])).code).toBe(0);
    const ownerKeys = () => countKeys(d, "registry/", 0x03) + countKeys(d, "registry/", 0x04) + countKeys(d, "registry/", 0x05);
    expect(ownerKeys()).toBe(3);
    await d.blocks(4);
    const m = k().registry.getModel(d.store, modelId)!;
    expect(m.bondReturned).toBe(true);
    expect(ownerKeys()).toBe(0);
    expect(countKeys(d, "registry/", 0x07)).toBe(1);
  });

  test("prune_per_block beyond the cap is refused at genesis, naming the field", async () => {
    await expect(Driver.create({ appState: (s) => (s.pow = { ...s.pow, params: { ...s.pow.params, prune_per_block: "100001" } }) })).rejects.toThrow(/pow.params.prune_per_block/);
    await expect(Driver.create({ appState: (s) => (s.metering = { params: { prune_per_block: "100001" } }) })).rejects.toThrow(/metering.params.prune_per_block/);
    await expect(Driver.create({ appState: (s) => (s.rewards.params = { ...s.rewards.params, prune_per_block: "100001" }) })).rejects.toThrow(/rewards.params.prune_per_block/);
    await expect(Driver.create({ appState: (s) => (s.metering = { params: { prune_budget: "1" } }) })).rejects.toThrow(/metering.params.prune_budget: unknown parameter/);
  });
});

describe("pruning params through gov (MsgUpdateParams)", () => {
  const update = <P>(typeUrl: string, codec: { encode(m: { authority: string; params?: P }): { finish(): Uint8Array } }, params: P): Any => ({
    typeUrl,
    value: codec.encode({ authority: GOV_AUTHORITY, params }).finish(),
  });

  test("a passed proposal sets them in metering, pow and rewards; prune_per_block 0 stops pruning; beyond the cap is refused", async () => {
    const d = await Driver.create({
      validators: 4,
      appState: (s) => {
        s.gov.params = { voting_period: "10s", max_deposit_period: "10s", expedited_voting_period: "5s" };
        s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "3", max_operators: 5 } };
        s.metering = { params: { closed_escrow_retention: "2" } };
      },
    });
    await d.block();
    const k = d.app.keepers;
    const metering = k.metering.getParams(d.store);
    const pow = paramsToProto(k.pow.getParams(d.store));
    const rewards = rewardsParamsToProto(k.rewards.getParams(d.store));
    const submit = (msgs: Any[]) => d.exec(d.keys[0], [msgSubmitProposal(d.keys[0].address, msgs, 10_000_000n)]);
    const r = await submit([
      update("/blockai.metering.v1.MsgUpdateParams", meteringTx.MsgUpdateParams, { ...metering, prunePerBlock: 0n, closedEscrowRetention: 2n }),
      update("/blockai.pow.v1.MsgUpdateParams", powTx.MsgUpdateParams, { ...pow, prunePerBlock: 7n }),
      update("/blockai.rewards.v1.MsgUpdateParams", rewardsTx.MsgUpdateParams, { ...rewards, expiredEpochRetention: 9n, prunePerBlock: 11n }),
    ]);
    expect(r.log).toBe("");
    const id = BigInt(r.events.find((e) => e.type === "submit_proposal")!.attributes.find((a) => a.key === "proposal_id")!.value);
    const { results } = await d.block(d.validators.map((v) => d.sign(v.operator, [msgVote(v.operator.address, id, VoteOption.VOTE_OPTION_YES)])));
    expect(results.every((x) => x.code === 0)).toBe(true);
    await d.block([], { advance: 11n });
    expect(k.metering.getParams(d.store)).toMatchObject({ prunePerBlock: 0n, closedEscrowRetention: 2n });
    expect(k.pow.getParams(d.store).prunePerBlock).toBe(7n);
    expect(k.rewards.getParams(d.store)).toMatchObject({ expiredEpochRetention: 9n, prunePerBlock: 11n });

    // With prune_per_block 0 a closed escrow outlives its retention.
    const modelId = await registerModel(d, d.keys[1]);
    const consumer = d.keys[2];
    const open = await send(d, consumer, [BlockaiMsgs.openEscrow(consumer.address, modelId, 1_000n, BigInt(d.height) + 100n)]);
    const escrowId = MsgOpenEscrowResponse.decode(TxMsgData.decode(open.data).msgResponses[0].value).escrowId;
    expect((await send(d, d.keys[1], [BlockaiMsgs.closeEscrow(d.keys[1].address, escrowId)])).code).toBe(0);
    await d.blocks(5);
    expect(k.metering.getEscrow(d.store, escrowId)).toBeDefined();

    const refused = await submit([update("/blockai.pow.v1.MsgUpdateParams", powTx.MsgUpdateParams, { ...pow, prunePerBlock: 100_001n })]);
    expect([refused.codespace, refused.code]).toEqual(["gov", 12]);
    expect(refused.log).toMatch(/params.prune_per_block/);
    await d.close();
  });
});

