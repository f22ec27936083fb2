import { EventEmitter } from "node:events";
import { fromBech32 } from "@cosmjs/encoding";
import { type PowParams, bytesToBigInt, sealPrefix } from "../modules/pow";
import type { CertificateSigner, MinerChain } from "./chain";
import { Find, MiningEngine } from "./engine";
import { CertificateSubmitter, type RejectedEvent } from "./submitter";

export type { RejectedEvent } from "./submitter";

export interface MinerOptions {
  chain: MinerChain;
  signer: CertificateSigner;
  modelId: bigint;
  /** 32 bytes bound into every seal (e.g. a digest of the AI work done). */
  workDigest: Uint8Array;
  threads: number;
  /** Gas limit of each certificate tx (feeless: the limit costs nothing). */
  gas?: bigint;
  /** How often the chain is polled for a new block (ms). */
  pollMs?: number;
  /** How often a "status" event is emitted (ms). */
  statusMs?: number;
  /** Stop after this many accepted certificates (0 = run until stop()). */
  maxAccepted?: number;
  /** Hashes per worker chunk (engine option). */
  chunk?: number;
}

export interface MinerStatus {
  height: number;
  anchorHeight: number;
  target: bigint;
  epoch: bigint;
  /** Hashes per second over the last status interval, all threads. */
  hashrate: number;
  hashes: bigint;
  found: number;
  accepted: number;
  rejected: number;
  /** Certificates dropped before submission (anchor about to expire, or above a new target). */
  stale: number;
  queued: number;
  pending: number;
  lastError?: string;
}

export interface AcceptedEvent {
  hash: string;
  height: number;
  nonce: bigint;
  anchorHeight: number;
  seal: string;
}

interface Anchor {
  height: number;
  hash: Uint8Array;
}

interface QueuedCert {
  anchorHeight: number;
  nonce: bigint;
  seal: Buffer;
}

/**
 * The miner: keeps a fresh anchor (latest height - 1 and its block hash), mines it on a
 * MiningEngine, and submits each certificate as a feeless tx (the miner's first one, from an
 * account the chain does not know yet, signed with account number 0 and sequence 0).
 *
 * Re-anchors once the anchor is more than max(2, anchor_window / 2) blocks old; certificates
 * that could no longer be included in time, or that are above a new target, are dropped (stale).
 * Events: "status" (MinerStatus), "anchor" (Anchor), "accepted" (AcceptedEvent), "rejected"
 * (RejectedEvent). `run()` resolves when stopped, rejects on a fatal error (unknown model,
 * inactive model, miner not authorized).
 */
export class Miner extends EventEmitter {
  private readonly engine: MiningEngine;
  private readonly minerBytes: Uint8Array;
  private readonly gas: bigint;
  private chainId = "";
  private params!: PowParams;
  private target = 0n;
  private epoch = 0n;
  private height = 0;
  private anchor: Anchor | undefined;
  private readonly submitter: CertificateSubmitter<QueuedCert>;
  private stopping = false;
  private stopResolve: (() => void) | undefined;
  private fatal: Error | undefined;
  private found = 0;
  private lastError: string | undefined;
  private lastStatus = { at: 0, hashes: 0n };
  private hashrate = 0;

  constructor(private readonly opts: MinerOptions) {
    super();
    if (opts.workDigest.length !== 32) throw new Error(`work digest must be 32 bytes, got ${opts.workDigest.length}`);
    this.minerBytes = fromBech32(opts.signer.address).data;
    this.gas = opts.gas ?? 200_000n;
    this.engine = new MiningEngine({ threads: opts.threads, chunk: opts.chunk });
    this.engine.on("find", (f: Find) => this.onFind(f));
    this.engine.on("error", (e: Error) => this.fail(e));
    this.submitter = new CertificateSubmitter<QueuedCert>({
      chain: opts.chain,
      address: opts.signer.address,
      what: `for model ${opts.modelId}`,
      sign: (cert, signerData) =>
        opts.signer.sign({ modelId: opts.modelId, anchorHeight: BigInt(cert.anchorHeight), workDigest: Buffer.from(opts.workDigest), nonce: cert.nonce }, signerData, this.gas),
      maxInFlight: (params) => Number(params.maxCertsPerBlock),
      accepted: (cert, hash, height) =>
        this.emit("accepted", { hash, height, nonce: cert.nonce, anchorHeight: cert.anchorHeight, seal: cert.seal.toString("hex") } satisfies AcceptedEvent),
      rejected: (e: RejectedEvent) => this.emit("rejected", e),
      note: (message) => (this.lastError = message),
      fatal: (e) => this.fail(e),
      dequeued: () => this.updateCredits(),
    });
  }

  get address(): string {
    return this.opts.signer.address;
  }

  status(): MinerStatus {
    return {
      height: this.height,
      anchorHeight: this.anchor?.height ?? 0,
      target: this.target,
      epoch: this.epoch,
      hashrate: this.hashrate,
      hashes: this.engine.hashes(),
      found: this.found,
      ...this.submitter.counts,
      queued: this.submitter.queue.length,
      pending: this.submitter.pending.size,
      lastError: this.lastError,
    };
  }

  /** Mines until stop() (or maxAccepted, or a fatal error). Workers are always terminated. */
  async run(): Promise<void> {
    const stopped = new Promise<void>((resolve) => (this.stopResolve = resolve));
    const pollMs = this.opts.pollMs ?? 200;
    const statusMs = this.opts.statusMs ?? 1000;
    this.lastStatus = { at: Date.now(), hashes: 0n };
    const statusTimer = setInterval(() => this.emitStatus(), statusMs);
    try {
      this.chainId = await this.opts.chain.chainId();
      this.params = await this.opts.chain.params();
      while (!this.stopping) {
        try {
          await this.tick();
          this.lastError = undefined;
        } catch (e) {
          if (this.fatal) break;
          // Network trouble and the like: report and try again on the next tick.
          this.lastError = (e as Error).message;
        }
        if (this.stopping || this.fatal) break;
        await Promise.race([sleep(pollMs), stopped]);
      }
    } finally {
      clearInterval(statusTimer);
      await this.engine.stop();
      this.emitStatus();
    }
    if (this.fatal) throw this.fatal;
  }

  /** Stops mining: the loop ends and every worker thread is terminated. */
  stop(): void {
    this.stopping = true;
    this.stopResolve?.();
  }

  private fail(e: Error): void {
    this.fatal ??= e;
    this.stop();
  }

  private emitStatus(): void {
    const now = Date.now();
    const hashes = this.engine.hashes();
    const dt = (now - this.lastStatus.at) / 1000;
    if (dt > 0) this.hashrate = Number(hashes - this.lastStatus.hashes) / dt;
    this.lastStatus = { at: now, hashes };
    this.emit("status", this.status());
  }

  private onFind(f: Find): void {
    const anchorHeight = Number(f.job.tag);
    if (!this.anchor || this.anchor.height !== anchorHeight) return;
    this.found++;
    this.submitter.queue.push({ anchorHeight, nonce: f.nonce, seal: f.seal });
    this.updateCredits();
  }

  /** Workers hash only while the queue has room (at most one block's worth of certificates). */
  private updateCredits(): void {
    const room = Number(this.params.maxCertsPerBlock) - this.submitter.queue.length;
    this.engine.want(this.stopping ? 0 : room);
  }

  /** Age of an anchor for a tx checked now: CheckTx runs at height + 1. */
  private age(anchorHeight: number): number {
    return this.height + 1 - anchorHeight;
  }

  private async tick(): Promise<void> {
    const chain = this.opts.chain;
    const height = await chain.latestHeight();
    if (height !== this.height) {
      this.height = height;
      await this.onNewBlock();
    }
    await this.submitter.submit({ height: this.height, chainId: this.chainId, params: this.params, maxAccepted: this.opts.maxAccepted, stopping: () => this.stopping });
    if (this.opts.maxAccepted && this.submitter.counts.accepted >= this.opts.maxAccepted) this.stop();
  }

  private async onNewBlock(): Promise<void> {
    const chain = this.opts.chain;
    const W = Number(this.params.anchorWindow);

    const t = await chain.target();
    this.epoch = t.epoch;
    let rejob = false;
    if (t.target !== this.target) {
      this.target = t.target;
      rejob = true;
      this.submitter.dropStale((c) => bytesToBigInt(c.seal) <= this.target);
    }

    await this.submitter.collectOutcomes(this.height);
    // Certificates that could not be included before their anchor expires are dropped.
    this.submitter.dropStale((c) => this.age(c.anchorHeight) < W);

    // A fresh anchor once the current one is half-way through its window.
    if (this.height >= 2 && (!this.anchor || this.age(this.anchor.height) > Math.max(2, Math.floor(W / 2)))) {
      const h = this.height - 1;
      this.params = await chain.params(); // parameters may change (e.g. the window)
      this.anchor = { height: h, hash: await chain.blockHash(h) };
      this.emit("anchor", this.anchor);
      rejob = true;
    }
    if (rejob && this.anchor) {
      const prefix = sealPrefix({
        chainId: this.chainId,
        anchorHeight: BigInt(this.anchor.height),
        anchorHash: this.anchor.hash,
        miner: this.minerBytes,
        modelId: this.opts.modelId,
        workDigest: this.opts.workDigest,
      });
      this.engine.setJob({ tag: String(this.anchor.height), prefix, target: this.target });
    }
    this.updateCredits();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
