import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import BTree from "sorted-btree";
import { ON_DISK, type StateMap, type StoredValue } from "./branch";
import { keyToString, stringToKey } from "./kv";
import { MerkleTree } from "./smt";

/**
 * State-sync snapshots (ABCI ListSnapshots / LoadSnapshotChunk on the serving side, and the
 * checks an OfferSnapshot / ApplySnapshotChunk restore needs).
 *
 * Format 1, the payload: `u32be n || n bytes of JSON header` then every state entry in
 * strictly ascending key order as `u32be keyLen || key || u32be valueLen || value`. The header
 * carries the height, the app hash and the node-local values the app keeps outside the Merkle
 * tree (chain id, consensus limits, last block time). The payload is cut into chunks of
 * `chunkBytes`; the snapshot's `metadata` is the SHA-256 of every chunk, concatenated (32 bytes
 * each), and its `hash` is the SHA-256 of that metadata. So a peer cannot change a chunk
 * without the chunk's hash failing, cannot change the chunk list without the snapshot hash
 * changing, and a self-consistent lie about the content is caught at the end: the restored
 * entries must hash to the app hash CometBFT's light client verified for that height.
 */
export const SNAPSHOT_FORMAT = 1;
export const CHUNK_HASH_BYTES = 32;
/** 4 MiB: well under CometBFT's 16 MB p2p message limit for a chunk. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** A snapshot advertising more chunks than this is refused before anything is fetched. */
export const MAX_SNAPSHOT_CHUNKS = 100_000;

export interface SnapshotHeader {
  height: number;
  /** hex */
  app_hash: string;
  meta: Record<string, string>;
}

export interface SnapshotInfo {
  height: number;
  format: number;
  chunks: number;
  hash: Uint8Array;
  metadata: Uint8Array;
}

export interface RestoredState {
  header: SnapshotHeader;
  data: StateMap;
  entries: Array<[Uint8Array, Uint8Array]>;
  tree: MerkleTree;
}

export class SnapshotError extends Error {}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.createHash("sha256").update(data).digest());
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/**
 * The format-1 payload of a state held in memory, whole (see the file comment): the reference
 * the streamed SnapshotStore.create() is tested against, and how tests build lying snapshots.
 */
export function encodeSnapshotPayload(header: SnapshotHeader, data: StateMap): Uint8Array[] {
  const parts: Uint8Array[] = [...payloadHead(header)];
  for (const [k, v] of data.entries()) {
    if (v === ON_DISK) throw new Error("encodeSnapshotPayload: the state's values are on disk; use SnapshotStore.create");
    parts.push(...payloadEntry(stringToKey(k), v));
  }
  return parts;
}

function payloadHead(header: SnapshotHeader): Uint8Array[] {
  const head = new TextEncoder().encode(JSON.stringify(header));
  return [u32(head.length), head];
}

function payloadEntry(key: Uint8Array, value: Uint8Array): Uint8Array[] {
  return [u32(key.length), key, u32(value.length), value];
}

/**
 * Cuts a payload into chunk files as it is produced, so that a snapshot never holds more than
 * one chunk in memory (the state may be larger than memory).
 */
class ChunkFileWriter {
  private readonly buf: Buffer;
  private fill = 0;
  private readonly hashes: Uint8Array[] = [];

  constructor(
    private readonly dir: string,
    private readonly chunkBytes: number,
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) throw new Error(`chunk size must be a positive integer, got ${chunkBytes}`);
    this.buf = Buffer.alloc(chunkBytes);
  }

  async push(parts: readonly Uint8Array[]): Promise<void> {
    for (const part of parts) {
      let at = 0;
      while (at < part.length) {
        const n = Math.min(part.length - at, this.chunkBytes - this.fill);
        this.buf.set(part.subarray(at, at + n), this.fill);
        this.fill += n;
        at += n;
        if (this.fill === this.chunkBytes) await this.flush();
      }
    }
  }

  /** Writes the last (shorter) chunk; returns the metadata (every chunk's hash). */
  async finish(): Promise<Uint8Array> {
    if (this.fill > 0) await this.flush();
    const out = new Uint8Array(this.hashes.length * CHUNK_HASH_BYTES);
    this.hashes.forEach((h, i) => out.set(h, i * CHUNK_HASH_BYTES));
    return out;
  }

  private async flush(): Promise<void> {
    const chunk = this.buf.subarray(0, this.fill);
    this.hashes.push(sha256(chunk));
    await fs.promises.writeFile(path.join(this.dir, `chunk-${this.hashes.length - 1}`), chunk);
    this.fill = 0;
  }
}

/** Cuts the payload parts into chunks of exactly chunkBytes (the last one shorter). */
export function toChunks(parts: readonly Uint8Array[], chunkBytes: number): Uint8Array[] {
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) throw new Error(`chunk size must be a positive integer, got ${chunkBytes}`);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < total; i += chunkBytes) chunks.push(all.subarray(i, Math.min(total, i + chunkBytes)));
  return chunks;
}

export function metadataOf(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.length * CHUNK_HASH_BYTES);
  chunks.forEach((c, i) => out.set(sha256(c), i * CHUNK_HASH_BYTES));
  return out;
}

/** The expected hash of chunk `index`, from a snapshot's metadata. */
export function chunkHash(metadata: Uint8Array, index: number): Uint8Array {
  return metadata.subarray(index * CHUNK_HASH_BYTES, (index + 1) * CHUNK_HASH_BYTES);
}

/**
 * Why an offered snapshot cannot be what it claims, or undefined when its fields are consistent:
 * the chunk count is sane, the metadata lists one hash per chunk and hashes to the snapshot hash.
 */
export function checkOffer(s: { format: number; chunks: number; hash: Uint8Array; metadata: Uint8Array; height: number }): string | undefined {
  if (s.height <= 0) return `height ${s.height} is not a committed height`;
  if (s.chunks <= 0 || s.chunks > MAX_SNAPSHOT_CHUNKS) return `${s.chunks} chunks (1 to ${MAX_SNAPSHOT_CHUNKS} allowed)`;
  if (s.metadata.length !== s.chunks * CHUNK_HASH_BYTES) return `metadata of ${s.metadata.length} bytes for ${s.chunks} chunks (${CHUNK_HASH_BYTES} per chunk expected)`;
  if (!Buffer.from(sha256(s.metadata)).equals(Buffer.from(s.hash))) return "the snapshot hash is not the hash of its metadata";
  return undefined;
}

/**
 * Decodes a complete payload and checks it: canonical (strictly ascending keys, no trailing
 * bytes), the header's height as offered, and the entries' Merkle root equal to `trustedAppHash`
 * (the app hash CometBFT verified with its light client). Throws SnapshotError otherwise.
 */
export function restorePayload(chunks: readonly Uint8Array[], height: number, trustedAppHash: Uint8Array): RestoredState {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const buf = Buffer.alloc(total);
  let at = 0;
  for (const c of chunks) {
    buf.set(c, at);
    at += c.length;
  }
  let pos = 0;
  const take = (what: string): Uint8Array => {
    if (pos + 4 > buf.length) throw new SnapshotError(`snapshot payload truncated in ${what} length`);
    const n = buf.readUInt32BE(pos);
    pos += 4;
    if (pos + n > buf.length) throw new SnapshotError(`snapshot payload truncated in ${what}`);
    const out = new Uint8Array(buf.subarray(pos, pos + n));
    pos += n;
    return out;
  };
  let header: SnapshotHeader;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(take("header"))) as SnapshotHeader;
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(`snapshot header is not JSON: ${(e as Error).message}`);
  }
  if (typeof header !== "object" || header === null || typeof header.height !== "number" || typeof header.app_hash !== "string" || typeof header.meta !== "object" || header.meta === null) {
    throw new SnapshotError("snapshot header lacks height, app_hash or meta");
  }
  for (const v of Object.values(header.meta)) if (typeof v !== "string") throw new SnapshotError("snapshot header meta values must be strings");
  if (header.height !== height) throw new SnapshotError(`snapshot payload is for height ${header.height}, offered as height ${height}`);
  const entries: Array<[Uint8Array, Uint8Array]> = [];
  let previous: Buffer | undefined;
  while (pos < buf.length) {
    const key = take("key");
    const value = take("value");
    const k = Buffer.from(key.buffer, key.byteOffset, key.length);
    if (previous !== undefined && Buffer.compare(previous, k) >= 0) throw new SnapshotError("snapshot keys are not strictly ascending");
    previous = k;
    entries.push([key, value]);
  }
  const tree = MerkleTree.fromEntries(entries);
  const root = tree.root();
  if (!Buffer.from(root).equals(Buffer.from(trustedAppHash))) {
    throw new SnapshotError(`restored state hashes to ${Buffer.from(root).toString("hex")}, not the trusted app hash ${Buffer.from(trustedAppHash).toString("hex")} of height ${height}`);
  }
  if (header.app_hash.toLowerCase() !== Buffer.from(trustedAppHash).toString("hex")) {
    throw new SnapshotError("snapshot header names another app hash than its content");
  }
  const data: StateMap = new BTree<string, StoredValue>();
  for (const [k, v] of entries) data.set(keyToString(k), v);
  return { header, data, entries, tree };
}

/**
 * Snapshots on disk: `<dir>/<height>/` holds `chunk-<i>` files and `snapshot.json` (format,
 * chunk count, hash and metadata in hex). A snapshot is written to `<height>.tmp` and renamed
 * into place, so a crash leaves either a whole snapshot or a temp dir that the next start
 * deletes. Only the newest `keepRecent` are kept.
 */
export class SnapshotStore {
  private readonly snapshots = new Map<number, SnapshotInfo>();

  constructor(
    readonly dir: string,
    readonly keepRecent: number,
    readonly chunkBytes: number = DEFAULT_CHUNK_BYTES,
  ) {
    if (!Number.isInteger(keepRecent) || keepRecent < 1) throw new Error(`snapshot_keep_recent must be at least 1, got ${keepRecent}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (!/^[0-9]+$/.test(name)) {
        fs.rmSync(full, { recursive: true, force: true });
        continue;
      }
      try {
        const j = JSON.parse(fs.readFileSync(path.join(full, "snapshot.json"), "utf8")) as { height: number; format: number; chunks: number; hash: string; metadata: string };
        this.snapshots.set(j.height, { height: j.height, format: j.format, chunks: j.chunks, hash: Buffer.from(j.hash, "hex"), metadata: Buffer.from(j.metadata, "hex") });
      } catch {
        fs.rmSync(full, { recursive: true, force: true });
      }
    }
  }

  /** Newest first. */
  list(): SnapshotInfo[] {
    return [...this.snapshots.values()].sort((a, b) => b.height - a.height);
  }

  get(height: number): SnapshotInfo | undefined {
    return this.snapshots.get(height);
  }

  /**
   * Writes the snapshot of a committed version from its entries in ascending key order (streamed:
   * one chunk in memory at a time) and drops the snapshots beyond keepRecent.
   */
  async create(header: SnapshotHeader, entries: AsyncIterable<readonly [Uint8Array, Uint8Array]>): Promise<SnapshotInfo> {
    const final = path.join(this.dir, String(header.height));
    const tmp = `${final}.tmp`;
    await fs.promises.rm(tmp, { recursive: true, force: true });
    await fs.promises.mkdir(tmp, { recursive: true });
    const writer = new ChunkFileWriter(tmp, this.chunkBytes);
    await writer.push(payloadHead(header));
    for await (const [key, value] of entries) await writer.push(payloadEntry(key, value));
    const metadata = await writer.finish();
    const info: SnapshotInfo = { height: header.height, format: SNAPSHOT_FORMAT, chunks: metadata.length / CHUNK_HASH_BYTES, hash: sha256(metadata), metadata };
    await fs.promises.writeFile(
      path.join(tmp, "snapshot.json"),
      JSON.stringify({ height: info.height, format: info.format, chunks: info.chunks, hash: Buffer.from(info.hash).toString("hex"), metadata: Buffer.from(metadata).toString("hex") }) + "\n",
    );
    await fs.promises.rm(final, { recursive: true, force: true });
    await fs.promises.rename(tmp, final);
    this.snapshots.set(info.height, info);
    for (const old of this.list().slice(this.keepRecent)) {
      this.snapshots.delete(old.height);
      await fs.promises.rm(path.join(this.dir, String(old.height)), { recursive: true, force: true });
    }
    return info;
  }

  /** A chunk's bytes, or undefined when that snapshot or chunk is not (any longer) here. */
  loadChunk(height: number, format: number, index: number): Uint8Array | undefined {
    const info = this.snapshots.get(height);
    if (!info || info.format !== format || !Number.isInteger(index) || index < 0 || index >= info.chunks) return undefined;
    try {
      return new Uint8Array(fs.readFileSync(path.join(this.dir, String(height), `chunk-${index}`)));
    } catch {
      return undefined;
    }
  }
}
