import { POW_CODESPACE, PowErrors, type PowParams } from "../modules/pow";
import type { MinerChain } from "./chain";

export interface RejectedEvent {
  /** checktx: refused by CheckTx; block: failed in a block; dropped: never included. */
  stage: "checktx" | "block" | "dropped";
  code: number;
  codespace: string;
  log: string;
}

/** pow codes after which mining for this model is pointless: the miner stops with the reason. */
const FATAL_POW_CODES = new Set([PowErrors.UnknownModel, PowErrors.ModelNotActive, PowErrors.UnauthorizedMiner, PowErrors.InvalidMatmulCertificate, PowErrors.KindNotAccepted].map((e) => e.code));
/** The block's certificates (or this miner's share of them) are taken: retry in the next block. */
const BLOCK_LIMIT_CODES = new Set([PowErrors.BlockCertLimit.code, PowErrors.MinerBlockCertLimit.code]);
const SDK_WRONG_SEQUENCE = 32;
/** A tx neither included nor refused after this many blocks is considered dropped. */
export const PENDING_TIMEOUT_BLOCKS = 5;

export interface SignerData {
  accountNumber: bigint;
  sequence: bigint;
  chainId: string;
}

export interface SubmitterHooks<Q> {
  chain: MinerChain;
  /** The miner's (signer's) address. */
  address: string;
  /** What is mined, for the fatal error's message ("certificates for model 3"). */
  what: string;
  sign(q: Q, signerData: SignerData): Promise<Uint8Array>;
  /** How many of this miner's txs may be in flight once its account exists. */
  maxInFlight(params: PowParams): number;
  accepted(q: Q, hash: string, height: number): void;
  rejected(e: RejectedEvent): void;
  /** The last thing that went wrong, for the miner's status line. */
  note(message: string): void;
  /** Mining cannot go on (unknown model, not authorized, kind not accepted). */
  fatal(e: Error): void;
  /** A certificate left the queue (the sha256 miner lets its workers fill the room). */
  dequeued?(): void;
}

/**
 * Submits a miner's certificates as feeless txs and follows them into blocks: keeps the local
 * sequence (a new miner's first certificate goes alone, from account 0 and sequence 0, and
 * creates its account), holds certificates back while the block is full, re-reads the account
 * after a wrong sequence or a failed tx, and counts what is accepted, rejected or stale. Shared by
 * the sha256 and the matmul miners.
 */
export class CertificateSubmitter<Q extends { anchorHeight: number }> {
  queue: Q[] = [];
  readonly pending = new Map<string, { q: Q; sentHeight: number }>();
  readonly counts = { accepted: 0, rejected: 0, stale: 0 };
  /** undefined = must be read from the chain (when nothing is in flight). */
  private account: { exists: false } | { exists: true; accountNumber: bigint; nextSequence: bigint } | undefined;
  private blockFullAt = -1;

  constructor(private readonly hooks: SubmitterHooks<Q>) {}

  /** Reads the outcome of every tx in flight; called once per new block. */
  async collectOutcomes(height: number): Promise<void> {
    for (const [hash, p] of [...this.pending]) {
      const outcome = await this.hooks.chain.txOutcome(hash);
      if (outcome) {
        this.pending.delete(hash);
        if (outcome.code === 0) {
          this.counts.accepted++;
          // A new miner's first certificate created its account: read its number and sequence.
          if (this.account && !this.account.exists) this.account = undefined;
          this.hooks.accepted(p.q, hash, outcome.height);
        } else {
          this.reject({ stage: "block", code: outcome.code, codespace: outcome.codespace, log: outcome.log });
          // A failed tx still consumed its sequence in the block only if the ante passed; re-read.
          this.account = undefined;
        }
      } else if (height - p.sentHeight > PENDING_TIMEOUT_BLOCKS) {
        this.pending.delete(hash);
        this.reject({ stage: "dropped", code: 0, codespace: "", log: `not included within ${PENDING_TIMEOUT_BLOCKS} blocks` });
        this.account = undefined;
      }
    }
  }

  /** Drops the queued certificates `keep` refuses (anchor about to expire, above a new target). */
  dropStale(keep: (q: Q) => boolean): void {
    const before = this.queue.length;
    this.queue = this.queue.filter(keep);
    this.counts.stale += before - this.queue.length;
  }

  /** Sends queued certificates while the account's in-flight limit and the block allow. */
  async submit(at: { height: number; chainId: string; params: PowParams; maxAccepted?: number; stopping: () => boolean }): Promise<void> {
    const chain = this.hooks.chain;
    if (this.account === undefined) {
      if (this.pending.size > 0) return; // the local sequence is re-read once nothing is in flight
      const a = await chain.account(this.hooks.address);
      this.account = a ? { exists: true, accountNumber: a.accountNumber, nextSequence: a.sequence } : { exists: false };
    }
    // A new account sends one certificate (account 0, sequence 0) and waits for it to land.
    let maxInFlight = this.account.exists ? this.hooks.maxInFlight(at.params) : 1;
    // With a quota, never have more in flight than are still wanted.
    if (at.maxAccepted) maxInFlight = Math.min(maxInFlight, at.maxAccepted - this.counts.accepted);
    while (this.queue.length > 0 && this.pending.size < maxInFlight && this.blockFullAt !== at.height && !at.stopping()) {
      const q = this.queue.shift()!;
      this.hooks.dequeued?.();
      const account = this.account;
      const signerData = account.exists ? { accountNumber: account.accountNumber, sequence: account.nextSequence, chainId: at.chainId } : { accountNumber: 0n, sequence: 0n, chainId: at.chainId };
      const r = await chain.broadcast(await this.hooks.sign(q, signerData));
      if (r.ok) {
        this.pending.set(r.hash, { q, sentHeight: at.height });
        if (account.exists) account.nextSequence++;
        continue;
      }
      if (r.codespace === POW_CODESPACE && BLOCK_LIMIT_CODES.has(r.code)) {
        this.queue.unshift(q);
        this.blockFullAt = at.height;
        break;
      }
      if (r.codespace === "sdk" && r.code === SDK_WRONG_SEQUENCE) {
        this.queue.unshift(q);
        this.account = undefined;
        break;
      }
      if (r.codespace === POW_CODESPACE && r.code === PowErrors.AnchorExpired.code) {
        // Raced with new blocks: stale, not wrong.
        this.counts.stale++;
        this.hooks.note(`checktx: ${r.codespace}/${r.code} ${r.log}`);
        continue;
      }
      this.reject({ stage: "checktx", code: r.code, codespace: r.codespace, log: r.log });
      if (r.codespace === POW_CODESPACE && FATAL_POW_CODES.has(r.code)) {
        this.hooks.fatal(new Error(`cannot mine ${this.hooks.what}: ${r.log} (code ${r.codespace}/${r.code})`));
        return;
      }
    }
  }

  private reject(e: RejectedEvent): void {
    this.counts.rejected++;
    this.hooks.note(`${e.stage}: ${e.codespace ? `${e.codespace}/${e.code} ` : ""}${e.log}`);
    this.hooks.rejected(e);
  }
}
