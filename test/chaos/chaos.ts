import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { QueryDelegationRequest, QueryDelegationResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { QueryBalanceRequest, QueryBalanceResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { BlockaiMsgs, createBlockaiRegistry, MeteringQuery, PowQuery, privateKeyFromMnemonic, RegistryQuery, signVoucher, type QueryMethod, type ResponseOf } from "../../src/client";
import { MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import { MsgSubmitWorkResponse } from "../../src/gen/blockai/pow/v1/tx";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { parseTargetHex } from "../../src/modules/pow";
import { appDataDir } from "../../src/node/config";
import { nodeId } from "../../src/node/home";
import {
  createNetwork,
  DEFAULT_ACCOUNT_BALANCE,
  NetworkLayout,
  readPids,
  startComet,
  startNetwork,
  startNode,
  stopNetwork,
  stopNode,
  TestAccount,
  waitForHeight,
} from "../../src/node/network";
import { isAlive, isProcessOf, sleep, waitFor } from "../../src/node/process";
import { rpc, status } from "../../src/node/rpc";
import { setTomlValue } from "../../src/node/toml";
import { decodeAddress, encodeAddress, VALIDATOR_OPERATOR_PREFIX } from "../../src/types/address";
import { freePorts } from "../helpers/ports";
import { findNonce } from "../helpers/pow";
import { accountOf, sendMsg, signMsgs } from "../helpers/sends";
import { P2PProxies } from "./proxy";
import { allPages } from "../../src/client/pagination";

/**
 * The chaos run: a network of validators on 127.0.0.1 under a steady mixed load (MsgSends,
 * delegations, model registrations, escrow opens and voucher claims, PoW certificates), while a seeded scheduler kills, pauses, partitions and rolls back validators one
 * or two at a time; at the end every node is checked (see `check`). `make chaos` runs it from
 * the command line (test/chaos/run.ts), test/e2e/chaos.test.ts runs a short one.
 */
export const PERTURBATIONS = ["kill-app", "kill-comet", "kill-both", "pause", "isolate", "split", "old-db", "disk-full"] as const;
export type Perturbation = (typeof PERTURBATIONS)[number];

export interface ChaosOptions {
  durationMs: number;
  nodes: number;
  seed: number;
  /** Keep going after durationMs until at least this many perturbations were applied. */
  minPerturbations?: number;
  /** The chain must commit a new block within this long after each perturbation ends. */
  progressBoundMs?: number;
  log?: (line: string) => void;
  keepData?: boolean;
  /** Only these perturbation kinds (default: all). */
  kinds?: readonly Perturbation[];
}

export interface ChaosSummary {
  seed: number;
  nodes: number;
  durationS: number;
  perturbations: Record<Perturbation, number>;
  total: number;
  blocks: number;
  txsSent: number;
  txsCommitted: number;
  /** Per tx kind: sent (CheckTx accepted or outcome unknown) and committed with code 0. */
  byKind: Record<TxKind, { sent: number; committed: number }>;
  lostCommitted: number;
  /** (tx, node) pairs whose tx is in the node's block store but not in its tx index. */
  indexGaps: number;
  heightsCompared: number;
  mismatches: number;
  maxStallMs: number;
  maxCatchUpMs: number;
  progressBoundMs: number;
  haltedNodes: number;
  failures: string[];
  dir: string;
}

/** A small seeded PRNG (LCG): a failing run is repeated with its SEED. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const TX_KINDS = ["send", "delegate", "register", "open-escrow", "claim", "pow-cert"] as const;
export type TxKind = (typeof TX_KINDS)[number];

interface SentTx {
  hash: string;
  kind: TxKind;
  from: string;
  /** send: the receiver; delegate: the validator; open-escrow and claim: the escrow's model id. */
  to: string;
  /** send and delegate: the amount; claim: the voucher's cumulative amount. */
  amount: bigint;
  /** claim: the escrow and the voucher's cumulative units. */
  escrowId?: bigint;
  units?: bigint;
  /** Height at which the load generator saw it committed (code 0), if it did. */
  height?: number;
  /** The committed result's data (TxMsgData), from node0's block results (end check). */
  data?: Uint8Array;
}

const SENDERS = 4;
const RECEIVERS = 4;
/** The accounts after the senders and receivers: one each for registrations, metering (provider and consumer) and mining. */
const REGISTRAR = SENDERS + RECEIVERS;
const PROVIDER = REGISTRAR + 1;
const CONSUMER = REGISTRAR + 2;
const MINER = REGISTRAR + 3;
/** Price per unit of the metered model (usoa), and each escrow's deposit. */
const PRICE = 1_000n;
const DEPOSIT = 10_000_000n;
/** Claims per escrow before the consumer opens a new one. */
const CLAIMS_PER_ESCROW = 8;
const MODEL_BOND = 10_000_000n;
/** Gas and fee of the non-send txs (registrations, escrows, claims). */
const BIG_GAS = 600_000;
const BIG_FEE = "20000";
const protoRegistry = createBlockaiRegistry();

function registerModelMsg(owner: string, name: string, price: bigint): Any {
  return protoRegistry.encodeAsAny(
    BlockaiMsgs.registerModel(owner, {
      name,
      version: "1",
      task: "text-generation",
      artifactDigest: createHash("sha256").update(name).digest(),
      pricePerUnit: price,
      unit: "call",
      bond: MODEL_BOND,
    }),
  );
}

/** The first message response of a committed tx's data. */
function firstResponse<T>(data: Uint8Array | undefined, decode: (b: Uint8Array) => T): T | undefined {
  if (!data || data.length === 0) return undefined;
  const r = TxMsgData.decode(data).msgResponses[0];
  return r ? decode(r.value) : undefined;
}

async function abciQuery<T>(node: string, pathName: string, data: Uint8Array, decode: (b: Uint8Array) => T, height = 0): Promise<T> {
  const params: Record<string, string | number> = { path: JSON.stringify(pathName), data: `0x${Buffer.from(data).toString("hex")}` };
  if (height > 0) params.height = height;
  const r = await rpc(node, "abci_query", params);
  if (r.response.code !== 0) throw new Error(`${pathName}: ${r.response.log}`);
  return decode(Buffer.from(r.response.value ?? "", "base64"));
}

/** One method of a query table (RegistryQuery.Model, ...) through abci_query, at `height` (0: latest). */
function query<M extends QueryMethod>(node: string, method: M, request: object, height = 0): Promise<ResponseOf<M>> {
  return abciQuery(node, method.path, method.request.encode(method.request.fromPartial(request)).finish(), (b) => method.response.decode(b) as ResponseOf<M>, height);
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosSummary> {
  const log = opts.log ?? ((l: string) => console.log(l));
  // Two streams: the scheduler's draws do not depend on how many txs the load sent meanwhile, so
  // a seed repeats the same sequence of perturbations.
  const random = prng(opts.seed);
  const loadRandom = prng(opts.seed ^ 0x5eed);
  const pick = <T>(xs: readonly T[], r: () => number = random): T => xs[Math.floor(r() * xs.length)];
  const bound = opts.progressBoundMs ?? 60_000;
  const n = opts.nodes;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-chaos-"));
  const ports = await freePorts(n * 3 + n * (n - 1));
  const proxyPort = (from: number, to: number) => ports[n * 3 + from * (n - 1) + (to < from ? to : to - 1)];
  const layout: NetworkLayout = await createNetwork({
    dir,
    nodes: n,
    chainId: "blockai-chaos",
    accounts: MINER + 1,
    checkInvariants: true,
    // One validator in bounded-cache mode (1 MiB of cache), the others all in memory: crashes,
    // rollbacks and disk-full must leave both modes with the same app hashes.
    stateCacheMb: (i) => (i === n - 1 ? 1 : 0),
    ports: (i) => ({ rpc: ports[3 * i], p2p: ports[3 * i + 1], grpc: ports[3 * i + 2] }),
    // Downtime jailing would shrink the set to where one more kill halts the chain; the run is
    // about crash and partition safety, so liveness is judged over a window it cannot exhaust.
    params: { slashing: { signed_blocks_window: "100000", min_signed_per_window: "0.01" } },
    tomlEdits: [
      ["p2p", "pex", "false"],
      ["p2p", "persistent_peers_max_dial_period", '"2s"'],
      ["consensus", "timeout_commit", '"100ms"'],
    ],
  });
  // Peers through the proxies only.
  const proxies = await P2PProxies.start(layout.nodes.map((_, i) => ports[3 * i + 1]), proxyPort);
  const ids = layout.nodes.map((nd) => nodeId(nd.home));
  for (const nd of layout.nodes) {
    const peers = layout.nodes.filter((m) => m !== nd).map((m) => `${ids[m.index]}@${proxies.address(nd.index, m.index)}`).join(",");
    const file = path.join(nd.home, "config", "config.toml");
    fs.writeFileSync(file, setTomlValue(fs.readFileSync(file, "utf8"), "p2p", "persistent_peers", JSON.stringify(peers)));
  }

  const perturbations = Object.fromEntries(PERTURBATIONS.map((p) => [p, 0])) as Record<Perturbation, number>;
  const failures: string[] = [];
  const sent = new Map<string, SentTx>();
  /** Nodes currently perturbed (not to be used by the load or picked again). */
  const busy = new Set<number>();
  /** LevelDB copies taken while a node was down, for the old-db perturbation. */
  const backups = new Map<number, { dir: string; height: number }>();
  let maxStallMs = 0;
  let maxCatchUpMs = 0;
  let stopped = false;
  const started = Date.now();

  const senders: TestAccount[] = layout.accounts.slice(0, SENDERS);
  const receivers: TestAccount[] = layout.accounts.slice(SENDERS, SENDERS + RECEIVERS);
  const [registrar, provider, consumer, miner] = [REGISTRAR, PROVIDER, CONSUMER, MINER].map((i) => layout.accounts[i]);
  const valopers = layout.operators.map((o) => encodeAddress(decodeAddress(o.address), VALIDATOR_OPERATOR_PREFIX));
  const liveNode = () => {
    const free = layout.nodes.filter((nd) => !busy.has(nd.index));
    return pick(free.length > 0 ? free : layout.nodes, loadRandom);
  };
  const height = async (i: number) => (await status(layout.nodes[i].rpc)).height;
  const maxHeight = async () => Math.max(0, ...(await Promise.all(layout.nodes.map((_, i) => height(i).catch(() => 0)))));

  /**
   * Signs `msgs` from `from` at its committed sequence, broadcasts the tx to a live node and waits
   * (up to 15 s) to see it committed. The tx is recorded before the broadcast and forgotten only
   * when CheckTx refuses it: a broadcast that timed out may still have entered a mempool, and the
   * end check looks every recorded tx up. Returns the committed result's data, or undefined when
   * the tx was refused, failed or was not seen committed in time.
   */
  const submit = async (from: TestAccount, msgs: Any[], entry: Omit<SentTx, "hash" | "from">, gas = 300_000, fee = "10000"): Promise<Uint8Array | undefined> => {
    const node = liveNode();
    const acc = await accountOf(node.rpc, from.address);
    const tx = await signMsgs(layout.chainId, from, acc, msgs, gas, fee);
    const record: SentTx = { ...entry, hash: tx.hash, from: from.address };
    sent.set(tx.hash, record);
    const r = await rpc(node.rpc, "broadcast_tx_sync", { tx: `0x${Buffer.from(tx.bytes).toString("hex")}` }, 3000).catch(() => undefined);
    if (r !== undefined && r.code !== 0) {
      sent.delete(tx.hash);
      await sleep(200);
      return undefined;
    }
    const deadline = Date.now() + 15_000;
    while (!stopped && Date.now() < deadline) {
      await sleep(150);
      try {
        const res = await rpc(liveNode().rpc, "tx", { hash: `0x${tx.hash}` }, 2000);
        if (res.tx_result.code !== 0) return undefined;
        record.height = Number(res.height);
        return Buffer.from(res.tx_result.data ?? "", "base64");
      } catch {
        /* not yet, or that node is down */
      }
    }
    return undefined;
  };
  /** Runs `step` until the run stops; a thrown error (node down, query failed) waits a little. */
  const loop = async (step: () => Promise<void>) => {
    while (!stopped) {
      try {
        await step();
      } catch {
        await sleep(300);
      }
    }
  };

  /** One sender: MsgSends to the receivers, one in four a MsgDelegate to a validator. */
  const sendLoop = (from: TestAccount) =>
    loop(async () => {
      const delegate = loadRandom() < 0.25;
      const amount = BigInt(1 + Math.floor(loadRandom() * (delegate ? 5000 : 1000)));
      const to = delegate ? pick(valopers, loadRandom) : pick(receivers, loadRandom).address;
      const msg = delegate
        ? { typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: MsgDelegate.encode({ delegatorAddress: from.address, validatorAddress: to, amount: { denom: "usoa", amount: amount.toString() } }).finish() }
        : sendMsg(from.address, to, amount);
      await submit(from, [msg], { kind: delegate ? "delegate" : "send", to, amount });
    });

  /** Registers a model of `owner` until one is seen committed; returns its id (undefined if the run stopped first). */
  const registerOnce = async (owner: TestAccount, name: string, price: bigint): Promise<bigint | undefined> => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        const data = await submit(owner, [registerModelMsg(owner.address, `${name}-${attempt}`, price)], { kind: "register", to: `${name}-${attempt}`, amount: MODEL_BOND }, BIG_GAS, BIG_FEE);
        const id = firstResponse(data, MsgRegisterModelResponse.decode)?.modelId;
        if (id !== undefined) return id;
      } catch {
        await sleep(300);
      }
    }
    return undefined;
  };

  /** Model registrations by one owner, one every 1-3 s. */
  let registrations = 0;
  const registryLoop = () =>
    loop(async () => {
      const name = `chaos-model-${registrations++}`;
      await submit(registrar, [registerModelMsg(registrar.address, name, 0n)], { kind: "register", to: name, amount: MODEL_BOND }, BIG_GAS, BIG_FEE);
      await sleep(1000 + Math.floor(loadRandom() * 2000));
    });

  /**
   * Metering: the provider registers a priced model; the consumer opens an escrow bound to the
   * provider, signs cumulative vouchers off chain (client SDK) and the provider claims the latest
   * one; every CLAIMS_PER_ESCROW claims the consumer opens a new escrow.
   */
  const meteringLoop = async () => {
    const modelId = await registerOnce(provider, "chaos-metered", PRICE);
    if (modelId === undefined) return;
    const consumerKey = await privateKeyFromMnemonic(consumer.mnemonic);
    let escrowId: bigint | undefined;
    let units = 0n;
    let claims = 0;
    await loop(async () => {
      if (escrowId === undefined || claims >= CLAIMS_PER_ESCROW) {
        const h = BigInt(await height(liveNode().index));
        const open = protoRegistry.encodeAsAny(BlockaiMsgs.openEscrow(consumer.address, modelId, DEPOSIT, h + 1_000_000n, provider.address));
        const data = await submit(consumer, [open], { kind: "open-escrow", to: modelId.toString(), amount: DEPOSIT }, BIG_GAS, BIG_FEE);
        const id = firstResponse(data, MsgOpenEscrowResponse.decode)?.escrowId;
        if (id !== undefined) [escrowId, units, claims] = [id, 0n, 0];
        return;
      }
      units += 1n + BigInt(Math.floor(loadRandom() * 20));
      const voucher = signVoucher({ chainId: layout.chainId, escrowId, cumulativeUnits: units, cumulativeAmount: units * PRICE }, consumerKey);
      claims++;
      await submit(provider, [protoRegistry.encodeAsAny(BlockaiMsgs.claimUsage(provider.address, voucher))], { kind: "claim", to: modelId.toString(), amount: units * PRICE, escrowId, units }, BIG_GAS, BIG_FEE);
    });
  };

  /** PoW: the miner registers its model, then mines sha256 certificates on the latest block, one at a time (feeless txs). */
  const powLoop = async () => {
    const modelId = await registerOnce(miner, "chaos-mined", 0n);
    if (modelId === undefined) return;
    const minerBytes = decodeAddress(miner.address);
    const workDigest = createHash("sha256").update("chaos").digest();
    await loop(async () => {
      const node = liveNode();
      const anchorHeight = await height(node.index);
      const [block, t] = await Promise.all([rpc(node.rpc, "block", { height: anchorHeight }, 3000), query(node.rpc, PowQuery.Target, {})]);
      const anchorHash = Buffer.from(block.block_id.hash, "hex");
      const { nonce } = findNonce({ chainId: layout.chainId, anchorHeight: BigInt(anchorHeight), anchorHash, miner: minerBytes, modelId, workDigest }, parseTargetHex(t.target, "target"));
      const msg = protoRegistry.encodeAsAny({ typeUrl: "/blockai.pow.v1.MsgSubmitWork", value: { miner: miner.address, modelId, anchorHeight: BigInt(anchorHeight), workDigest, nonce } });
      await submit(miner, [msg], { kind: "pow-cert", to: modelId.toString(), amount: 0n }, 300_000, "");
    });
  };

  const killPid = (pid: number | undefined) => {
    if (pid === undefined) return;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  };
  const waitGone = (pid: number | undefined, what: string) =>
    pid === undefined ? Promise.resolve(true) : waitFor(what, 15_000, () => (isAlive(pid) ? undefined : true), 20);

  /** The dead app's socket file: removed, so that startNode waits for the new app to listen. */
  const removeSocket = (i: number) => fs.rmSync(layout.nodes[i].abci.replace(/^unix:\/\//, ""), { force: true });

  const backup = async (i: number) => {
    const h = Number((await fs.promises.readFile(path.join(layout.nodes[i].home, "data", "priv_validator_state.json"), "utf8").then((t) => JSON.parse(t).height as string).catch(() => "0")));
    const to = path.join(dir, `backup-node${i}`);
    await fs.promises.rm(to, { recursive: true, force: true });
    await fs.promises.cp(appDataDir(layout.nodes[i].home), to, { recursive: true });
    backups.set(i, { dir: to, height: h });
  };

  /** Applies one perturbation to node(s) `targets`, holds it, and undoes it. */
  const perturb = async (kind: Perturbation, targets: number[]) => {
    const hold = 500 + Math.floor(random() * 2500);
    const i = targets[0];
    const pids = readPids(layout.dir)[i] ?? {};
    switch (kind) {
      case "kill-app": {
        killPid(pids.app);
        await waitGone(pids.app, "the app to exit");
        // CometBFT stops when its app connection drops; if it has not, it is killed too.
        await waitGone(pids.comet, "CometBFT to stop after its app").catch(() => killPid(pids.comet));
        await waitGone(pids.comet, "CometBFT to exit");
        removeSocket(i);
        await sleep(hold);
        await startNode(layout, i);
        break;
      }
      case "kill-comet": {
        killPid(pids.comet);
        await waitGone(pids.comet, "CometBFT to exit");
        await sleep(hold);
        if (pids.app !== undefined && isProcessOf(pids.app, layout.nodes[i].home)) startComet(layout, i);
        else {
          removeSocket(i);
          await startNode(layout, i);
        }
        break;
      }
      case "kill-both": {
        await stopNode(layout, i, "SIGKILL");
        removeSocket(i);
        await backup(i);
        await sleep(hold);
        await startNode(layout, i);
        break;
      }
      case "old-db": {
        const b = backups.get(i)!;
        await stopNode(layout, i, "SIGKILL");
        removeSocket(i);
        const db = appDataDir(layout.nodes[i].home);
        await fs.promises.rm(db, { recursive: true, force: true });
        await fs.promises.cp(b.dir, db, { recursive: true });
        await sleep(hold);
        await startNode(layout, i);
        break;
      }
      case "disk-full": {
        // The app's disk fills up: the running app's RLIMIT_FSIZE is lowered (prlimit, no root
        // needed) to just above its LevelDB write-ahead log and its app.log, so a state write
        // soon fails with EFBIG ("File too large"; Node ignores SIGXFSZ) where a full disk would
        // give ENOSPC. The app must stop without answering Commit (exit 70) and CometBFT with it;
        // restarted without the limit, the handshake replays the block it did not persist.
        const home = layout.nodes[i].home;
        const appLog = path.join(home, "app.log");
        const logFrom = fs.statSync(appLog).size;
        const db = appDataDir(home);
        const wal = fs.readdirSync(db).filter((f) => /^\d+\.log$/.test(f)).map((f) => fs.statSync(path.join(db, f)).size);
        // Above app.log too, so that the app can still log why it stops.
        const limit = Math.max(...wal, logFrom + 4096);
        execFileSync("prlimit", ["--pid", String(pids.app), `--fsize=${limit}:`]);
        await waitFor("the app to stop on its full disk", 60_000, () => (isAlive(pids.app!) ? undefined : true), 50);
        await waitGone(pids.comet, "CometBFT to stop after its app").catch(() => killPid(pids.comet));
        await waitGone(pids.comet, "CometBFT to exit");
        const said = fs.readFileSync(appLog).subarray(logFrom).toString("utf8");
        if (!/File too large/.test(said) || !/commit failed; exiting with code 70/.test(said)) {
          throw new Error(`the app stopped without the expected Commit failure on a full disk: ${said.slice(-400)}`);
        }
        removeSocket(i);
        await sleep(hold);
        await startNode(layout, i);
        break;
      }
      case "pause": {
        for (const pid of [pids.comet, pids.app]) if (pid !== undefined) process.kill(pid, "SIGSTOP");
        await sleep(hold * 2);
        for (const pid of [pids.comet, pids.app]) if (pid !== undefined) process.kill(pid, "SIGCONT");
        break;
      }
      case "isolate":
      case "split": {
        for (const t of targets) proxies.isolate(t);
        await sleep(hold * 2);
        proxies.heal();
        break;
      }
    }
  };

  const loads = [...senders.map((s) => sendLoop(s)), registryLoop(), meteringLoop(), powLoop()];
  let total = 0;
  try {
    await startNetwork(layout);
    await waitForHeight(layout, 3, 120_000);
    log(`chaos: ${n} validators in ${dir}, seed ${opts.seed}, ${Math.round(opts.durationMs / 1000)} s`);
    while (Date.now() - started < opts.durationMs || total < (opts.minPerturbations ?? 0)) {
      // One perturbation, or two at once on different nodes.
      const round: Array<{ kind: Perturbation; targets: number[] }> = [];
      const count = random() < 0.3 ? 2 : 1;
      const free = () => layout.nodes.map((nd) => nd.index).filter((i) => !busy.has(i));
      for (let k = 0; k < count; k++) {
        const choices = (opts.kinds ?? PERTURBATIONS).filter((p) => (p === "split" ? count === 1 && free().length >= 2 : p === "old-db" ? free().some((i) => backups.has(i)) : free().length > 0));
        const kind = pick(choices);
        const candidates = kind === "old-db" ? free().filter((i) => backups.has(i)) : free();
        const first = pick(candidates);
        const targets = kind === "split" ? [first, pick(candidates.filter((c) => c !== first))] : [first];
        for (const t of targets) busy.add(t);
        round.push({ kind, targets });
      }
      const before = await maxHeight();
      await Promise.all(
        round.map(async ({ kind, targets }) => {
          try {
            await perturb(kind, targets);
            perturbations[kind]++;
            total++;
          } catch (e) {
            failures.push(`${kind} on node${targets.join(",node")}: ${(e as Error).message}`);
          }
        }),
      );
      // Progress: a new block beyond both the height before and at the end of the round.
      const ended = Date.now();
      const at = Math.max(before, await maxHeight());
      try {
        await waitFor("progress", bound, async () => ((await maxHeight()) > at ? true : undefined), 100);
        maxStallMs = Math.max(maxStallMs, Date.now() - ended);
      } catch {
        failures.push(`no new block within ${bound} ms after ${round.map((r) => `${r.kind}(node${r.targets.join(",node")})`).join(" + ")} at height ${at}`);
      }
      // The perturbed nodes catch up before they can be picked again.
      for (const { targets } of round) {
        for (const t of targets) {
          try {
            await waitFor(`node${t} to catch up`, bound * 2, async () => {
              const [mine, top] = await Promise.all([height(t), maxHeight()]);
              return mine >= top - 2 ? true : undefined;
            }, 200);
            maxCatchUpMs = Math.max(maxCatchUpMs, Date.now() - ended);
          } catch (e) {
            failures.push(`node${t} did not catch up after ${round.map((r) => r.kind).join("+")}: ${(e as Error).message}`);
          }
          busy.delete(t);
        }
      }
      log(`chaos: ${total} perturbations (${round.map((r) => `${r.kind}@node${r.targets.join(",node")}`).join(" + ")}), height ${await maxHeight()}, ${[...sent.values()].filter((t) => t.height !== undefined).length} txs seen committed`);
    }
  } finally {
    stopped = true;
    await Promise.all(loads);
  }

  let summary: ChaosSummary;
  try {
    summary = await check();
  } finally {
    await stopNetwork(dir);
    await proxies.close();
    if (!opts.keepData && !process.env.KEEP_E2E_DATA) fs.rmSync(dir, { recursive: true, force: true });
  }
  return summary;

  /**
   * The end checks, on every node: every tx seen committed is in its block store at the same
   * height with code 0; the effects of all committed txs are in its state; the app hash and the
   * block are identical at every common height (headers, and FinalizeBlock's app hash from
   * /block_results); the total supply agrees; no process died on its own.
   */
  async function check(): Promise<ChaosSummary> {
    // Let the network settle on a common height.
    const settled = (await maxHeight()) + 2;
    try {
      await waitForHeight(layout, settled, bound);
    } catch (e) {
      failures.push(`nodes did not reach a common height ${settled}: ${(e as Error).message}`);
    }
    const heights = await Promise.all(layout.nodes.map((_, i) => height(i).catch(() => 0)));
    const top = Math.min(...heights);
    let mismatches = 0;
    let lost = 0;
    let indexGaps = 0;
    // Processes alive and not halted.
    let halted = 0;
    readPids(dir).forEach((p, i) => {
      const dead = [p?.app, p?.comet].filter((pid) => pid === undefined || !isProcessOf(pid, layout.nodes[i].home));
      if (dead.length > 0) {
        halted++;
        failures.push(`node${i}: ${dead.length} process(es) not running at the end`);
      }
    });
    for (const nd of layout.nodes) {
      const appLog = fs.existsSync(path.join(nd.home, "app.log")) ? fs.readFileSync(path.join(nd.home, "app.log"), "utf8") : "";
      const cometLog = fs.existsSync(path.join(nd.home, "cometbft.log")) ? fs.readFileSync(path.join(nd.home, "cometbft.log"), "utf8") : "";
      for (const f of logFailures(appLog, cometLog)) failures.push(`${nd.moniker}: ${f}`);
    }
    // Identical blocks and app hashes at every common height.
    const reference = new Map<number, string>();
    for (const nd of layout.nodes) {
      for (let lo = 1; lo <= top; lo += 20) {
        const r = await rpc(nd.rpc, "blockchain", { minHeight: lo, maxHeight: Math.min(top, lo + 19) }, 10_000);
        for (const m of r.block_metas) {
          const h = Number(m.header.height);
          const v = `${m.header.app_hash}/${m.block_id.hash}`;
          if (nd.index === 0) reference.set(h, v);
          else if (reference.get(h) !== v) {
            mismatches++;
            if (mismatches <= 5) failures.push(`height ${h}: ${nd.moniker} has ${v}, node0 ${reference.get(h)}`);
          }
        }
      }
      // FinalizeBlock's app hash as each node's app computed it (block_results) against the next header.
      for (let h = Math.max(1, top - 200); h < top; h++) {
        const res = await rpc(nd.rpc, "block_results", { height: h }, 10_000);
        const next = reference.get(h + 1)?.split("/")[0];
        // block_results carries the app hash as base64 ([]byte), headers as hex.
        const computed = Buffer.from(String(res.app_hash), "base64").toString("hex").toUpperCase();
        if (next !== undefined && computed !== next.toUpperCase()) {
          mismatches++;
          if (mismatches <= 5) failures.push(`height ${h}: ${nd.moniker}'s block_results app hash ${computed} differs from header ${h + 1}'s ${next}`);
        }
      }
    }
    // Every committed tx is in every node's block store at the same height with code 0. The
    // height comes from what the load generator saw, else from any node's tx index. The block
    // store (/block, /block_results) is what is checked: CometBFT indexes txs after it commits a
    // block, so a CometBFT killed in between keeps the block but misses its index entries (counted
    // as index gaps, see the README).
    const all = [...sent.values()];
    const seen = all.filter((t) => t.height !== undefined);
    const committedNow: SentTx[] = [];
    const blockCache = new Map<string, { hashes: string[]; codes: number[]; datas: Uint8Array[] }>();
    const txsAt = async (node: string, h: number) => {
      const key = `${node}/${h}`;
      let v = blockCache.get(key);
      if (!v) {
        const [b, r] = await Promise.all([rpc(node, "block", { height: h }, 10_000), rpc(node, "block_results", { height: h }, 10_000)]);
        const hashes = ((b.block.data.txs ?? []) as string[]).map((tx) => createHash("sha256").update(Buffer.from(tx, "base64")).digest("hex").toUpperCase());
        const results = (r.txs_results ?? []) as Array<{ code?: number; data?: string }>;
        v = { hashes, codes: results.map((x) => x.code ?? 0), datas: results.map((x) => Buffer.from(x.data ?? "", "base64")) };
        blockCache.set(key, v);
      }
      return v;
    };
    for (const t of all) {
      let h = t.height;
      if (h === undefined) {
        for (const nd of layout.nodes) {
          try {
            const r = await rpc(nd.rpc, "tx", { hash: `0x${t.hash}` }, 5000);
            if (r.tx_result.code === 0) h = Number(r.height);
            break;
          } catch {
            /* not in this node's index */
          }
        }
      }
      if (h === undefined) continue;
      let ok = true;
      let data: Uint8Array | undefined;
      for (const nd of layout.nodes) {
        try {
          const { hashes, codes, datas } = await txsAt(nd.rpc, h);
          const at = hashes.indexOf(t.hash);
          if (at >= 0) data ??= datas[at];
          if (at < 0 || codes[at] !== 0) {
            ok = false;
            failures.push(`tx ${t.hash} committed at ${h}: ${at < 0 ? "not in" : `code ${codes[at]} in`} ${nd.moniker}'s block ${h}`);
          }
        } catch (e) {
          ok = false;
          failures.push(`tx ${t.hash} committed at ${h}: ${nd.moniker}'s block ${h} unreadable: ${(e as Error).message}`);
        }
        try {
          await rpc(nd.rpc, "tx", { hash: `0x${t.hash}` }, 5000);
        } catch {
          indexGaps++;
        }
      }
      if (!ok) lost++;
      else committedNow.push({ ...t, height: h, data });
    }
    // Effects: receivers got exactly the committed sends, delegations equal the committed delegates.
    // Versions are kept in memory for 10 heights: the state is read at a height just committed.
    const stateHeight = Math.min(...(await Promise.all(layout.nodes.map((_, i) => height(i).catch(() => 0))))) - 1;
    const expectedBalance = new Map<string, bigint>(receivers.map((r) => [r.address, DEFAULT_ACCOUNT_BALANCE]));
    const expectedDelegation = new Map<string, bigint>();
    for (const t of committedNow) {
      if (t.height! > stateHeight) continue;
      if (t.kind === "send") expectedBalance.set(t.to, expectedBalance.get(t.to)! + t.amount);
      else if (t.kind === "delegate") expectedDelegation.set(`${t.from}/${t.to}`, (expectedDelegation.get(`${t.from}/${t.to}`) ?? 0n) + t.amount);
    }
    let supply: string | undefined;
    for (const nd of layout.nodes) {
      try {
      for (const [address, want] of expectedBalance) {
        const got = await abciQuery(nd.rpc, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "usoa" }).finish(), (b) => QueryBalanceResponse.decode(b), stateHeight);
        if (BigInt(got.balance?.amount ?? "0") !== want) failures.push(`${nd.moniker}: balance of ${address} at ${stateHeight} is ${got.balance?.amount}, committed sends give ${want}`);
      }
      for (const [key, want] of expectedDelegation) {
        const [delegatorAddr, validatorAddr] = key.split("/");
        const got = await abciQuery(nd.rpc, "/cosmos.staking.v1beta1.Query/Delegation", QueryDelegationRequest.encode({ delegatorAddr, validatorAddr }).finish(), (b) => QueryDelegationResponse.decode(b), stateHeight);
        if (BigInt(got.delegationResponse?.balance?.amount ?? "0") !== want) failures.push(`${nd.moniker}: delegation ${key} is ${got.delegationResponse?.balance?.amount}, committed delegations give ${want}`);
      }
      const s = await abciQuery(nd.rpc, "/cosmos.bank.v1beta1.Query/TotalSupply", QueryTotalSupplyRequest.encode({}).finish(), (b) => QueryTotalSupplyResponse.decode(b), stateHeight);
      const text = JSON.stringify(s.supply);
      if (supply !== undefined && text !== supply) failures.push(`${nd.moniker}: total supply ${text} differs from node0's ${supply}`);
      supply ??= text;
      } catch (e) {
        failures.push(`${nd.moniker}: state query at height ${stateHeight} failed: ${(e as Error).message}`);
      }
    }
    // Effects of the other kinds, on every node at a height it just committed (read right before,
    // as these are more queries than the versions kept in memory would outlast): the committed
    // registrations are exactly each owner's models; the committed escrow opens exactly the
    // consumer's escrows, each with claimed = the last committed claim's voucher; the PoW tallies
    // count exactly the committed certificates.
    for (const nd of layout.nodes) {
      try {
        const at = (await height(nd.index)) - 1;
        for (const f of await effectFailures(nd.rpc, at, committedNow.filter((t) => t.height! <= at))) failures.push(`${nd.moniker} at ${at}: ${f}`);
      } catch (e) {
        failures.push(`${nd.moniker}: module state queries failed: ${(e as Error).message}`);
      }
    }
    const byKind = Object.fromEntries(TX_KINDS.map((k) => [k, { sent: all.filter((t) => t.kind === k).length, committed: committedNow.filter((t) => t.kind === k).length }])) as ChaosSummary["byKind"];
    return {
      seed: opts.seed,
      nodes: n,
      durationS: Math.round((Date.now() - started) / 1000),
      perturbations,
      total,
      blocks: top,
      txsSent: all.length,
      txsCommitted: committedNow.length,
      byKind,
      lostCommitted: lost,
      indexGaps,
      heightsCompared: reference.size,
      mismatches,
      maxStallMs,
      maxCatchUpMs,
      progressBoundMs: bound,
      haltedNodes: halted,
      failures: [...failures, ...(seen.length === 0 ? ["the load generator saw no tx committed"] : [])],
      dir,
    };
  }

  /** The new kinds' effects in one node's state at height `at`, against the txs committed up to it. */
  async function effectFailures(node: string, at: number, committed: SentTx[]): Promise<string[]> {
    const out: string[] = [];
    const ids = (xs: Array<bigint | undefined>) => xs.map((x) => String(x)).sort().join(",");
    // The chain serves at most 1,000 items a page; a 2-hour run registers more models than that.
    const paged = <T>(fetch: (pagination: { key: Uint8Array; limit: bigint; countTotal: boolean }) => Promise<{ items: T[]; pagination?: { nextKey: Uint8Array; total: bigint } }>) =>
      allPages<T>(async (key) => {
        const r = await fetch({ key, limit: 1000n, countTotal: key.length === 0 });
        return { items: r.items, nextKey: r.pagination?.nextKey, total: r.pagination?.total };
      });
    const registered = committed.filter((t) => t.kind === "register");
    for (const owner of [registrar, provider, miner]) {
      const mine = registered.filter((t) => t.from === owner.address);
      const want = mine.map((t) => firstResponse(t.data, MsgRegisterModelResponse.decode)?.modelId);
      const res = await paged(async (pagination) => {
        const r = await query(node, RegistryQuery.Models, { owner: owner.address, pagination }, at);
        return { items: r.models, pagination: r.pagination };
      });
      const got = res.items.map((m) => m.id);
      if (ids(got) !== ids(want) || res.total !== BigInt(want.length)) {
        out.push(`models of ${owner.address}: ${res.total} (${ids(got)}), committed registrations give ${want.length} (${ids(want)})`);
      }
      for (const t of mine) {
        const m = res.items.find((x) => x.id === firstResponse(t.data, MsgRegisterModelResponse.decode)?.modelId);
        if (m && (m.name !== t.to || m.bond?.amount !== MODEL_BOND.toString())) out.push(`model ${m.id} is ${m.name} with bond ${m.bond?.amount}, its registration ${t.hash} says ${t.to} with ${MODEL_BOND}`);
      }
    }
    const opens = committed.filter((t) => t.kind === "open-escrow");
    const claims = committed.filter((t) => t.kind === "claim");
    const wantEscrows = opens.map((t) => firstResponse(t.data, MsgOpenEscrowResponse.decode)?.escrowId);
    const escrows = await paged(async (pagination) => {
      const r = await query(node, MeteringQuery.EscrowsByConsumer, { consumer: consumer.address, pagination }, at);
      return { items: r.escrows, pagination: r.pagination };
    });
    if (ids(escrows.items.map((e) => e.id)) !== ids(wantEscrows) || escrows.total !== BigInt(wantEscrows.length)) {
      out.push(`escrows of the consumer: ${escrows.total} (${ids(escrows.items.map((e) => e.id))}), committed opens give ${wantEscrows.length} (${ids(wantEscrows)})`);
    }
    for (const c of claims) if (!escrows.items.some((e) => e.id === c.escrowId)) out.push(`claim ${c.hash} on escrow ${c.escrowId}, which the consumer does not have`);
    for (const e of escrows.items) {
      // Claims of one escrow carry increasing vouchers: the last committed one is the largest.
      const last = claims.filter((c) => c.escrowId === e.id).reduce<SentTx | undefined>((a, c) => (a === undefined || c.amount > a.amount ? c : a), undefined);
      const [amount, units] = [last?.amount ?? 0n, last?.units ?? 0n];
      if (BigInt(e.claimed?.amount ?? "0") !== amount || e.claimedUnits !== units || e.deposit?.amount !== DEPOSIT.toString()) {
        out.push(`escrow ${e.id}: claimed ${e.claimed?.amount} for ${e.claimedUnits} units of deposit ${e.deposit?.amount}; the last committed claim gives ${amount} for ${units} units of ${DEPOSIT}`);
      }
    }
    // Each committed certificate's response names the epoch it was credited to and the work. The
    // tallies of epochs whose rewards can no longer be claimed are pruned (docs/pruning.md): a
    // prefix of epochs before the current one may read zero; every later epoch must match exactly.
    const credited = new Map<bigint, { certificates: bigint; work: bigint }>();
    for (const t of committed.filter((x) => x.kind === "pow-cert")) {
      const r = firstResponse(t.data, MsgSubmitWorkResponse.decode);
      if (r === undefined) {
        out.push(`pow: certificate tx ${t.hash} has no MsgSubmitWorkResponse`);
        continue;
      }
      const c = credited.get(r.epoch) ?? { certificates: 0n, work: 0n };
      credited.set(r.epoch, { certificates: c.certificates + 1n, work: c.work + BigInt(r.work) });
    }
    const { epoch } = await query(node, PowQuery.Target, {}, at);
    const epochs = Array.from({ length: Number(epoch) + 1 }, (_, e) => BigInt(e));
    const tallies = await Promise.all(
      epochs.map(async (e) => {
        const [m, ep] = await Promise.all([query(node, PowQuery.MinerWork, { miner: miner.address, epoch: e }, at), query(node, PowQuery.EpochWork, { epoch: e }, at)]);
        return { epoch: e, certificates: m.total?.certificates ?? 0n, work: BigInt(m.total?.work || "0"), epochCertificates: ep.total?.certificates ?? 0n };
      }),
    );
    out.push(...powTallyFailures(tallies, credited));
    return out;
  }
}

export interface EpochTally {
  epoch: bigint;
  /** The miner's tally in the epoch (MinerWork). */
  certificates: bigint;
  work: bigint;
  /** The epoch's tally (EpochWork); the chaos run has one miner. */
  epochCertificates: bigint;
}

/**
 * The PoW tallies of epochs 0..current (ascending, the last one current) against what the
 * committed certificates' responses credited per epoch. Tallies of epochs whose rewards can no
 * longer be claimed are pruned, so a prefix of epochs before the current one may read zero; from
 * the first non-zero epoch on, and always for the current epoch, they must match exactly.
 */
export function powTallyFailures(tallies: EpochTally[], credited: ReadonlyMap<bigint, { certificates: bigint; work: bigint }>): string[] {
  const out: string[] = [];
  const current = tallies.length > 0 ? tallies[tallies.length - 1].epoch : 0n;
  let pruned = true;
  for (const t of tallies) {
    if (pruned && t.epoch < current && t.certificates === 0n && t.epochCertificates === 0n) continue;
    pruned = false;
    const want = credited.get(t.epoch) ?? { certificates: 0n, work: 0n };
    if (t.certificates !== want.certificates || t.work !== want.work || t.epochCertificates !== want.certificates) {
      out.push(`pow epoch ${t.epoch}: the miner's tally is ${t.certificates} certificates (work ${t.work}), the epoch's ${t.epochCertificates}; the committed certificates credited ${want.certificates} (work ${want.work})`);
    }
  }
  return out;
}

/**
 * What in a node's logs shows a real failure. CometBFT stops with "CONSENSUS FAILURE" when its
 * app connection drops: after the scheduler SIGKILLed the app that is the expected way down
 * (the restart follows), so those (read EOF, connection reset, broken pipe) are not failures;
 * any other consensus failure, an app hash mismatch, a corrupt database or a broken invariant is.
 */
export function logFailures(appLog: string, cometLog: string): string[] {
  const out: string[] = [];
  for (const bad of [/invariant broken/, /state database is corrupt/]) if (bad.test(appLog)) out.push(`app log has ${bad.source}`);
  for (const line of cometLog.split("\n")) {
    if (/wrong Block\.Header\.AppHash|conflicting votes/i.test(line)) out.push(`CometBFT log: ${line.slice(0, 300)}`);
    else if (/CONSENSUS FAILURE/.test(line) && !/read message: (EOF|read unix .*connection reset by peer)|broken pipe/.test(line)) out.push(`CometBFT log: ${line.slice(0, 300)}`);
  }
  return out;
}

export function formatSummary(s: ChaosSummary): string {
  const rows: Array<[string, string]> = [
    ["seed / validators / duration", `${s.seed} / ${s.nodes} / ${s.durationS} s`],
    ...PERTURBATIONS.map((p) => [`  ${p}`, String(s.perturbations[p])] as [string, string]),
    ["perturbations applied", String(s.total)],
    ["blocks (common height)", String(s.blocks)],
    ["txs sent / committed", `${s.txsSent} / ${s.txsCommitted}`],
    ...TX_KINDS.map((k) => [`  ${k}`, `${s.byKind[k].sent} / ${s.byKind[k].committed}`] as [string, string]),
    ["committed txs lost", String(s.lostCommitted)],
    ["tx-index gaps (in block, not indexed)", String(s.indexGaps)],
    ["heights compared", String(s.heightsCompared)],
    ["app hash / block mismatches", String(s.mismatches)],
    ["max stall after a perturbation", `${(s.maxStallMs / 1000).toFixed(1)} s (bound ${s.progressBoundMs / 1000} s)`],
    ["max catch-up of a perturbed node", `${(s.maxCatchUpMs / 1000).toFixed(1)} s`],
    ["nodes halted", String(s.haltedNodes)],
    ["failures", String(s.failures.length)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const table = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n");
  const line =
    `chaos summary: seed=${s.seed} nodes=${s.nodes} duration=${s.durationS}s perturbations=${s.total} blocks=${s.blocks} ` +
    `txs_committed=${s.txsCommitted} (${TX_KINDS.map((k) => `${k}:${s.byKind[k].committed}`).join(",")}) lost=${s.lostCommitted} index_gaps=${s.indexGaps} mismatches=${s.mismatches} max_stall=${(s.maxStallMs / 1000).toFixed(1)}s halted=${s.haltedNodes} failures=${s.failures.length}`;
  return `${table}\n${s.failures.map((f) => `FAIL ${f}`).join("\n")}${s.failures.length ? "\n" : ""}${line}`;
}
