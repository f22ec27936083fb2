/**
 * The matmul miner (docs/pow-matmul.md): multiplies input batches by a weight matrix of the model
 * on a MatmulEngine, one noisy product per batch, and submits every tile below the matmul target
 * as a feeless MsgSubmitMatmulWork. The anchor is refreshed between products, as the SHA-256
 * miner refreshes its job. Events: "status" (MatmulMinerStatus), "anchor", "accepted", "rejected".
 */
import { EventEmitter } from "node:events";
import { randomInt } from "node:crypto";
import { fromBech32 } from "@cosmjs/encoding";
import type { MsgSubmitMatmulWork } from "../gen/blockai/pow/v1/tx";
import { type PowParams, bytesToBigInt, matmul } from "../modules/pow";
import type { CertificateSigner, MinerChain } from "./chain";
import { CertificateSubmitter, type RejectedEvent } from "./submitter";
import { MatmulEngine } from "./matmul-engine";
import { MatmulJob, pseudoRandomInt8 } from "./matmul-prover";

export interface MatmulMinerOptions {
  chain: MinerChain;
  signer: CertificateSigner;
  modelId: bigint;
  weights: readonly matmul.Int8Matrix[];
  matrixIndex: number;
  /** Rows of each input batch (a multiple of 16). */
  rows: number;
  threads: number;
  gas?: bigint;
  pollMs?: number;
  statusMs?: number;
  maxAccepted?: number;
}

export interface MatmulMinerStatus {
  height: number;
  anchorHeight: number;
  target: bigint;
  products: number;
  tiles: number;
  /** Useful multiply-accumulates (A·B) per second over the last status interval. */
  macsPerSecond: number;
  usefulMacs: number;
  found: number;
  accepted: number;
  rejected: number;
  stale: number;
  queued: number;
  pending: number;
  lastError?: string;
}

export interface MatmulAccepted {
  hash: string;
  height: number;
  anchorHeight: number;
  tileRow: number;
  tileCol: number;
  ticket: string;
}

export type MatmulRejected = RejectedEvent;

interface Queued {
  anchorHeight: number;
  msg: MsgSubmitMatmulWork;
  ticket: Buffer;
}

export class MatmulMiner extends EventEmitter {
  private readonly engine: MatmulEngine;
  private readonly minerBytes: Uint8Array;
  private readonly gas: bigint;
  private chainId = "";
  private params!: PowParams;
  private target = 0n;
  private height = 0;
  private anchor: { height: number; hash: Uint8Array } | undefined;
  private readonly submitter: CertificateSubmitter<Queued>;
  private stopping = false;
  private fatal: Error | undefined;
  private readonly stats = { products: 0, tiles: 0, usefulMacs: 0, found: 0 };
  private lastError: string | undefined;
  private last = { at: 0, macs: 0 };
  private rate = 0;

  constructor(private readonly opts: MatmulMinerOptions) {
    super();
    const b = opts.weights[opts.matrixIndex];
    if (!b) throw new Error(`no matrix ${opts.matrixIndex} in the weights file (${opts.weights.length} matrices)`);
    if (b.rows > matmul.MAX_INNER) throw new Error(`matrix ${opts.matrixIndex} has ${b.rows} rows; the chain verifies at most ${matmul.MAX_INNER}`);
    if (opts.rows < matmul.TILE || opts.rows % matmul.TILE !== 0) throw new Error(`rows must be a positive multiple of ${matmul.TILE}`);
    this.minerBytes = fromBech32(opts.signer.address).data;
    this.gas = opts.gas ?? 3_000_000n;
    this.engine = new MatmulEngine(opts.threads);
    this.submitter = new CertificateSubmitter<Queued>({
      chain: opts.chain,
      address: opts.signer.address,
      what: `matmul certificates for model ${opts.modelId}`,
      sign: (q, signerData) => opts.signer.signMatmul(q.msg, signerData, this.gas),
      maxInFlight: (params) => Number(params.maxCertsPerMinerPerBlock),
      accepted: (q, hash, height) =>
        this.emit("accepted", { hash, height, anchorHeight: q.anchorHeight, tileRow: q.msg.tileRow, tileCol: q.msg.tileCol, ticket: q.ticket.toString("hex") } satisfies MatmulAccepted),
      rejected: (e) => this.emit("rejected", e),
      note: (message) => (this.lastError = message),
      fatal: (e) => this.fail(e),
    });
  }

  status(): MatmulMinerStatus {
    return {
      height: this.height,
      anchorHeight: this.anchor?.height ?? 0,
      target: this.target,
      ...this.stats,
      ...this.submitter.counts,
      macsPerSecond: this.rate,
      queued: this.submitter.queue.length,
      pending: this.submitter.pending.size,
      lastError: this.lastError,
    };
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<void> {
    const statusTimer = setInterval(() => this.emitStatus(), this.opts.statusMs ?? 1000);
    this.last = { at: Date.now(), macs: 0 };
    try {
      this.chainId = await this.opts.chain.chainId();
      this.params = await this.opts.chain.params();
      while (!this.stopping && !this.fatal) {
        try {
          await this.tick();
          this.lastError = undefined;
        } catch (e) {
          if (this.fatal) break;
          this.lastError = (e as Error).message;
          await sleep(this.opts.pollMs ?? 200);
        }
      }
    } finally {
      clearInterval(statusTimer);
      await this.engine.stop();
      this.emitStatus();
    }
    if (this.fatal) throw this.fatal;
  }

  private emitStatus(): void {
    const now = Date.now();
    const dt = (now - this.last.at) / 1000;
    if (dt > 0) this.rate = (this.stats.usefulMacs - this.last.macs) / dt;
    this.last = { at: now, macs: this.stats.usefulMacs };
    this.emit("status", this.status());
  }

  private fail(e: Error): void {
    this.fatal ??= e;
    this.stop();
  }

  private async tick(): Promise<void> {
    const chain = this.opts.chain;
    const height = await chain.latestHeight();
    if (height !== this.height) {
      this.height = height;
      await this.onNewBlock();
    }
    await this.submitter.submit({ height: this.height, chainId: this.chainId, params: this.params, maxAccepted: this.opts.maxAccepted, stopping: () => this.stopping });
    if (this.opts.maxAccepted && this.submitter.counts.accepted >= this.opts.maxAccepted) return this.stop();
    // One product per tick while the queue has room for what a block takes; else wait for blocks.
    if (this.anchor && this.submitter.queue.length < Number(this.params.maxCertsPerBlock) && !this.stopping) await this.mineOne();
    else await sleep(this.opts.pollMs ?? 200);
  }

  private async mineOne(): Promise<void> {
    const anchor = this.anchor!;
    const b = this.opts.weights[this.opts.matrixIndex];
    // The miner's own input batch. A serving node would pass its activations; here a fresh random
    // batch per product (a fresh a_root, hence fresh noise).
    const a = { rows: this.opts.rows, cols: b.rows, data: pseudoRandomInt8(randomInt(1, 2 ** 31), this.opts.rows * b.rows) };
    const job = new MatmulJob({
      chainId: this.chainId,
      anchorHeight: BigInt(anchor.height),
      anchorHash: anchor.hash,
      miner: this.minerBytes,
      minerAddress: this.opts.signer.address,
      modelId: this.opts.modelId,
      weights: this.opts.weights,
      matrixIndex: this.opts.matrixIndex,
      a,
    });
    const r = await this.engine.product(job, this.target);
    this.stats.products++;
    this.stats.tiles += r.tiles;
    this.stats.usefulMacs += r.usefulMacs;
    for (const f of r.finds) {
      this.stats.found++;
      this.submitter.queue.push({ anchorHeight: anchor.height, msg: job.message(f.tileRow, f.tileCol), ticket: f.ticket });
    }
  }

  private async onNewBlock(): Promise<void> {
    const chain = this.opts.chain;
    const W = Number(this.params.anchorWindow);
    const t = await chain.target();
    if (t.matmulTarget === undefined) return this.fail(new Error("the chain has no matmul target: matmul certificates are not accepted"));
    if (t.matmulTarget !== this.target) {
      this.target = t.matmulTarget;
      this.submitter.dropStale((q) => bytesToBigInt(q.ticket) <= this.target);
    }
    await this.submitter.collectOutcomes(this.height);
    this.submitter.dropStale((q) => this.height + 1 - q.anchorHeight < W);
    if (this.height >= 2 && (!this.anchor || this.height + 1 - this.anchor.height > Math.max(2, Math.floor(W / 2)))) {
      const h = this.height - 1;
      this.params = await chain.params();
      this.anchor = { height: h, hash: await chain.blockHash(h) };
      this.emit("anchor", this.anchor);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
