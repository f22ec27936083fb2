import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Io } from "../../src/cli/command";
import { ScriptedPrompter } from "../../src/cli/prompt";
import { run } from "../../src/cli/run";
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
import { blockaiEntry } from "../../src/node/paths";
import { rpc } from "../../src/node/rpc";
import { waitFor } from "../../src/node/process";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(300_000);

const EPOCH_LENGTH = 10;
const FEE: StdFee = { amount: [{ denom: "usoa", amount: "20000" }], gas: "800000" };

/**
 * The 4-validator localnet with 10-block epochs: a miner running `blockai mine`, a model with
 * metered usage, a delegator. After two epoch ends each claims and receives what EpochRewards says,
 * the delegator withdraws the stakers' share through CosmJS, and all 4 app hashes agree.
 */
describe("end to end: emission and rewards on a 4-validator localnet", () => {
  let net: TestNetwork;
  let comet: Comet38Client;
  let miner: ChildProcess | undefined;
  const clients: SigningStargateClient[] = [];

  let home: string;
  /** `blockai ...` in process, as bin/blockai runs it; JSON output parsed. */
  const cli = async (args: string[], answers: string[] = []): Promise<any> => {
    let out = "";
    let err = "";
    const io: Io = {
      stdout: { write: (t: string) => ((out += t), true) } as unknown as NodeJS.WritableStream,
      stderr: { write: (t: string) => ((err += t), true) } as unknown as NodeJS.WritableStream,
      prompter: new ScriptedPrompter(answers),
      env: {},
    };
    const code = await run([...args, "--output", "json"], io);
    if (code !== 0) throw new Error(`blockai ${args.join(" ")} exited ${code}: ${err}${out}`);
    return out.trim() === "" ? undefined : JSON.parse(out);
  };

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

    // `blockai mine` with the owner's key until 3 certificates are accepted.
    const file = path.join(net.layout.dir, "owner.mnemonic");
    fs.writeFileSync(file, ownerAcc.mnemonic + "\n", { mode: 0o600 });
    miner = spawn(process.execPath, [blockaiEntry(), "mine", "--model", modelId.toString(), "--mnemonic-file", file, "--node", net.rpc, "--chain-id", "blockai-e2e", "--output", "json", "--threads", "1", "--max-certs", "3", "--work-digest", "cd".repeat(32)], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    miner.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => miner!.on("exit", (c) => resolve(c)));
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
    const start = await currentEpoch();
    // waitFor waits for a value other than undefined.
    await waitFor("two epoch ends", 180_000, async () => ((await currentEpoch()) >= start + 2n ? true : undefined));

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
        // No scoring module yet: usage only, capped at half the 2% fee of 2,000,000 usoa.
        expect(m.usageReward).toBe("20000");
      }
    }
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
