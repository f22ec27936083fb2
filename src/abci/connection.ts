import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./application";
import type { Dispatcher } from "./dispatch";
import { FrameDecoder } from "./framing";
import { type AbciLogger, errorMessage } from "./logger";
import { requestMethod } from "./methods";
import { ResponseBatch } from "./response-batch";

const FLUSH_RESPONSE: Response = { flush: {} };

/**
 * Ready responses are coalesced into one socket write; past this many bytes they are written
 * even if more ready responses follow, to bound the buffer and let the peer start reading.
 */
const MAX_BATCH_BYTES = 1024 * 1024;

/**
 * A connection with a long queue (a burst of CheckTx, or the RECHECK of a whole mempool) hands
 * the thread back after this many milliseconds, so the other connections are read and served in
 * between: otherwise a consensus request (PrepareProposal, FinalizeBlock) waits behind the whole
 * burst, and the block takes that much longer. Order within a connection is unchanged.
 */
const TIME_SLICE_MS = 4;

/**
 * One of CometBFT's four ABCI connections. CometBFT matches every response to its oldest
 * outstanding request and halts on a type mismatch, so requests are handled strictly one after
 * the other, exactly one response each, in arrival order.
 *
 * Responses produced back to back (e.g. a pipelined burst of CheckTx) are written with a single
 * socket write. Pending output is written when the queue runs empty, before the thread is
 * yielded (every TIME_SLICE_MS), past MAX_BATCH_BYTES, and at the latest in the event-loop turn
 * after an async handler started (setImmediate: handlers whose promises settle without I/O still
 * share one write, while one that waits on I/O does not hold earlier responses back). A Flush
 * with more requests already queued behind it does not end the batch. So a response waits at
 * most one time slice, and never on I/O.
 */
export class AbciConnection {
  private readonly decoder = new FrameDecoder();
  private queue: (Request | undefined)[] = [];
  private head = 0;
  private processing = false;
  private readonly out = new ResponseBatch();
  private writeScheduled = false;
  private closed = false;
  private readonly onClose: () => void;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly app: AbciApplication,
    private readonly dispatcher: Dispatcher,
    private readonly logger: AbciLogger,
    onClose: (connection: AbciConnection) => void,
  ) {
    let reported = false;
    this.onClose = () => {
      if (reported) return;
      reported = true;
      this.logger.info(`connection ${id} closed`);
      onClose(this);
    };
    // CometBFT waits for each Flush response before sending more on synchronous calls; Nagle's
    // algorithm would hold those small writes back until the previous segment is ACKed.
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    // Backpressure: if CometBFT stops reading responses, stop reading requests (see writeOut).
    socket.on("drain", () => {
      if (!this.closed) socket.resume();
    });
    socket.on("error", (err) => {
      // ECONNRESET/EPIPE when CometBFT exits; not actionable beyond noting it.
      this.logger.info(`connection ${id}: socket error: ${err.message}`);
    });
    socket.on("close", () => {
      this.closed = true;
      this.onClose();
    });
  }

  /** Hangs up immediately, dropping queued requests and unwritten responses. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    // Reported now rather than on the socket's "close" event, a tick later, so that the server's
    // connection count is already right when AbciServer.close() resolves.
    this.onClose();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let requests: Request[];
    try {
      requests = this.decoder.push(chunk).map((frame) => Request.decode(frame));
    } catch (err) {
      // Framing is lost (or the peer is not CometBFT): nothing after this point can be matched
      // to a request, so answering anything would be wrong.
      this.logger.error(`connection ${this.id}: undecodable input, closing: ${errorMessage(err)}`);
      this.close();
      return;
    }
    if (requests.length === 0) return;

    if (this.app.prefetch) {
      try {
        this.app.prefetch(requests);
      } catch (err) {
        this.logger.error(`connection ${this.id}: prefetch threw (ignored)`, err);
      }
    }
    for (const request of requests) this.queue.push(request);
    if (!this.processing) {
      this.process().catch((err: unknown) => {
        this.logger.error(`connection ${this.id}: internal error, closing`, err);
        this.close();
      });
    }
  }

  private async process(): Promise<void> {
    this.processing = true;
    let sliceStart = performance.now();
    try {
      while (!this.closed && this.head < this.queue.length) {
        if (performance.now() - sliceStart > TIME_SLICE_MS) {
          // Ready responses go out first, so CometBFT is not kept waiting for them either.
          this.writeOut();
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.closed) return;
          sliceStart = performance.now();
        }
        const request = this.queue[this.head] as Request;
        this.queue[this.head++] = undefined; // let the request be collected once answered

        const method = requestMethod(request);
        if (method === undefined) {
          this.logger.error(`connection ${this.id}: request of unknown type, closing`);
          this.close();
          return;
        }
        if (method === "flush") {
          // Everything before this Flush is already in `out` (or written), in order. With more
          // requests already queued, the write waits for them (within this time slice): CometBFT's
          // socket client sends a Flush after nearly every CheckTx (its flush timer is 20 ns, not
          // 20 ms), and one write per Flush would cost a syscall per tx on each side.
          this.out.append(FLUSH_RESPONSE);
          if (this.head >= this.queue.length) this.writeOut();
          continue;
        }

        let outcome = this.dispatcher.dispatch(method, request[method]!, this.out);
        if (outcome instanceof Promise) {
          this.scheduleWriteOut();
          outcome = await outcome;
          if (this.closed) return;
        }
        if (outcome === "close") {
          this.close();
          return;
        }
        if (this.out.byteLength >= MAX_BATCH_BYTES) this.writeOut();
      }
    } finally {
      this.processing = false;
      if (this.head >= this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
    }
    this.writeOut();
  }

  private scheduleWriteOut(): void {
    if (this.writeScheduled || this.out.length === 0) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.writeOut();
    });
  }

  private writeOut(): void {
    if (this.out.length === 0 || this.closed) return;
    if (!this.socket.write(this.out.take())) this.socket.pause();
  }
}
