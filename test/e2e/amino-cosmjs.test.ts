/**
 * SIGN_MODE_LEGACY_AMINO_JSON end to end: an unmodified CosmJS SigningStargateClient over an
 * amino-only Secp256k1HdWallet (what Ledger and Keplr's amino path look like to CosmJS), with
 * BLOCKAI's registry and AminoTypes, against a real CometBFT v0.38 node. It sends, delegates,
 * submits a gov v1 proposal and votes on it (v1 and v1beta1), and registers a model; every tx is
 * found on chain with sign mode 127.
 */
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryVoteRequest, QueryVoteResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { BlockaiMsgs, RegistryQuery, createBlockaiAminoTypes, createBlockaiRegistry } from "../../src/client";
import { TestNetwork } from "../helpers/network";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { blockaiEntry } from "../../src/node/paths";

/** Runs the built `blockai` command with `input` on stdin. */
function cli(args: string[], input = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [blockaiEntry(), ...args], { env: { ...process.env, BLOCKAI_HOME: undefined }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

jest.setTimeout(180_000);

describe("end to end: CosmJS with an amino signer (LEGACY_AMINO_JSON) against CometBFT + BLOCKAI", () => {
  let net: TestNetwork;
  let comet: Comet38Client;
  const clients: SigningStargateClient[] = [];

  async function aminoClient(mnemonic: string): Promise<{ address: string; client: SigningStargateClient }> {
    const wallet = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "soa" });
    const [{ address }] = await wallet.getAccounts();
    const client = await SigningStargateClient.connectWithSigner(net.rpc, wallet, {
      registry: createBlockaiRegistry(),
      aminoTypes: createBlockaiAminoTypes(),
      gasPrice: GasPrice.fromString("0.025usoa"),
      broadcastPollIntervalMs: 250,
      broadcastTimeoutMs: 30_000,
    });
    clients.push(client);
    return { address, client };
  }

  /** The sign mode the chain stored for a committed tx. */
  async function signModeOf(client: SigningStargateClient, hash: string): Promise<SignMode | undefined> {
    const tx = TxRaw.decode((await client.getTx(hash))!.tx);
    return AuthInfo.decode(tx.authInfoBytes).signerInfos[0].modeInfo?.single?.mode;
  }

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 1, params: { gov: { voting_period: "120s", max_deposit_period: "120s" } } });
    comet = await Comet38Client.connect(net.rpc);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    comet?.disconnect();
    await net?.stop();
  });

  test("send, delegate, propose and vote, register a model: all amino-signed, all committed", async () => {
    const { address: sender, client } = await aminoClient(net.layout.accounts[0].mnemonic);
    const recipient = net.layout.accounts[1].address;

    // Send with fee "auto" (CosmJS simulates, then signs in amino JSON).
    const before = BigInt((await client.getBalance(recipient, "usoa")).amount);
    const sent = await client.sendTokens(sender, recipient, [{ denom: "usoa", amount: "4321" }], "auto", "amino <send> & memo");
    expect([sent.code, sent.rawLog ?? ""]).toEqual([0, ""]);
    expect(BigInt((await client.getBalance(recipient, "usoa")).amount) - before).toBe(4321n);
    expect(await signModeOf(client, sent.transactionHash)).toBe(SignMode.SIGN_MODE_LEGACY_AMINO_JSON);

    // Delegate to the validator.
    const valoper = toBech32("soavaloper", fromBech32(net.layout.operators[0].address).data);
    const delegated = await client.delegateTokens(sender, valoper, { denom: "usoa", amount: "2000000" }, "auto");
    expect([delegated.code, delegated.rawLog ?? ""]).toEqual([0, ""]);
    expect((await client.getDelegation(sender, valoper))?.amount).toBe("2000000");
    expect(await signModeOf(client, delegated.transactionHash)).toBe(SignMode.SIGN_MODE_LEGACY_AMINO_JSON);

    // A gov v1 proposal (text only), then votes: the validator's operator in v1, the sender in v1beta1.
    const proposed = await client.signAndBroadcast(
      sender,
      [{ typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: { messages: [], initialDeposit: [{ denom: "usoa", amount: "10000000" }], proposer: sender, metadata: "", title: "amino <1>", summary: "signed by an amino wallet", expedited: false } }],
      "auto",
    );
    expect([proposed.code, proposed.rawLog ?? ""]).toEqual([0, ""]);
    const proposalId = BigInt(proposed.events.find((e) => e.type === "submit_proposal")!.attributes.find((a) => a.key === "proposal_id")!.value);
    const operator = await aminoClient(net.layout.operators[0].mnemonic);
    const votedV1 = await operator.client.signAndBroadcast(
      operator.address,
      [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: { proposalId, voter: operator.address, option: VoteOption.VOTE_OPTION_YES, metadata: "" } }],
      "auto",
    );
    expect([votedV1.code, votedV1.rawLog ?? ""]).toEqual([0, ""]);
    const votedV1beta1 = await client.signAndBroadcast(sender, [{ typeUrl: "/cosmos.gov.v1beta1.MsgVote", value: { proposalId, voter: sender, option: VoteOption.VOTE_OPTION_NO } }], "auto");
    expect([votedV1beta1.code, votedV1beta1.rawLog ?? ""]).toEqual([0, ""]);
    for (const [voter, option] of [[operator.address, VoteOption.VOTE_OPTION_YES], [sender, VoteOption.VOTE_OPTION_NO]] as const) {
      const r = await comet.abciQuery({ path: "/cosmos.gov.v1.Query/Vote", data: QueryVoteRequest.encode({ proposalId, voter }).finish() });
      expect(r.code).toBe(0);
      expect(QueryVoteResponse.decode(r.value).vote?.options.map((o) => o.option)).toEqual([option]);
    }
    expect(await signModeOf(operator.client, votedV1.transactionHash)).toBe(SignMode.SIGN_MODE_LEGACY_AMINO_JSON);

    // Register a model (blockai/MsgRegisterModel).
    const registered = await client.signAndBroadcast(
      sender,
      [
        BlockaiMsgs.registerModel(sender, {
          name: "amino-model <&>",
          version: "1.0",
          task: "text-generation",
          artifactDigest: new Uint8Array(32).fill(9),
          artifactUri: "https://example.org/w?a=1&b=2",
          pricePerUnit: 3n,
          unit: "token",
          bond: 10_000_000n,
        }),
      ],
      "auto",
    );
    expect([registered.code, registered.rawLog ?? ""]).toEqual([0, ""]);
    expect(await signModeOf(client, registered.transactionHash)).toBe(SignMode.SIGN_MODE_LEGACY_AMINO_JSON);
    const models = await comet.abciQuery({ path: RegistryQuery.Models.path, data: RegistryQuery.Models.request.encode(RegistryQuery.Models.request.fromPartial({ owner: sender })).finish() });
    expect(models.code).toBe(0);
    expect(RegistryQuery.Models.response.decode(models.value).models.map((m) => m.name)).toEqual(["amino-model <&>"]);
  });

  test("a tampered amino signature is refused in CheckTx with sdk/4 and the node keeps going", async () => {
    const { address: sender, client } = await aminoClient(net.layout.accounts[2].mnemonic);
    const account = (await client.getAccount(sender))!;
    const chainId = await client.getChainId();
    const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: sender, toAddress: net.layout.accounts[3].address, amount: [{ denom: "usoa", amount: "5" }] } };
    const fee = { amount: [{ denom: "usoa", amount: "10000" }], gas: "200000" };
    const signer = { accountNumber: BigInt(account.accountNumber), sequence: account.sequence, chainId };
    const good = await client.sign(sender, [msg], fee, "original", signer);
    const other = await client.sign(sender, [msg], fee, "another memo", signer);
    const forged = TxRaw.encode({ ...good, signatures: other.signatures }).finish();
    const r = await comet.broadcastTxSync({ tx: forged });
    expect([r.code, r.codespace]).toEqual([4, "sdk"]);
    expect(r.log).toMatch(/signature verification failed/);
    const ok = await client.broadcastTx(TxRaw.encode(good).finish());
    expect(ok.code).toBe(0);
  });

  test("the CLI signs in amino JSON with --sign-mode amino-json", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-amino-cli-"));
    try {
      const account = net.layout.accounts[4];
      const added = await cli(["keys", "add", "carol", "--recover", "--home", home, "--keyring-backend", "test", "--output", "json"], account.mnemonic + "\n");
      expect([added.code, added.stderr]).toEqual([0, expect.anything()]);
      expect(JSON.parse(added.stdout).address).toBe(account.address);
      const { client } = await aminoClient(net.layout.accounts[0].mnemonic);
      const chainId = await client.getChainId();
      const args = ["tx", "bank", "send", "carol", net.layout.accounts[0].address, "77usoa", "--home", home, "--keyring-backend", "test", "--node", net.rpc, "--chain-id", chainId, "--yes", "--output", "json"];
      const bad = await cli([...args, "--sign-mode", "textual"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--sign-mode must be "direct" or "amino-json", got "textual"/);
      const sent = await cli([...args, "--sign-mode", "amino-json"]);
      expect([sent.code, sent.stderr.split("\n").filter((l) => l.startsWith("Error"))]).toEqual([0, []]);
      const { txhash, code } = JSON.parse(sent.stdout);
      expect(code).toBe(0);
      expect(await signModeOf(client, txhash)).toBe(SignMode.SIGN_MODE_LEGACY_AMINO_JSON);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
