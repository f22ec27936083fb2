import { RequestPrepareProposal } from "cosmjs-types/tendermint/abci/types";
import type { MsgSubmitWork } from "../../src/gen/blockai/pow/v1/tx";
import { targetToHex } from "../../src/modules/pow/seal";
import { Driver } from "../helpers/driver";
import { msgSend, signTx, TestKey } from "../helpers/keys";
import { driverBlockHash, findNonce, registerModel, signCert } from "../helpers/pow";

const TARGET = (1n << 248n) - 1n;

/** Per-miner certificate cap per block, and PrepareProposal keeping what the block would refuse out. */
describe("pow: a miner's certificates per block, and proposals within the block's limits", () => {
  let d: Driver;
  let owner: TestKey;
  let operator: TestKey;
  let modelId: bigint;

  const cert = (key: TestKey, start: bigint): MsgSubmitWork => {
    const anchorHeight = BigInt(d.height);
    const workDigest = Buffer.alloc(32, 0xcd);
    const { nonce } = findNonce({ chainId: d.chainId, anchorHeight, anchorHash: driverBlockHash(d.height), miner: key.addressBytes, modelId, workDigest }, TARGET, { start });
    return { miner: key.address, modelId, anchorHeight, workDigest, nonce };
  };
  const certs = (key: TestKey, n: number) => {
    const seq = d.account(key.address)!.sequence;
    return Array.from({ length: n }, (_, i) => signCert(d, key, cert(key, BigInt(i) * 1_000_000n), { sequence: seq + BigInt(i) }));
  };

  beforeEach(async () => {
    d = await Driver.create({
      accounts: 3,
      appState: (s) => {
        s.pow = {
          params: { anchor_window: "8", max_certs_per_block: "4", max_certs_per_miner_per_block: "2", target_certs_per_epoch: "10", min_target: targetToHex(TARGET), max_target: targetToHex(TARGET) },
          target: targetToHex(TARGET),
        };
      },
    });
    [owner, operator] = d.keys;
    await d.block();
    modelId = await registerModel(d, owner, [operator.address]);
  });
  afterEach(async () => d.close());

  test("a third certificate of one miner in a block is refused with pow/12 (CheckTx and block); other miners keep their slots", async () => {
    const mine = certs(owner, 3);
    expect(mine.map((tx) => d.checkTx(tx)).map((c) => [c.code, c.codespace])).toEqual([[0, ""], [0, ""], [12, "pow"]]);
    const theirs = certs(operator, 2);
    expect(theirs.map((tx) => d.checkTx(tx).code)).toEqual([0, 0]);
    // A faulty proposer includes all five: the miner's third fails.
    const { results } = await d.block([...mine, ...theirs]);
    expect(results.map((r) => [r.code, r.codespace])).toEqual([[0, ""], [0, ""], [12, "pow"], [0, ""], [0, ""]]);
    expect(d.app.keepers.pow.minerWork(d.store, owner.addressBytes, 0n).certificates).toBe(2n);
    expect(d.app.keepers.pow.minerWork(d.store, operator.addressBytes, 0n).certificates).toBe(2n);
  });

  test("PrepareProposal takes at most max_certs_per_block certificates and max_certs_per_miner_per_block per miner, in mempool order; other txs pass", async () => {
    const a = certs(owner, 3);
    const b = certs(operator, 3);
    const acc = d.account(d.keys[2].address)!;
    const send = signTx({ key: d.keys[2], msgs: [msgSend(d.keys[2].address, owner.address, 1n)], accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId, fee: [{ denom: "usoa", amount: "5000" }] });
    const txs = [a[0], a[1], a[2], send, b[0], b[1], b[2]];
    const prepared = d.app.prepareProposal(RequestPrepareProposal.fromPartial({ txs, maxTxBytes: 1_000_000n, height: BigInt(d.height + 1) }));
    expect(prepared.txs).toEqual([a[0], a[1], send, b[0], b[1]]);
    const { results } = await d.block(prepared.txs);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
  });

  test("genesis: max_certs_per_miner_per_block must be in 1..max_certs_per_block; absent, the default is capped by max_certs_per_block", async () => {
    await expect(Driver.create({ appState: (s) => (s.pow.params = { max_certs_per_block: "3", max_certs_per_miner_per_block: "4" }) })).rejects.toThrow(/max_certs_per_miner_per_block/);
    await expect(Driver.create({ appState: (s) => (s.pow.params = { max_certs_per_miner_per_block: "0" }) })).rejects.toThrow(/max_certs_per_miner_per_block/);
    const e = await Driver.create({ appState: (s) => (s.pow.params = { max_certs_per_block: "1" }) });
    await e.block();
    expect(e.app.keepers.pow.getParams(e.store).maxCertsPerMinerPerBlock).toBe(1n);
    await e.close();
  });
});
