/**
 * The hashing loop of a mining thread. It runs in a node:worker_threads Worker created from this
 * function's source (`new Worker(MINER_WORKER_SOURCE, { eval: true })`), so it must be
 * self-contained: no imports, only `require` of Node built-ins inside the function body. That
 * way the same code runs from the compiled dist/ and under ts-jest.
 *
 * Protocol (parent -> worker):
 *   { type: "job", jobId, prefix: Uint8Array, target: Uint8Array(32), nonceHi, nonceLo }
 *       hash prefix || u64 BE nonce for nonce = (nonceHi << 32 | nonceLo), +1 each step
 *   { type: "idle" }                      stop hashing until the next job
 * (worker -> parent):
 *   { type: "found", jobId, nonceHi, nonceLo, seal: Uint8Array }
 * Shared memory (workerData.shared): BigUint64Array hash counters, one per thread, then an
 * Int32Array with the number of certificates the parent still wants (credits): a worker posts a
 * find only after taking a credit, and idles while there are none (hashing beyond what can be
 * submitted is wasted work).
 */
export interface WorkerData {
  index: number;
  threads: number;
  shared: SharedArrayBuffer;
  chunk: number;
}

export interface JobMessage {
  type: "job";
  jobId: number;
  prefix: Uint8Array;
  target: Uint8Array;
  nonceHi: number;
  nonceLo: number;
}

export interface FoundMessage {
  type: "found";
  jobId: number;
  nonceHi: number;
  nonceLo: number;
  seal: Uint8Array;
}

/** Byte offset of the credits Int32 in the shared buffer. */
export function creditsOffset(threads: number): number {
  return 8 * threads;
}

export function sharedBufferSize(threads: number): number {
  return 8 * threads + 8;
}

export function minerWorkerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require("node:worker_threads") as typeof import("node:worker_threads");
  const { hash } = require("node:crypto") as typeof import("node:crypto");
  const data = workerData as WorkerData;
  const counters = new BigUint64Array(data.shared, 0, data.threads);
  const credits = new Int32Array(data.shared, 8 * data.threads, 1);
  const CHUNK = data.chunk;
  const CHUNK_BIG = BigInt(CHUNK);

  let jobId = -1;
  let buf: Buffer = Buffer.alloc(0);
  let view: DataView = new DataView(new ArrayBuffer(8));
  let target: Buffer = Buffer.alloc(32);
  let nonceOffset = 0;
  let hi = 0;
  let lo = 0;
  let active = false;
  let scheduled = false;

  const schedule = (delayMs: number) => {
    if (scheduled) return;
    scheduled = true;
    if (delayMs > 0) setTimeout(run, delayMs);
    else setImmediate(run);
  };

  function run(): void {
    scheduled = false;
    if (!active) return;
    if (Atomics.load(credits, 0) <= 0) {
      schedule(20); // nothing wanted now: look again shortly (messages are handled meanwhile)
      return;
    }
    const id = jobId;
    const b = buf;
    const v = view;
    const t = target;
    const t0 = t[0];
    const off = nonceOffset;
    let h = hi;
    let l = lo;
    v.setUint32(off, h);
    for (let i = 0; i < CHUNK; i++) {
      v.setUint32(off + 4, l);
      const seal = hash("sha256", hash("sha256", b, "buffer"), "buffer") as Buffer;
      // Almost every seal fails on its first byte; compare the rest only when needed.
      if (seal[0] <= t0 && seal.compare(t) <= 0) {
        if (Atomics.sub(credits, 0, 1) > 0) {
          parentPort!.postMessage({ type: "found", jobId: id, nonceHi: h, nonceLo: l, seal } satisfies FoundMessage);
        } else {
          Atomics.add(credits, 0, 1);
        }
      }
      l = (l + 1) >>> 0;
      if (l === 0) {
        h = (h + 1) >>> 0;
        v.setUint32(off, h);
      }
    }
    hi = h;
    lo = l;
    Atomics.add(counters, data.index, CHUNK_BIG);
    schedule(0);
  }

  parentPort!.on("message", (m: JobMessage | { type: "idle" }) => {
    if (m.type === "idle") {
      active = false;
      return;
    }
    jobId = m.jobId;
    buf = Buffer.alloc(m.prefix.length + 8);
    buf.set(m.prefix, 0);
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    nonceOffset = m.prefix.length;
    target = Buffer.from(m.target);
    hi = m.nonceHi >>> 0;
    lo = m.nonceLo >>> 0;
    active = true;
    schedule(0);
  });
}

/** The source a Worker is created from (eval: true). */
export const MINER_WORKER_SOURCE = `(${minerWorkerMain.toString()})();`;
