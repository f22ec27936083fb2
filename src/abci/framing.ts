/**
 * ABCI socket framing for CometBFT >= 0.37: every message is prefixed with the *unsigned*
 * protobuf varint of its byte length (`binary.PutUvarint` in `libs/protoio/writer.go`).
 * Tendermint <= 0.34 used a zigzag (signed) prefix, which is why old JS ABCI servers read every
 * length as half its value; nothing here is zigzag.
 *
 * Lengths are JS numbers: a frame can never come close to 2^53 bytes, and a prefix above the
 * safe-integer range is treated as a protocol error rather than silently losing precision.
 */

/**
 * Largest frame we accept. CometBFT itself allows up to MaxInt32, but its blocks are capped at
 * 100 MB (`types.MaxBlockSizeBytes`), so anything above 256 MiB is a corrupt or hostile stream,
 * and buffering it would just exhaust memory before failing anyway.
 */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** A uvarint holds at most 64 bits, i.e. 10 groups of 7 bits. */
const MAX_UVARINT_BYTES = 10;

/** The byte stream cannot be a valid sequence of ABCI frames; the connection must be closed. */
export class FramingError extends Error {
  override readonly name = "FramingError";
}

/** Number of bytes `encodeUvarint(value)` produces. */
export function uvarintSize(value: number): number {
  assertUvarintValue(value);
  let size = 1;
  // Division instead of `>>>`: bit operators truncate to 32 bits.
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Encodes a non-negative safe integer as a protobuf base-128 varint (little-endian groups). */
export function encodeUvarint(value: number): Uint8Array {
  const out = new Uint8Array(uvarintSize(value));
  let v = value;
  let i = 0;
  while (v >= 0x80) {
    out[i++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[i] = v;
  return out;
}

/**
 * Decodes the uvarint starting at `offset`. Returns `undefined` when `bytes` ends before the
 * varint does (more input is needed), and throws a FramingError when it can never become valid:
 * longer than 10 bytes, or larger than Number.MAX_SAFE_INTEGER.
 */
export function decodeUvarint(
  bytes: Uint8Array,
  offset = 0,
): { value: number; length: number } | undefined {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < MAX_UVARINT_BYTES; i++) {
    const pos = offset + i;
    if (pos >= bytes.length) return undefined;
    const byte = bytes[pos];
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(value)) {
        throw new FramingError("uvarint exceeds Number.MAX_SAFE_INTEGER");
      }
      return { value, length: i + 1 };
    }
    multiplier *= 0x80;
  }
  throw new FramingError(`uvarint longer than ${MAX_UVARINT_BYTES} bytes`);
}

/** Prefixes one encoded protobuf message with its uvarint length. */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const prefix = encodeUvarint(message.length);
  const frame = new Uint8Array(prefix.length + message.length);
  frame.set(prefix, 0);
  frame.set(message, prefix.length);
  return frame;
}

/**
 * Incremental decoder for a stream of length-prefixed frames. A socket read may end in the
 * middle of a prefix or of a body, or hold many frames; `push` returns every frame completed by
 * the new chunk, in order.
 *
 * Returned frames are views into the pushed chunks (no copy), so callers must not mutate chunks
 * after pushing them. Socket `data` buffers are freshly allocated per read, so this holds there.
 */
export class FrameDecoder {
  /** Unconsumed input, oldest first. Only ever more than one element while waiting for `need`. */
  private parts: Uint8Array[] = [];
  private size = 0;
  /**
   * Bytes that must be buffered before parsing can make progress. Without it a large frame that
   * arrives in many reads would be re-concatenated on every read (quadratic copying).
   */
  private need = 0;

  constructor(private readonly maxFrameBytes: number = MAX_FRAME_BYTES) {}

  /** Bytes received but not yet returned as part of a frame. */
  get bufferedBytes(): number {
    return this.size;
  }

  /** Feeds one chunk; throws FramingError on a malformed or oversized length prefix. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length === 0) return [];
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size < this.need) return [];

    const buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.need = 0;

    const frames: Uint8Array[] = [];
    let offset = 0;
    while (offset < buf.length) {
      const prefix = decodeUvarint(buf, offset);
      if (prefix === undefined) {
        this.need = buf.length - offset + 1;
        break;
      }
      if (prefix.value > this.maxFrameBytes) {
        throw new FramingError(
          `frame length ${prefix.value} exceeds the limit of ${this.maxFrameBytes} bytes`,
        );
      }
      const start = offset + prefix.length;
      const end = start + prefix.value;
      if (end > buf.length) {
        this.need = end - offset;
        break;
      }
      frames.push(buf.subarray(start, end));
      offset = end;
    }
    if (offset < buf.length) {
      const rest = buf.subarray(offset);
      this.parts = [rest];
      this.size = rest.length;
    }
    return frames;
  }
}

function assertUvarintValue(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`uvarint value must be a non-negative safe integer, got ${value}`);
  }
}
