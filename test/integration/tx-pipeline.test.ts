import { Driver, FEES_ONLY } from "../helpers/driver";
import { msgSend, signTx, TestKey } from "../helpers/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";

describe("transaction pipeline (in-process ABCI driver)", () => {
  let d: Driver;
  let alice: TestKey;
  let bob: TestKey;
  const sign = (over: Partial<Parameters<typeof signTx>[0]> = {}) =>
    signTx({
      key: alice,
      msgs: [msgSend(alice.address, bob.address, 1000n)],
      accountNumber: d.account(alice.address)!.accountNumber,
      sequence: d.account(alice.address)!.sequence,
      chainId: d.chainId,
      ...over,
    });

  beforeEach(async () => {
    d = await Driver.create({ accounts: 3, params: FEES_ONLY });
    [alice, bob] = d.keys;
    await d.block();
  });
  afterEach(async () => d.close());

  test("a valid send moves exactly amount and fee, sets the pubkey and increments the sequence", async () => {
    const before = { a: d.balance(alice.address), b: d.balance(bob.address) };
    const tx = sign({ fee: [{ denom: "usoa", amount: "5000" }], gas: 200_000n });
    expect(d.checkTx(tx).code).toBe(0);
    const { results } = await d.block([tx]);
    expect(results[0].code).toBe(0);
    expect(d.balance(alice.address)).toBe(before.a - 1000n - 5000n);
    expect(d.balance(bob.address)).toBe(before.b + 1000n);
    const acc = d.account(alice.address)!;
    expect(acc.sequence).toBe(1n);
    expect(Buffer.from(acc.pubKey!)).toEqual(Buffer.from(alice.publicKey));
    const data = TxMsgData.decode(results[0].data);
    expect(data.msgResponses[0].typeUrl).toBe("/cosmos.bank.v1beta1.MsgSendResponse");
    const types = results[0].events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["tx", "message", "transfer", "coin_spent", "coin_received"]));
    const msgEvent = results[0].events.find((e) => e.type === "message" && e.attributes.some((a) => a.key === "action"))!;
    expect(msgEvent.attributes).toEqual(
      expect.arrayContaining([
        { key: "action", value: "/cosmos.bank.v1beta1.MsgSend", index: true },
        { key: "sender", value: alice.address, index: true },
        { key: "module", value: "bank", index: true },
      ]),
    );
    expect(results[0].events.every((e) => e.attributes.every((a) => a.key !== "" && a.index))).toBe(true);
  });

  const codeCases: Array<[string, () => Uint8Array, number]> = [
    ["bad signature", () => sign({ signature: new Uint8Array(64).fill(7) }), 4],
    ["wrong chain id", () => sign({ chainId: "other-chain" }), 4],
    ["wrong account number", () => sign({ accountNumber: 99n }), 4],
    ["stale sequence", () => sign({ sequence: 0n }), 32],
    ["future sequence", () => sign({ sequence: 5n }), 32],
    ["high-S signature", () => sign({ highS: true }), 4],
    ["fee under the minimum gas price", () => sign({ fee: [{ denom: "usoa", amount: "10" }], gas: 200_000n }), 13],
    ["memo too long", () => sign({ memo: "x".repeat(257) }), 12],
    ["timeout height passed", () => sign({ timeoutHeight: 1n }), 30],
    ["unknown message type", () => sign({ msgs: [{ typeUrl: "/cosmos.nothing.v1.MsgNothing", value: new Uint8Array() }] }), 2],
    ["unsupported sign mode (TEXTUAL)", () => sign({ signMode: SignMode.SIGN_MODE_TEXTUAL }), 37],
    // DIRECT sign bytes under an amino claim: the amino doc is another document.
    ["DIRECT signature claimed as LEGACY_AMINO_JSON", () => sign({ signMode: SignMode.SIGN_MODE_LEGACY_AMINO_JSON }), 4],
    ["zero gas", () => sign({ gas: 0n, fee: [] }), 41],
    ["out of gas in the ante handler", () => sign({ gas: 1000n, fee: [{ denom: "usoa", amount: "25" }] }), 11],
    ["invalid recipient", () => sign({ msgs: [msgSend(alice.address, "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", 1n)] }), 7],
    ["zero amount", () => sign({ msgs: [msgSend(alice.address, bob.address, 0n)] }), 10],
    ["oversized tx", () => sign({ memo: "", msgs: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: new Uint8Array(2 * 1024 * 1024) }] }), 21],
  ];

  test.each(codeCases)("%s is refused in CheckTx and in FinalizeBlock with the SDK code, nothing moves", async (_name, make, code) => {
    // Make the sequence non-zero first so "stale" and "future" differ from the current one.
    const warm = sign();
    expect((await d.block([warm])).results[0].code).toBe(0);
    const before = { a: d.balance(alice.address), b: d.balance(bob.address), seq: d.account(alice.address)!.sequence };
    const tx = make();
    const check = d.checkTx(tx);
    expect({ code: check.code, codespace: check.codespace }).toEqual({ code, codespace: "sdk" });
    expect(check.log.length).toBeGreaterThan(0);
    // A faulty proposer could still include it: FinalizeBlock must refuse it the same way.
    const { results } = await d.block([tx]);
    if (code === 13) {
      // The minimum gas price is a node-local CheckTx policy (as in the SDK): in a block the tx is valid.
      expect(results[0].code).toBe(0);
      return;
    }
    expect(results[0].code).toBe(code);
    expect(d.balance(alice.address)).toBe(before.a);
    expect(d.balance(bob.address)).toBe(before.b);
    expect(d.account(alice.address)!.sequence).toBe(before.seq);
  });

  test("out of gas during the messages: the block keeps the fee and sequence, reverts the messages", async () => {
    const needed = d.checkTx(sign({ gas: 1_000_000n, fee: [{ denom: "usoa", amount: "25000" }] })).gasUsed;
    const gas = needed - 100n;
    const fee = (gas * 25n + 999n) / 1000n;
    const before = { a: d.balance(alice.address), b: d.balance(bob.address) };
    const d2 = await Driver.create({ accounts: 3, params: FEES_ONLY }); // fresh check state (the probe above advanced it)
    await d.close();
    d = d2;
    [alice, bob] = d.keys;
    await d.block();
    const tx = sign({ gas, fee: [{ denom: "usoa", amount: fee.toString() }] });
    expect(d.checkTx(tx).code).toBe(11);
    const { results } = await d.block([tx]);
    expect(results[0].code).toBe(11);
    expect(results[0].gasUsed).toBeGreaterThan(gas);
    expect(d.balance(alice.address)).toBe(before.a - fee);
    expect(d.balance(bob.address)).toBe(before.b);
    expect(d.account(alice.address)!.sequence).toBe(1n);
  });

  test("insufficient funds: refused in CheckTx; if a proposer includes it anyway it fails and pays only the fee", async () => {
    const before = { a: d.balance(alice.address), b: d.balance(bob.address) };
    const tx = sign({ msgs: [msgSend(alice.address, bob.address, before.a)] });
    const check = d.checkTx(tx);
    expect(check.code).toBe(5);
    expect(check.log).toMatch(/insufficient funds/);
    const { results } = await d.block([tx]);
    expect(results[0].code).toBe(5);
    expect(results[0].log).toMatch(/insufficient funds/);
    expect(d.balance(alice.address)).toBe(before.a - 5000n);
    expect(d.balance(bob.address)).toBe(before.b);
    expect(d.account(alice.address)!.sequence).toBe(1n);
  });

  test("a fee larger than the balance is sdk/5 and nothing is charged", async () => {
    const tx = sign({ fee: [{ denom: "usoa", amount: String(10n ** 13n) }] });
    expect(d.checkTx(tx).code).toBe(5);
    const before = d.balance(alice.address);
    expect((await d.block([tx])).results[0].code).toBe(5);
    expect(d.balance(alice.address)).toBe(before);
  });

  test("messages of a tx are atomic: a failing second message reverts the first", async () => {
    const carol = d.keys[2];
    const before = { a: d.balance(alice.address), b: d.balance(bob.address), c: d.balance(carol.address) };
    const tx = sign({ msgs: [msgSend(alice.address, bob.address, 10n), msgSend(alice.address, carol.address, 10n ** 15n)] });
    const { results } = await d.block([tx]);
    expect(results[0].code).toBe(5);
    expect(d.balance(bob.address)).toBe(before.b);
    expect(d.balance(carol.address)).toBe(before.c);
    expect(d.balance(alice.address)).toBe(before.a - 5000n);
  });

  test("several txs of one account in one block: CheckTx tracks sequences, recheck drops stale ones", async () => {
    const acc = d.account(alice.address)!;
    const txs = [0n, 1n, 2n].map((i) => sign({ sequence: acc.sequence + i }));
    for (const tx of txs) expect(d.checkTx(tx).code).toBe(0);
    const { results } = await d.block(txs.slice(0, 2));
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    // After commit the check state is reset; the leftover tx rechecks fine, a committed one does not.
    expect(d.checkTx(txs[2], true).code).toBe(0);
    expect(d.checkTx(txs[0], true).code).toBe(32);
  });

  test("a new account is created on first receipt and can then send", async () => {
    const fresh = new TestKey("fresh");
    await d.block([sign({ msgs: [msgSend(alice.address, fresh.address, 1_000_000n)] })]);
    const acc = d.account(fresh.address)!;
    expect(acc).toBeDefined();
    expect(acc.pubKey).toBeUndefined();
    const tx = signTx({ key: fresh, msgs: [msgSend(fresh.address, bob.address, 1n)], accountNumber: acc.accountNumber, sequence: 0n, chainId: d.chainId });
    expect((await d.block([tx])).results[0].code).toBe(0);
    expect(d.balance(fresh.address)).toBe(1_000_000n - 1n - 5000n);
  });

  test("state and app hash survive a restart; app hash depends only on the state", async () => {
    await d.block([sign()]);
    const hash = Buffer.from(d.app.lastAppHash).toString("hex");
    const height = d.app.lastHeight;
    await d.restart();
    expect(d.app.lastHeight).toBe(height);
    expect(Buffer.from(d.app.lastAppHash).toString("hex")).toBe(hash);
    expect(d.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" }).lastBlockHeight).toBe(BigInt(height));
  });
});
