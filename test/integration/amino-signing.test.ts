/**
 * SIGN_MODE_LEGACY_AMINO_JSON through the app's tx pipeline, signed by CosmJS itself: an
 * unmodified SigningStargateClient (offline) over an amino-only wallet (Secp256k1Wallet, what
 * Ledger and Keplr's amino path look like to CosmJS) with BLOCKAI's registry and AminoTypes.
 * Tampering with anything the amino doc covers is refused; so are bytes it does not cover (a
 * non-canonical body), SIGN_MODE_TEXTUAL and unknown modes, each with its own message.
 */
import { Secp256k1Wallet } from "@cosmjs/amino";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import fc from "fast-check";
import { BlockaiMsgs, createBlockaiAminoTypes, createBlockaiRegistry } from "../../src/client";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import * as cryptoModule from "../../src/framework/crypto";
import { Driver } from "../helpers/driver";
import { TestKey, msgSend, signTx } from "../helpers/keys";
import { GOV_AUTHORITY, VoteOption, msgSubmitProposal } from "../helpers/gov";

const fee: StdFee = { amount: [{ denom: "usoa", amount: "25000" }], gas: "1000000" };

async function aminoClient(key: TestKey): Promise<SigningStargateClient> {
  const wallet = await Secp256k1Wallet.fromKey(key.privateKey, "soa");
  return SigningStargateClient.offline(wallet, { registry: createBlockaiRegistry(), aminoTypes: createBlockaiAminoTypes() });
}

/** Signs with CosmJS's amino path (signAmino) at the account's current check-state sequence. */
async function signAmino(d: Driver, key: TestKey, msgs: EncodeObject[], sequence: bigint, memo = "", f: StdFee = fee): Promise<TxRaw> {
  const client = await aminoClient(key);
  const account = d.account(key.address)!;
  return client.sign(key.address, msgs, f, memo, { accountNumber: account.accountNumber, sequence: Number(sequence), chainId: d.chainId });
}

const bytes = (tx: TxRaw) => TxRaw.encode(tx).finish();

describe("LEGACY_AMINO_JSON signatures from CosmJS", () => {
  let d: Driver;
  let sender: TestKey;
  let receiver: TestKey;

  beforeAll(async () => {
    d = await Driver.create({ validators: 1, verifyThreads: 2 });
    await d.block();
    [sender, receiver] = d.keys;
  });
  afterAll(async () => {
    await d.close();
  });

  test("send, delegate, register a model and vote on a proposal, each signed in amino JSON", async () => {
    const seq = () => d.account(sender.address)!.sequence;
    const before = d.balance(receiver.address);
    const send: EncodeObject = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: sender.address, toAddress: receiver.address, amount: [{ denom: "usoa", amount: "1234" }] } };
    const sendTx = await signAmino(d, sender, [send], seq(), "amino <&> memo");
    expect(AuthInfo.decode(sendTx.authInfoBytes).signerInfos[0].modeInfo?.single?.mode).toBe(SignMode.SIGN_MODE_LEGACY_AMINO_JSON);
    let [r] = (await d.block([bytes(sendTx)])).results;
    expect([r.code, r.log]).toEqual([0, ""]);
    expect(d.balance(receiver.address) - before).toBe(1234n);

    const delegate: EncodeObject = {
      typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
      value: { delegatorAddress: sender.address, validatorAddress: d.validators[0].valoper, amount: { denom: "usoa", amount: "1000000" } },
    };
    [r] = (await d.block([bytes(await signAmino(d, sender, [delegate], seq()))])).results;
    expect([r.code, r.log]).toEqual([0, ""]);

    const register = BlockaiMsgs.registerModel(sender.address, {
      name: "amino-model",
      version: "1",
      task: "text-generation",
      artifactDigest: new Uint8Array(32).fill(7),
      pricePerUnit: 3n,
      unit: "token",
      bond: 10_000_000n,
    });
    [r] = (await d.block([bytes(await signAmino(d, sender, [register], seq()))])).results;
    expect([r.code, r.log]).toEqual([0, ""]);

    // A gov v1 proposal (messages as amino Anys: a MsgSend from the gov account), then votes in
    // v1 and v1beta1.
    const submit = msgSubmitProposal(sender.address, [msgSend(GOV_AUTHORITY, receiver.address, 1n)], 10n ** 10n, { title: "pay <1>" });
    const submitObj: EncodeObject = { typeUrl: submit.typeUrl, value: createBlockaiRegistry().decode(submit) };
    [r] = (await d.block([bytes(await signAmino(d, sender, [submitObj], seq()))])).results;
    expect([r.code, r.log]).toEqual([0, ""]);
    const vote: EncodeObject = { typeUrl: "/cosmos.gov.v1.MsgVote", value: { proposalId: 1n, voter: sender.address, option: VoteOption.VOTE_OPTION_YES, metadata: "" } };
    const voteBeta: EncodeObject = { typeUrl: "/cosmos.gov.v1beta1.MsgVote", value: { proposalId: 1n, voter: receiver.address, option: VoteOption.VOTE_OPTION_NO } };
    const results = (await d.block([bytes(await signAmino(d, sender, [vote], seq())), bytes(await signAmino(d, receiver, [voteBeta], d.account(receiver.address)!.sequence))])).results;
    expect(results.map((x) => [x.code, x.log])).toEqual([[0, ""], [0, ""]]);
  });

  test("changing anything the amino doc covers breaks the signature (sdk/4); bytes it does not cover must be canonical (sdk/2)", async () => {
    const seq = d.account(sender.address)!.sequence;
    const send: EncodeObject = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: sender.address, toAddress: receiver.address, amount: [{ denom: "usoa", amount: "5" }] } };
    const signed = await signAmino(d, sender, [send], seq, "original");
    const body = TxBody.decode(signed.bodyBytes);
    const authInfo = AuthInfo.decode(signed.authInfoBytes);
    const withBody = (b: TxBody) => bytes({ ...signed, bodyBytes: TxBody.encode(b).finish() });
    const withAuth = (a: AuthInfo) => bytes({ ...signed, authInfoBytes: AuthInfo.encode(a).finish() });
    const cases: Array<[string, Uint8Array, number, RegExp]> = [
      ["memo", withBody({ ...body, memo: "changed" }), 4, /signature verification failed/],
      ["amount", withBody({ ...body, messages: [msgSend(sender.address, receiver.address, 6n)] }), 4, /signature verification failed/],
      ["recipient", withBody({ ...body, messages: [msgSend(sender.address, sender.address, 5n)] }), 4, /signature verification failed/],
      ["timeout height", withBody({ ...body, timeoutHeight: 1_000_000n }), 4, /signature verification failed/],
      ["fee", withAuth({ ...authInfo, fee: { ...authInfo.fee!, amount: [{ denom: "usoa", amount: "25001" }] } }), 4, /signature verification failed/],
      ["gas", withAuth({ ...authInfo, fee: { ...authInfo.fee!, gasLimit: 999_999n } }), 4, /signature verification failed/],
      ["sequence", withAuth({ ...authInfo, signerInfos: [{ ...authInfo.signerInfos[0], sequence: seq + 1n }] }), 32, /account sequence mismatch/],
      // Signed in amino, claimed as DIRECT: the DIRECT sign bytes are another document.
      ["mode", withAuth({ ...authInfo, signerInfos: [{ ...authInfo.signerInfos[0], modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } } }] }), 4, /signature verification failed/],
      // Same content, extra bytes: an unknown field appended to the body.
      ["unknown body field", bytes({ ...signed, bodyBytes: Uint8Array.from([...signed.bodyBytes, 0xf8, 0x07, 0x01]) }), 2, /canonical protobuf encoding/],
      [
        "non-canonical message",
        withBody({ ...body, messages: [{ typeUrl: body.messages[0].typeUrl, value: Uint8Array.from([...body.messages[0].value, 0xf8, 0x07, 0x01]) }] }),
        2,
        /canonical protobuf encoding \(message 0/,
      ],
    ];
    for (const [name, tx, code, log] of cases) {
      const res = d.checkTx(tx);
      expect([name, res.code]).toEqual([name, code]);
      expect(res.log).toMatch(log);
    }
    // The untouched tx still passes.
    expect(d.checkTx(bytes(signed)).code).toBe(0);
  });

  test("an amino signature costs the gas of a DIRECT one: the txs differ in gas only by their size", async () => {
    await d.block();
    const send = msgSend(sender.address, receiver.address, 9n);
    const direct = () => {
      const account = d.account(sender.address)!;
      return signTx({ key: sender, msgs: [send], accountNumber: account.accountNumber, sequence: account.sequence, chainId: d.chainId, memo: "m", gas: 1_000_000n, fee: [...fee.amount] });
    };
    // The first tx of an account stores its public key: warm up so both pay the same writes.
    expect((await d.block([direct()])).results[0].code).toBe(0);
    const directTx = direct();
    const [rd] = (await d.block([directTx])).results;
    const aminoTx = bytes(await signAmino(d, sender, [{ typeUrl: send.typeUrl, value: MsgSend.decode(send.value) }], d.account(sender.address)!.sequence, "m"));
    const [ra] = (await d.block([aminoTx])).results;
    expect([rd.code, ra.code]).toEqual([0, 0]);
    const txSizeCostPerByte = 10n; // the auth default
    expect(ra.gasUsed - rd.gasUsed).toBe(BigInt(aminoTx.length - directTx.length) * txSizeCostPerByte);
  });

  test("SIGN_MODE_TEXTUAL and unknown sign modes are refused by name (sdk/37)", async () => {
    await d.block(); // a fresh check state: earlier CheckTxs moved its sequences
    const account = d.account(sender.address)!;
    const acct = account.accountNumber;
    const textual = signTx({ key: sender, msgs: [msgSend(sender.address, receiver.address, 1n)], accountNumber: acct, sequence: account.sequence, chainId: d.chainId, signMode: SignMode.SIGN_MODE_TEXTUAL, gas: 1_000_000n, fee: [...fee.amount] });
    let res = d.checkTx(textual);
    expect([res.code, res.codespace]).toEqual([37, "sdk"]);
    expect(res.log).toMatch(/SIGN_MODE_TEXTUAL is not supported; sign with SIGN_MODE_DIRECT or SIGN_MODE_LEGACY_AMINO_JSON/);
    const directAux = signTx({ key: sender, msgs: [msgSend(sender.address, receiver.address, 1n)], accountNumber: acct, sequence: account.sequence, chainId: d.chainId, signMode: SignMode.SIGN_MODE_DIRECT_AUX, gas: 1_000_000n, fee: [...fee.amount] });
    res = d.checkTx(directAux);
    expect([res.code, res.codespace]).toEqual([37, "sdk"]);
    expect(res.log).toMatch(/sign mode 3 is not supported/);
  });

  test("property: DIRECT and AMINO agree on valid txs; a tampered amino doc is refused", async () => {
    await d.block();
    const client = await aminoClient(sender);
    const tamper = ["memo", "amount", "chainId", "accountNumber", "sequence"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.string({ maxLength: 40, unit: "binary" }),
        fc.constantFrom(...tamper),
        async (amount, memo, what) => {
          const account = d.account(sender.address)!;
          const send = msgSend(sender.address, receiver.address, amount);
          const sendObj: EncodeObject = { typeUrl: send.typeUrl, value: MsgSend.decode(send.value) };
          const signer = { accountNumber: account.accountNumber, sequence: Number(account.sequence), chainId: d.chainId };
          const direct = signTx({ key: sender, msgs: [send], accountNumber: account.accountNumber, sequence: account.sequence, chainId: d.chainId, memo, gas: 1_000_000n, fee: [...fee.amount] });
          const amino = bytes(await client.sign(sender.address, [sendObj], fee, memo, signer));
          // Both are valid for the same state: each is checked against a fresh check state.
          const directRes = d.checkTx(direct);
          await d.block();
          const aminoRes = d.checkTx(amino);
          expect([directRes.code, directRes.log]).toEqual([0, ""]);
          expect([aminoRes.code, aminoRes.log]).toEqual([0, ""]);
          await d.block();
          // A doc signed with one thing changed, put into a tx that says otherwise.
          const after = d.account(sender.address)!;
          const bad = {
            accountNumber: after.accountNumber + (what === "accountNumber" ? 1n : 0n),
            sequence: Number(after.sequence) + (what === "sequence" ? 1 : 0),
            chainId: what === "chainId" ? `${d.chainId}x` : d.chainId,
          };
          const tamperedMsg: EncodeObject = what === "amount" ? { typeUrl: send.typeUrl, value: { ...MsgSend.decode(send.value), amount: [{ denom: "usoa", amount: String(amount + 1n) }] } } : sendObj;
          const signedBad = await client.sign(sender.address, [tamperedMsg], fee, what === "memo" ? `${memo}!` : memo, bad);
          const good = await client.sign(sender.address, [sendObj], fee, memo, { accountNumber: after.accountNumber, sequence: Number(after.sequence), chainId: d.chainId });
          // The good tx's body and auth info with the tampered doc's signature.
          const forged = bytes({ ...good, signatures: signedBad.signatures });
          const res = d.checkTx(forged);
          expect([what, res.code]).toEqual([what, 4]);
        },
      ),
      { numRuns: 15 },
    );
  });

  test("amino signatures go through the verification threads and the verdict cache: each verified once, never on the main thread when prefetched", async () => {
    await d.block();
    const account = d.account(receiver.address)!;
    const send: EncodeObject = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: receiver.address, toAddress: sender.address, amount: [{ denom: "usoa", amount: "3" }] } };
    // A batch large enough for the pool (small batches are verified inline).
    const txs: Uint8Array[] = [];
    for (let i = 0n; i < 8n; i++) txs.push(bytes(await signAmino(d, receiver, [send], account.sequence + i, `pooled ${i}`)));
    const spy = jest.spyOn(cryptoModule, "verifySecp256k1");
    try {
      const requests = txs.map((tx) => ({ tx, type: CheckTxType.NEW }));
      d.app.prefetch(requests.map((checkTx) => ({ checkTx })));
      const answers = await Promise.all(requests.map((r) => d.app.checkTx(r)));
      expect(answers.map((r) => [r.code, r.log])).toEqual(txs.map(() => [0, ""]));
      const { results } = await d.block(txs);
      expect(results.map((r) => r.code)).toEqual(txs.map(() => 0));
      // Verified by the pool ahead of CheckTx; CheckTx and the block reused that verdict.
      expect(spy).toHaveBeenCalledTimes(0);
    } finally {
      spy.mockRestore();
    }
  });
});
