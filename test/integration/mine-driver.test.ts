import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { createHash } from "node:crypto";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { BroadcastResult, CertificateSigner, MinerChain, TargetInfo, TxOutcome } from "../../src/miner/chain";
import { Miner, RejectedEvent } from "../../src/miner/miner";
import { type PowParams, targetToHex } from "../../src/modules/pow";
import { Driver } from "../helpers/driver";
import { TestKey } from "../helpers/keys";
import { driverBlockHash, registerModel } from "../helpers/pow";

jest.setTimeout(120_000);

/** The miner's view of a chain, served by the in-process Driver; blocks are made by `produce`. */
class DriverChain implements MinerChain {
  mempool: Uint8Array[] = [];
  readonly outcomes = new Map<string, TxOutcome>();
  broadcasts = 0;
  readonly refusals: string[] = [];
  constructor(private readonly d: Driver) {}
  async chainId() {
    return this.d.chainId;
  }
  async latestHeight() {
    return this.d.height;
  }
  async blockHash(height: number) {
    return driverBlockHash(height);
  }
  async params(): Promise<PowParams> {
    return this.d.app.keepers.pow.getParams(this.d.app.committedStore()!);
  }
  async target(): Promise<TargetInfo> {
    const s = this.d.app.committedStore()!;
    const epoch = this.d.app.keepers.epochs.currentEpoch(s);
    return { target: this.d.app.keepers.pow.getTarget(s), epoch, epochCertificates: this.d.app.keepers.pow.epochWork(s, epoch).certificates };
  }
  async account(address: string) {
    const a = this.d.account(address);
    return a ? { accountNumber: a.accountNumber, sequence: a.sequence } : undefined;
  }
  async broadcast(tx: Uint8Array): Promise<BroadcastResult> {
    this.broadcasts++;
    const r = this.d.checkTx(tx);
    if (r.code !== 0) {
      this.refusals.push(`${r.codespace}/${r.code}`);
      return { ok: false, code: r.code, codespace: r.codespace, log: r.log };
    }
    this.mempool.push(tx);
    return { ok: true, hash: hashOf(tx) };
  }
  async txOutcome(hash: string) {
    return this.outcomes.get(hash);
  }
  async minerWork(address: string, epoch: bigint) {
    const { fromBech32 } = await import("@cosmjs/encoding");
    return this.d.app.keepers.pow.minerWork(this.d.app.committedStore()!, fromBech32(address).data, epoch);
  }
  /**
   * One block with everything in the mempool; then, as CometBFT does after a commit, the txs left
   * in the mempool (accepted while the block ran) are re-checked against the fresh check state
   * and the refused ones dropped: without it a certificate admitted during the commit would not
   * count against the next block's max_certs_per_block.
   */
  async produce(): Promise<ExecTxResult[]> {
    const txs = this.mempool;
    this.mempool = [];
    const { results } = await this.d.block(txs);
    txs.forEach((tx, i) => this.outcomes.set(hashOf(tx), { code: results[i].code, codespace: results[i].codespace, log: results[i].log, height: this.d.height }));
    this.mempool = this.mempool.filter((tx) => this.d.checkTx(tx, true).code === 0);
    return results;
  }
}

function hashOf(tx: Uint8Array): string {
  return createHash("sha256").update(tx).digest("hex").toUpperCase();
}

async function signerFor(key: TestKey): Promise<CertificateSigner> {
  return CertificateSigner.create(await DirectSecp256k1Wallet.fromKey(key.privateKey, "soa"));
}

describe("the miner (src/miner) against the in-process chain", () => {
  let d: Driver;
  let chain: DriverChain;
  let producing = true;
  let producer: Promise<void>;
  let blockResults: ExecTxResult[][];

  const start = async (params: Record<string, string>, target: bigint) => {
    d = await Driver.create({
      accounts: 2,
      appState: (s) => {
        s.pow = { params, target: targetToHex(target) };
        s.epochs = { params: { epoch_length: "1000" } };
      },
    });
    chain = new DriverChain(d);
    blockResults = [];
    await d.block();
  };
  const produceBlocks = (intervalMs: number) => {
    producing = true;
    producer = (async () => {
      while (producing) {
        await new Promise((r) => setTimeout(r, intervalMs));
        blockResults.push(await chain.produce());
      }
    })();
  };
  afterEach(async () => {
    producing = false;
    await producer;
    await d.close();
  });

  test("a zero-balance miner: first certificate with account 0 / sequence 0, then pipelined ones; block limit respected; re-anchors; work grows", async () => {
    await start({ anchor_window: "6", max_certs_per_block: "3", max_certs_per_miner_per_block: "3", target_certs_per_epoch: "100" }, (1n << 244n) - 1n);
    const [owner] = d.keys;
    const fresh = new TestKey("mine-driver-fresh");
    const model = await registerModel(d, owner, [fresh.address]);
    expect(d.account(fresh.address)).toBeUndefined();

    const miner = new Miner({ chain, signer: await signerFor(fresh), modelId: model, workDigest: Buffer.alloc(32, 5), threads: 1, pollMs: 20, statusMs: 200, maxAccepted: 15 });
    const anchors: number[] = [];
    const rejected: RejectedEvent[] = [];
    const statuses: number[] = [];
    miner.on("anchor", (a: { height: number }) => anchors.push(a.height));
    miner.on("rejected", (r: RejectedEvent) => rejected.push(r));
    miner.on("status", (s: { accepted: number }) => statuses.push(s.accepted));
    produceBlocks(150);
    await miner.run();
    producing = false;
    await producer;

    const status = miner.status();
    expect(status.accepted).toBeGreaterThanOrEqual(15);
    expect(rejected).toEqual([]);
    // With a quota the miner keeps no more in flight than still needed: exactly 15 landed.
    const onChain = d.account(fresh.address)!.sequence;
    expect(status.accepted).toBe(15);
    expect(onChain).toBe(15n);
    expect(d.balance(fresh.address)).toBe(0n);
    const work = d.app.keepers.pow.minerWork(d.app.committedStore()!, fresh.addressBytes, 0n);
    expect(work.certificates).toBe(onChain);
    expect(work.work).toBe(onChain * (1n << 12n));
    // Never more than max_certs_per_block certificates in a block.
    for (const r of blockResults) expect(r.filter((x) => x.code === 0).length).toBeLessThanOrEqual(3);
    // Every block's results are successes: nothing invalid reached a block.
    expect(blockResults.flat().every((x) => x.code === 0)).toBe(true);
    // Re-anchored as blocks went by (window 6: a new anchor once the old is 3 blocks old).
    expect(anchors.length).toBeGreaterThanOrEqual(2);
    expect(statuses.length).toBeGreaterThan(0);
  });

  test("two miners compete for max_certs_per_block slots: pow/11 in CheckTx, kept for the next block, nothing lost", async () => {
    await start({ anchor_window: "8", max_certs_per_block: "3", max_certs_per_miner_per_block: "3", target_certs_per_epoch: "100" }, (1n << 246n) - 1n);
    const [owner, other] = d.keys;
    const model = await registerModel(d, owner, [other.address]);
    const miners = await Promise.all(
      [owner, other].map(async (k) => new Miner({ chain, signer: await signerFor(k), modelId: model, workDigest: Buffer.alloc(32, 1), threads: 1, pollMs: 10, maxAccepted: 6 })),
    );
    const rejected: RejectedEvent[] = [];
    for (const m of miners) m.on("rejected", (r: RejectedEvent) => rejected.push(r));
    produceBlocks(200);
    await Promise.all(miners.map((m) => m.run()));
    producing = false;
    await producer;
    expect(miners.map((m) => m.status().accepted)).toEqual([6, 6]);
    expect(rejected).toEqual([]);
    expect(chain.refusals).toContain("pow/11");
    expect(chain.refusals.filter((r) => r !== "pow/11")).toEqual([]); // names any other refusal
    for (const r of blockResults) expect(r.length).toBeLessThanOrEqual(3);
    expect(d.app.keepers.pow.epochWork(d.app.committedStore()!, 0n).certificates).toBe(12n);
  });

  test("a miner that is neither owner nor operator stops with the chain's reason (pow/10)", async () => {
    await start({ anchor_window: "6", max_certs_per_block: "3", max_certs_per_miner_per_block: "3" }, (1n << 244n) - 1n);
    const [owner, outsider] = d.keys;
    const model = await registerModel(d, owner);
    const miner = new Miner({ chain, signer: await signerFor(outsider), modelId: model, workDigest: Buffer.alloc(32), threads: 1, pollMs: 20 });
    produceBlocks(150);
    await expect(miner.run()).rejects.toThrow(/cannot mine for model .*neither the model's owner nor one of its operators.*pow\/10/);
  });

  test("stop() ends run() and terminates the workers, even mid-search at a hard target", async () => {
    await start({ anchor_window: "6", max_certs_per_block: "3", max_certs_per_miner_per_block: "3" }, 1n << 100n);
    const [owner] = d.keys;
    const model = await registerModel(d, owner);
    const miner = new Miner({ chain, signer: await signerFor(owner), modelId: model, workDigest: Buffer.alloc(32), threads: 2, pollMs: 20, statusMs: 100 });
    produceBlocks(100);
    const running = miner.run();
    await new Promise((r) => setTimeout(r, 800));
    expect(miner.status().hashes).toBeGreaterThan(0n);
    miner.stop();
    await running;
    const engine = (miner as unknown as { engine: { liveWorkers: number } }).engine;
    expect(engine.liveWorkers).toBe(0);
  });
});
