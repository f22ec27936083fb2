import * as fs from "node:fs";
import * as path from "node:path";
import { fromBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, makeAuthInfoBytes, makeSignDoc, encodePubkey } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { GasPrice, SigningStargateClient, StargateClient, calculateFee } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { TxBody, TxRaw, AuthInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { queryVerified, verifyStateProof, STORE_QUERY_PATH } from "../../src/client/verified-query";
import { balanceStateKey } from "../../src/modules/bank/keys";
import { status } from "../../src/node/rpc";
import { TestNetwork } from "../helpers/network";
// This process encodes int64s of 2^31 .. 2^32 - 1 correctly, as any encoder but cosmjs-types 0.11
// does: the txs below carry such a gas limit the way an attacker's could.
import "../../src/proto/varint64-fix";

jest.setTimeout(180_000);

const N = secp256k1.Point.CURVE().n;

describe("end to end: unmodified CosmJS 0.39 against CometBFT v0.38 + BLOCKAI", () => {
  let net: TestNetwork;
  let wallet: DirectSecp256k1HdWallet;
  let client: SigningStargateClient;
  let sender: string;
  let recipient: string;

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 1 });
    const [a0, a1] = net.layout.accounts;
    wallet = await DirectSecp256k1HdWallet.fromMnemonic(a0.mnemonic, { prefix: "soa" });
    sender = a0.address;
    recipient = a1.address;
    client = await SigningStargateClient.connectWithSigner(net.rpc, wallet, {
      gasPrice: GasPrice.fromString("0.025usoa"),
      broadcastPollIntervalMs: 250,
      broadcastTimeoutMs: 30_000,
    });
  });
  afterAll(async () => {
    client?.disconnect();
    await net?.stop();
  });

  test("the network's files holding mnemonics are the owner's only", () => {
    expect(fs.statSync(net.layout.dir).mode & 0o777).toBe(0o700);
    for (const f of ["accounts.json", "validators.json", "network.json"]) expect(fs.statSync(path.join(net.layout.dir, f)).mode & 0o777).toBe(0o600);
  });

  test("chain id, account and balance queries", async () => {
    expect(await client.getChainId()).toBe("blockai-e2e");
    const account = await client.getAccount(sender);
    expect(account).not.toBeNull();
    expect(account!.address).toBe(sender);
    expect(await client.getBalance(sender, "usoa")).toEqual({ denom: "usoa", amount: "10000000000000" });
    expect(await client.getBalance(sender, "unknown")).toEqual({ denom: "unknown", amount: "0" });
    const unknown = (await DirectSecp256k1HdWallet.generate(12, { prefix: "soa" })).getAccounts();
    expect(await client.getAccount((await unknown)[0].address)).toBeNull();
  });

  test("sendTokens with fee auto and with an explicit fee: exact balance changes; getTx and searchTx find them", async () => {
    const before = { s: BigInt((await client.getBalance(sender, "usoa")).amount), r: BigInt((await client.getBalance(recipient, "usoa")).amount) };

    const auto = await client.sendTokens(sender, recipient, [{ denom: "usoa", amount: "123456" }], "auto", "auto fee");
    expect(auto.code).toBe(0);
    const autoTx = TxRaw.decode((await client.getTx(auto.transactionHash))!.tx);
    const autoFee = BigInt(AuthInfo.decode(autoTx.authInfoBytes).fee!.amount[0].amount);
    expect(autoFee).toBe(BigInt(calculateFee(Number(auto.gasWanted), "0.025usoa").amount[0].amount));
    expect(auto.gasUsed).toBeLessThanOrEqual(auto.gasWanted);

    const explicitFee = { amount: [{ denom: "usoa", amount: "7000" }], gas: "200000" };
    const explicit = await client.sendTokens(sender, recipient, [{ denom: "usoa", amount: "1000" }], explicitFee);
    expect(explicit.code).toBe(0);

    const after = { s: BigInt((await client.getBalance(sender, "usoa")).amount), r: BigInt((await client.getBalance(recipient, "usoa")).amount) };
    expect(after.s).toBe(before.s - 123456n - autoFee - 1000n - 7000n);
    expect(after.r).toBe(before.r + 123456n + 1000n);

    const found = await client.getTx(explicit.transactionHash);
    expect(found?.height).toBe(explicit.height);
    const searched = await client.searchTx(`message.sender='${sender}'`);
    const hashes = searched.map((t) => t.hash);
    expect(hashes).toEqual(expect.arrayContaining([auto.transactionHash, explicit.transactionHash]));
    const byRecipient = await client.searchTx(`transfer.recipient='${recipient}'`);
    expect(byRecipient.length).toBeGreaterThanOrEqual(2);
  });

  describe("bad input is refused with the SDK code, the node keeps running, nothing moves", () => {
    const signRaw = async (over: { chainId?: string; accountNumber?: number; sequence?: number; fee?: string; gas?: number; typeUrl?: string; amount?: bigint; mutateSig?: (s: Uint8Array) => Uint8Array; memo?: string }) => {
      const [{ pubkey }] = await wallet.getAccounts();
      const account = (await client.getAccount(sender))!;
      const msg = over.typeUrl
        ? { typeUrl: over.typeUrl, value: new Uint8Array([1, 2, 3]) }
        : { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: sender, toAddress: recipient, amount: [{ denom: "usoa", amount: String(over.amount ?? 1n) }] }).finish() };
      const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [msg], memo: over.memo ?? "" })).finish();
      const authInfoBytes = makeAuthInfoBytes(
        [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: over.sequence ?? account.sequence }],
        [{ denom: "usoa", amount: over.fee ?? "10000" }],
        over.gas ?? 200000,
        undefined,
        undefined,
      );
      const doc = makeSignDoc(bodyBytes, authInfoBytes, over.chainId ?? "blockai-e2e", over.accountNumber ?? Number(account.accountNumber));
      const { signature } = await wallet.signDirect(sender, doc);
      let sig = Buffer.from(signature.signature, "base64") as Uint8Array;
      if (over.mutateSig) sig = over.mutateSig(sig);
      return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [sig] }).finish();
    };
    const highS = (sig: Uint8Array) => {
      const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
      const out = Uint8Array.from(sig);
      out.set(Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"), 32);
      return out;
    };
    const cases: Array<[string, Parameters<typeof signRaw>[0], number]> = [
      ["bad signature", { mutateSig: (s) => Uint8Array.from(s, (b, i) => (i === 5 ? b ^ 1 : b)) }, 4],
      ["wrong chain id", { chainId: "some-other-chain" }, 4],
      ["wrong account number", { accountNumber: 999 }, 4],
      ["stale sequence", { sequence: 0 }, 32],
      ["future sequence", { sequence: 1000 }, 32],
      ["high-S signature", { mutateSig: highS }, 4],
      ["fee under the minimum gas price", { fee: "1" }, 13],
      ["insufficient funds", { amount: 10n ** 18n }, 5],
      ["unknown message type URL", { typeUrl: "/blockai.nothing.v1.MsgNothing" }, 2],
      // CheckTx answers gas_wanted = 3,000,000,000, which cosmjs-types used to write as five zero
      // bytes: CometBFT could not decode the answer and stopped (varint64-fix.ts).
      ["gas limit of 3,000,000,000, fee too small for it", { gas: 3_000_000_000 }, 13],
    ];

    test.each(cases)("%s", async (_name, over, code) => {
      // Make sure the account's sequence is > 0 so that "stale" is really stale.
      if ((await client.getAccount(sender))!.sequence === 0) {
        await client.sendTokens(sender, recipient, [{ denom: "usoa", amount: "1" }], "auto");
      }
      const before = { s: (await client.getBalance(sender, "usoa")).amount, r: (await client.getBalance(recipient, "usoa")).amount };
      const tx = await signRaw(over);
      await expect(client.broadcastTxSync(tx)).rejects.toMatchObject({ code, codespace: "sdk" });
      const h = await client.getHeight();
      await waitForHeight(net.rpc, h + 1);
      expect((await client.getBalance(sender, "usoa")).amount).toBe(before.s);
      expect((await client.getBalance(recipient, "usoa")).amount).toBe(before.r);
    });

    test("oversized txs are refused (by the mempool limit, or the RPC body limit) and the node keeps running", async () => {
      const tx = await signRaw({ memo: "", typeUrl: undefined });
      // Just over CometBFT's default mempool max_tx_bytes (1 MiB) yet within the RPC body limit when
      // posted raw is not possible (hex doubles it), so both paths are tried.
      const big = TxRaw.encode({ ...TxRaw.decode(tx), bodyBytes: new Uint8Array(1_100_000) }).finish();
      await expect(client.broadcastTxSync(big)).rejects.toThrow(/too large|400/i);
      // A 400 kB tx that fits the mempool is refused by the app (its memo exceeds the limit).
      const medium = await signRaw({ memo: "m".repeat(400_000) });
      await expect(client.broadcastTxSync(medium)).rejects.toMatchObject({ code: 12, codespace: "sdk" });
      const h = await client.getHeight();
      await waitForHeight(net.rpc, h + 1);
    });
  });

  test("a tx with a gas limit of 3,000,000,000 and the fee for it is committed, and CometBFT reports that gas back", async () => {
    const fee = { amount: [{ denom: "usoa", amount: String(3_000_000_000 * 0.025) }], gas: "3000000000" };
    const res = await client.sendTokens(sender, recipient, [{ denom: "usoa", amount: "5" }], fee);
    expect(res.code).toBe(0);
    expect(res.gasWanted).toBe(3_000_000_000n);
    expect((await client.getTx(res.transactionHash))?.gasWanted).toBe(3_000_000_000n);
  });

  test("proofs: a balance and a missing key verify against the next header's app hash; tampering fails", async () => {
    const comet = await Comet38Client.connect(net.rpc);
    try {
      const key = balanceStateKey(fromBech32(sender).data, "usoa");
      const present = await queryVerified(comet, key);
      expect(present.value).toBeDefined();
      const balanceThen = new TextDecoder().decode(present.value);
      expect(BigInt(balanceThen)).toBeGreaterThan(0n);

      const missingKey = balanceStateKey(fromBech32(sender).data, "nosuchdenom");
      const missing = await queryVerified(comet, missingKey);
      expect(missing.value).toBeUndefined();

      // Tampering: a different value, a flipped proof byte, claiming a present key is absent.
      const res = await comet.abciQuery({ path: STORE_QUERY_PATH, data: key, prove: true, height: present.height });
      const ops = res.proof!.ops;
      expect(() => verifyStateProof(present.appHash, key, new TextEncoder().encode(balanceThen + "0"), ops)).toThrow(/does not verify/);
      const flipped = ops.map((op) => ({ ...op, data: Uint8Array.from(op.data, (b, i) => (i === op.data.length - 1 ? b ^ 0x80 : b)) }));
      expect(() => verifyStateProof(present.appHash, key, present.value, flipped)).toThrow();
      expect(() => verifyStateProof(present.appHash, key, undefined, ops)).toThrow();
      const otherRoot = Uint8Array.from(present.appHash, (b, i) => (i === 0 ? b ^ 1 : b));
      expect(() => verifyStateProof(otherRoot, key, present.value, ops)).toThrow(/does not verify/);
    } finally {
      comet.disconnect();
    }
  });

  test("StargateClient sees the same chain (read-only client)", async () => {
    const ro = await StargateClient.connect(net.rpc);
    expect(await ro.getChainId()).toBe("blockai-e2e");
    expect((await ro.getAllBalances(sender)).map((c) => c.denom)).toEqual(["usoa"]);
    ro.disconnect();
  });
});

async function waitForHeight(rpc: string, height: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await status(rpc)).height < height) {
    if (Date.now() > deadline) throw new Error(`height ${height} not reached`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
