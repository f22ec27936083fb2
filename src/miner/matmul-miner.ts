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
import { POW_CODESPACE, type PowParams, bytesToBigInt, matmul } from "../modules/pow";
import type { CertificateSigner, MinerChain } from "./chain";
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

export interface MatmulRejected {
  stage: "checktx" | "block" | "dropped";
  code: number;
  codespace: string;
  log: string;
}

const FATAL_POW_CODES = new Set([8, 9, 10, 13, 14]);
const BLOCK_LIMIT_CODES = new Set([11, 12]);
const PENDING_TIMEOUT_BLOCKS = 5;

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
  private queue: Queued[] = [];
  private readonly pending = new Map<string, { q: Queued; sentHeight: number }>();
  private account: { exists: boolean; accountNumber: bigint; nextSequence: bigint } | undefined;
  private blockFullAt = -1;
  private stopping = false;
  private fatal: Error | undefined;
  private readonly stats = { products: 0, tiles: 0, usefulMacs: 0, found: 0, accepted: 0, rejected: 0, stale: 0 };
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
  }

  status(): MatmulMinerStatus {
    return {
      height: this.height,
      anchorHeight: this.anchor?.height ?? 0,
      target: this.target,
      ...this.stats,
      macsPerSecond: this.rate,
      queued: this.queue.length,
      pending: this.pending.size,
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
      this.blockFullAt = -1;
      await this.onNewBlock();
    }
    await this.submit();
    if (this.opts.maxAccepted && this.stats.accepted >= this.opts.maxAccepted) return this.stop();
    // One product per tick while the queue has room for what a block takes; else wait for blocks.
    if (this.anchor && this.queue.length < Number(this.params.maxCertsPerBlock) && !this.stopping) await this.mineOne();
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
      this.queue.push({ anchorHeight: anchor.height, msg: job.message(f.tileRow, f.tileCol), ticket: f.ticket });
    }
  }

  private async onNewBlock(): Promise<void> {
    const chain = this.opts.chain;
    const W = Number(this.params.anchorWindow);
    const t = await chain.target();
    if (t.matmulTarget === undefined) return this.fail(new Error("the chain has no matmul target: matmul certificates are not accepted"));
    if (t.matmulTarget !== this.target) {
      this.target = t.matmulTarget;
      const before = this.queue.length;
      this.queue = this.queue.filter((q) => bytesToBigInt(q.ticket) <= this.target);
      this.stats.stale += before - this.queue.length;
    }
    for (const [hash, p] of [...this.pending]) {
      const outcome = await chain.txOutcome(hash);
      if (outcome) {
        this.pending.delete(hash);
        if (outcome.code === 0) {
          this.stats.accepted++;
          if (this.account && !this.account.exists) this.account = undefined;
          this.emit("accepted", { hash, height: outcome.height, anchorHeight: p.q.anchorHeight, tileRow: p.q.msg.tileRow, tileCol: p.q.msg.tileCol, ticket: p.q.ticket.toString("hex") } satisfies MatmulAccepted);
        } else {
          this.reject({ stage: "block", code: outcome.code, codespace: outcome.codespace, log: outcome.log });
          this.account = undefined;
        }
      } else if (this.height - p.sentHeight > PENDING_TIMEOUT_BLOCKS) {
        this.pending.delete(hash);
        this.reject({ stage: "dropped", code: 0, codespace: "", log: `not included within ${PENDING_TIMEOUT_BLOCKS} blocks` });
        this.account = undefined;
      }
    }
    const before = this.queue.length;
    this.queue = this.queue.filter((q) => this.height + 1 - q.anchorHeight < W);
    this.stats.stale += before - this.queue.length;
    if (this.height >= 2 && (!this.anchor || this.height + 1 - this.anchor.height > Math.max(2, Math.floor(W / 2)))) {
      const h = this.height - 1;
      this.params = await chain.params();
      this.anchor = { height: h, hash: await chain.blockHash(h) };
      this.emit("anchor", this.anchor);
    }
  }

  private reject(e: MatmulRejected): void {
    this.stats.rejected++;
    this.lastError = `${e.stage}: ${e.codespace ? `${e.codespace}/${e.code} ` : ""}${e.log}`;
    this.emit("rejected", e);
  }

  private async submit(): Promise<void> {
    const chain = this.opts.chain;
    if (this.account === undefined) {
      if (this.pending.size > 0) return;
      const a = await chain.account(this.opts.signer.address);
      this.account = a ? { exists: true, accountNumber: a.accountNumber, nextSequence: a.sequence } : { exists: false, accountNumber: 0n, nextSequence: 0n };
    }
    let maxInFlight = this.account.exists ? Number(this.params.maxCertsPerMinerPerBlock) : 1;
    if (this.opts.maxAccepted) maxInFlight = Math.min(maxInFlight, this.opts.maxAccepted - this.stats.accepted);
    while (this.queue.length > 0 && this.pending.size < maxInFlight && this.blockFullAt !== this.height && !this.stopping) {
      const q = this.queue.shift()!;
      const account = this.account;
      const tx = await this.opts.signer.signMatmul(q.msg, { accountNumber: account.accountNumber, sequence: account.nextSequence, chainId: this.chainId }, this.gas);
      const r = await chain.broadcast(tx);
      if (r.ok) {
        this.pending.set(r.hash, { q, sentHeight: this.height });
        if (account.exists) account.nextSequence++;
        continue;
      }
      if (r.codespace === POW_CODESPACE && BLOCK_LIMIT_CODES.has(r.code)) {
        this.queue.unshift(q);
        this.blockFullAt = this.height;
        break;
      }
      if (r.codespace === "sdk" && r.code === 32) {
        this.queue.unshift(q);
        this.account = undefined;
        break;
      }
      this.reject({ stage: "checktx", code: r.code, codespace: r.codespace, log: r.log });
      if (r.codespace === POW_CODESPACE && FATAL_POW_CODES.has(r.code)) {
        return this.fail(new Error(`cannot mine matmul certificates for model ${this.opts.modelId}: ${r.log} (code ${r.codespace}/${r.code})`));
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
