/**
 * Fuzzing at volume (docs/pruning.md#fuzzing): generated and mutated transactions through CheckTx
 * and FinalizeBlock of a real BlockaiApp (the in-process Driver: every module, LevelDB commits,
 * every invariant and the supply identity checked after every block), and generated and mutated
 * ABCI requests through the real socket server (src/abci: framing, decoding, dispatch) on a unix
 * socket. A crash is any exception out of CheckTx, FinalizeBlock or Commit, a broken invariant,
 * a fatal ABCI error, a request on a healthy connection left unanswered or answered with another
 * type, or a server that stops accepting connections. Deterministic for a seed.
 */
import * as net from "node:net";
import * as path from "node:path";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { BlockaiMsgs, createBlockaiRegistry } from "../../src/client";
import { voucherDigest } from "../../src/types/voucher";
import { AbciServer, encodeFrame, FrameDecoder, requestMethod } from "../../src/abci";
import { MAX_TARGET, computeSeal, targetToHex } from "../../src/modules/pow";
import { MsgSubmitWork } from "../../src/gen/blockai/pow/v1/tx";
import { Driver } from "../helpers/driver";
import { msgSend, signTx, TestKey } from "../helpers/keys";
import { signDigestNative, useNativeSigning } from "../helpers/native-sign";
import { msgDelegate, msgUndelegate, msgWithdrawReward } from "../helpers/pos";
import { driverBlockHash, submitWorkMsg } from "../helpers/pow";

const registry = createBlockaiRegistry();

/** xorshift128+: fast and reproducible from a seed. */
export class Rng {
  private a: bigint;
  private b: bigint;
  constructor(seed: number) {
    this.a = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
    this.b = (BigInt(seed) ^ 0xdeadbeefn) * 0xbf58476d1ce4e5b9n + 7n;
    for (let i = 0; i < 16; i++) this.next();
  }
  next(): bigint {
    const M = (1n << 64n) - 1n;
    let s1 = this.a;
    const s0 = this.b;
    this.a = s0;
    s1 ^= (s1 << 23n) & M;
    this.b = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.b + s0) & M;
  }
  int(n: number): number {
    return Number(this.next() % BigInt(n));
  }
  chance(p: number): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** Amounts that hit the edges: 0, 1, small, a balance's size, beyond any balance, beyond u128. */
  amount(): bigint {
    switch (this.int(7)) {
      case 0: return 0n;
      case 1: return 1n;
      case 2: return BigInt(this.int(1000));
      case 3: return BigInt(this.int(1_000_000_000));
      case 4: return 10n ** 12n + BigInt(this.int(10));
      case 5: return (1n << 128n) - 1n + BigInt(this.int(3));
      default: return this.next();
    }
  }
  /** Small ids mostly (they exist), sometimes anything. */
  id(): bigint {
    return this.chance(0.8) ? BigInt(this.int(12)) : this.next();
  }
}

/** 1 to 3 edits: a bit flip, a cut, inserted bytes, a deleted run, a set byte, a duplicated run. */
export function mutate(rng: Rng, tx: Uint8Array): Uint8Array {
  // Buffer slices and concatenations, never spread arguments: frame streams run to megabytes.
  let b = Buffer.from(tx);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    if (b.length === 0) {
      b = Buffer.from(rng.bytes(1 + rng.int(8)));
      continue;
    }
    const p = rng.int(b.length);
    switch (rng.int(6)) {
      case 0: b = Buffer.from(b); b[p] ^= 1 << rng.int(8); break;
      case 1: b = b.subarray(0, p); break;
      case 2: b = Buffer.concat([b.subarray(0, p), Buffer.from(rng.bytes(1 + rng.int(8))), b.subarray(p)]); break;
      case 3: b = Buffer.concat([b.subarray(0, p), b.subarray(p + 1 + rng.int(8))]); break;
      case 4: b = Buffer.from(b); b[p] = rng.int(256); break;
      default: {
        const from = rng.int(b.length);
        b = Buffer.concat([b.subarray(0, p), b.subarray(from, from + 16), b.subarray(p)]); // duplicate a run
      }
    }
  }
  return new Uint8Array(b);
}

export interface FuzzStats {
  txs: number;
  checkTxAccepted: number;
  deliveredOk: number;
  blocks: number;
  abciRequests: number;
  abciMalformedBatches: number;
  abciClosedConnections: number;
  crashes: number;
  seconds: number;
}

export interface FuzzOptions {
  /** Total of txs plus ABCI requests to send. */
  total: number;
  seed: number;
  /** Share of the total that goes through the ABCI socket (default 0.4). */
  abciShare?: number;
  log?: (line: string) => void;
}

/** A bech32 string of every kind: funded keys, unknown accounts, module accounts, garbage. */
const STRANGER = new TestKey("fuzz-stranger").address;
function addressPool(keys: TestKey[]): string[] {
  return [...keys.map((k) => k.address), STRANGER, "soa1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", "soavaloper1xyz", "", "cosmos1abc", "soa1" + "x".repeat(60)];
}

/**
 * One random message of one of the app's types, with edge-case fields. What the client-side
 * encoders refuse to build (a voucher for escrow 0, an amount past u128) is sent as raw bytes
 * under the same type URL instead.
 */
function randomMsg(rng: Rng, d: Driver, keys: TestKey[], signer: TestKey): Any {
  const r = new Rng(Number(rng.next() % 1_000_000_007n));
  try {
    return buildMsg(r, d, keys, signer);
  } catch {
    return { typeUrl: "/blockai.metering.v1.MsgClaimUsage", value: r.bytes(r.int(120)) };
  }
}

function buildMsg(rng: Rng, d: Driver, keys: TestKey[], signer: TestKey): Any {
  const addresses = addressPool(keys);
  const who = () => (rng.chance(0.85) ? signer.address : rng.pick(addresses));
  const addr = () => rng.pick(addresses);
  const valoper = d.validators[0]?.valoper ?? "soavaloper1";
  const enc = (m: { typeUrl: string; value: unknown }) => registry.encodeAsAny(m);
  switch (rng.int(16)) {
    case 0: return msgSend(who(), addr(), rng.amount(), rng.chance(0.9) ? "usoa" : rng.pick(["uatom", "", "USOA", "u".repeat(200)]));
    case 1:
      return enc(BlockaiMsgs.registerModel(who(), {
        name: rng.pick(["m", "", "x".repeat(300), "model"]),
        version: rng.pick(["1", ""]),
        task: rng.pick(["text-generation", "", "t".repeat(100)]),
        artifactDigest: rng.chance(0.9) ? rng.bytes(32) : rng.bytes(rng.int(40)),
        pricePerUnit: rng.amount() % 1000n,
        unit: rng.pick(["call", ""]),
        bond: rng.chance(0.8) ? 1000n : rng.amount(),
        operators: rng.chance(0.3) ? [addr(), addr()] : [],
      }));
    case 2: return enc(BlockaiMsgs.setModelStatus(who(), rng.id(), rng.int(5)));
    case 3: return enc(BlockaiMsgs.openEscrow(who(), rng.id(), rng.amount(), BigInt(d.height) + BigInt(rng.int(2000)) - 5n));
    case 4: return enc(BlockaiMsgs.topUpEscrow(who(), rng.id(), rng.amount(), rng.chance(0.5) ? 0n : BigInt(d.height + rng.int(2000))));
    case 5: {
      const consumer = rng.pick(keys);
      const voucher = { chainId: rng.chance(0.9) ? d.chainId : "other", escrowId: rng.id(), cumulativeUnits: rng.amount() % 10_000n, cumulativeAmount: rng.amount() % 10n ** 9n + 1n };
      const v = { voucher, signature: signDigestNative(voucherDigest(voucher), consumer.privateKey) };
      return enc(BlockaiMsgs.claimUsage(who(), rng.chance(0.2) ? { ...v, signature: mutate(rng, v.signature) } : v));
    }
    case 6: return enc(BlockaiMsgs.closeEscrow(who(), rng.id()));
    case 7: return enc(BlockaiMsgs.payForUsage(who(), rng.id(), rng.amount() % 100n, rng.amount()));
    case 8: return enc(BlockaiMsgs.claimRewards(who(), rng.chance(0.5) ? [] : [rng.int(4)]));
    case 9: return enc(BlockaiMsgs.setPayoutAddress(who(), rng.id(), addr()));
    case 10: {
      // A certificate: usually correct (the easiest target accepts any seal), else off by a field.
      const anchorHeight = BigInt(Math.max(1, d.height - rng.int(12)));
      const msg: MsgSubmitWork = { miner: who(), modelId: rng.id(), anchorHeight, workDigest: rng.chance(0.95) ? rng.bytes(32) : rng.bytes(rng.int(40)), nonce: rng.next() };
      if (rng.chance(0.1)) msg.anchorHeight = rng.next();
      return submitWorkMsg(msg);
    }
    case 11: return msgDelegate(who(), rng.chance(0.9) ? valoper : addr(), rng.amount());
    case 12: return msgUndelegate(who(), rng.chance(0.9) ? valoper : addr(), rng.amount());
    case 13: return msgWithdrawReward(who(), rng.chance(0.9) ? valoper : addr());
    case 14: return { typeUrl: rng.pick(["/blockai.metering.v1.MsgUpdateParams", "/blockai.pow.v1.MsgUpdateParams", "/blockai.rewards.v1.MsgUpdateParams", "/cosmos.bank.v1beta1.MsgUpdateParams"]), value: rng.bytes(rng.int(64)) };
    default: return { typeUrl: rng.pick(["/unknown.Msg", "", "/cosmos.bank.v1beta1.MsgSend"]), value: rng.bytes(rng.int(100)) };
  }
}

/**
 * Requests a CometBFT could send on the query, mempool and snapshot connections, and the
 * proposal and vote-extension requests of the consensus connection (the ones that change no
 * state), with random fields.
 */
function randomRequest(rng: Rng, d: Driver, txPool: Uint8Array[]): Request {
  const paths = ["/app/version", "/store/bank/key", "/blockai.metering.v1.Query/Escrow", "/blockai.pow.v1.Query/MinerWork", "/blockai.rewards.v1.Query/Pending", "/cosmos.bank.v1beta1.Query/AllBalances", "/cosmos.auth.v1beta1.Query/Account", "/blockai.registry.v1.Query/Model", "/x", "", "/cosmos.tx.v1beta1.Service/Simulate"];
  const someTxs = () => Array.from({ length: rng.int(30) }, () => (txPool.length > 0 && rng.chance(0.6) ? (rng.chance(0.5) ? rng.pick(txPool) : mutate(rng, rng.pick(txPool))) : rng.bytes(rng.int(300))));
  switch (rng.int(12)) {
    case 9:
      // What a proposer's CometBFT asks (read-only for the app): any txs, any size limit.
      return { prepareProposal: { maxTxBytes: rng.chance(0.8) ? 1_048_576n : BigInt(rng.int(2000)), txs: someTxs(), localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: BigInt(d.height + 1), time: { seconds: BigInt(1_700_000_000 + d.height), nanos: 0 }, nextValidatorsHash: rng.bytes(32), proposerAddress: rng.bytes(20) } };
    case 10:
      return { processProposal: { txs: someTxs(), proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: rng.bytes(32), height: BigInt(d.height + 1), time: { seconds: BigInt(1_700_000_000 + d.height), nanos: 0 }, nextValidatorsHash: rng.bytes(32), proposerAddress: rng.bytes(20) } };
    case 11:
      return rng.chance(0.5)
        ? { extendVote: { hash: rng.bytes(32), height: BigInt(d.height + 1), time: { seconds: 0n, nanos: 0 }, txs: someTxs(), proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], nextValidatorsHash: rng.bytes(32), proposerAddress: rng.bytes(20) } }
        : { verifyVoteExtension: { hash: rng.bytes(32), validatorAddress: rng.bytes(20), height: BigInt(d.height + 1), voteExtension: rng.bytes(rng.int(64)) } };
    case 0: return { echo: { message: Buffer.from(rng.bytes(rng.int(40))).toString("latin1") } };
    case 1: return { flush: {} };
    case 2: return { info: { version: "0.38", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" } };
    case 3: return { query: { path: rng.pick(paths), data: rng.bytes(rng.int(80)), height: rng.chance(0.7) ? 0n : BigInt(rng.int(d.height + 5)), prove: rng.chance(0.3) } };
    case 4:
    case 5: return { checkTx: { tx: txPool.length > 0 && rng.chance(0.7) ? mutate(rng, rng.pick(txPool)) : rng.bytes(rng.int(300)), type: rng.int(2) } };
    case 6: return { listSnapshots: {} };
    case 7: return { loadSnapshotChunk: { height: BigInt(rng.int(d.height + 2)), format: rng.int(3), chunk: rng.int(3) } };
    default: return { offerSnapshot: { snapshot: { height: BigInt(rng.int(d.height + 2)), format: rng.int(3), chunks: rng.int(5), hash: rng.bytes(32), metadata: rng.bytes(rng.int(20)) }, appHash: rng.bytes(32) } };
  }
}

/** One connection's batch: writes the bytes, collects responses until `expected` or the close. */
function exchange(socketPath: string, bytes: Uint8Array, expected: number, idleMs: number): Promise<{ responses: Response[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const decoder = new FrameDecoder();
    const responses: Response[] = [];
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      socket.destroy();
      resolve({ responses, closed });
    };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    socket.on("connect", () => {
      socket.write(bytes);
      arm();
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) responses.push(Response.decode(frame));
      } catch (e) {
        done = true;
        socket.destroy();
        reject(e);
        return;
      }
      if (responses.length >= expected) finish(false);
      else arm();
    });
    socket.on("close", () => finish(true));
    socket.on("error", (e: NodeJS.ErrnoException) => {
      // The server closed the connection while the rest was being written (its answer to a
      // damaged stream): a close, judged by the caller by the responses received.
      if (e.code === "EPIPE" || e.code === "ECONNRESET") return finish(true);
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzStats> {
  const log = opts.log ?? (() => {});
  const rng = new Rng(opts.seed);
  const started = Date.now();
  const stats: FuzzStats = { txs: 0, checkTxAccepted: 0, deliveredOk: 0, blocks: 0, abciRequests: 0, abciMalformedBatches: 0, abciClosedConnections: 0, crashes: 0, seconds: 0 };
  const d = await Driver.create({
    accounts: 6,
    validators: 1,
    balance: 10n ** 15n,
    appState: (s) => {
      s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "5", max_operators: 5 } };
      s.metering = { params: { protocol_fee_bps: 200, claim_grace: "3", max_escrow_duration: "2000", closed_escrow_retention: "20", prune_per_block: "16" } };
      s.epochs = { params: { epoch_length: "20" } };
      s.pow = { params: { anchor_window: "8", max_certs_per_block: "20", target_certs_per_epoch: "100", min_target: targetToHex(MAX_TARGET), max_target: targetToHex(MAX_TARGET), prune_per_block: "16" }, target: targetToHex(MAX_TARGET) };
      s.rewards.params = { ...s.rewards.params, claim_epochs: "2", expired_epoch_retention: "1", prune_per_block: "16" };
    },
  });
  for (const k of d.keys) useNativeSigning(k);
  const fatals: string[] = [];
  const server = new AbciServer(d.app, { logger: { info: () => {}, error: () => {}, debug: () => {} } as never, onFatal: (err, method) => fatals.push(`${method}: ${String(err)}`) });
  const socketPath = path.join(d.dir, "fuzz.sock");
  await server.listen(`unix://${socketPath}`);
  const abciTotal = Math.floor(opts.total * (opts.abciShare ?? 0.4));
  const txTotal = opts.total - abciTotal;
  const BLOCK_TXS = 400;
  const txPool: Uint8Array[] = [];
  const sequences = new Map<string, bigint>();
  const crash = (what: string) => {
    stats.crashes++;
    throw new Error(`fuzz crash (seed ${opts.seed}): ${what}`);
  };
  try {
    await d.block();
    let lastLog = Date.now();
    while (stats.txs < txTotal || stats.abciRequests < abciTotal) {
      // A block of generated, mutated and random txs, each first through CheckTx.
      sequences.clear();
      const block: Uint8Array[] = [];
      const n = Math.min(BLOCK_TXS, txTotal - stats.txs);
      for (let i = 0; i < n; i++) {
        let tx: Uint8Array;
        let fresh: { signer: string; sequence: bigint } | undefined;
        const kind = rng.int(10);
        if (kind < 6) {
          const signer = rng.pick(d.keys);
          const acc = d.account(signer.address);
          const seq = sequences.get(signer.address) ?? acc?.sequence ?? 0n;
          const msgs = Array.from({ length: rng.chance(0.75) ? 1 : 2 + rng.int(2) }, () => randomMsg(rng, d, d.keys, signer));
          const feeless = msgs.every((m) => m.typeUrl === "/blockai.pow.v1.MsgSubmitWork") && rng.chance(0.7);
          tx = signTx({
            key: signer,
            msgs,
            accountNumber: rng.chance(0.97) ? acc?.accountNumber ?? 0n : BigInt(rng.int(20)),
            sequence: rng.chance(0.95) ? seq : BigInt(rng.int(5)),
            chainId: rng.chance(0.98) ? d.chainId : "other-chain",
            fee: feeless ? [] : [{ denom: "usoa", amount: rng.chance(0.95) ? "50000" : rng.amount().toString() }],
            gas: rng.chance(0.95) ? 2_000_000n : BigInt(rng.int(100_000)),
            memo: rng.chance(0.05) ? "m".repeat(rng.int(600)) : "",
            timeoutHeight: rng.chance(0.03) ? BigInt(rng.int(d.height + 3)) : 0n,
          });
          if (rng.chance(0.15)) tx = mutate(rng, tx);
          else fresh = { signer: signer.address, sequence: seq };
          if (fresh && txPool.length < 2000) txPool.push(tx);
          else if (fresh) txPool[rng.int(txPool.length)] = tx;
        } else if (kind < 9 && txPool.length > 0) {
          tx = rng.chance(0.1) ? rng.pick(txPool) : mutate(rng, rng.pick(txPool)); // replays and mutations
        } else {
          tx = rng.bytes(rng.int(rng.chance(0.9) ? 200 : 5000));
        }
        let res;
        try {
          res = d.checkTx(tx);
        } catch (e) {
          crash(`CheckTx threw: ${(e as Error).stack}`);
        }
        stats.txs++;
        if (res!.code === 0) {
          stats.checkTxAccepted++;
          // The check state now expects the signer's next sequence.
          if (fresh) sequences.set(fresh.signer, fresh.sequence + 1n);
        }
        // Blocks carry what CheckTx accepted and, like a byzantine proposer's, what it refused.
        if (res!.code === 0 || rng.chance(0.3)) block.push(tx);
      }
      try {
        const { results } = await d.block(block, { advance: BigInt(1 + rng.int(3)) });
        stats.deliveredOk += results.filter((r) => r.code === 0).length;
        stats.blocks++;
      } catch (e) {
        crash(`block ${d.height}: ${(e as Error).stack}`);
      }
      // ABCI requests over the socket, in proportion.
      const abciDue = Math.min(abciTotal, Math.ceil((abciTotal * (stats.txs || 1)) / Math.max(1, txTotal))) - stats.abciRequests;
      let left = stats.txs >= txTotal ? abciTotal - stats.abciRequests : abciDue;
      while (left > 0) {
        const count = Math.min(left, 500);
        const reqs = Array.from({ length: count }, () => randomRequest(rng, d, txPool));
        const frames = reqs.map((r) => encodeFrame(Request.encode(r).finish()));
        const bytes = Buffer.concat(frames);
        const malformed = rng.chance(0.15);
        const sent = malformed ? mutateFrames(rng, bytes) : bytes;
        const { responses, closed } = await exchange(socketPath, sent, count, malformed ? 500 : 30_000);
        stats.abciRequests += count;
        left -= count;
        if (closed) stats.abciClosedConnections++;
        if (malformed) {
          stats.abciMalformedBatches++;
        } else {
          if (responses.length !== count) crash(`ABCI: ${responses.length} responses to ${count} well-formed requests (closed: ${closed})`);
          responses.forEach((r, i) => {
            const want = requestMethod(reqs[i]);
            const got = Object.keys(r).find((k) => (r as Record<string, unknown>)[k] !== undefined);
            if (got !== want && !(got === "exception")) crash(`ABCI: request ${i} ${want} answered with ${got}`);
          });
        }
        if (fatals.length > 0) crash(`ABCI fatal: ${fatals.join("; ")}`);
      }
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        const s = (Date.now() - started) / 1000;
        log(`${stats.txs + stats.abciRequests} of ${opts.total} (${Math.round((stats.txs + stats.abciRequests) / s)}/s): height ${d.height}, ${stats.checkTxAccepted} txs accepted, ${stats.deliveredOk} delivered ok`);
      }
    }
    // Still serving: a fresh connection gets Info with the last committed height.
    const { responses } = await exchange(socketPath, encodeFrame(Request.encode({ info: { version: "0.38", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" } }).finish()), 1, 30_000);
    if (responses[0]?.info?.lastBlockHeight !== BigInt(d.height)) crash(`ABCI Info after the run: ${JSON.stringify(responses[0]?.info)}`);
  } finally {
    stats.seconds = (Date.now() - started) / 1000;
    await server.close();
    await d.close();
  }
  return stats;
}

/** Damages a frame stream: a length prefix, a byte inside a message, a cut, garbage appended. */
function mutateFrames(rng: Rng, bytes: Uint8Array): Uint8Array {
  const b = Buffer.from(bytes);
  switch (rng.int(5)) {
    case 0: return Buffer.concat([b.subarray(0, rng.int(b.length)), Buffer.from(rng.bytes(rng.int(20)))]);
    case 1: return Buffer.concat([b, Buffer.from(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f))]);
    case 2: return Buffer.concat([b, Buffer.from(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x01)), Buffer.from(rng.bytes(30))]);
    default: return mutate(rng, b);
  }
}

export { computeSeal, driverBlockHash };
