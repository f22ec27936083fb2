import { DirectSecp256k1HdWallet, type OfflineDirectSigner } from "@cosmjs/proto-signing";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import { ACCOUNT_PREFIX } from "../types/address";
import { CertificateSigner, CometMinerChain } from "../miner/chain";
import { AcceptedEvent, Miner, MinerStatus } from "../miner/miner";
import { MatmulAccepted, MatmulMiner, MatmulMinerStatus } from "../miner/matmul-miner";
import { decodeWeights } from "../miner/matmul-prover";
import { targetToHex } from "../modules/pow";
import { UsageError } from "./args";
import type { Command, CommandContext } from "./command";
import { SERVICE_FLAGS, checkChainId, nodeUrl } from "./flags";
import { openKeyring } from "./keys-context";
import { normalizeMnemonic, walletFromMnemonic } from "./keyring";

function u64Flag(ctx: CommandContext, name: string): bigint | undefined {
  const v = ctx.flag(name);
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,20}$/.test(v) || BigInt(v) >= 1n << 64n) throw new UsageError(`--${name} must be an unsigned integer, got "${v}"`);
  return BigInt(v);
}

/** --work-digest HEX (32 bytes), --work-digest-file F (SHA-256 of the file), or 32 zero bytes. */
export function workDigestFrom(ctx: CommandContext): Buffer {
  const hex = ctx.flag("work-digest");
  const file = ctx.flag("work-digest-file");
  if (hex !== undefined && file !== undefined) throw new UsageError("give --work-digest or --work-digest-file, not both");
  if (hex !== undefined) {
    const clean = hex.replace(/^0x/i, "");
    if (!/^[0-9a-fA-F]{64}$/.test(clean)) throw new UsageError(`--work-digest must be 32 bytes as 64 hex digits, got "${hex}"`);
    return Buffer.from(clean, "hex");
  }
  if (file !== undefined) {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw new UsageError(`--work-digest-file: cannot read ${file}: ${(e as Error).message}`);
    }
    return createHash("sha256").update(data).digest();
  }
  return Buffer.alloc(32);
}

/** The signing key: --from KEY (keyring, unlocked once) or --mnemonic-file F (scripts, tests). */
async function minerKey(ctx: CommandContext): Promise<OfflineDirectSigner> {
  const from = ctx.flag("from");
  const mnemonicFile = ctx.flag("mnemonic-file");
  if ((from === undefined) === (mnemonicFile === undefined)) throw new UsageError("give exactly one of --from KEY or --mnemonic-file FILE");
  if (mnemonicFile !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(mnemonicFile, "utf8");
    } catch (e) {
      throw new UsageError(`--mnemonic-file: cannot read ${mnemonicFile}: ${(e as Error).message}`);
    }
    return DirectSecp256k1HdWallet.fromMnemonic(normalizeMnemonic(text), { prefix: ACCOUNT_PREFIX });
  }
  const keyring = openKeyring(ctx);
  const key = keyring.get(from!);
  // Unlocked once for the whole session: a miner signs many transactions.
  return walletFromMnemonic(await keyring.mnemonic(key.name));
}

function formatRate(hps: number): string {
  const units = ["H/s", "kH/s", "MH/s", "GH/s"];
  let v = hps;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(2)} ${units[i]}`;
}

export function statusLine(s: MinerStatus): string {
  const target = targetToHex(s.target);
  const zeros = target.match(/^0*/)![0].length;
  return (
    `height ${s.height} | anchor ${s.anchorHeight} | ${formatRate(s.hashrate)} | accepted ${s.accepted} | rejected ${s.rejected}` +
    ` | stale ${s.stale} | pending ${s.pending} | target ${target.slice(0, zeros + 6)}..(${zeros} zero digits)`
  );
}

function statusJson(s: MinerStatus) {
  return {
    event: "status",
    height: s.height,
    anchor_height: s.anchorHeight,
    hashrate: Math.round(s.hashrate),
    hashes: s.hashes.toString(),
    found: s.found,
    accepted: s.accepted,
    rejected: s.rejected,
    stale: s.stale,
    queued: s.queued,
    pending: s.pending,
    target: targetToHex(s.target),
    epoch: s.epoch.toString(),
    ...(s.lastError ? { last_error: s.lastError } : {}),
  };
}

export const mineCommand: Command = {
  name: "mine",
  summary: "mine proof-of-work certificates (sha256, or matmul on the model's weights) and submit them (feeless)",
  flags: [
    { name: "model", value: "ID", description: "the model the work is for (the key must be its owner or an operator)" },
    { name: "from", value: "KEY", description: "key of the keyring that signs (the miner)" },
    { name: "mnemonic-file", value: "FILE", description: "instead of --from: a file holding the miner's mnemonic (scripts, local tests)" },
    { name: "threads", value: "N", description: "worker threads", default: "1" },
    { name: "work-digest", value: "HEX", description: "32 bytes bound into every certificate", default: "32 zero bytes" },
    { name: "work-digest-file", value: "FILE", description: "instead of --work-digest: SHA-256 of this file" },
    { name: "gas", value: "N", description: "gas limit of each certificate tx (no fee is paid)", default: "200000" },
    { name: "max-certs", value: "N", description: "stop after N accepted certificates (0: run until Ctrl-C)", default: "0" },
    { name: "kind", value: "KIND", description: "sha256 (hashcash) or matmul (tiles of a product on the model's weights, docs/pow-matmul.md)", default: "sha256" },
    { name: "weights", value: "FILE", description: "matmul: the model's int8 weights file (blockai weights ...); its root must be the model's weights_root" },
    { name: "matrix", value: "N", description: "matmul: index of the weight matrix to multiply", default: "0" },
    { name: "rows", value: "N", description: "matmul: rows of each input batch (multiple of 16)", default: "256" },
    ...SERVICE_FLAGS,
  ],
  help:
    "Fetches a recent anchor (latest height - 1 and its block hash), searches nonces on worker threads and\n" +
    "submits each certificate as a feeless transaction; a miner with no account and no tokens can start\n" +
    "right away. Re-anchors before the anchor expires. Shows a live line (text) or JSON lines on stdout\n" +
    "(--output json: status, anchor, accepted, rejected, stopped). Ctrl-C stops cleanly. See docs/pow.md.",
  async run(ctx) {
    const modelId = u64Flag(ctx, "model");
    if (modelId === undefined) throw new UsageError(`"${ctx.path}" needs --model ID`);
    const threadsRaw = ctx.flag("threads") ?? "1";
    if (!/^[1-9][0-9]{0,3}$/.test(threadsRaw)) throw new UsageError(`--threads must be a positive integer, got "${threadsRaw}"`);
    const threads = Number(threadsRaw);
    if (threads > os.availableParallelism() * 4) throw new UsageError(`--threads ${threads} is far more than this machine's ${os.availableParallelism()} CPUs`);
    const kind = ctx.flag("kind") ?? "sha256";
    if (kind !== "sha256" && kind !== "matmul") throw new UsageError(`--kind must be sha256 or matmul, got "${kind}"`);
    if (kind === "matmul") return runMatmul(ctx, modelId, threads);
    const gas = u64Flag(ctx, "gas") ?? 200_000n;
    if (gas === 0n) throw new UsageError("--gas must be positive");
    const maxCerts = Number(u64Flag(ctx, "max-certs") ?? 0n);
    const workDigest = workDigestFrom(ctx);
    const url = nodeUrl(ctx);
    const signer = await CertificateSigner.create(await minerKey(ctx));

    return withMinerChain(ctx, url, async (chain, chainId) => {
      const miner = new Miner({ chain, signer, modelId, workDigest, threads, gas, maxAccepted: maxCerts });
      return driveMiner(ctx, miner, {
        statusJson,
        statusLine,
        acceptedJson: (a: AcceptedEvent) => ({ event: "accepted", tx_hash: a.hash, height: a.height, anchor_height: a.anchorHeight, nonce: a.nonce.toString(), seal: a.seal }),
        banner: `mining for model ${modelId} as ${signer.address} on ${chainId} with ${threads} thread${threads === 1 ? "" : "s"} (Ctrl-C stops)`,
      });
    });
  },
};

function formatMacs(r: number): string {
  const units = ["MAC/s", "kMAC/s", "MMAC/s", "GMAC/s"];
  let v = r;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(2)} ${units[i]}`;
}

export function matmulStatusLine(s: MatmulMinerStatus): string {
  return (
    `height ${s.height} | anchor ${s.anchorHeight} | ${formatMacs(s.macsPerSecond)} useful | products ${s.products} | tiles ${s.tiles}` +
    ` | found ${s.found} | accepted ${s.accepted} | rejected ${s.rejected} | stale ${s.stale} | pending ${s.pending}`
  );
}

function matmulStatusJson(s: MatmulMinerStatus) {
  return {
    event: "status",
    kind: "matmul",
    height: s.height,
    anchor_height: s.anchorHeight,
    useful_macs_per_second: Math.round(s.macsPerSecond),
    useful_macs: s.usefulMacs,
    products: s.products,
    tiles: s.tiles,
    found: s.found,
    accepted: s.accepted,
    rejected: s.rejected,
    stale: s.stale,
    queued: s.queued,
    pending: s.pending,
    target: targetToHex(s.target),
    ...(s.lastError ? { last_error: s.lastError } : {}),
  };
}

/** blockai mine --kind matmul: multiplies input batches by the model's weight matrix. */
async function runMatmul(ctx: CommandContext, modelId: bigint, threads: number): Promise<number> {
  const file = ctx.flag("weights");
  if (file === undefined) throw new UsageError("--kind matmul needs --weights FILE");
  let weights;
  try {
    weights = decodeWeights(fs.readFileSync(file));
  } catch (e) {
    throw new UsageError(`--weights ${file}: ${(e as Error).message}`);
  }
  const matrixIndex = Number(u64Flag(ctx, "matrix") ?? 0n);
  const rows = Number(u64Flag(ctx, "rows") ?? 256n);
  if (rows === 0 || rows % 16 !== 0 || rows > 1 << 16) throw new UsageError(`--rows must be a positive multiple of 16 (at most 65536), got ${rows}`);
  const gas = u64Flag(ctx, "gas") ?? 3_000_000n;
  const maxCerts = Number(u64Flag(ctx, "max-certs") ?? 0n);
  const signer = await CertificateSigner.create(await minerKey(ctx));
  return withMinerChain(ctx, nodeUrl(ctx), async (chain, chainId) => {
    let miner: MatmulMiner;
    try {
      miner = new MatmulMiner({ chain, signer, modelId, weights, matrixIndex, rows, threads, gas, maxAccepted: maxCerts });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const b = weights[matrixIndex];
    return driveMiner(ctx, miner, {
      statusJson: matmulStatusJson,
      statusLine: matmulStatusLine,
      acceptedJson: (a: MatmulAccepted) => ({ event: "accepted", kind: "matmul", tx_hash: a.hash, height: a.height, anchor_height: a.anchorHeight, tile_row: a.tileRow, tile_col: a.tileCol, ticket: a.ticket }),
      banner: `matmul mining for model ${modelId} as ${signer.address} on ${chainId}: ${rows}x${b?.rows} batches times matrix ${matrixIndex} (${b?.rows}x${b?.cols}), ${threads} thread${threads === 1 ? "" : "s"} (Ctrl-C stops)`,
    });
  });
}

/** Connects to the node, checks --chain-id against it, and runs `body` with the connection. */
async function withMinerChain(ctx: CommandContext, url: string, body: (chain: CometMinerChain, chainId: string) => Promise<number>): Promise<number> {
  const chain = await CometMinerChain.connect(url);
  try {
    const chainId = await chain.chainId();
    checkChainId(ctx, url, chainId);
    return await body(chain, chainId);
  } finally {
    chain.disconnect();
  }
}

/** What both miners (sha256 and matmul) emit, as far as the command's output is concerned. */
interface RunnableMiner<S, A> {
  on(event: "status", listener: (s: S) => void): unknown;
  on(event: "anchor", listener: (a: { height: number; hash: Uint8Array }) => void): unknown;
  on(event: "accepted", listener: (a: A) => void): unknown;
  on(event: "rejected", listener: (r: { stage: string; code: number; codespace: string; log: string }) => void): unknown;
  run(): Promise<unknown>;
  stop(): void;
  status(): S;
}

/**
 * Runs a miner until it stops (max-certs, Ctrl-C, SIGTERM), showing a live line on a terminal, a
 * line every 10 s otherwise, or JSON lines on stdout with --output json.
 */
async function driveMiner<S, A>(
  ctx: CommandContext,
  miner: RunnableMiner<S, A>,
  show: { statusJson: (s: S) => object; statusLine: (s: S) => string; acceptedJson: (a: A) => object; banner: string },
): Promise<number> {
  const json = ctx.output === "json";
  const out = ctx.io.stdout;
  const err = ctx.io.stderr;
  const line = (o: unknown) => out.write(JSON.stringify(o) + "\n");
  let lastPlain = 0;
  miner.on("status", (s) => {
    if (json) return line(show.statusJson(s));
    if (err.isTTY) return err.write(`\r\x1b[2K${show.statusLine(s)}`);
    if (Date.now() - lastPlain >= 10_000) {
      lastPlain = Date.now();
      err.write(show.statusLine(s) + "\n");
    }
  });
  miner.on("anchor", (a) => {
    if (json) line({ event: "anchor", height: a.height, hash: Buffer.from(a.hash).toString("hex").toUpperCase() });
  });
  miner.on("accepted", (a) => {
    if (json) line(show.acceptedJson(a));
  });
  miner.on("rejected", (r) => {
    if (json) line({ event: "rejected", stage: r.stage, code: r.code, codespace: r.codespace, log: r.log });
    else err.write(`${err.isTTY ? "\r\x1b[2K" : ""}rejected (${r.stage}): ${r.codespace ? `${r.codespace}/${r.code} ` : ""}${r.log}\n`);
  });
  if (!json) err.write(show.banner + "\n");
  const onSignal = () => miner.stop();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await miner.run();
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    const s = miner.status();
    if (json) line({ ...show.statusJson(s), event: "stopped" });
    else err.write(`${err.isTTY ? "\r\x1b[2K" : ""}stopped: ${show.statusLine(s)}\n`);
  }
  return 0;
}
