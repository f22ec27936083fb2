import { ModelStatus } from "../../src/gen/blockai/registry/v1/registry";
import { MsgSubmitWork, MsgSubmitWorkResponse } from "../../src/gen/blockai/pow/v1/tx";
import {
  QueryEpochWorkRequest,
  QueryEpochWorkResponse,
  QueryMinerWorkRequest,
  QueryMinerWorkResponse,
  QueryModelWorkRequest,
  QueryModelWorkResponse,
  QueryTargetRequest,
  QueryTargetResponse,
  QueryAnchorRequest,
  QueryAnchorResponse,
} from "../../src/gen/blockai/pow/v1/query";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { decodeAddress } from "../../src/types/address";
import { bytesToBigInt, computeSeal, targetToHex, workForTarget } from "../../src/modules/pow";
import { Driver } from "../helpers/driver";
import { TestKey } from "../helpers/keys";
import { driverBlockHash, findNonce, registerModel, setModelStatusMsg, signAs, signCert } from "../helpers/pow";

const W = 8n; // anchor_window
const MAX_PER_BLOCK = 3n;
const TARGET = (1n << 248n) - 1n; // 256 expected hashes per certificate

describe("pow: work certificates through the ABCI pipeline (in-process driver)", () => {
  let d: Driver;
  let owner: TestKey;
  let operator: TestKey;
  let outsider: TestKey;
  /** Zero balance, no account: an operator of modelA and modelB. */
  let fresh: TestKey;
  let modelA: bigint;
  let modelB: bigint;
  let paused: bigint;

  const store = () => d.app.committedStore()!;
  const pow = () => d.app.keepers.pow;

  /** A certificate by `key` for `modelId` anchored at `anchor` (default: the last committed block). */
  const cert = (key: TestKey, modelId: bigint, o: { anchor?: bigint; hash?: Uint8Array; above?: boolean; start?: bigint; digest?: Buffer } = {}): MsgSubmitWork => {
    const anchorHeight = o.anchor ?? BigInt(d.height);
    const workDigest = o.digest ?? Buffer.alloc(32, 0xab);
    const { nonce } = findNonce(
      { chainId: d.chainId, anchorHeight, anchorHash: o.hash ?? driverBlockHash(Number(anchorHeight)), miner: key.addressBytes, modelId, workDigest },
      TARGET,
      { above: o.above, start: o.start },
    );
    return { miner: key.address, modelId, anchorHeight, workDigest, nonce };
  };

  const epochWork = () => pow().epochWork(store(), d.app.keepers.epochs.currentEpoch(store()));

  /** Refused with `code` by CheckTx, and again inside a block (a faulty proposer); nothing changes. */
  const expectRefused = async (tx: Uint8Array, code: number, codespace = "pow") => {
    const before = epochWork();
    const check = d.checkTx(tx);
    expect({ code: check.code, codespace: check.codespace }).toEqual({ code, codespace });
    expect(check.log.length).toBeGreaterThan(0);
    const { results } = await d.block([tx]);
    expect({ code: results[0].code, codespace: results[0].codespace }).toEqual({ code, codespace });
    expect(epochWork()).toEqual(before);
    return results[0].log;
  };

  const expectAccepted = async (txs: Uint8Array[]) => {
    for (const tx of txs) {
      const check = d.checkTx(tx);
      expect({ code: check.code, log: check.log }).toEqual({ code: 0, log: "" });
    }
    const { results } = await d.block(txs);
    for (const r of results) expect({ code: r.code, log: r.log }).toEqual({ code: 0, log: "" });
    return results;
  };

  beforeEach(async () => {
    fresh = new TestKey("pow-fresh-miner");
    d = await Driver.create({
      accounts: 3,
      appState: (s) => {
        s.pow = {
          params: { anchor_window: W.toString(), max_certs_per_block: MAX_PER_BLOCK.toString(), max_certs_per_miner_per_block: MAX_PER_BLOCK.toString(), target_certs_per_epoch: "10", min_target: targetToHex(1n), max_target: targetToHex((1n << 256n) - 1n) },
          target: targetToHex(TARGET),
        };
        s.epochs = { params: { epoch_length: "1000" } };
      },
    });
    [owner, operator, outsider] = d.keys;
    await d.block();
    modelA = await registerModel(d, owner, [operator.address, fresh.address]);
    modelB = await registerModel(d, owner, [operator.address, fresh.address]);
    paused = await registerModel(d, owner, [operator.address]);
    const { results } = await d.block([signAs(d, owner, [setModelStatusMsg(owner.address, paused, ModelStatus.MODEL_STATUS_PAUSED)])]);
    expect(results[0].code).toBe(0);
  });
  afterEach(async () => d.close());

  test("a valid certificate: accepted in CheckTx and the block, work = floor(2^256/(target+1)) credited to (miner, model, epoch)", async () => {
    const msg = cert(owner, modelA);
    const work = workForTarget(TARGET);
    expect(work).toBe(256n);
    const epoch = d.app.keepers.epochs.currentEpoch(store());
    const [result] = await expectAccepted([signCert(d, owner, msg)]);
    const response = MsgSubmitWorkResponse.decode(TxMsgData.decode(result.data).msgResponses[0].value);
    expect(response.work).toBe(work.toString());
    expect(response.epoch).toBe(epoch);
    const ev = result.events.find((e) => e.type === "pow_certificate")!;
    expect(Object.fromEntries(ev.attributes.map((a) => [a.key, a.value]))).toMatchObject({
      miner: owner.address,
      model_id: modelA.toString(),
      anchor_height: msg.anchorHeight.toString(),
      seal: Buffer.from(response.seal).toString("hex"),
      work: "256",
    });
    expect(pow().minerWork(store(), owner.addressBytes, epoch)).toEqual({ work, certificates: 1n });
    expect(pow().modelWork(store(), modelA, epoch)).toEqual({ work, certificates: 1n });
    expect(pow().epochWork(store(), epoch)).toEqual({ work, certificates: 1n });
    // The same numbers through the ABCI queries.
    const q = <T>(method: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
      const r = d.app.query({ path: `/blockai.pow.v1.Query/${method}`, data, height: 0n, prove: false });
      expect(r.code).toBe(0);
      return decode(r.value);
    };
    const mw = q("MinerWork", QueryMinerWorkRequest.encode({ miner: owner.address, epoch }).finish(), QueryMinerWorkResponse.decode);
    expect(mw.total).toEqual({ work: "256", certificates: 1n });
    expect(mw.byModel).toEqual([{ modelId: modelA, tally: { work: "256", certificates: 1n } }]);
    expect(q("ModelWork", QueryModelWorkRequest.encode({ modelId: modelA, epoch }).finish(), QueryModelWorkResponse.decode).total).toEqual({ work: "256", certificates: 1n });
    expect(q("EpochWork", QueryEpochWorkRequest.encode({ epoch }).finish(), QueryEpochWorkResponse.decode).total).toEqual({ work: "256", certificates: 1n });
    const t = q("Target", QueryTargetRequest.encode({}).finish(), QueryTargetResponse.decode);
    expect(t).toMatchObject({ target: targetToHex(TARGET), workPerCertificate: "256", epoch, epochCertificates: 1n });
    const a = q("Anchor", QueryAnchorRequest.encode({ height: 0n }).finish(), QueryAnchorResponse.decode);
    expect(a.height).toBe(BigInt(d.height));
    expect(Buffer.from(a.hash)).toEqual(Buffer.from(driverBlockHash(d.height)));
  });

  test("a miner with no account and no tokens gets its first certificate in (account 0, sequence 0, no fee)", async () => {
    expect(d.account(fresh.address)).toBeUndefined();
    expect(d.balance(fresh.address)).toBe(0n);
    await expectAccepted([signCert(d, fresh, cert(fresh, modelA), { accountNumber: 0n, sequence: 0n })]);
    const acc = d.account(fresh.address)!;
    expect(acc.sequence).toBe(1n);
    expect(Buffer.from(acc.pubKey!)).toEqual(Buffer.from(fresh.publicKey));
    expect(d.balance(fresh.address)).toBe(0n);
    // The next one is signed with the real account number and sequence.
    await expectAccepted([signCert(d, fresh, cert(fresh, modelA, { start: 1000n }))]);
    expect(pow().minerWork(store(), fresh.addressBytes, 0n).certificates).toBe(2n);
  });

  test("seal above the target: pow/3", async () => {
    const log = await expectRefused(signCert(d, owner, cert(owner, modelA, { above: true })), 3);
    expect(log).toMatch(/seal [0-9a-f]{64} > target/);
  });

  test("anchor too old: pow/4 (and the hash of an expired anchor is gone)", async () => {
    const old = BigInt(d.height);
    const msg = cert(owner, modelA, { anchor: old });
    for (let i = 0n; i < W; i++) await d.block();
    // Checked at height d.height + 1 = old + W + 1: W + 1 blocks old.
    expect(pow().anchorHash(store(), old)).toBeUndefined();
    await expectRefused(signCert(d, owner, msg), 4);
  });

  test("an anchor exactly anchor_window blocks old is still accepted", async () => {
    const anchor = BigInt(d.height);
    const msg = cert(owner, modelA, { anchor });
    for (let i = 1n; i < W; i++) await d.block();
    expect(BigInt(d.height + 1) - anchor).toBe(W);
    await expectAccepted([signCert(d, owner, msg)]);
  });

  test("anchor in the future (the current height or above): pow/5", async () => {
    const current = BigInt(d.height + 1);
    await expectRefused(signCert(d, owner, cert(owner, modelA, { anchor: current, hash: new Uint8Array(32) })), 5);
    await expectRefused(signCert(d, owner, cert(owner, modelA, { anchor: BigInt(d.height + 10), hash: new Uint8Array(32) })), 5);
  });

  test("wrong anchor hash: the chain's seal does not meet the target, pow/3, and the log names the hash it used", async () => {
    const anchor = BigInt(d.height);
    const wrongHash = new Uint8Array(32).fill(0xee);
    // A nonce that is valid for the wrong hash but not for the real one.
    let start = 0n;
    let msg: MsgSubmitWork;
    for (;;) {
      msg = cert(owner, modelA, { anchor, hash: wrongHash, start });
      const real = computeSeal({ chainId: d.chainId, anchorHeight: anchor, anchorHash: driverBlockHash(Number(anchor)), miner: owner.addressBytes, modelId: modelA, workDigest: msg.workDigest }, msg.nonce);
      if (bytesToBigInt(real) > TARGET) break;
      start = msg.nonce + 1n;
    }
    const log = await expectRefused(signCert(d, owner, msg), 3);
    expect(log).toContain(Buffer.from(driverBlockHash(Number(anchor))).toString("hex"));
  });

  test("the same certificate twice: pow/7 in CheckTx and in the next block; twice within one block: the second fails", async () => {
    const msg = cert(owner, modelA);
    const first = signCert(d, owner, msg);
    expect(d.checkTx(first).code).toBe(0);
    // Again in the same CheckTx round (another tx, the next sequence): refused before the mempool.
    const again = signCert(d, owner, msg, { sequence: d.account(owner.address)!.sequence + 1n });
    expect({ code: d.checkTx(again).code, codespace: d.checkTx(again).codespace }).toEqual({ code: 7, codespace: "pow" });
    expect((await d.block([first])).results[0].code).toBe(0);
    // After the block: refused in CheckTx and in a block.
    await expectRefused(signCert(d, owner, msg), 7);

    // Twice within one block through a faulty proposer: the identical tx, then a re-signed copy.
    const msg2 = cert(owner, modelA, { start: msg.nonce + 1n });
    const tx = signCert(d, owner, msg2);
    const copy = signCert(d, owner, msg2, { sequence: d.account(owner.address)!.sequence + 1n });
    const { results } = await d.block([tx, tx, copy]);
    expect(results.map((r) => [r.code, r.codespace])).toEqual([[0, ""], [7, "pow"], [7, "pow"]]);
    expect(pow().minerWork(store(), owner.addressBytes, 0n).certificates).toBe(2n);
  });

  test("two certificates in one tx (copies or not, feeless or with a fee): refused before any is checked, nothing credited", async () => {
    const msg = cert(owner, modelA);
    const { submitWorkMsg } = await import("../helpers/pow");
    // Copies of one certificate would otherwise each cost a check before a bad signature fails.
    const copies = signAs(d, owner, [submitWorkMsg(msg), submitWorkMsg(msg)], { fee: [], gas: 400_000n });
    expect(await expectRefused(copies, 18, "sdk")).toMatch(/at most one feeless \(work-carrying\) message, got 2/);
    const two = signAs(d, owner, [submitWorkMsg(msg), submitWorkMsg(cert(owner, modelA))], { fee: [{ denom: "usoa", amount: "20000" }], gas: 400_000n });
    await expectRefused(two, 18, "sdk");
    // One at a time, the same certificate is accepted.
    await expectAccepted([signCert(d, owner, msg)]);
  });

  test("a feeless tx over 2 KiB (body padded with an unknown field) is refused as too large before the certificate is checked", async () => {
    const { TxRaw } = await import("cosmjs-types/cosmos/tx/v1beta1/tx");
    const raw = TxRaw.decode(signCert(d, owner, cert(owner, modelA)));
    // Field 2000, length-delimited, 3,000 bytes: decoders skip it, and nothing pays for the bytes.
    const pad = Buffer.concat([Buffer.from([0x82, 0x7d, 0xb8, 0x17]), Buffer.alloc(3000, 7)]);
    const big = TxRaw.encode({ ...raw, bodyBytes: Buffer.concat([raw.bodyBytes, pad]) }).finish();
    expect(big.length).toBeGreaterThan(3000);
    expect(await expectRefused(big, 21, "sdk")).toMatch(/feeless tx may be at most 2048 bytes/);
  });

  test("a valid certificate resubmitted by another signer or for another model is refused", async () => {
    const msg = cert(owner, modelA);
    // Another miner claims it: the seal binds the miner's address, so it no longer meets the target.
    await expectRefused(signCert(d, operator, { ...msg, miner: operator.address }), 3);
    // For another model (the owner is authorized there too): the seal binds the model id.
    await expectRefused(signCert(d, owner, { ...msg, modelId: modelB }), 3);
    // With another work digest: bound too.
    await expectRefused(signCert(d, owner, { ...msg, workDigest: Buffer.alloc(32, 1) }), 3);
    // Stolen as is (miner field unchanged) but signed by someone else: the miner must sign.
    await expectRefused(signCert(d, operator, msg, { key: operator }), 8, "sdk");
    // The rightful miner still gets it in.
    await expectAccepted([signCert(d, owner, msg)]);
  });

  test("a miner that is neither owner nor operator: pow/10; operators and the owner may mine", async () => {
    await expectRefused(signCert(d, outsider, cert(outsider, modelA)), 10);
    await expectAccepted([signCert(d, operator, cert(operator, modelA)), signCert(d, owner, cert(owner, modelA))]);
  });

  test("a paused, a retired or an unknown model: pow/9, pow/9, pow/8", async () => {
    await expectRefused(signCert(d, owner, cert(owner, paused)), 9);
    expect((await d.block([signAs(d, owner, [setModelStatusMsg(owner.address, modelB, ModelStatus.MODEL_STATUS_RETIRED)])])).results[0].code).toBe(0);
    await expectRefused(signCert(d, owner, cert(owner, modelB)), 9);
    await expectRefused(signCert(d, owner, cert(owner, 999n)), 8);
    // Resumed: accepted again.
    expect((await d.block([signAs(d, owner, [setModelStatusMsg(owner.address, paused, ModelStatus.MODEL_STATUS_ACTIVE)])])).results[0].code).toBe(0);
    await expectAccepted([signCert(d, owner, cert(owner, paused))]);
  });

  test("more than max_certs_per_block: pow/11 in CheckTx (until the next block) and in a block", async () => {
    const seq = d.account(owner.address)!.sequence;
    const msgs = Array.from({ length: Number(MAX_PER_BLOCK) + 1 }, (_, i) => cert(owner, modelA, { start: BigInt(i) * 100_000n }));
    const txs = msgs.map((m, i) => signCert(d, owner, m, { sequence: seq + BigInt(i) }));
    const checks = txs.map((tx) => d.checkTx(tx));
    expect(checks.map((c) => [c.code, c.codespace])).toEqual([[0, ""], [0, ""], [0, ""], [11, "pow"]]);
    expect(checks[3].log).toMatch(/retry in the next block/);
    // A faulty proposer puts all four in one block: the fourth fails.
    const { results } = await d.block(txs);
    expect(results.map((r) => [r.code, r.codespace])).toEqual([[0, ""], [0, ""], [0, ""], [11, "pow"]]);
    expect(pow().epochWork(store(), 0n).certificates).toBe(3n);
    // The next block has room again (the counter is per block).
    expect(pow().blockCertificates(store())).toBe(0n);
    const next = signCert(d, owner, msgs[3]);
    await expectAccepted([next]);
  });

  test("RECHECK keeps a certificate while its anchor is in the window and drops it once the anchor expired (pow/4)", async () => {
    const anchor = BigInt(d.height);
    const tx = signCert(d, owner, cert(owner, modelA, { anchor }));
    expect(d.checkTx(tx).code).toBe(0);
    for (let i = 1n; i < W; i++) {
      await d.block();
      expect(d.checkTx(tx, true).code).toBe(0); // still within the window
    }
    await d.block();
    const r = d.checkTx(tx, true);
    expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 4, codespace: "pow" });
  });

  test("RECHECK records a pending certificate again in the fresh check state: a copy is not admitted after a commit (pow/7)", async () => {
    const msg = cert(owner, modelA);
    const first = signCert(d, owner, msg);
    expect(d.checkTx(first).code).toBe(0);
    await d.block(); // not included: still in the mempool, rechecked against the new state
    expect(d.checkTx(first, true).code).toBe(0);
    const copy = signCert(d, owner, msg, { sequence: d.account(owner.address)!.sequence + 1n });
    const r = d.checkTx(copy);
    expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 7, codespace: "pow" });
    // The pending one still goes into the next block.
    const { results } = await d.block([first]);
    expect(results[0].log).toBe("");
  });

  test("malformed certificates: pow/2 (work digest length, anchor 0), in CheckTx and in a block", async () => {
    const good = cert(owner, modelA);
    await expectRefused(signCert(d, owner, { ...good, workDigest: Buffer.alloc(31) }), 2);
    await expectRefused(signCert(d, owner, { ...good, anchorHeight: 0n }), 2);
    await expectRefused(signCert(d, owner, { ...good, miner: "soa1notanaddress" }), 7, "sdk");
  });

  test("anchors: the last anchor_window block hashes are kept; used seals are pruned with their anchor", async () => {
    const anchor = BigInt(d.height);
    const msg = cert(owner, modelA, { anchor });
    const [result] = await expectAccepted([signCert(d, owner, msg)]);
    const seal = MsgSubmitWorkResponse.decode(TxMsgData.decode(result.data).msgResponses[0].value).seal;
    expect(pow().isSealUsed(store(), anchor, seal)).toBe(true);
    for (let i = 0; i < 12; i++) await d.block();
    const anchors = pow().allAnchors(store());
    expect(anchors.map((a) => Number(a.height))).toEqual(Array.from({ length: Number(W) }, (_, i) => d.height - Number(W) + 1 + i));
    for (const a of anchors) expect(Buffer.from(a.hash)).toEqual(Buffer.from(driverBlockHash(Number(a.height))));
    expect(pow().isSealUsed(store(), anchor, seal)).toBe(false);
    expect(pow().allUsedSeals(store())).toEqual([]);
  });

  test("a feeless tx needs no fee, but a certificate bundled with a fee-paying message is not feeless", async () => {
    const { msgSend } = await import("../helpers/keys");
    const { submitWorkMsg } = await import("../helpers/pow");
    const tx = signAs(d, owner, [submitWorkMsg(cert(owner, modelA)), msgSend(owner.address, operator.address, 1n)], { fee: [], gas: 300_000n });
    const r = d.checkTx(tx);
    expect({ code: r.code, codespace: r.codespace }).toEqual({ code: 13, codespace: "sdk" });
  });

  test("the precheck runs before signatures: an invalid certificate with a garbage signature is refused with the pow code", async () => {
    const tx = signCert(d, owner, cert(owner, modelA, { above: true }), { signature: new Uint8Array(64).fill(9) });
    await expectRefused(tx, 3);
  });

  test("parallel signature prefetch skips certificate txs (their precheck must come first); other txs are prefetched", async () => {
    const { collectSignatures } = await import("../../src/app/tx");
    const { msgSend } = await import("../helpers/keys");
    const router = new Map(d.app.modules.flatMap((m) => (m.msgs ?? []).map((h) => [h.typeUrl, h] as const)));
    const deps = { auth: d.app.keepers.auth, bank: d.app.keepers.bank, router, minGasPrices: [], maxTxBytes: 1 << 20, maxBlockGas: -1n };
    const invalidCert = signCert(d, fresh, cert(fresh, modelA, { above: true }), { accountNumber: 0n, sequence: 0n });
    expect(collectSignatures(deps, store(), d.chainId, invalidCert)).toEqual([]);
    expect(collectSignatures(deps, store(), d.chainId, signAs(d, owner, [msgSend(owner.address, operator.address, 1n)]))).toHaveLength(1);
  });

  test("work accumulates per miner, per model and per epoch; the invariant ties them together", async () => {
    await expectAccepted([signCert(d, owner, cert(owner, modelA)), signCert(d, operator, cert(operator, modelA))]);
    await expectAccepted([signCert(d, owner, cert(owner, modelB)), signCert(d, owner, cert(owner, modelA, { start: 500_000n }), { sequence: d.account(owner.address)!.sequence + 1n })]);
    const s = store();
    expect(pow().minerWork(s, owner.addressBytes, 0n)).toEqual({ work: 768n, certificates: 3n });
    expect(pow().minerWorkByModel(s, owner.addressBytes, 0n)).toEqual([
      { modelId: modelA, tally: { work: 512n, certificates: 2n } },
      { modelId: modelB, tally: { work: 256n, certificates: 1n } },
    ]);
    expect(pow().modelWork(s, modelA, 0n)).toEqual({ work: 768n, certificates: 3n });
    expect(pow().epochWork(s, 0n)).toEqual({ work: 1024n, certificates: 4n });
    expect(pow().invariants(s)).toEqual([]);
    // Tampering with an aggregate is caught.
    const branch = d.app.committedStore()!;
    pow().importWorkRecord(branch, { epoch: 0n, miner: decodeAddress(outsider.address), modelId: modelA, tally: { work: 1n, certificates: 1n } });
    expect(pow().invariants(branch)).toEqual([]);
    const { epochWorkKey, powStateKey } = await import("../../src/modules/pow/keys");
    branch.delete(powStateKey(epochWorkKey(0n)));
    expect(pow().invariants(branch).join()).toMatch(/work aggregate|missing/);
  });
});

describe("pow: retargeting at epoch end and genesis", () => {
  test("an epoch without certificates makes the target 4x easier; a busy epoch makes it harder; the Target query reports it", async () => {
    const start = (1n << 240n) - 1n;
    const d = await Driver.create({
      accounts: 2,
      appState: (s) => {
        s.pow = { params: { anchor_window: "4", max_certs_per_block: "10", max_certs_per_miner_per_block: "10", target_certs_per_epoch: "1" }, target: targetToHex(start) };
        s.epochs = { params: { epoch_length: "4" } };
      },
    });
    const [owner] = d.keys;
    const hooks: string[] = [];
    d.app.keepers.epochs.onEpochEnd("probe", (ctx, epoch) => hooks.push(`${epoch}:${targetToHex(d.app.keepers.pow.getTarget(ctx.store))}`));
    // Epoch 0 = heights 1..4 (the model registration happens inside it, no certificates).
    await d.block();
    const model = await registerModel(d, owner);
    await d.block();
    const { results, response } = await d.block();
    expect(d.height).toBe(4);
    const ev = response.events.find((e) => e.type === "pow_retarget");
    expect(ev).toBeDefined();
    const attrs = Object.fromEntries(ev!.attributes.map((a) => [a.key, a.value]));
    expect(attrs).toMatchObject({ epoch: "0", certificates: "0", old_target: targetToHex(start), new_target: targetToHex(start * 4n) });
    expect(results).toEqual([]);
    // The pow hook ran before the probe registered later: it saw the new target.
    expect(hooks).toEqual([`0:${targetToHex(start * 4n)}`]);
    // Epoch 1 (heights 5..8): 9 certificates against target_certs_per_epoch 1 -> factor 1/3.
    const target1 = d.app.keepers.pow.getTarget(d.app.committedStore()!);
    const mk = (i: number) => {
      const anchorHeight = BigInt(d.height);
      const { nonce } = findNonce({ chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: owner.addressBytes, modelId: model, workDigest: Buffer.alloc(32) }, target1, { start: BigInt(i) * 1_000_000n });
      return { miner: owner.address, modelId: model, anchorHeight, workDigest: Buffer.alloc(32), nonce };
    };
    for (let b = 0; b < 3; b++) {
      const seq = d.account(owner.address)!.sequence;
      const txs = [0, 1, 2].map((i) => signCert(d, owner, mk(b * 3 + i), { sequence: seq + BigInt(i) }));
      const { results: r } = await d.block(txs);
      expect(r.map((x) => x.code)).toEqual([0, 0, 0]);
    }
    await d.block();
    expect(d.height).toBe(8);
    const t = QueryTargetResponse.decode(d.app.query({ path: "/blockai.pow.v1.Query/Target", data: new Uint8Array(), height: 0n, prove: false }).value);
    // sqrt(1/9) = 1/3 in 64-bit fixed point.
    const f = (1n << 64n) / 3n; // isqrt(2^128 / 9) = floor(2^64 / 3)
    expect(t.target).toBe(targetToHex((target1 * f) >> 64n));
    expect(t.lastRetarget).toEqual({ epoch: 1n, certificates: 9n, oldTarget: targetToHex(target1), newTarget: t.target });
    expect(t.epoch).toBe(2n);
    await d.close();
  });

  test("genesis: export -> import round-trips params, target, work and the last retarget; bad sections name the field", async () => {
    const d = await Driver.create({
      accounts: 2,
      appState: (s) => {
        s.pow = { params: { anchor_window: "4", max_certs_per_block: "10", max_certs_per_miner_per_block: "10", target_certs_per_epoch: "1" }, target: targetToHex((1n << 248n) - 1n) };
        s.epochs = { params: { epoch_length: "4" } };
      },
    });
    const [owner] = d.keys;
    await d.block();
    const model = await registerModel(d, owner);
    const anchorHeight = BigInt(d.height);
    const { nonce } = findNonce({ chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: owner.addressBytes, modelId: model, workDigest: Buffer.alloc(32) }, (1n << 248n) - 1n);
    expect((await d.block([signCert(d, owner, { miner: owner.address, modelId: model, anchorHeight, workDigest: Buffer.alloc(32), nonce })])).results[0].code).toBe(0);
    for (let i = 0; i < 3; i++) await d.block();
    const exported = d.app.exportGenesis();
    const powSection = exported.pow as Record<string, any>;
    expect(powSection.work).toEqual([{ epoch: "0", miner: owner.address, model_id: model.toString(), work: "256", certificates: "1" }]);
    expect(powSection.last_retarget).toMatchObject({ epoch: "0", certificates: "1" });
    expect(powSection.anchors).toHaveLength(4);
    await d.close();

    // A new chain with that pow section (anchors and seals belong to the old chain's heights).
    const imported = { ...powSection, anchors: [], used_seals: [] };
    const d2 = await Driver.create({ accounts: 2, appState: (s) => (s.pow = imported) });
    await d2.block();
    const again = d2.app.exportGenesis().pow as Record<string, any>;
    expect({ ...again, anchors: [] }).toEqual({ ...imported, last_retarget: powSection.last_retarget });
    expect(d2.app.keepers.pow.minerWork(d2.app.committedStore()!, owner.addressBytes, 0n)).toEqual({ work: 256n, certificates: 1n });
    await d2.close();

    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ target: "00ff" }, /pow.target: expected exactly 64 hexadecimal digits/],
      [{ params: { anchor_window: "0" } }, /pow.params.anchor_window must be >= 1/],
      [{ params: { max_certs_per_block: "0" } }, /max_certs_per_block must be >= 1/],
      [{ params: { target_certs_per_epoch: "0" } }, /target_certs_per_epoch must be >= 1/],
      [{ params: { min_target: targetToHex(0n) } }, /min_target must be >= 1/],
      [{ params: { min_target: targetToHex(5n), max_target: targetToHex(4n) } }, /min_target must be <= max_target/],
      [{ params: { max_target: targetToHex(10n) }, target: targetToHex(11n) }, /pow.target: must be within/],
      [{ params: { bogus: "1" } }, /pow.params.bogus: unknown parameter/],
      [{ anchors: [{ height: "1", hash: "00".repeat(32) }] }, /pow.anchors\[0\].height: 1 is outside the anchor window/],
      [{ used_seals: [{ anchor_height: "3", seal: "00".repeat(32) }] }, /pow.used_seals\[0\].anchor_height: no anchor 3/],
      [{ work: [{ epoch: "0", miner: "soa1bad", model_id: "1", work: "1", certificates: "1" }] }, /pow.work\[0\].miner/],
      [{ work: [{ epoch: "0", miner: owner.address, model_id: "1", work: "-1", certificates: "1" }] }, /pow.work\[0\].work/],
    ];
    for (const [section, message] of bad) {
      await expect(Driver.create({ appState: (s) => (s.pow = section) })).rejects.toThrow(message);
    }
  });
});
