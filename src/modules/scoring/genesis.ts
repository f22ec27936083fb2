import { Commitment, EpochResult, EpochStatus, ModelScore, Reveal, ValidatorAgreement } from "../../gen/blockai/scoring/v1/scoring";
import { decodeAddress, encodeAddress } from "../../types/address";
import { arr, bool, obj, str, u64 } from "../../types/genesis-json";
import type { Context } from "../../framework/module";
import { COMMITMENT_LENGTH } from "./commitment";
import { checkScores } from "./msg-server";
import { ScoringKeeper, valoper, valoperBytes } from "./keeper";
import type { StakingReader } from "./expected-keepers";
import { DEFAULT_SCORING_PARAMS, PPM, paramsFromJson, paramsToJson } from "./params";

const SECTIONS = ["params", "scorers", "commitments", "reveals", "epoch_results", "model_scores", "agreements"];

function fields(o: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Error(`${where}.${k}: unknown field`);
}

function ppm(value: unknown, where: string): number {
  const n = u64(value, where);
  if (n > BigInt(PPM)) throw new Error(`${where}: must be at most ${PPM}`);
  return Number(n);
}

function i64(value: unknown, where: string): bigint {
  const n = u64(value, where);
  if (n >= 1n << 63n) throw new Error(`${where}: out of range`);
  return n;
}

function validatorField(value: unknown, where: string): string {
  try {
    return valoper(valoperBytes(str(value, where), where));
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

function account(value: unknown, where: string): Uint8Array {
  try {
    return decodeAddress(str(value, where), where);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

const STATUS: Record<string, EpochStatus> = {
  EPOCH_STATUS_REVEALING: EpochStatus.EPOCH_STATUS_REVEALING,
  EPOCH_STATUS_CONSENSUS: EpochStatus.EPOCH_STATUS_CONSENSUS,
  EPOCH_STATUS_NO_QUORUM: EpochStatus.EPOCH_STATUS_NO_QUORUM,
};

export function defaultScoringGenesis() {
  return { params: paramsToJson(DEFAULT_SCORING_PARAMS), scorers: [] };
}

/** Validates (strictly, naming the bad field) and loads the scoring section. Staking is loaded first. */
export function initGenesis(ctx: Context, keeper: ScoringKeeper, staking: StakingReader, genesis: unknown): void {
  const g = obj(genesis ?? {}, "scoring");
  fields(g, SECTIONS, "scoring");
  keeper.setParams(ctx.store, g.params === undefined ? DEFAULT_SCORING_PARAMS : paramsFromJson(g.params));

  const used = new Set<string>();
  arr(g.scorers ?? [], "scoring.scorers").forEach((s, i) => {
    const where = `scoring.scorers[${i}]`;
    const o = obj(s, where);
    fields(o, ["validator", "scorer"], where);
    const validator = valoperBytes(validatorField(o.validator, `${where}.validator`));
    const scorer = account(o.scorer, `${where}.scorer`);
    if (!staking.getValidator(ctx.store, validator)) throw new Error(`${where}.validator: no such validator in staking`);
    for (const [key, what] of [[validator, "validator"], [scorer, "scorer"]] as const) {
      const id = `${what}:${Buffer.from(key).toString("hex")}`;
      if (used.has(id)) throw new Error(`${where}.${what}: listed twice`);
      used.add(id);
    }
    if (staking.getValidator(ctx.store, scorer) && Buffer.compare(scorer, validator) !== 0) throw new Error(`${where}.scorer: is another validator's operator`);
    if (Buffer.compare(scorer, validator) === 0) throw new Error(`${where}.scorer: is the validator's own operator (omit the entry instead)`);
    keeper.importScorer(ctx.store, validator, scorer);
  });

  const results = arr(g.epoch_results ?? [], "scoring.epoch_results").map((v, i): EpochResult => {
    const where = `scoring.epoch_results[${i}]`;
    const o = obj(v, where);
    fields(o, ["epoch", "status", "reveal_start_height", "reveal_end_height", "bonded_power", "committed_power", "revealed_power", "revealers", "models"], where);
    const status = STATUS[str(o.status, `${where}.status`)];
    if (status === undefined) throw new Error(`${where}.status: expected one of ${Object.keys(STATUS).join(", ")}`);
    return {
      epoch: u64(o.epoch, `${where}.epoch`),
      status,
      revealStartHeight: i64(o.reveal_start_height, `${where}.reveal_start_height`),
      revealEndHeight: i64(o.reveal_end_height, `${where}.reveal_end_height`),
      bondedPower: u64(o.bonded_power, `${where}.bonded_power`),
      committedPower: u64(o.committed_power, `${where}.committed_power`),
      revealedPower: u64(o.revealed_power, `${where}.revealed_power`),
      revealers: Number(i64(o.revealers ?? "0", `${where}.revealers`) & 0xffffffffn),
      models: Number(i64(o.models ?? "0", `${where}.models`) & 0xffffffffn),
    };
  });
  const byEpoch = new Map<bigint, EpochResult>();
  results.forEach((r, i) => {
    if (byEpoch.has(r.epoch)) throw new Error(`scoring.epoch_results[${i}].epoch: duplicate epoch ${r.epoch}`);
    if (r.status === EpochStatus.EPOCH_STATUS_REVEALING && r.revealEndHeight <= BigInt(ctx.block.height)) {
      throw new Error(`scoring.epoch_results[${i}].reveal_end_height: a REVEALING epoch's window must end after the genesis height`);
    }
    byEpoch.set(r.epoch, r);
  });

  const commitmentIds = new Set<string>();
  const commitments = arr(g.commitments ?? [], "scoring.commitments").map((v, i): Commitment => {
    const where = `scoring.commitments[${i}]`;
    const o = obj(v, where);
    fields(o, ["epoch", "validator", "commitment", "height", "power", "revealed"], where);
    const hex = str(o.commitment, `${where}.commitment`);
    if (!new RegExp(`^[0-9a-f]{${COMMITMENT_LENGTH * 2}}$`).test(hex)) throw new Error(`${where}.commitment: expected ${COMMITMENT_LENGTH * 2} lowercase hexadecimal digits`);
    const c: Commitment = {
      epoch: u64(o.epoch, `${where}.epoch`),
      validator: validatorField(o.validator, `${where}.validator`),
      commitment: Buffer.from(hex, "hex"),
      height: i64(o.height, `${where}.height`),
      power: u64(o.power ?? "0", `${where}.power`),
      revealed: o.revealed === undefined ? false : bool(o.revealed, `${where}.revealed`),
    };
    const id = `${c.epoch}/${c.validator}`;
    if (commitmentIds.has(id)) throw new Error(`${where}: second commitment of ${c.validator} for epoch ${c.epoch}`);
    commitmentIds.add(id);
    return c;
  });
  const commitmentOf = new Map(commitments.map((c) => [`${c.epoch}/${c.validator}`, c]));

  const reveals = arr(g.reveals ?? [], "scoring.reveals").map((v, i): Reveal => {
    const where = `scoring.reveals[${i}]`;
    const o = obj(v, where);
    fields(o, ["epoch", "validator", "scores"], where);
    const r: Reveal = {
      epoch: u64(o.epoch, `${where}.epoch`),
      validator: validatorField(o.validator, `${where}.validator`),
      scores: arr(o.scores ?? [], `${where}.scores`).map((s, j) => {
        const so = obj(s, `${where}.scores[${j}]`);
        fields(so, ["model_id", "score_ppm"], `${where}.scores[${j}]`);
        return { modelId: u64(so.model_id, `${where}.scores[${j}].model_id`), scorePpm: ppm(so.score_ppm, `${where}.scores[${j}].score_ppm`) };
      }),
    };
    try {
      checkScores(r.scores);
    } catch (e) {
      throw new Error(`${where}.scores: ${(e as Error).message}`);
    }
    if (!commitmentOf.get(`${r.epoch}/${r.validator}`)?.revealed) throw new Error(`${where}: no revealed commitment of ${r.validator} for epoch ${r.epoch}`);
    if (byEpoch.get(r.epoch)?.status !== EpochStatus.EPOCH_STATUS_REVEALING) throw new Error(`${where}.epoch: epoch ${r.epoch} is not REVEALING in scoring.epoch_results`);
    return r;
  });

  const scores = arr(g.model_scores ?? [], "scoring.model_scores").map((v, i): ModelScore => {
    const where = `scoring.model_scores[${i}]`;
    const o = obj(v, where);
    fields(o, ["epoch", "model_id", "score_ppm"], where);
    const s = { epoch: u64(o.epoch, `${where}.epoch`), modelId: u64(o.model_id, `${where}.model_id`), scorePpm: ppm(o.score_ppm, `${where}.score_ppm`) };
    if (byEpoch.get(s.epoch)?.status !== EpochStatus.EPOCH_STATUS_CONSENSUS) throw new Error(`${where}.epoch: epoch ${s.epoch} has no CONSENSUS in scoring.epoch_results`);
    return s;
  });

  const agreements = arr(g.agreements ?? [], "scoring.agreements").map((v, i): ValidatorAgreement => {
    const where = `scoring.agreements[${i}]`;
    const o = obj(v, where);
    fields(o, ["epoch", "validator", "agreement_ppm", "revealed", "power"], where);
    const a = {
      epoch: u64(o.epoch, `${where}.epoch`),
      validator: validatorField(o.validator, `${where}.validator`),
      agreementPpm: ppm(o.agreement_ppm, `${where}.agreement_ppm`),
      revealed: o.revealed === undefined ? false : bool(o.revealed, `${where}.revealed`),
      power: u64(o.power ?? "0", `${where}.power`),
    };
    if (byEpoch.get(a.epoch)?.status !== EpochStatus.EPOCH_STATUS_CONSENSUS) throw new Error(`${where}.epoch: epoch ${a.epoch} has no CONSENSUS in scoring.epoch_results`);
    return a;
  });
  keeper.importRecords(ctx.store, { commitments, reveals, results, scores, agreements });
}

export function exportGenesis(ctx: Context, keeper: ScoringKeeper) {
  const root = ctx.store;
  return {
    params: paramsToJson(keeper.getParams(root)),
    scorers: keeper.allScorers(root).map((s) => ({ validator: valoper(s.validator), scorer: encodeAddress(s.scorer) })),
    commitments: keeper.allCommitments(root).map((c) => ({
      epoch: c.epoch.toString(),
      validator: c.validator,
      commitment: Buffer.from(c.commitment).toString("hex"),
      height: c.height.toString(),
      power: c.power.toString(),
      revealed: c.revealed,
    })),
    reveals: keeper.allReveals(root).map((r) => ({
      epoch: r.epoch.toString(),
      validator: r.validator,
      scores: r.scores.map((s) => ({ model_id: s.modelId.toString(), score_ppm: s.scorePpm.toString() })),
    })),
    epoch_results: keeper.allEpochResults(root).map((e) => ({
      epoch: e.epoch.toString(),
      status: EpochStatus[e.status],
      reveal_start_height: e.revealStartHeight.toString(),
      reveal_end_height: e.revealEndHeight.toString(),
      bonded_power: e.bondedPower.toString(),
      committed_power: e.committedPower.toString(),
      revealed_power: e.revealedPower.toString(),
      revealers: e.revealers.toString(),
      models: e.models.toString(),
    })),
    model_scores: keeper.allModelScores(root).map((s) => ({ epoch: s.epoch.toString(), model_id: s.modelId.toString(), score_ppm: s.scorePpm.toString() })),
    agreements: keeper.allAgreements(root).map((a) => ({
      epoch: a.epoch.toString(),
      validator: a.validator,
      agreement_ppm: a.agreementPpm.toString(),
      revealed: a.revealed,
      power: a.power.toString(),
    })),
  };
}
