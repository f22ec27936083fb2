import { EventEmitter } from "node:events";
import { fromBech32 } from "@cosmjs/encoding";
import { POW_CODESPACE, type PowParams, bytesToBigInt, sealPrefix } from "../modules/pow";
import type { CertificateSigner, MinerChain } from "./chain";
import { Find, MiningEngine } from "./engine";

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

export interface RejectedEvent {
  /** checktx: refused by CheckTx; block: failed in a block; dropped: never included. */
  stage: "checktx" | "block" | "dropped";
  code: number;
  codespace: string;
  log: string;
}

/** pow codes after which mining for this model is pointless: the miner stops with the reason. */
const FATAL_POW_CODES = new Set([8, 9, 10]);
const POW_BLOCK_LIMIT = 11;
/** This miner's own share of the block is taken (max_certs_per_miner_per_block). */
const POW_MINER_BLOCK_LIMIT = 12;
const POW_ANCHOR_EXPIRED = 4;
const SDK_WRONG_SEQUENCE = 32;
/** A tx neither included nor refused after this many blocks is considered dropped. */
const PENDING_TIMEOUT_BLOCKS = 5;

interface Anchor {
  height: number;
  hash: Uint8Array;
}

interface QueuedCert {
  anchor: Anchor;
  nonce: bigint;
  seal: Buffer;
}

interface PendingTx {
  cert: QueuedCert;
  sentHeight: number;
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
  private queue: QueuedCert[] = [];
  private readonly pending = new Map<string, PendingTx>();
  /** undefined = must be read from the chain (when nothing is in flight). */
  private account: { exists: false } | { exists: true; accountNumber: bigint; nextSequence: bigint } | undefined;
  private blockFullAt = -1;
  private stopping = false;
  private stopResolve: (() => void) | undefined;
  private fatal: Error | undefined;
  private readonly stats = { found: 0, accepted: 0, rejected: 0, stale: 0 };
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
      found: this.stats.found,
      accepted: this.stats.accepted,
      rejected: this.stats.rejected,
      stale: this.stats.stale,
      queued: this.queue.length,
      pending: this.pending.size,
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
    this.stats.found++;
    this.queue.push({ anchor: this.anchor, nonce: f.nonce, seal: f.seal });
    this.updateCredits();
  }

  /** Workers hash only while the queue has room (at most one block's worth of certificates). */
  private updateCredits(): void {
    const room = Number(this.params.maxCertsPerBlock) - this.queue.length;
    this.engine.want(this.stopping ? 0 : room);
  }

  /** Age of an anchor for a tx checked now: CheckTx runs at height + 1. */
  private age(anchor: Anchor): number {
    return this.height + 1 - anchor.height;
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
    if (this.opts.maxAccepted && this.stats.accepted >= this.opts.maxAccepted) this.stop();
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
      const before = this.queue.length;
      this.queue = this.queue.filter((c) => bytesToBigInt(c.seal) <= this.target);
      this.stats.stale += before - this.queue.length;
    }

    // Results of txs in flight.
    for (const [hash, p] of [...this.pending]) {
      const outcome = await chain.txOutcome(hash);
      if (outcome) {
        this.pending.delete(hash);
        if (outcome.code === 0) {
          this.stats.accepted++;
          // A new miner's first certificate created its account: read its number and sequence.
          if (this.account && !this.account.exists) this.account = undefined;
          this.emit("accepted", { hash, height: outcome.height, nonce: p.cert.nonce, anchorHeight: p.cert.anchor.height, seal: p.cert.seal.toString("hex") } satisfies AcceptedEvent);
        } else {
          this.reject({ stage: "block", code: outcome.code, codespace: outcome.codespace, log: outcome.log });
          // A failed tx still consumed its sequence in the block only if the ante passed; re-read.
          this.account = undefined;
        }
      } else if (this.height - p.sentHeight > PENDING_TIMEOUT_BLOCKS) {
        this.pending.delete(hash);
        this.reject({ stage: "dropped", code: 0, codespace: "", log: `not included within ${PENDING_TIMEOUT_BLOCKS} blocks` });
        this.account = undefined;
      }
    }

    // Certificates that could not be included before their anchor expires are dropped.
    const before = this.queue.length;
    this.queue = this.queue.filter((c) => this.age(c.anchor) < W);
    this.stats.stale += before - this.queue.length;

    // A fresh anchor once the current one is half-way through its window.
    if (this.height >= 2 && (!this.anchor || this.age(this.anchor) > Math.max(2, Math.floor(W / 2)))) {
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

  private reject(e: RejectedEvent): void {
    this.stats.rejected++;
    this.lastError = `${e.stage}: ${e.codespace ? `${e.codespace}/${e.code} ` : ""}${e.log}`;
    this.emit("rejected", e);
  }

  private async submit(): Promise<void> {
    const chain = this.opts.chain;
    if (this.account === undefined) {
      if (this.pending.size > 0) return; // the local sequence is re-read once nothing is in flight
      const a = await chain.account(this.address);
      this.account = a ? { exists: true, accountNumber: a.accountNumber, nextSequence: a.sequence } : { exists: false };
    }
    // A new account sends one certificate (account 0, sequence 0) and waits for it to land.
    let maxInFlight = this.account.exists ? Number(this.params.maxCertsPerBlock) : 1;
    // With a quota, never have more in flight than are still wanted.
    if (this.opts.maxAccepted) maxInFlight = Math.min(maxInFlight, this.opts.maxAccepted - this.stats.accepted);
    while (this.queue.length > 0 && this.pending.size < maxInFlight && this.blockFullAt !== this.height && !this.stopping) {
      const cert = this.queue.shift()!;
      this.updateCredits();
      const account = this.account;
      const signerData = account.exists
        ? { accountNumber: account.accountNumber, sequence: account.nextSequence, chainId: this.chainId }
        : { accountNumber: 0n, sequence: 0n, chainId: this.chainId };
      const tx = await this.opts.signer.sign(
        { modelId: this.opts.modelId, anchorHeight: BigInt(cert.anchor.height), workDigest: Buffer.from(this.opts.workDigest), nonce: cert.nonce },
        signerData,
        this.gas,
      );
      const r = await chain.broadcast(tx);
      if (r.ok) {
        this.pending.set(r.hash, { cert, sentHeight: this.height });
        if (account.exists) account.nextSequence++;
        continue;
      }
      if (r.codespace === POW_CODESPACE && (r.code === POW_BLOCK_LIMIT || r.code === POW_MINER_BLOCK_LIMIT)) {
        // The block is full of certificates (or of this miner's): keep this one for the next block.
        this.queue.unshift(cert);
        this.blockFullAt = this.height;
        break;
      }
      if (r.codespace === "sdk" && r.code === SDK_WRONG_SEQUENCE) {
        this.queue.unshift(cert);
        this.account = undefined;
        break;
      }
      if (r.codespace === POW_CODESPACE && FATAL_POW_CODES.has(r.code)) {
        this.reject({ stage: "checktx", code: r.code, codespace: r.codespace, log: r.log });
        this.fail(new Error(`cannot mine for model ${this.opts.modelId}: ${r.log} (code ${r.codespace}/${r.code})`));
        return;
      }
      if (r.codespace === POW_CODESPACE && r.code === POW_ANCHOR_EXPIRED) {
        // Raced with new blocks: stale, not wrong.
        this.stats.stale++;
        this.lastError = `checktx: ${r.codespace}/${r.code} ${r.log}`;
        continue;
      }
      this.reject({ stage: "checktx", code: r.code, codespace: r.codespace, log: r.log });
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
