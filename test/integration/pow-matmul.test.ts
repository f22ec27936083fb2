/**
 * Matmul certificates through the ABCI pipeline (in-process driver): a model registered with a
 * weights_root, certificates accepted and credited in MACs, every refusal with its code, and the
 * rewards module splitting the miners' pool between the kinds by matmul_reward_share_bps.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { BlockaiMsgs, createBlockaiRegistry } from "../../src/client";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { MsgSubmitMatmulWork, MsgSubmitMatmulWorkResponse, MsgSubmitWork } from "../../src/gen/blockai/pow/v1/tx";
import { QueryEpochRewardsRequest, QueryEpochRewardsResponse } from "../../src/gen/blockai/rewards/v1/query";
import { bytesToBigInt, MAX_TARGET, MSG_SUBMIT_MATMUL_WORK_TYPE_URL, targetToHex } from "../../src/modules/pow";
import { MatmulJob, pseudoRandomInt8, weightsRootOf } from "../../src/miner/matmul-prover";
import { RequestPrepareProposal } from "cosmjs-types/tendermint/abci/types";
import { Driver } from "../helpers/driver";
import { signTx, TestKey } from "../helpers/keys";
import { driverBlockHash, findNonce, signAs, signCert } from "../helpers/pow";

const registry = createBlockaiRegistry();
const SHA_TARGET = (1n << 248n) - 1n;
const MM_TARGET = (1n << 252n) - 1n; // one tile in 16
const EPOCH = 12n;
const SHARE_BPS = 3000;
const weights = [
  { rows: 32, cols: 64, data: pseudoRandomInt8(1, 32 * 64) },
  { rows: 16, cols: 16, data: pseudoRandomInt8(2, 256) },
];
const { root: WEIGHTS_ROOT } = weightsRootOf(weights);

describe("pow: matmul certificates through the ABCI pipeline", () => {
  let d: Driver;
  let owner: TestKey;
  let miner: TestKey;
  let thief: TestKey;
  let outsider: TestKey;
  let model: bigint;
  let plainModel: bigint;
  const store = () => d.app.committedStore()!;
  const pow = () => d.app.keepers.pow;
  const epochNow = () => d.app.keepers.epochs.currentEpoch(store());

  function tx(key: TestKey, msgs: EncodeObject[]): Uint8Array {
    const acc = d.account(key.address)!;
    return signTx({ key, msgs: msgs.map((m) => registry.encodeAsAny(m)), accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId, fee: [{ denom: "usoa", amount: "10000" }], gas: 600_000n });
  }
  async function register(key: TestKey, operators: string[], weightsRoot?: Uint8Array): Promise<bigint> {
    const { results } = await d.block([
      tx(key, [BlockaiMsgs.registerModel(key.address, { name: "mm", version: "1", task: "text-generation", artifactDigest: new Uint8Array(32).fill(5), pricePerUnit: 0n, unit: "call", bond: 10_000_000n, operators, weightsRoot })]),
    ]);
    expect(results[0].log).toBe("");
    return MsgRegisterModelResponse.decode(TxMsgData.decode(results[0].data).msgResponses[0].value).modelId;
  }
  /** The product of `key` on `modelId` anchored at the last block, with input batch seed `aSeed`. */
  function job(key: TestKey, modelId: bigint, aSeed = 9, anchorHeight = BigInt(d.height)): MatmulJob {
    return new MatmulJob({
      chainId: d.chainId,
      anchorHeight,
      anchorHash: driverBlockHash(Number(anchorHeight)),
      miner: key.addressBytes,
      minerAddress: key.address,
      modelId,
      weights,
      matrixIndex: 0,
      a: { rows: 256, cols: 32, data: pseudoRandomInt8(aSeed, 256 * 32) },
    });
  }
  const below = (j: MatmulJob, target = MM_TARGET) => j.allTickets().filter((t) => bytesToBigInt(t.ticket) <= target);
  const above = (j: MatmulJob, target = MM_TARGET) => j.allTickets().filter((t) => bytesToBigInt(t.ticket) > target);
  const certTx = (key: TestKey, msg: MsgSubmitMatmulWork) =>
    signAs(d, key, [{ typeUrl: MSG_SUBMIT_MATMUL_WORK_TYPE_URL, value: MsgSubmitMatmulWork.encode(msg).finish() }], { fee: [], gas: 3_000_000n });

  async function expectCode(txBytes: Uint8Array, code: number, codespace = "pow"): Promise<string> {
    const check = d.checkTx(txBytes);
    expect({ code: check.code, codespace: check.codespace }).toEqual({ code, codespace });
    const { results } = await d.block([txBytes]);
    expect({ code: results[0].code, codespace: results[0].codespace }).toEqual({ code, codespace });
    return results[0].log;
  }

  beforeEach(async () => {
    d = await Driver.create({
      accounts: 4,
      appState: (s) => {
        s.pow = {
          params: {
            anchor_window: "8",
            max_certs_per_block: "20",
            max_certs_per_miner_per_block: "4",
            target_certs_per_epoch: "10",
            min_target: targetToHex(1n),
            max_target: targetToHex(MAX_TARGET),
            accepted_kinds: ["sha256", "matmul"],
            matmul_reward_share_bps: SHARE_BPS.toString(),
          },
          target: targetToHex(SHA_TARGET),
          matmul_target: targetToHex(MM_TARGET),
        };
        s.epochs = { params: { epoch_length: EPOCH.toString() } };
      },
    });
    [owner, miner, thief, outsider] = d.keys;
    await d.block();
    model = await register(owner, [miner.address, thief.address], WEIGHTS_ROOT);
    plainModel = await register(owner, [miner.address]);
  });
  afterEach(async () => d.close());

  test("a tile below the target is accepted and credits expected tiles x 256 x inner MACs; queries and events agree", async () => {
    const j = job(miner, model);
    const [t] = below(j);
    const msg = j.message(t.tileRow, t.tileCol);
    const txBytes = certTx(miner, msg);
    expect(txBytes.length).toBeLessThan(40_960);
    expect(d.checkTx(txBytes)).toMatchObject({ code: 0, log: "" });
    const epoch = epochNow();
    const { results } = await d.block([txBytes]);
    expect({ code: results[0].code, log: results[0].log }).toEqual({ code: 0, log: "" });
    const work = 16n * 256n * 32n; // 2^256 / 2^252 tiles x 16 x 16 x inner
    const response = MsgSubmitMatmulWorkResponse.decode(TxMsgData.decode(results[0].data).msgResponses[0].value);
    expect(response).toEqual({ ticket: t.ticket, work: work.toString(), epoch });
    const ev = results[0].events.find((e) => e.type === "pow_matmul_certificate")!;
    expect(Object.fromEntries(ev.attributes.map((a) => [a.key, a.value]))).toMatchObject({ miner: miner.address, model_id: model.toString(), ticket: t.ticket.toString("hex"), work: work.toString(), inner: "32" });
    expect(pow().minerWork(store(), miner.addressBytes, epoch, "matmul")).toEqual({ work, certificates: 1n });
    expect(pow().modelWork(store(), model, epoch, "matmul")).toEqual({ work, certificates: 1n });
    // sha256 tallies untouched: the units are never mixed.
    expect(pow().epochWork(store(), epoch, "sha256")).toEqual({ work: 0n, certificates: 0n });
    expect(d.app.checkInvariants()).toEqual([]);
  });

  test("refusals: replay (7), above the target (3), stolen by another operator (3), tampered rows (13), no weights_root (14), outsider (10), expired anchor (4)", async () => {
    const j = job(miner, model);
    const [good, good2] = below(j);
    expect(good2).toBeDefined();
    const msg = j.message(good.tileRow, good.tileCol);
    const { results } = await d.block([certTx(miner, msg)]);
    expect(results[0].code).toBe(0);
    expect(await expectCode(certTx(miner, msg), 7)).toMatch(/ticket/);
    const [bad] = above(j);
    expect(await expectCode(certTx(miner, j.message(bad.tileRow, bad.tileCol)), 3)).toMatch(/matmul ticket/);
    // The thief (also an operator) submits the miner's tile as its own: the seed has the signer.
    const stolen = { ...j.message(good2.tileRow, good2.tileCol), miner: thief.address };
    const thiefTicket = job(thief, model, 9, msg.anchorHeight).allTickets().find((t) => t.tileRow === good2.tileRow && t.tileCol === good2.tileCol)!.ticket;
    // (With these inputs the thief's ticket for that tile is above the target; in general it is a
    // fresh lottery ticket the thief would have had to compute: one tile of work.)
    expect(bytesToBigInt(thiefTicket) > MM_TARGET).toBe(true);
    await expectCode(certTx(thief, stolen), 3);
    const tampered = { ...j.message(good2.tileRow, good2.tileCol) };
    tampered.aBlock = Uint8Array.from(tampered.aBlock);
    tampered.aBlock[5] ^= 1;
    expect(await expectCode(certTx(miner, tampered), 13)).toMatch(/a_root/);
    const plain = job(miner, plainModel);
    expect(await expectCode(certTx(miner, plain.message(0, 0)), 14)).toMatch(/weights_root/);
    const o = job(outsider, model);
    expect(await expectCode(certTx(outsider, o.message(0, 0)), 10)).toBeTruthy();
    const old = job(miner, model, 11, BigInt(d.height));
    const [oldTile] = below(old);
    for (let i = 0; i < 9; i++) await d.block();
    await expectCode(certTx(miner, old.message(oldTile.tileRow, oldTile.tileCol)), 4);
    expect(d.app.checkInvariants()).toEqual([]);
  });

  test("rewards: the miners' pool is split by matmul_reward_share_bps, each kind pro rata to its own work", async () => {
    // Two matmul certificates by the miner, one sha256 certificate each by the miner and the owner.
    const j = job(miner, model);
    const tiles = below(j).slice(0, 2);
    const sha = (key: TestKey): MsgSubmitWork => {
      const anchorHeight = BigInt(d.height);
      const workDigest = Buffer.alloc(32, 1);
      const { nonce } = findNonce({ chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: key.addressBytes, modelId: model, workDigest }, SHA_TARGET);
      return { miner: key.address, modelId: model, anchorHeight, workDigest, nonce };
    };
    const epoch = epochNow();
    const seq = d.account(miner.address)!.sequence;
    const { results } = await d.block(
      tiles.map((t, k) =>
        signAs(d, miner, [{ typeUrl: MSG_SUBMIT_MATMUL_WORK_TYPE_URL, value: MsgSubmitMatmulWork.encode(j.message(t.tileRow, t.tileCol)).finish() }], { fee: [], gas: 3_000_000n, sequence: seq + BigInt(k) }),
      ),
    );
    for (const r of results) expect(r.log).toBe("");
    const r2 = await d.block([signCert(d, owner, sha(owner))]);
    expect(r2.results[0].log).toBe("");
    const r3 = await d.block([signCert(d, miner, sha(miner))]);
    expect(r3.results[0].log).toBe("");
    while (epochNow() === epoch) await d.block();
    const res = d.app.query({ path: "/blockai.rewards.v1.Query/EpochRewards", data: QueryEpochRewardsRequest.encode({ epoch }).finish(), height: 0n, prove: false });
    const r = QueryEpochRewardsResponse.decode(res.value).rewards!;
    const pool = BigInt(r.minerPool) + BigInt(r.matmulMinerPool);
    expect(pool).toBeGreaterThan(0n);
    expect(BigInt(r.matmulMinerPool)).toBe((pool * BigInt(SHARE_BPS)) / 10_000n);
    expect(BigInt(r.matmulTotalWork)).toBe(2n * 16n * 256n * 32n);
    expect(BigInt(r.minerTotalWork)).toBe(2n * 256n);
    // The miner: all the matmul pool and half the sha256 pool; the owner: the other half.
    const owedMiner = d.app.keepers.rewards.minerOwed(store(), miner.addressBytes, epoch).amount;
    const owedOwner = d.app.keepers.rewards.minerOwed(store(), owner.addressBytes, epoch).amount;
    expect(owedMiner).toBe(BigInt(r.matmulMinerPool) + BigInt(r.minerPool) / 2n);
    expect(owedOwner).toBe(BigInt(r.minerPool) / 2n);
    const claim = await d.block([tx(miner, [BlockaiMsgs.claimRewards(miner.address)])]);
    expect(claim.results[0].log).toBe("");
    expect(d.app.checkInvariants()).toEqual([]);
  });

  test("PrepareProposal counts matmul certificates against the per-miner cap shared with sha256 ones", async () => {
    const j = job(miner, model);
    const seq = d.account(miner.address)!.sequence;
    const txs = [0, 1, 2, 3, 4, 5].map((k) =>
      signAs(d, miner, [{ typeUrl: MSG_SUBMIT_MATMUL_WORK_TYPE_URL, value: MsgSubmitMatmulWork.encode(j.message(k, 0)).finish() }], { fee: [], gas: 3_000_000n, sequence: seq + BigInt(k) }),
    );
    const prepared = d.app.prepareProposal(RequestPrepareProposal.fromPartial({ txs, maxTxBytes: 10_000_000n, height: BigInt(d.height + 1) }));
    expect(prepared.txs.length).toBe(4); // max_certs_per_miner_per_block
  });

  test("a kind not in accepted_kinds is refused (14)", async () => {
    const other = await Driver.create({
      accounts: 2,
      appState: (s) => {
        s.pow = { params: { anchor_window: "8", accepted_kinds: ["sha256"] }, target: targetToHex(SHA_TARGET) };
      },
    });
    try {
      await other.block();
      expect(other.app.keepers.pow.getParams(other.app.committedStore()!).acceptedKinds).toEqual([1]);
      const [o] = other.keys;
      const { results } = await other.block([
        signTx({ key: o, msgs: [registry.encodeAsAny(BlockaiMsgs.registerModel(o.address, { name: "m", version: "1", task: "text-generation", artifactDigest: new Uint8Array(32).fill(1), pricePerUnit: 0n, unit: "call", bond: 10_000_000n, weightsRoot: WEIGHTS_ROOT }))], accountNumber: other.account(o.address)!.accountNumber, sequence: other.account(o.address)!.sequence, chainId: other.chainId, fee: [{ denom: "usoa", amount: "10000" }], gas: 600_000n }),
      ]);
      expect(results[0].log).toBe("");
      const j = new MatmulJob({ chainId: other.chainId, anchorHeight: BigInt(other.height), anchorHash: driverBlockHash(other.height), miner: o.addressBytes, minerAddress: o.address, modelId: 1n, weights, matrixIndex: 0, a: { rows: 16, cols: 32, data: pseudoRandomInt8(3, 512) } });
      const txBytes = signAs(other, o, [{ typeUrl: MSG_SUBMIT_MATMUL_WORK_TYPE_URL, value: MsgSubmitMatmulWork.encode(j.message(0, 0)).finish() }], { fee: [], gas: 3_000_000n });
      expect(other.checkTx(txBytes)).toMatchObject({ code: 14, codespace: "pow" });
    } finally {
      await other.close();
    }
  });
});
