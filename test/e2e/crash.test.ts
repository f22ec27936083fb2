import * as fs from "node:fs";
import * as path from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { toHex } from "@cosmjs/encoding";
import { sha256 } from "@noble/hashes/sha2.js";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { readPids, startNode } from "../../src/node/network";
import { isAlive, sleep, waitFor } from "../../src/node/process";
import { rpc, status } from "../../src/node/rpc";
import { replayAppHashes } from "../helpers/replay";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(600_000);

/** A small seeded PRNG so the kill moments vary but a failing run can be repeated. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("crash safety: SIGKILL of the app at random moments while txs flow", () => {
  let net: TestNetwork;
  afterAll(async () => net?.stop());

  test("20 kills: the chain continues, committed txs stay, app hashes equal an uninterrupted replay", async () => {
    net = await TestNetwork.start({ nodes: 1, accounts: 2 });
    const [from, to] = net.layout.accounts;
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(from.mnemonic, { prefix: "soa" });
    const random = prng(Number(process.env.CRASH_SEED ?? 20261127));
    const committed = new Map<string, bigint>(); // tx hash -> amount, confirmed in a block before a kill
    const sent = new Map<string, bigint>();
    const kills = Number(process.env.CRASH_KILLS ?? 20);

    const signSends = async (count: number): Promise<Uint8Array[]> => {
      const ro = await StargateClient.connect(net.rpc);
      const account = (await ro.getAccount(from.address))!;
      ro.disconnect();
      const signer = await SigningStargateClient.offline(wallet);
      const txs: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const amount = BigInt(1000 + Math.floor(random() * 1000));
        const raw = await signer.sign(
          from.address,
          [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from.address, toAddress: to.address, amount: [{ denom: "usoa", amount: amount.toString() }] } }],
          { amount: [{ denom: "usoa", amount: "5000" }], gas: "200000" },
          "",
          { accountNumber: BigInt(account.accountNumber), sequence: account.sequence + i, chainId: net.layout.chainId },
        );
        const bytes = TxRaw.encode(raw).finish();
        sent.set(toHex(sha256(bytes)).toUpperCase(), amount);
        txs.push(bytes);
      }
      return txs;
    };
    const broadcast = async (txs: Uint8Array[]) => {
      for (const tx of txs) {
        try {
          await rpc(net.rpc, "broadcast_tx_sync", { tx: "0x" + Buffer.from(tx).toString("hex") }, 2000);
        } catch {
          return; // the node went down mid-broadcast; the rest is resent after the restart
        }
      }
    };
    const confirm = async () => {
      for (const hash of sent.keys()) {
        if (committed.has(hash)) continue;
        try {
          const r = await rpc(net.rpc, "tx", { hash: "0x" + hash }, 2000);
          if (r.tx_result.code === 0) committed.set(hash, sent.get(hash)!);
        } catch {
          /* not (yet) committed */
        }
      }
    };

    for (let round = 0; round < kills; round++) {
      await broadcast(await signSends(3));
      await sleep(50 + Math.floor(random() * 600));
      // Only txs that are known to be committed count as "committed before the kill".
      await confirm();
      const pids = readPids(net.layout.dir)[0];
      process.kill(pids.app!, "SIGKILL");
      // CometBFT stops itself when its app connection drops; make sure, then restart both.
      await waitFor("CometBFT to stop after the app died", 15_000, () => (isAlive(pids.comet!) ? undefined : true), 50).catch(() => {
        process.kill(pids.comet!, "SIGKILL");
      });
      await waitFor("the app to exit", 5_000, () => (isAlive(pids.app!) ? undefined : true), 20);
      await startNode(net.layout, 0);
      const before = await waitFor("the node to answer after restart", 30_000, async () => (await status(net.rpc)).height);
      await waitFor("a new block after restart", 30_000, async () => ((await status(net.rpc)).height > before ? true : undefined));
    }

    // After the last restart, every tx confirmed before a kill is still in the chain.
    await confirm();
    for (const hash of committed.keys()) {
      const r = await rpc(net.rpc, "tx", { hash: "0x" + hash });
      expect(r.tx_result.code).toBe(0);
    }
    expect(committed.size).toBeGreaterThanOrEqual(kills);
    const client = await StargateClient.connect(net.rpc);
    const received = BigInt((await client.getBalance(to.address, "usoa")).amount);
    client.disconnect();
    const total = [...committed.values()].reduce((a, b) => a + b, 0n);
    expect(received).toBe(10n ** 13n + total);

    // The app hash at every height equals that of a replay of the same blocks without kills.
    const height = (await status(net.rpc)).height - 1;
    const replayed = await replayAppHashes(net.rpc, path.join(net.home, "config", "genesis.json"), height);
    let compared = 0;
    for (let h = 1; h < height; h++) {
      const header = (await rpc(net.rpc, "block", { height: h + 1 })).block.header;
      expect({ height: h, appHash: header.app_hash }).toEqual({ height: h, appHash: replayed.get(h) });
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(kills);
    console.log(`crash test: ${kills} kills, ${committed.size} txs committed, app hash equal at ${compared} heights`);
    expect(fs.existsSync(net.home)).toBe(true);
  });
});
