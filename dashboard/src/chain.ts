/**
 * What the dashboard reads, through public interfaces only: CometBFT's RPC (status, blocks, block
 * results, tx search) and ABCI queries with the client SDK's query tables. Every view's data is a
 * plain object; the epoch and height it was read at go with it, so a number on the page can be
 * checked against the same query.
 */
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { fromBech32, toBech32, toHex } from "@cosmjs/encoding";
import { sha256 } from "@noble/hashes/sha2.js";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  BankQuery,
  BlockaiClient,
  BlockaiQueryError,
  EpochsQuery,
  MeteringQuery,
  MintQuery,
  PowQuery,
  RegistryQuery,
  RewardsQuery,
  ScoringQuery,
  SlashingQuery,
  StakingQuery,
  DistributionQuery,
  createBlockaiRegistry,
  type DeepPartial,
  type Model,
  type QueryMethod,
  type RequestOf,
  type ResponseOf,
} from "../../src/client";
import { decAtomics } from "./format";

export const DENOM = "usoa";
/** Tokens per unit of voting power (the Cosmos SDK's DefaultPowerReduction). */
const POWER_REDUCTION = 1_000_000n;
/** Epochs of history on the model page and the miners' charts. */
export const HISTORY_EPOCHS = 12;
/** Consensus status "set" (blockai.scoring.v1.EpochStatus.EPOCH_STATUS_CONSENSUS). */
const EPOCH_STATUS_CONSENSUS = 2;

/** A part of a view that could not be read, and why (shown on the page instead of the data). */
export interface Missing {
  what: string;
  why: string;
}

function reason(e: unknown): string {
  if (e instanceof BlockaiQueryError) {
    // The app answers a path no module serves with sdk/6 "unknown query path": the module has
    // not landed on this chain (the view shows it once it has).
    if (e.codespace === "sdk" && e.code === 6) return `this chain does not serve ${e.path} yet (its module has not landed)`;
    return `${e.codespace}/${e.code}: ${e.log}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export class Chain {
  private readonly registry = createBlockaiRegistry();
  readonly missing: Missing[] = [];

  private constructor(
    readonly url: string,
    readonly comet: Comet38Client,
    readonly client: BlockaiClient,
  ) {}

  static async connect(url: string): Promise<Chain> {
    const comet = await Comet38Client.connect(url);
    return new Chain(url, comet, BlockaiClient.fromComet(comet));
  }

  disconnect(): void {
    this.comet.disconnect();
  }

  /**
   * The height every ABCI query of the current view reads (set from the status the view starts
   * with), so all its numbers are of one state and can be checked against the same queries.
   */
  at: number | undefined;

  q<M extends QueryMethod>(method: M, request: DeepPartial<RequestOf<M>> = {} as DeepPartial<RequestOf<M>>): Promise<ResponseOf<M>> {
    return this.client.query(method, request, { height: this.at });
  }

  /** Runs a read; on failure notes what is missing and returns undefined. */
  async optional<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (e) {
      const why = reason(e);
      if (!this.missing.some((m) => m.what === what && m.why === why)) this.missing.push({ what, why });
      return undefined;
    }
  }

  // ---- shared -----------------------------------------------------------------------------------

  /** The node's latest block; pins the view's queries to its height. */
  async status(): Promise<{ chainId: string; height: number; time: { getTime(): number; toISOString(): string } }> {
    const s = await this.comet.status();
    this.at = s.syncInfo.latestBlockHeight;
    return { chainId: s.nodeInfo.network, height: s.syncInfo.latestBlockHeight, time: s.syncInfo.latestBlockTime };
  }

  /** Mean block interval over the last `count` blocks, in ms (from the headers' times). */
  async blockTime(height: number, count = 20): Promise<number | undefined> {
    const min = Math.max(1, height - count);
    if (height - min < 1) return undefined;
    const r = await this.comet.blockchain(min, height);
    const times = r.blockMetas.map((m) => m.header.time.getTime()).sort((a, b) => a - b);
    return (times[times.length - 1] - times[0]) / (times.length - 1);
  }

  async epoch(): Promise<{ number: bigint; startHeight: bigint; endHeight: bigint; length: bigint }> {
    const e = (await this.q(EpochsQuery.CurrentEpoch)).epoch!;
    return { number: e.number, startHeight: e.startHeight, endHeight: e.endHeight, length: e.endHeight - e.startHeight + 1n };
  }

  /** The latest epoch before `current` whose score consensus is set (looking back a few epochs). */
  async lastScoredEpoch(current: bigint): Promise<bigint | undefined> {
    for (let e = current - 1n; e >= 0n && e >= current - 6n; e--) {
      // An epoch whose reveal window is still open has no result yet (NotFound); anything else
      // (no scoring module on this chain) is for the caller to report.
      const r = await this.q(ScoringQuery.EpochScores, { epoch: e, pagination: { limit: 1n } }).catch((err) => {
        if (err instanceof BlockaiQueryError && err.codespace === "sdk" && err.code === 6) throw err;
        return undefined;
      });
      if (r?.result?.status === EPOCH_STATUS_CONSENSUS) return e;
    }
    return undefined;
  }

  // ---- overview ---------------------------------------------------------------------------------

  async overview() {
    const status = await this.status();
    const [blockTimeMs, epoch, cometValidators] = await Promise.all([this.blockTime(status.height), this.epoch(), this.comet.validatorsAll(status.height)]);
    const supply = await this.optional("supply", async () => BigInt((await this.q(BankQuery.SupplyOf, { denom: DENOM })).amount?.amount ?? "0"));
    const pool = await this.optional("staking pool", async () => (await this.q(StakingQuery.Pool)).pool!);
    const reward = await this.optional("emission (mint module)", async () => await this.q(MintQuery.BlockReward, { height: BigInt(status.height + 1) }));
    const minted = await this.optional("minted so far (mint module)", async () => await this.q(MintQuery.Minted));
    const perBlock = reward ? BigInt(reward.scheduled) : undefined;
    const blocksLeft = Number(epoch.endHeight) - status.height;
    return {
      ...status,
      blockTimeMs,
      validators: cometValidators.validators.length,
      totalPower: cometValidators.validators.reduce((a, v) => a + BigInt(v.votingPower), 0n),
      supply,
      bonded: pool ? BigInt(pool.bondedTokens) : undefined,
      emissionPerBlock: perBlock,
      emissionPerEpoch: perBlock === undefined ? undefined : perBlock * epoch.length,
      halvings: reward?.halvings,
      minted: minted ? BigInt(minted.minted) : undefined,
      maxEmission: minted ? BigInt(minted.maxEmission) : undefined,
      epoch,
      blocksLeft,
      timeLeftMs: blockTimeMs === undefined ? undefined : Math.max(0, blocksLeft) * blockTimeMs,
    };
  }

  // ---- models -----------------------------------------------------------------------------------

  async allModels(): Promise<Model[]> {
    const models: Model[] = [];
    let key: Uint8Array | undefined;
    for (;;) {
      const r = await this.q(RegistryQuery.Models, { pagination: { key, limit: 200n } });
      models.push(...r.models);
      key = r.pagination?.nextKey;
      if (!key || key.length === 0) return models;
    }
  }

  /** A model's rewards of one epoch (usage + performance), 0 when it earned nothing. */
  async modelReward(modelId: bigint, epoch: bigint): Promise<bigint> {
    try {
      const r = (await this.q(RewardsQuery.ModelRewards, { modelId, epoch })).reward;
      return r ? BigInt(r.usageReward) + BigInt(r.performanceReward) : 0n;
    } catch (e) {
      if (e instanceof BlockaiQueryError && /not found|no reward/i.test(e.log)) return 0n;
      throw e;
    }
  }

  async models() {
    await this.status();
    const epoch = await this.epoch();
    const models = await this.allModels();
    const scoredEpoch = await this.optional("consensus scores (scoring module)", () => this.lastScoredEpoch(epoch.number));
    const rewardsEpoch = epoch.number > 0n ? epoch.number - 1n : undefined;
    const rows = await Promise.all(
      models.map(async (m) => {
        const usage = (await this.q(MeteringQuery.ModelUsage, { modelId: m.id, epoch: epoch.number })).usage;
        const score = scoredEpoch === undefined ? undefined : (await this.q(ScoringQuery.ModelScore, { modelId: m.id, epoch: scoredEpoch })).score?.scorePpm;
        const rewards = rewardsEpoch === undefined ? undefined : await this.optional("rewards (rewards module)", () => this.modelReward(m.id, rewardsEpoch));
        return {
          id: m.id,
          name: m.name,
          version: m.version,
          task: m.task,
          owner: m.owner,
          status: m.status,
          score,
          units: usage?.units ?? 0n,
          paid: BigInt(usage?.amountPaid?.amount ?? "0"),
          rewards,
        };
      }),
    );
    if (scoredEpoch === undefined && !this.missing.some((x) => x.what.startsWith("consensus scores"))) this.missing.push({ what: "consensus scores", why: "no epoch has a score consensus yet (validators commit scores in one epoch and reveal them in the next)" });
    return { epoch: epoch.number, scoredEpoch, rewardsEpoch, rows };
  }

  async model(modelId: bigint) {
    await this.status();
    const epoch = await this.epoch();
    const model = await this.q(RegistryQuery.Model, { modelId }).then((r) => r.model, () => undefined);
    if (!model) return undefined;
    const escrows = await this.optional("escrows", async () => (await this.q(MeteringQuery.EscrowsByModel, { modelId, pagination: { countTotal: true, limit: 1n } })).pagination?.total ?? 0n);
    const first = epoch.number >= BigInt(HISTORY_EPOCHS - 1) ? epoch.number - BigInt(HISTORY_EPOCHS - 1) : 0n;
    const history: Array<{ epoch: bigint; units: bigint; paid: bigint; scorePpm?: number; rewards?: bigint }> = [];
    for (let e = first; e <= epoch.number; e++) {
      const usage = (await this.q(MeteringQuery.ModelUsage, { modelId, epoch: e })).usage;
      const scores = await this.q(ScoringQuery.EpochScores, { epoch: e, pagination: { limit: 1n } }).catch(() => undefined);
      const scorePpm = scores?.result?.status === EPOCH_STATUS_CONSENSUS ? (await this.q(ScoringQuery.ModelScore, { modelId, epoch: e })).score?.scorePpm : undefined;
      const rewards = e < epoch.number ? await this.modelReward(modelId, e).catch(() => undefined) : undefined;
      history.push({ epoch: e, units: usage?.units ?? 0n, paid: BigInt(usage?.amountPaid?.amount ?? "0"), scorePpm, rewards });
    }
    const evaluations = (await this.optional("evaluations (score reveals)", () => this.reveals())) ?? [];
    const validators = await this.validatorNames();
    return {
      epoch: epoch.number,
      model,
      escrows,
      history,
      evaluations: evaluations
        .flatMap((r) => r.scores.filter((s) => s.modelId === modelId).map((s) => ({ epoch: r.epoch, height: r.height, scorer: r.scorer, validator: validators.get(r.scorer) ?? r.scorer, scorePpm: s.scorePpm })))
        .sort((a, b) => (a.epoch === b.epoch ? a.validator.localeCompare(b.validator) : Number(b.epoch - a.epoch))),
    };
  }

  /** Recent score reveals (MsgRevealScores in committed txs), newest first. */
  async reveals(perPage = 100) {
    const r = await this.comet.txSearch({ query: "message.action='/blockai.scoring.v1.MsgRevealScores'", order_by: "desc", per_page: perPage });
    const out: Array<{ height: number; scorer: string; epoch: bigint; scores: Array<{ modelId: bigint; scorePpm: number }> }> = [];
    for (const t of r.txs) {
      if (t.result.code !== 0) continue;
      for (const any of Tx.decode(t.tx).body?.messages ?? []) {
        if (any.typeUrl !== "/blockai.scoring.v1.MsgRevealScores") continue;
        const m = this.registry.decode(any) as { scorer: string; epoch: bigint; scores: Array<{ modelId: bigint; scorePpm: number }> };
        out.push({ height: t.height, scorer: m.scorer, epoch: m.epoch, scores: m.scores });
      }
    }
    return out;
  }

  /**
   * Scorer account -> validator moniker: the operator's own account (its soavaloper address with
   * the account prefix) and any scorer it set.
   */
  async validatorNames(): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const { validators } = await this.q(StakingQuery.Validators, { status: "", pagination: { limit: 500n } });
    await Promise.all(
      validators.map(async (v) => {
        const moniker = v.description?.moniker || v.operatorAddress;
        names.set(accountOf(v.operatorAddress), moniker);
        names.set(v.operatorAddress, moniker);
        const scorer = await this.q(ScoringQuery.Scorer, { validator: v.operatorAddress }).catch(() => undefined);
        if (scorer?.scorer) names.set(scorer.scorer, moniker);
      }),
    );
    return names;
  }

  // ---- miners -----------------------------------------------------------------------------------

  /** Each epoch's first and last block time (ms), from the headers; undefined when pruned. */
  private async blockTimeAt(height: bigint): Promise<number | undefined> {
    if (height < 1n) return undefined;
    const r = await this.comet.blockchain(Number(height), Number(height)).catch(() => undefined);
    return r?.blockMetas[0]?.header.time.getTime();
  }

  async miners() {
    const status = await this.status();
    const epoch = await this.epoch();
    const target = await this.q(PowQuery.Target);
    const first = epoch.number >= BigInt(HISTORY_EPOCHS - 1) ? epoch.number - BigInt(HISTORY_EPOCHS - 1) : 0n;
    const history: Array<{ epoch: bigint; certificates: bigint; work: bigint; target?: string }> = [];
    for (let e = first; e <= epoch.number; e++) {
      const w = (await this.q(PowQuery.EpochWork, { epoch: e })).total;
      history.push({ epoch: e, certificates: w?.certificates ?? 0n, work: BigInt(w?.work || "0") });
    }
    // The target in force during each past epoch: the old target of the retarget event at its
    // last block (block results); the current one for this epoch.
    for (const h of history) {
      if (h.epoch === epoch.number) {
        h.target = target.target;
        continue;
      }
      const end = epoch.startHeight - (epoch.number - h.epoch) * epoch.length + epoch.length - 1n;
      const results = await this.comet.blockResults(Number(end)).catch(() => undefined);
      const ev = results?.finalizeBlockEvents.find((x) => x.type === "pow_retarget");
      h.target = ev?.attributes.find((a) => a.key === "old_target")?.value;
    }
    // Hashrate: the certified work of the epochs shown over the time they took (from the first
    // block of the first to the latest block).
    const firstStart = epoch.startHeight - (epoch.number - first) * epoch.length;
    const totalWork = history.reduce((a, h) => a + h.work, 0n);
    const [t0, t1] = await Promise.all([this.blockTimeAt(firstStart > 1n ? firstStart - 1n : 1n), this.blockTimeAt(BigInt(status.height))]);
    const seconds = t0 !== undefined && t1 !== undefined && t1 > t0 ? (t1 - t0) / 1000 : undefined;
    const hashrate = seconds === undefined ? undefined : Number(totalWork) / seconds;
    const top = await this.optional("miners (certificate txs)", () => this.topMiners(history.map((h) => h.epoch)));
    return { height: status.height, epoch: epoch.number, target, history, firstEpoch: first, hashrate, top: top ?? [] };
  }

  /** Miners seen in recent certificate txs, with their certified work in `epochs` (this one last). */
  async topMiners(epochs: bigint[]) {
    const r = await this.comet.txSearch({ query: "message.action='/blockai.pow.v1.MsgSubmitWork'", order_by: "desc", per_page: 100 });
    const miners = new Set<string>();
    for (const t of r.txs) {
      for (const any of Tx.decode(t.tx).body?.messages ?? []) {
        if (any.typeUrl === "/blockai.pow.v1.MsgSubmitWork") miners.add((this.registry.decode(any) as { miner: string }).miner);
      }
    }
    const current = epochs[epochs.length - 1];
    const rows = await Promise.all(
      [...miners].map(async (miner) => {
        let certificates = 0n;
        let work = 0n;
        let now = 0n;
        for (const epoch of epochs) {
          const t = (await this.q(PowQuery.MinerWork, { miner, epoch })).total;
          certificates += t?.certificates ?? 0n;
          work += BigInt(t?.work || "0");
          if (epoch === current) now = t?.certificates ?? 0n;
        }
        return { miner, certificates, work, current: now };
      }),
    );
    return rows.sort((a, b) => (b.work > a.work ? 1 : b.work < a.work ? -1 : a.miner.localeCompare(b.miner)));
  }

  // ---- validators -------------------------------------------------------------------------------

  async validators() {
    const status = await this.status();
    const epoch = await this.epoch();
    const { validators } = await this.q(StakingQuery.Validators, { status: "", pagination: { limit: 500n } });
    const window = await this.optional("signing window (slashing module)", async () => (await this.q(SlashingQuery.Params)).params!.signedBlocksWindow);
    const infos = (await this.optional("signing infos (slashing module)", async () => (await this.q(SlashingQuery.SigningInfos, { pagination: { limit: 500n } })).info)) ?? [];
    const scoredEpoch = await this.optional("agreement scores (scoring module)", () => this.lastScoredEpoch(epoch.number));
    const consPrefix = "soavalcons";
    const rows = await Promise.all(
      validators.map(async (v) => {
        const consAddress = consensusAddress(v.consensusPubkey?.typeUrl, v.consensusPubkey?.value, consPrefix);
        const info = infos.find((i) => i.address === consAddress);
        const agreement = scoredEpoch === undefined ? undefined : (await this.q(ScoringQuery.ValidatorAgreement, { validator: v.operatorAddress, epoch: scoredEpoch }).catch(() => undefined))?.agreement;
        const outstanding = await this.q(DistributionQuery.ValidatorOutstandingRewards, { validatorAddress: v.operatorAddress }).catch(() => undefined);
        const commission = await this.q(DistributionQuery.ValidatorCommission, { validatorAddress: v.operatorAddress }).catch(() => undefined);
        const usoaOf = (coins: ReadonlyArray<{ denom: string; amount: string }> | undefined) => decAtomics(coins?.find((c) => c.denom === DENOM)?.amount ?? "0") / 10n ** 18n;
        return {
          moniker: v.description?.moniker ?? "",
          operator: v.operatorAddress,
          status: v.status,
          jailed: v.jailed,
          tokens: BigInt(v.tokens),
          power: BigInt(v.tokens) / POWER_REDUCTION,
          commissionRate: decAtomics(v.commission?.commissionRates?.rate ?? "0"),
          missed: info ? info.missedBlocksCounter : undefined,
          agreementPpm: agreement?.revealed ? agreement.agreementPpm : undefined,
          outstanding: usoaOf(outstanding?.rewards?.rewards),
          commission: usoaOf(commission?.commission?.commission),
        };
      }),
    );
    rows.sort((a, b) => (b.tokens > a.tokens ? 1 : b.tokens < a.tokens ? -1 : a.operator.localeCompare(b.operator)));
    return { height: status.height, epoch: epoch.number, scoredEpoch, window, rows };
  }

  // ---- transactions -----------------------------------------------------------------------------

  async recentTxs(count = 30) {
    const r = await this.comet.txSearch({ query: "tx.height>0", order_by: "desc", per_page: count });
    return r.txs.map((t) => {
      const tx = Tx.decode(t.tx);
      const msgs = (tx.body?.messages ?? []).map((m) => m.typeUrl);
      const senders = (tx.body?.messages ?? []).map((m) => {
        try {
          const v = this.registry.decode(m) as Record<string, unknown>;
          for (const k of ["sender", "fromAddress", "owner", "consumer", "provider", "miner", "scorer", "delegatorAddress", "claimant", "validatorAddress", "proposer", "voter", "depositor", "authority"]) {
            if (typeof v[k] === "string" && v[k]) return v[k] as string;
          }
        } catch {
          /* a message this registry does not know: shown by type only */
        }
        return "";
      });
      return { hash: toHex(t.hash).toUpperCase(), height: t.height, code: t.result.code, gasUsed: t.result.gasUsed, msgs, sender: senders.find((s) => s) ?? "" };
    });
  }

  async tx(hash: string) {
    const r = await this.comet.tx({ hash: hexToBytes(hash) });
    const tx = Tx.decode(r.tx);
    const messages = (tx.body?.messages ?? []).map((m) => {
      try {
        return { typeUrl: m.typeUrl, value: this.registry.decode(m) as unknown };
      } catch {
        return { typeUrl: m.typeUrl, value: toHex(m.value) as unknown };
      }
    });
    return {
      hash: toHex(r.hash).toUpperCase(),
      height: r.height,
      code: r.result.code,
      codespace: r.result.codespace ?? "",
      log: r.result.log ?? "",
      gasUsed: r.result.gasUsed,
      gasWanted: r.result.gasWanted,
      memo: tx.body?.memo ?? "",
      fee: tx.authInfo?.fee?.amount ?? [],
      messages,
      events: r.result.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })) })),
    };
  }
}

function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) throw new Error(`not a tx hash: ${hex}`);
  return Uint8Array.from(clean.match(/../g)!, (b) => parseInt(b, 16));
}

/** soavaloper1... -> soa1... (same bytes, the account prefix). */
export function accountOf(valoper: string): string {
  const sep = valoper.lastIndexOf("1");
  const hrp = valoper.slice(0, sep);
  if (!hrp.endsWith("valoper")) return valoper;
  return toBech32(hrp.slice(0, -"valoper".length), fromBech32(valoper).data);
}

/** A consensus key's address (SHA-256 of the ed25519 key, first 20 bytes), bech32 soavalcons. */
function consensusAddress(typeUrl: string | undefined, value: Uint8Array | undefined, prefix: string): string | undefined {
  if (typeUrl !== "/cosmos.crypto.ed25519.PubKey" || !value) return undefined;
  const key = Ed25519PubKey.decode(value).key;
  return toBech32(prefix, sha256(key).slice(0, 20));
}
