import { EventEmitter } from "node:events";
import { randomInt } from "node:crypto";
import { Worker } from "node:worker_threads";
import { targetToBytes } from "../modules/pow";
import { FoundMessage, JobMessage, MINER_WORKER_SOURCE, WorkerData, creditsOffset, sharedBufferSize } from "./worker";

/** What to mine: the seal prefix (everything but the nonce) and the target to meet. */
export interface MiningJob {
  /** Caller's tag, echoed with every find (e.g. the anchor height). */
  readonly tag: string;
  readonly prefix: Uint8Array;
  readonly target: bigint;
}

export interface Find {
  readonly job: MiningJob;
  readonly nonce: bigint;
  readonly seal: Buffer;
}

export interface EngineOptions {
  /** Worker threads (>= 1). */
  threads: number;
  /** Hashes per worker between two looks at its messages (default 4096). */
  chunk?: number;
}

/**
 * The mining engine: N worker threads hashing prefix || nonce with Node's native SHA-256, each in
 * its own nonce range. The nonce space of a job is split by its high 32 bits: thread i starts at
 * high word (base + i * floor(2^32 / N)) mod 2^32 with a random base per job, and walks the low
 * word, so threads never overlap (2^32 hashes per high word) and two runs rarely do.
 *
 * Events: "find" (Find). Finds are limited by credits (`want(n)`): workers idle when the caller
 * wants no more certificates. `stop()` terminates every worker.
 */
export class MiningEngine extends EventEmitter {
  private readonly workers: Worker[] = [];
  private readonly shared: SharedArrayBuffer;
  private readonly counters: BigUint64Array;
  private readonly credits: Int32Array;
  private job: MiningJob | undefined;
  private jobId = 0;
  private stopped = false;
  private alive = 0;
  readonly threads: number;

  constructor(opts: EngineOptions) {
    super();
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new Error(`threads must be a positive integer, got ${opts.threads}`);
    this.threads = opts.threads;
    this.shared = new SharedArrayBuffer(sharedBufferSize(opts.threads));
    this.counters = new BigUint64Array(this.shared, 0, opts.threads);
    this.credits = new Int32Array(this.shared, creditsOffset(opts.threads), 1);
    for (let index = 0; index < opts.threads; index++) {
      const workerData: WorkerData = { index, threads: opts.threads, shared: this.shared, chunk: opts.chunk ?? 4096 };
      const w = new Worker(MINER_WORKER_SOURCE, { eval: true, workerData });
      w.on("message", (m: FoundMessage) => this.onFound(m));
      w.on("error", (e) => this.emit("error", e));
      w.on("exit", () => this.alive--);
      this.alive++;
      this.workers.push(w);
    }
  }

  private onFound(m: FoundMessage): void {
    const job = this.job;
    // A find for a replaced job is stale (other anchor or target): drop it, give the credit back.
    if (!job || m.jobId !== this.jobId) {
      Atomics.add(this.credits, 0, 1);
      return;
    }
    const nonce = (BigInt(m.nonceHi >>> 0) << 32n) | BigInt(m.nonceLo >>> 0);
    this.emit("find", { job, nonce, seal: Buffer.from(m.seal) } satisfies Find);
  }

  /** Starts (or replaces) the job on every thread. */
  setJob(job: MiningJob): void {
    if (this.stopped) throw new Error("mining engine stopped");
    this.job = job;
    this.jobId = (this.jobId + 1) | 0;
    const target = targetToBytes(job.target);
    const base = randomInt(0, 2 ** 32 - 1);
    const stride = Math.floor(2 ** 32 / this.threads);
    this.workers.forEach((w, i) => {
      const msg: JobMessage = { type: "job", jobId: this.jobId, prefix: job.prefix, target, nonceHi: (base + i * stride) >>> 0, nonceLo: 0 };
      w.postMessage(msg);
    });
  }

  /** Starts a job at explicit nonces (one start per thread); for tests of range separation. */
  setJobAt(job: MiningJob, starts: readonly bigint[]): void {
    if (starts.length !== this.threads) throw new Error("one start nonce per thread");
    this.job = job;
    this.jobId = (this.jobId + 1) | 0;
    const target = targetToBytes(job.target);
    this.workers.forEach((w, i) => {
      const s = starts[i];
      w.postMessage({ type: "job", jobId: this.jobId, prefix: job.prefix, target, nonceHi: Number(s >> 32n), nonceLo: Number(s & 0xffffffffn) } satisfies JobMessage);
    });
  }

  /** Stops hashing (workers stay alive) until the next setJob. */
  idle(): void {
    this.job = undefined;
    for (const w of this.workers) w.postMessage({ type: "idle" });
  }

  get currentJob(): MiningJob | undefined {
    return this.job;
  }

  /** Sets how many more certificates the caller wants (workers idle at 0). */
  want(n: number): void {
    Atomics.store(this.credits, 0, Math.max(0, Math.floor(n)));
  }

  wanted(): number {
    return Atomics.load(this.credits, 0);
  }

  /** Total hashes computed by all threads so far. */
  hashes(): bigint {
    let total = 0n;
    for (let i = 0; i < this.threads; i++) total += Atomics.load(this.counters, i);
    return total;
  }

  /** Hashes of each thread so far. */
  hashesPerThread(): bigint[] {
    return Array.from({ length: this.threads }, (_, i) => Atomics.load(this.counters, i));
  }

  /** Terminates every worker thread (idempotent). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.job = undefined;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Worker threads still running (0 after stop()). */
  get liveWorkers(): number {
    return this.alive;
  }
}
