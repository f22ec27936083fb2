import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BlockaiMsgs, createBlockaiRegistry } from "../../src/client";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import {
  QueryEpochRewardsRequest,
  QueryEpochRewardsResponse,
  QueryMinerRewardsRequest,
  QueryMinerRewardsResponse,
  QueryModelRewardsRequest,
  QueryModelRewardsResponse,
  QueryPendingRequest,
  QueryPendingResponse,
} from "../../src/gen/blockai/rewards/v1/query";
import { RewardKind } from "../../src/gen/blockai/rewards/v1/rewards";
import { QueryCurrentEpochResponse } from "../../src/gen/blockai/epochs/v1/epochs";
import { QueryValidatorsRequest, QueryValidatorsResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { QueryMinerWorkRequest, QueryMinerWorkResponse } from "../../src/gen/blockai/pow/v1/query";
import { QueryValidatorOutstandingRewardsRequest, QueryValidatorOutstandingRewardsResponse } from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { MsgCommitScores, MsgRevealScores } from "../../src/gen/blockai/scoring/v1/tx";
import { QueryModelScoreRequest, QueryModelScoreResponse, QueryValidatorAgreementRequest, QueryValidatorAgreementResponse } from "../../src/gen/blockai/scoring/v1/query";
import { computeCommitment, type Score } from "../../src/modules/scoring";
import { decodeAddress, encodeAddress, VALIDATOR_OPERATOR_PREFIX } from "../../src/types/address";
import { saltOf } from "../helpers/scoring";
import { blockaiEntry } from "../../src/node/paths";
import { rpc } from "../../src/node/rpc";
import { waitFor } from "../../src/node/process";
import { cliJson } from "../helpers/cli";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(300_000);

const EPOCH_LENGTH = 10;
const FEE: StdFee = { amount: [{ denom: "usoa", amount: "20000" }], gas: "800000" };

/**
 * The 4-validator localnet with 10-block epochs: a miner running `blockai mine`, a model with
 * metered usage, a delegator, and the 4 validators committing scores for the model in one epoch and
 * revealing them in the next. When that next epoch ends, it pays the model a performance reward
 * by the consensus score and the validators the scorers' share by agreement; each claims and
 * receives what EpochRewards says, the delegator withdraws the stakers' share through CosmJS, and
 * all 4 app hashes agree.
 */
describe("end to end: emission and rewards on a 4-validator localnet", () => {
  let net: TestNetwork;
  let comet: Comet38Client;
  let miner: ChildProcess | undefined;
  const clients: SigningStargateClient[] = [];

  let home: string;
  /** `blockai ...` in process, as bin/blockai runs it; JSON output parsed. */
  const cli = cliJson;

  const query = async <T>(service: string, method: string, data: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> => {
    const r = await comet.abciQuery({ path: `/${service}/${method}`, data });
    if (r.code !== 0) throw new Error(`${method}: ${r.log}`);
    return decode(r.value);
  };
  const currentEpoch = async () => (await query("blockai.epochs.v1.Query", "CurrentEpoch", new Uint8Array(), QueryCurrentEpochResponse.decode)).epoch!.number;
  const client = async (mnemonic: string) => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "soa" });
    const c = await SigningStargateClient.connectWithSigner(net.rpc, wallet, { registry: createBlockaiRegistry(), gasPrice: GasPrice.fromString("0.025usoa"), broadcastPollIntervalMs: 250 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    net = await TestNetwork.start({
      nodes: 4,
      editGenesis: (g) => {
        (g.app_state.epochs as any).params = { epoch_length: String(EPOCH_LENGTH) };
      },
    });
    comet = await Comet38Client.connect(net.rpc);
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-rewards-cli-"));
  });
  afterAll(async () => {
    if (miner?.pid !== undefined && miner.exitCode === null) miner.kill("SIGINT");
    for (const c of clients) c.disconnect();
    comet?.disconnect();
    await net?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test("miner, model owner and delegator are paid; claims equal EpochRewards; app hashes agree", async () => {
    const [ownerAcc, consumerAcc, delegatorAcc] = net.layout.accounts;
    const owner = await client(ownerAcc.mnemonic);
    const consumer = await client(consumerAcc.mnemonic);
    const delegator = await client(delegatorAcc.mnemonic);

    const reg = await owner.signAndBroadcast(
      ownerAcc.address,
      [BlockaiMsgs.registerModel(ownerAcc.address, { name: "e2e-rewards", version: "1", task: "text-generation", artifactDigest: new Uint8Array(32).fill(3), pricePerUnit: 1n, unit: "call", bond: 10_000_000n })],
      FEE,
    );
    expect(reg.code).toBe(0);
    const modelId = MsgRegisterModelResponse.decode(reg.msgResponses[0].value).modelId;
    const [validator] = (
      await query("cosmos.staking.v1beta1.Query", "Validators", QueryValidatorsRequest.encode(QueryValidatorsRequest.fromPartial({ status: "BOND_STATUS_BONDED" })).finish(), QueryValidatorsResponse.decode)
    ).validators;
    expect((await delegator.delegateTokens(delegatorAcc.address, validator.operatorAddress, { denom: "usoa", amount: "5000000" }, FEE)).code).toBe(0);
    expect((await consumer.signAndBroadcast(consumerAcc.address, [BlockaiMsgs.payForUsage(consumerAcc.address, modelId, 3n, 2_000_000n)], FEE)).code).toBe(0);

    // The 4 validators score the model: their operators commit in epoch `scored` and reveal in
    // the next, whose end computes the consensus and pays by it (scoring's window is cut to the
    // epoch length). All four commit with at least 5 blocks of the epoch left, so none is late.
    const ops = net.layout.operators;
    const opClients = await Promise.all(ops.map((o) => client(o.mnemonic)));
    const valopers = ops.map((o) => encodeAddress(decodeAddress(o.address), VALIDATOR_OPERATOR_PREFIX));
    const scores = (i: number): Score[] => [{ modelId, scorePpm: 800_000 + 10_000 * i }];
    const salt = (i: number) => saltOf(`rewards-e2e-${i}`);
    const epochInfo = async () => (await query("blockai.epochs.v1.Query", "CurrentEpoch", new Uint8Array(), QueryCurrentEpochResponse.decode)).epoch!;
    const latestHeight = async () => BigInt((await rpc(net.rpc, "status", {})).sync_info.latest_block_height);
    let info = await epochInfo();
    if (info.endHeight - (await latestHeight()) < 5n) {
      const next = info.number + 1n;
      await waitFor("a fresh epoch", 60_000, async () => ((await currentEpoch()) >= next ? true : undefined));
      info = await epochInfo();
    }
    const scored = info.number;
    const commits = await Promise.all(
      opClients.map((c, i) => {
        const commitment = computeCommitment(net.layout.chainId, scored, decodeAddress(ops[i].address), salt(i), scores(i));
        return c.signAndBroadcast(ops[i].address, [{ typeUrl: "/blockai.scoring.v1.MsgCommitScores", value: MsgCommitScores.fromPartial({ scorer: ops[i].address, epoch: scored, commitment }) }], FEE);
      }),
    );
    expect(commits.map((r) => (r.code === 0 ? 0 : r.rawLog))).toEqual(ops.map(() => 0));

    // `blockai mine` with the owner's key until 3 certificates are accepted.
    const file = path.join(net.layout.dir, "owner.mnemonic");
    fs.writeFileSync(file, ownerAcc.mnemonic + "\n", { mode: 0o600 });
    miner = spawn(process.execPath, [blockaiEntry(), "mine", "--model", modelId.toString(), "--mnemonic-file", file, "--node", net.rpc, "--chain-id", "blockai-e2e", "--output", "json", "--threads", "1", "--max-certs", "3", "--work-digest", "cd".repeat(32)], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    miner.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => miner!.on("exit", (c) => resolve(c)));

    // The reveals, in the window that opens when epoch `scored` ends; the miner keeps mining.
    await waitFor("the reveal window", 60_000, async () => ((await currentEpoch()) > scored ? true : undefined));
    const reveals = await Promise.all(
      opClients.map((c, i) =>
        c.signAndBroadcast(ops[i].address, [{ typeUrl: "/blockai.scoring.v1.MsgRevealScores", value: MsgRevealScores.fromPartial({ scorer: ops[i].address, epoch: scored, salt: salt(i), scores: scores(i) }) }], FEE),
      ),
    );
    expect(reveals.map((r) => (r.code === 0 ? 0 : r.rawLog))).toEqual(ops.map(() => 0));

    const code = await exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });

    // Every certificate is in a block (the miner counts those); then two epoch ends.
    const work = async () => {
      let certificates = 0n;
      for (let e = 0n; e <= (await currentEpoch()); e++) {
        certificates += (await query("blockai.pow.v1.Query", "MinerWork", QueryMinerWorkRequest.encode({ miner: ownerAcc.address, epoch: e }).finish(), QueryMinerWorkResponse.decode)).total?.certificates ?? 0n;
      }
      return certificates;
    };
    expect(await work()).toBeGreaterThanOrEqual(3n);
    // The epoch of the last certificate and the one paid by the scores have ended. waitFor waits
    // for a value other than undefined.
    const paid = scored + 1n;
    const last = (await currentEpoch()) > paid ? await currentEpoch() : paid;
    await waitFor("the paying epoch's end", 180_000, async () => ((await currentEpoch()) > last ? true : undefined));

    // The scorers' share, by bonded tokens x agreement with epoch `scored`'s consensus, pushed
    // into the validators' distribution rewards at the paying epoch's last height H. Read at once:
    // nodes keep only the last 10 heights' state.
    const now = await epochInfo();
    const H = now.endHeight - (now.number - paid) * BigInt(EPOCH_LENGTH);
    const paidRewards = (await query("blockai.rewards.v1.Query", "EpochRewards", QueryEpochRewardsRequest.encode({ epoch: paid }).finish(), QueryEpochRewardsResponse.decode)).rewards!;
    const bonded = (
      await query("cosmos.staking.v1beta1.Query", "Validators", QueryValidatorsRequest.encode(QueryValidatorsRequest.fromPartial({ status: "BOND_STATUS_BONDED" })).finish(), QueryValidatorsResponse.decode)
    ).validators;
    const weights = await Promise.all(
      valopers.map(async (v) => {
        const a = (await query("blockai.scoring.v1.Query", "ValidatorAgreement", QueryValidatorAgreementRequest.encode({ validator: v, epoch: scored }).finish(), QueryValidatorAgreementResponse.decode)).agreement!;
        expect(a.revealed).toBe(true);
        expect(a.agreementPpm).toBeGreaterThan(0);
        return BigInt(bonded.find((b) => b.operatorAddress === v)!.tokens) * BigInt(a.agreementPpm);
      }),
    );
    const totalWeight = weights.reduce((a, b) => a + b, 0n);
    const scorerShares = weights.map((w) => (BigInt(paidRewards.scorerPool) * w) / totalWeight);
    expect(BigInt(paidRewards.scorerPool)).toBeGreaterThan(0n);
    expect(paidRewards.scorerPaid).toBe(scorerShares.reduce((a, b) => a + b, 0n).toString());
    // Outstanding rewards (18-decimal fixed point) grow each block by the stakers' share of the
    // fees collected, which the previous block's txs change; so H's growth minus that of a block
    // R whose predecessor, like H's, has no txs is the scorer share exactly.
    const numTxs = async (h: bigint) => Number((await rpc(net.rpc, "block", { height: String(h) })).block.data.txs?.length ?? 0);
    expect(await numTxs(H - 1n)).toBe(0);
    let R = H - 1n;
    while ((await numTxs(R - 1n)) !== 0) R--;
    const outstanding = async (v: string, h: bigint) => {
      const r = await comet.abciQuery({ path: "/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards", data: QueryValidatorOutstandingRewardsRequest.encode({ validatorAddress: v }).finish(), height: Number(h) });
      if (r.code !== 0) throw new Error(`outstanding rewards of ${v} at ${h}: ${r.log}`);
      return BigInt(QueryValidatorOutstandingRewardsResponse.decode(r.value).rewards!.rewards.find((c) => c.denom === "usoa")?.amount ?? "0");
    };
    for (const [i, v] of valopers.entries()) {
      const growth = async (h: bigint) => (await outstanding(v, h)) - (await outstanding(v, h - 1n));
      expect({ v, extra: (await growth(H)) - (await growth(R)) }).toEqual({ v, extra: scorerShares[i] * 10n ** 18n });
    }

    // The owner: miner and model rewards, each what EpochRewards and the per-record queries say.
    const pending = await query("blockai.rewards.v1.Query", "Pending", QueryPendingRequest.encode({ address: ownerAcc.address }).finish(), QueryPendingResponse.decode);
    const kinds = new Set(pending.rewards.map((p) => p.kind));
    expect(kinds).toEqual(new Set([RewardKind.REWARD_KIND_MINER, RewardKind.REWARD_KIND_MODEL]));
    for (const p of pending.rewards) {
      const r = (await query("blockai.rewards.v1.Query", "EpochRewards", QueryEpochRewardsRequest.encode({ epoch: p.epoch }).finish(), QueryEpochRewardsResponse.decode)).rewards!;
      if (p.kind === RewardKind.REWARD_KIND_MINER) {
        const m = await query("blockai.rewards.v1.Query", "MinerRewards", QueryMinerRewardsRequest.encode({ miner: ownerAcc.address, epoch: p.epoch }).finish(), QueryMinerRewardsResponse.decode);
        expect(p.amount).toBe(((BigInt(r.minerPool) * BigInt(m.work)) / BigInt(r.minerTotalWork)).toString());
      } else {
        const m = (await query("blockai.rewards.v1.Query", "ModelRewards", QueryModelRewardsRequest.encode({ modelId, epoch: p.epoch }).finish(), QueryModelRewardsResponse.decode)).reward!;
        expect(p.amount).toBe((BigInt(m.usageReward) + BigInt(m.performanceReward)).toString());
        if (p.epoch === paid) {
          // The only scored model takes the whole performance stream: the models' pool less the
          // usage rewards, at its consensus score of epoch `scored`.
          const consensus = (await query("blockai.scoring.v1.Query", "ModelScore", QueryModelScoreRequest.encode({ modelId, epoch: scored }).finish(), QueryModelScoreResponse.decode)).score!;
          expect(consensus.scorePpm).toBeGreaterThan(0);
          expect(BigInt(m.scorePpm)).toBe(BigInt(consensus.scorePpm));
          expect(r.performanceTotalScore).toBe(String(consensus.scorePpm));
          expect(r.performanceStream).toBe((BigInt(r.modelPool) - BigInt(r.usageAllocated)).toString());
          expect(BigInt(m.performanceReward)).toBeGreaterThan(0n);
          expect(m.performanceReward).toBe(((BigInt(r.performanceStream) * BigInt(m.scorePpm)) / BigInt(r.performanceTotalScore)).toString());
          expect(r.performanceAllocated).toBe(m.performanceReward);
        } else {
          // The usage epoch, before any consensus: capped at half the 2% fee of 2,000,000 usoa.
          expect(m.usageReward).toBe("20000");
          expect(m.performanceReward).toBe("0");
        }
      }
    }
    expect(pending.rewards.filter((p) => p.kind === RewardKind.REWARD_KIND_MODEL).map((p) => p.epoch)).toContain(paid);
    // The CLI reads the same, and claims: `blockai tx rewards claim`.
    expect(await cli(["query", "rewards", "pending", ownerAcc.address, "--node", net.rpc])).toMatchObject({ total: pending.total });
    const epoch = pending.rewards[0].epoch;
    expect(await cli(["query", "rewards", "epoch-rewards", String(epoch), "--node", net.rpc])).toMatchObject({ epoch: String(epoch), expired: false });
    const minted = await cli(["query", "mint", "minted", "--node", net.rpc]);
    expect(BigInt(minted.minted.replace("usoa", ""))).toBeGreaterThan(0n);
    await cli(["keys", "add", "owner", "--recover", "--home", home, "--keyring-backend", "test"], [ownerAcc.mnemonic]);
    const before = BigInt((await owner.getBalance(ownerAcc.address, "usoa")).amount);
    const claim = await cli(["tx", "rewards", "claim", "owner", "--home", home, "--keyring-backend", "test", "--node", net.rpc, "--chain-id", "blockai-e2e", "--fees", "20000usoa", "--gas", "800000", "--yes"]);
    expect(claim.code).toBe(0);
    const after = BigInt((await owner.getBalance(ownerAcc.address, "usoa")).amount);
    expect(after - before).toBe(BigInt(pending.total) - 20_000n);

    // The delegator: the stakers' share through distribution, withdrawn with CosmJS.
    const d0 = BigInt((await delegator.getBalance(delegatorAcc.address, "usoa")).amount);
    const w = await delegator.withdrawRewards(delegatorAcc.address, validator.operatorAddress, FEE);
    expect(w.code).toBe(0);
    const d1 = BigInt((await delegator.getBalance(delegatorAcc.address, "usoa")).amount);
    expect(d1 - d0 + 20_000n).toBeGreaterThan(0n);

    // All four nodes computed the same state at a recent height.
    const height = Number((await rpc(net.rpc, "status", {})).sync_info.latest_block_height) - 1;
    const hashes = await Promise.all(net.layout.nodes.map(async (n) => (await rpc(n.rpc, "block", { height: String(height) })).block.header.app_hash as string));
    expect(new Set(hashes).size).toBe(1);
  });
});
