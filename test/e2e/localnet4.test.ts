import { DirectSecp256k1HdWallet, encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createHash } from "node:crypto";
import { NetworkLayout, TestAccount, readPids, startNode, stopNode } from "../../src/node/network";
import { isAlive, sleep, waitFor } from "../../src/node/process";
import { rpc, status } from "../../src/node/rpc";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(180_000);

const TXS_PER_SENDER = 40;

interface Signed {
  bytes: Uint8Array;
  hash: string;
}

async function accountOf(node: string, address: string): Promise<{ accountNumber: bigint; sequence: bigint }> {
  const data = Buffer.from(QueryAccountRequest.encode({ address }).finish()).toString("hex");
  const r = await rpc(node, "abci_query", { path: '"/cosmos.auth.v1beta1.Query/Account"', data: `0x${data}` });
  const any = QueryAccountResponse.decode(Buffer.from(r.response.value, "base64")).account!;
  const acc = BaseAccount.decode(any.value);
  return { accountNumber: acc.accountNumber, sequence: acc.sequence };
}

/** `count` MsgSends signed offline with consecutive sequences, as a wallet sending quickly would. */
async function signMany(chainId: string, node: string, from: TestAccount, to: string, count: number): Promise<Signed[]> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(from.mnemonic, { prefix: "soa" });
  const [{ pubkey }] = await wallet.getAccounts();
  const { accountNumber, sequence } = await accountOf(node, from.address);
  const out: Signed[] = [];
  for (let i = 0; i < count; i++) {
    const bodyBytes = TxBody.encode(
      TxBody.fromPartial({
        messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: from.address, toAddress: to, amount: [{ denom: "usoa", amount: String(1 + i) }] }).finish() }],
      }),
    ).finish();
    const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: Number(sequence) + i }], [{ denom: "usoa", amount: "5000" }], 200_000, undefined, undefined);
    const { signature } = await wallet.signDirect(from.address, makeSignDoc(bodyBytes, authInfoBytes, chainId, Number(accountNumber)));
    const bytes = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [Buffer.from(signature.signature, "base64")] }).finish();
    out.push({ bytes, hash: createHash("sha256").update(bytes).digest("hex").toUpperCase() });
  }
  return out;
}

/** Broadcasts in order (one sender's sequences must reach the mempool in order) and checks CheckTx. */
async function broadcastAll(node: string, txs: Signed[]): Promise<void> {
  for (const tx of txs) {
    const r = await rpc(node, "broadcast_tx_sync", { tx: `0x${Buffer.from(tx.bytes).toString("hex")}` });
    if (r.code !== 0) throw new Error(`CheckTx refused a tx on ${node}: code ${r.code} ${r.log}`);
  }
}

async function waitCommitted(node: string, hashes: string[], timeoutMs: number): Promise<Map<string, number>> {
  const heights = new Map<string, number>();
  await waitFor(`${hashes.length} txs to be committed`, timeoutMs, async () => {
    for (const h of hashes) {
      if (heights.has(h)) continue;
      try {
        const r = await rpc(node, "tx", { hash: `0x${h}` });
        if (r.tx_result.code !== 0) throw new Error(`tx ${h} failed in block ${r.height}: ${r.tx_result.log}`);
        heights.set(h, Number(r.height));
      } catch (e) {
        if (/failed in block/.test((e as Error).message)) throw e;
        return undefined;
      }
    }
    return true;
  }, 250);
  return heights;
}

/** app_hash and block hash of every height 1..max on one node, via /blockchain (20 headers per call). */
async function headers(node: string, max: number): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (let lo = 1; lo <= max; lo += 20) {
    const hi = Math.min(max, lo + 19);
    const r = await rpc(node, "blockchain", { minHeight: lo, maxHeight: hi });
    for (const m of r.block_metas) out.set(Number(m.header.height), `${m.header.app_hash}/${m.block_id.hash}`);
  }
  return out;
}

describe("a 4-validator network of real CometBFT nodes", () => {
  let net: TestNetwork;
  let layout: NetworkLayout;
  const rpcOf = (i: number) => layout.nodes[i].rpc;

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 4 });
    layout = net.layout;
  });
  afterAll(async () => {
    await net?.stop();
  });

  test("200 txs sent through all four nodes are all committed", async () => {
    const t0 = Date.now();
    const senders = layout.accounts; // 5 senders x 40 txs; sender k uses node k % 4
    const batches = await Promise.all(senders.map((s, k) => signMany(layout.chainId, rpcOf(0), s, senders[(k + 1) % senders.length].address, TXS_PER_SENDER)));
    await Promise.all(batches.map((txs, k) => broadcastAll(rpcOf(k % 4), txs)));
    const hashes = batches.flat().map((t) => t.hash);
    expect(new Set(hashes).size).toBe(200);
    const heights = await waitCommitted(rpcOf(0), hashes, 90_000);
    expect(heights.size).toBe(200);
    for (const s of senders) expect((await accountOf(rpcOf(3), s.address)).sequence).toBe(BigInt(TXS_PER_SENDER));
    const blocks = new Set(heights.values());
    console.log(`200 txs committed in ${blocks.size} blocks (heights ${Math.min(...blocks)}-${Math.max(...blocks)}), ${((Date.now() - t0) / 1000).toFixed(1)} s from signing to the last commit`);
  });

  test("SIGKILL of one validator's two processes: the other three keep producing blocks", async () => {
    const pids = readPids(layout.dir)[3];
    await stopNode(layout, 3, "SIGKILL");
    expect(isAlive(pids.app!)).toBe(false);
    expect(isAlive(pids.comet!)).toBe(false);
    await expect(status(rpcOf(3))).rejects.toThrow();
    const h0 = (await status(rpcOf(0))).height;
    // Transactions during the outage give the restarted node real state to catch up on.
    const txs = await signMany(layout.chainId, rpcOf(1), layout.accounts[0], layout.accounts[2].address, 10);
    await broadcastAll(rpcOf(1), txs);
    await waitCommitted(rpcOf(2), txs.map((t) => t.hash), 30_000);
    await waitFor("5 more blocks without node3", 30_000, async () => ((await status(rpcOf(0))).height >= h0 + 5 ? true : undefined));
  });

  test("restarted, the node catches up with the others within 30 s", async () => {
    const t0 = Date.now();
    await startNode(layout, 3);
    let caughtUpAt = 0;
    await waitFor("node3 to catch up", 30_000, async () => {
      const [mine, theirs] = await Promise.all([status(rpcOf(3)), status(rpcOf(0))]);
      if (!mine.catchingUp && mine.height >= theirs.height) {
        caughtUpAt = mine.height;
        return true;
      }
      return undefined;
    }, 100);
    const ms = Date.now() - t0;
    console.log(`node3 caught up to height ${caughtUpAt} ${(ms / 1000).toFixed(1)} s after startNode (app start + CometBFT block sync)`);
    expect(ms).toBeLessThan(30_000);
    // It keeps up afterwards and serves the state the others have.
    await sleep(1000);
    expect((await accountOf(rpcOf(3), layout.accounts[0].address)).sequence).toBe(BigInt(TXS_PER_SENDER + 10));
  });

  test("at every height of the run, all four nodes have the same app hash and block", async () => {
    const top = Math.min(...(await Promise.all(layout.nodes.map((n) => status(n.rpc)))).map((s) => s.height));
    const all = await Promise.all(layout.nodes.map((n) => headers(n.rpc, top)));
    for (let h = 1; h <= top; h++) {
      const reference = all[0].get(h);
      expect(reference).toBeDefined();
      for (let i = 1; i < all.length; i++) {
        if (all[i].get(h) !== reference) throw new Error(`height ${h}: node${i} has ${all[i].get(h)}, node0 has ${reference}`);
      }
    }
    console.log(`app hash and block hash identical on 4 nodes at all ${top} heights`);
    expect(top).toBeGreaterThan(10);
  });
});
