import { Worker } from "node:worker_threads";
import { LIBSECP256K1_MODULE, secp256k1Backend, verifySecp256k1 } from "../framework/crypto";

/** One signature to check: 64-byte r||s over SHA-256(message) by a 33-byte compressed key. */
export interface SignatureItem {
  readonly pubkey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/*
 * The worker is evaluated from source so it runs the same way from dist/ and under ts-jest. It
 * must apply exactly the rules of verifySecp256k1 in crypto.ts (64-byte r||s, low-S, on-curve
 * key) with the same backend: a test checks both agree on valid, high-S and corrupted signatures.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const crypto = require("node:crypto");
// On Linux this lowers only this thread's priority (setpriority on the calling thread); a
// process already niced further stays where it is (raising priority needs privilege).
if (workerData.nice) {
  try { const os = require("node:os"); os.setPriority(Math.max(os.getPriority(), workerData.nice)); } catch {}
}
let lib = null;
if (workerData.libsecp256k1) { try { lib = require(workerData.libsecp256k1); } catch { lib = null; } }
const PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");
const N = Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex");
const HALF_N = Buffer.from("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", "hex");
function compare32(a, offset, b) {
  for (let i = 0; i < 32; i++) { const d = a[offset + i] - b[i]; if (d !== 0) return d; }
  return 0;
}
function isZero32(a, offset) {
  for (let i = 0; i < 32; i++) if (a[offset + i] !== 0) return false;
  return true;
}
const sha256 = typeof crypto.hash === "function" ? (m) => crypto.hash("sha256", m, "buffer") : (m) => crypto.createHash("sha256").update(m).digest();
const keys = new Map();
function key(pub) {
  const id = Buffer.from(pub).toString("latin1");
  let k = keys.get(id);
  if (k === undefined) {
    try { k = crypto.createPublicKey({ key: Buffer.concat([PREFIX, pub]), format: "der", type: "spki" }); }
    catch { k = null; }
    if (keys.size > 10000) keys.delete(keys.keys().next().value);
    keys.set(id, k);
  }
  return k;
}
function verify(pub, msg, sig) {
  if (pub.length !== 33 || (pub[0] !== 2 && pub[0] !== 3) || sig.length !== 64) return false;
  if (isZero32(sig, 0) || isZero32(sig, 32) || compare32(sig, 0, N) >= 0 || compare32(sig, 32, HALF_N) > 0) return false;
  if (lib) {
    try { return lib.ecdsaVerify(sig, sha256(msg), pub); }
    catch { return false; }
  }
  const k = key(pub);
  if (!k) return false;
  return crypto.verify("sha256", msg, { key: k, dsaEncoding: "ieee-p1363" }, sig);
}
parentPort.on("message", ({ id, count, packed }) => {
  const bytes = new Uint8Array(packed);
  const view = new DataView(packed);
  const results = new Uint8Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const pubLen = bytes[at], sigLen = bytes[at + 1], msgLen = view.getUint32(at + 2);
    at += 6;
    const pub = bytes.subarray(at, at + pubLen); at += pubLen;
    const sig = bytes.subarray(at, at + sigLen); at += sigLen;
    const msg = bytes.subarray(at, at + msgLen); at += msgLen;
    results[i] = verify(pub, msg, sig) ? 1 : 0;
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

/**
 * One transferable buffer per batch, (pubkey length u8, signature length u8, message length
 * u32, the three) per item: structured-cloning each item's arrays costs more than verifying
 * them, and would copy whole socket buffers when the arrays are views into them. Lengths that do
 * not fit are clamped to 255 bytes, which the checks refuse anyway (keys are 33, signatures 64).
 */
function pack(items: readonly SignatureItem[]): ArrayBuffer {
  let size = 0;
  for (const i of items) size += 6 + Math.min(i.pubkey.length, 255) + Math.min(i.signature.length, 255) + i.message.length;
  const packed = new ArrayBuffer(size);
  const bytes = new Uint8Array(packed);
  const view = new DataView(packed);
  let at = 0;
  for (const i of items) {
    const pubkey = i.pubkey.subarray(0, 255);
    const signature = i.signature.subarray(0, 255);
    bytes[at] = pubkey.length;
    bytes[at + 1] = signature.length;
    view.setUint32(at + 2, i.message.length);
    at += 6;
    bytes.set(pubkey, at);
    at += pubkey.length;
    bytes.set(signature, at);
    at += signature.length;
    bytes.set(i.message, at);
    at += i.message.length;
  }
  return packed;
}

/**
 * The verification threads' nice value. The main thread is the critical path of both CheckTx
 * and a block (it decodes, executes and waits only for verdicts it needs next), so it keeps a
 * whole core while the threads verify ahead of it on what is left; at equal priority three
 * threads shared two cores and the main thread ran at about two thirds of one. Measured in one
 * process, 6 rounds alternating 10 with 0: CheckTx on both cores 1.11 x, the cold 5,000-send
 * block in 0.89 x the time (paired medians); end to end against gaiad 2.21 x with 10 and 2.11 x
 * with 0 (BENCH_ONLY=gaiad, one run each, app CPU per tx 0.26 vs 0.28 ms). The default of
 * app.json's verify_threads_nice: a niced thread also yields to every other busy process on the
 * host, so an operator sharing the machine can set 0.
 */
export const VERIFY_THREAD_NICE = 10;

/**
 * Verifies batches of signatures on worker threads, so CheckTx batches and a block's txs use
 * every core. Results are identical to verifySecp256k1; the pool only changes where it runs.
 */
export class SignaturePool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, (results: Uint8Array) => void>();
  private nextId = 1;
  private closed = false;

  constructor(
    readonly threads: number,
    readonly nice = VERIFY_THREAD_NICE,
  ) {
    this.workers = Array.from({ length: threads }, () => {
      // The workers use the backend the main thread uses, so both always agree.
      const libsecp256k1 = secp256k1Backend() === "libsecp256k1" ? require.resolve(LIBSECP256K1_MODULE) : null;
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { libsecp256k1, nice } });
      w.on("message", ({ id, results }: { id: number; results: Uint8Array }) => {
        const done = this.waiting.get(id);
        this.waiting.delete(id);
        if (this.waiting.size === 0) this.setRef(false);
        done?.(results);
      });
      // A worker that dies must not leave CheckTx waiting forever: fail its batches, which then
      // fall back to verification on the main thread.
      w.on("error", () => this.failAll());
      w.unref();
      return w;
    });
  }

  /** Idle workers must not keep the process alive; busy ones must (someone awaits them). */
  private setRef(busy: boolean): void {
    for (const w of this.workers) {
      if (busy) w.ref();
      else w.unref();
    }
  }

  private failAll(): void {
    for (const done of this.waiting.values()) done(new Uint8Array(0));
    this.waiting.clear();
  }

  /** Splits `items` across the workers; resolves with one boolean per item, in order. */
  async verify(items: readonly SignatureItem[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    if (this.closed || this.workers.length === 0) return items.map((i) => verifySecp256k1(i.pubkey, i.message, i.signature));
    const per = Math.ceil(items.length / this.workers.length);
    this.setRef(true);
    const parts = await Promise.all(
      this.workers.map((w, wi) => {
        const slice = items.slice(wi * per, (wi + 1) * per);
        if (slice.length === 0) return Promise.resolve(new Uint8Array(0));
        const id = this.nextId++;
        return new Promise<Uint8Array>((resolve) => {
          this.waiting.set(id, resolve);
          const packed = pack(slice);
          w.postMessage({ id, count: slice.length, packed }, [packed]);
        }).then((results) =>
          // An empty answer means the worker failed: verify that slice here.
          results.length === slice.length ? results : Uint8Array.from(slice, (i) => (verifySecp256k1(i.pubkey, i.message, i.signature) ? 1 : 0)),
        );
      }),
    );
    const out: boolean[] = [];
    for (const p of parts) for (const r of p) out.push(r === 1);
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
