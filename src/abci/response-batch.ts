import { BinaryWriter } from "cosmjs-types/binary";
import { Response } from "cosmjs-types/tendermint/abci/types";
import "../proto/varint64-fix";

/**
 * Length-prefixed Response frames accumulated in one protobuf writer and serialised once per
 * socket write.
 *
 * Why not `Response.encode(r).finish()` per response: cosmjs-types' `BinaryWriter.alloc`
 * re-creates its buffer pool on every call, so each `finish()` of a message up to 4 KiB allocates
 * a zeroed 8 KiB slab. For small responses (CheckTx, Flush) that costs ~2-4 µs each versus
 * ~0.15 µs when many frames share one `finish()` (measured on Node 20).
 *
 * The frame prefix is written by `ldelim()`, which emits the length as a protobuf uint32 varint:
 * the same bytes as the uvarint CometBFT expects, for any frame below 4 GiB.
 */
export class ResponseBatch {
  private writer = BinaryWriter.create();
  private frames = 0;

  /** Bytes appended since the last `take()`. */
  get byteLength(): number {
    return this.writer.len;
  }

  /** Frames appended since the last `take()`. */
  get length(): number {
    return this.frames;
  }

  /**
   * Appends one frame. If encoding throws (e.g. a field missing in an app's response), the batch
   * is rolled back to exactly what it was and the error propagates.
   */
  append(response: Response): void {
    const w = this.writer;
    // The writer's fields are public in cosmjs-types' typings; saving them is how protobufjs'
    // own fork()/reset() restore a state, done here so an error deep inside nested sub-message
    // forks cannot leave half a message behind.
    const { head, tail, len, states } = w;
    try {
      w.fork();
      Response.encode(response, w);
      w.ldelim();
    } catch (err) {
      w.head = head;
      w.tail = tail;
      w.len = len;
      w.states = states;
      tail.next = undefined;
      throw err;
    }
    this.frames++;
  }

  /** All frames appended so far as one buffer; the batch starts empty again. */
  take(): Uint8Array {
    const bytes = this.writer.finish();
    this.writer = BinaryWriter.create();
    this.frames = 0;
    return bytes;
  }
}
