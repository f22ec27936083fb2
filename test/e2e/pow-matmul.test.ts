import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BlockaiMsgs, createBlockaiRegistry } from "../../src/client";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { QueryCurrentEpochResponse } from "../../src/gen/blockai/epochs/v1/epochs";
import { QueryMinerWorkRequest, QueryMinerWorkResponse } from "../../src/gen/blockai/pow/v1/query";
import { QueryEpochRewardsRequest, QueryEpochRewardsResponse, QueryMinerRewardsRequest, QueryMinerRewardsResponse } from "../../src/gen/blockai/rewards/v1/query";
import { blockaiEntry } from "../../src/node/paths";
import { waitFor } from "../../src/node/process";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(300_000);

const EPOCH_LENGTH = 8;

/**
 * Matmul certificates end to end on a 1-node localnet (docs/pow-matmul.md): a model registered with
 * the weights_root of a weights file, `blockai mine --kind matmul --weights FILE` earning
 * certificates on it, and the miner paid from the PoW pool's matmul share at the epoch's end.
 */
describe("end to end: matmul certificates on a localnet", () => {
  let net: TestNetwork;
  let comet: Comet38Client;
  let owner: SigningStargateClient;
  let ownerAddress: string;

  beforeAll(async () => {
    net = await TestNetwork.start({
      nodes: 1,
      editGenesis: (g) => {
        (g.app_state.epochs as any).params = { epoch_length: String(EPOCH_LENGTH) };
      },
    });
    comet = await Comet38Client.connect(net.rpc);
    const a0 = net.layout.accounts[0];
    ownerAddress = a0.address;
    owner = await SigningStargateClient.connectWithSigner(net.rpc, await DirectSecp256k1HdWallet.fromMnemonic(a0.mnemonic, { prefix: "soa" }), {
      registry: createBlockaiRegistry(),
      gasPrice: GasPrice.fromString("0.025usoa"),
      broadcastPollIntervalMs: 250,
    });
  });
  afterAll(async () => {
    owner?.disconnect();
    comet?.disconnect();
    await net?.stop();
  });

  async function query<T>(service: string, method: string, data: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> {
    const r = await comet.abciQuery({ path: `/${service}/${method}`, data });
    if (r.code !== 0) throw new Error(`${method}: ${r.log}`);
    return decode(r.value);
  }
  const currentEpoch = async () => (await query("blockai.epochs.v1.Query", "CurrentEpoch", new Uint8Array(), QueryCurrentEpochResponse.decode)).epoch!.number;

  function cli(args: string[]): Promise<{ code: number | null; lines: any[]; stderr: string }> {
    const child = spawn(process.execPath, [blockaiEntry(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) =>
      child.on("exit", (code) => {
        // One JSON document (a command's result) or JSON lines (the miner's events).
        let lines: any[];
        try {
          lines = [JSON.parse(out)];
        } catch {
          lines = out.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
        }
        resolve({ code, stderr, lines });
      }),
    );
  }

  test("weights_root from `blockai weights`, `blockai mine --kind matmul` earns certificates, and the miner is paid from the PoW pool", async () => {
    const weightsFile = path.join(net.layout.dir, "weights.bin");
    const ex = await cli(["weights", "example", weightsFile, "--output", "json"]);
    expect({ code: ex.code, stderr: ex.stderr }).toEqual({ code: 0, stderr: "" });
    const rootOut = await cli(["weights", "root", weightsFile, "--output", "json"]);
    expect(rootOut.code).toBe(0);
    const weightsRoot: string = rootOut.lines[0].weights_root;
    expect(weightsRoot).toBe(ex.lines[0].weights_root);
    expect(rootOut.lines[0].matrices.map((m: any) => [m.rows, m.cols])).toEqual([[256, 256], [256, 512], [512, 256]]);

    const reg = await owner.signAndBroadcast(
      ownerAddress,
      [BlockaiMsgs.registerModel(ownerAddress, { name: "mm-e2e", version: "1", task: "text-generation", artifactDigest: Buffer.alloc(32, 2), pricePerUnit: 0n, unit: "call", bond: 10_000_000n, weightsRoot: Buffer.from(weightsRoot, "hex") })],
      "auto",
    );
    expect(reg.code).toBe(0);
    const modelId = MsgRegisterModelResponse.decode(reg.msgResponses[0].value).modelId;

    const mnemonicFile = path.join(net.layout.dir, "owner.mnemonic");
    fs.writeFileSync(mnemonicFile, net.layout.accounts[0].mnemonic + "\n", { mode: 0o600 });
    const mined = await cli([
      "mine", "--kind", "matmul", "--weights", weightsFile, "--matrix", "0", "--rows", "64", "--model", modelId.toString(),
      "--mnemonic-file", mnemonicFile, "--node", net.rpc, "--chain-id", "blockai-e2e", "--output", "json", "--threads", "1", "--max-certs", "3",
    ]);
    expect({ code: mined.code, stderr: mined.stderr }).toEqual({ code: 0, stderr: "" });
    const accepted = mined.lines.filter((l) => l.event === "accepted");
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    expect(accepted[0]).toMatchObject({ kind: "matmul", ticket: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const last = mined.lines[mined.lines.length - 1];
    expect(last).toMatchObject({ event: "stopped", kind: "matmul", rejected: 0 });
    expect(last.useful_macs).toBeGreaterThan(0);
    expect(mined.lines.some((l) => l.event === "status" && l.useful_macs_per_second > 0)).toBe(true);

    // Credited in MACs, in the matmul tallies; then paid from the matmul share of the pool.
    const epochs = new Set<bigint>();
    let certificates = 0n;
    const now = await currentEpoch();
    for (let e = 0n; e <= now; e++) {
      const w = await query("blockai.pow.v1.Query", "MinerWork", QueryMinerWorkRequest.encode({ miner: ownerAddress, epoch: e }).finish(), QueryMinerWorkResponse.decode);
      const c = w.matmulTotal?.certificates ?? 0n;
      if (c > 0n) epochs.add(e);
      certificates += c;
      expect(BigInt(w.matmulTotal?.work || "0") % (256n * 256n)).toBe(0n); // whole tiles of inner 256
    }
    expect(certificates).toBeGreaterThanOrEqual(3n);
    const lastEpoch = [...epochs].reduce((a, b) => (a > b ? a : b));
    await waitFor("the epoch of the last certificate to end", 120_000, async () => ((await currentEpoch()) > lastEpoch ? true : undefined));
    let paid = 0n;
    for (const e of epochs) {
      const r = (await query("blockai.rewards.v1.Query", "EpochRewards", QueryEpochRewardsRequest.encode({ epoch: e }).finish(), QueryEpochRewardsResponse.decode)).rewards!;
      expect(BigInt(r.matmulMinerPool)).toBeGreaterThan(0n);
      expect(BigInt(r.matmulTotalWork)).toBeGreaterThan(0n);
      const m = await query("blockai.rewards.v1.Query", "MinerRewards", QueryMinerRewardsRequest.encode({ miner: ownerAddress, epoch: e }).finish(), QueryMinerRewardsResponse.decode);
      paid += BigInt(m.amount);
    }
    expect(paid).toBeGreaterThan(0n);
    const before = BigInt((await owner.getBalance(ownerAddress, "usoa")).amount);
    const claim = await owner.signAndBroadcast(ownerAddress, [BlockaiMsgs.claimRewards(ownerAddress)], "auto");
    expect(claim.code).toBe(0);
    const after = BigInt((await owner.getBalance(ownerAddress, "usoa")).amount);
    // "auto" fee: ceil(gas limit x 0.025usoa). The claim pays at least the miner rewards (the
    // model's own rewards, if any, add to it).
    const fee = BigInt(Math.ceil(Number(claim.gasWanted) * 0.025));
    expect(after - before + fee).toBeGreaterThanOrEqual(paid);
  });
});
