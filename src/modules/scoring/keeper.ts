import {
  Commitment,
  EpochResult,
  EpochStatus,
  ModelScore,
  Params,
  Reveal,
  ScoreEntry,
  ValidatorAgreement,
} from "../../gen/blockai/scoring/v1/scoring";
import { VALIDATOR_OPERATOR_PREFIX, decodeAddress, encodeAddress } from "../../types/address";
import { equalBytes } from "../../types/bytes";
import type { Context } from "../../framework/module";
import { KVStore, PrefixStore, prefixEnd } from "../../store/kv";
import { computeCommitment, Score } from "./commitment";
import { computeConsensus, RevealInput } from "./consensus";
import { ScoringErrors } from "./errors";
import { pruneScoringEpochs } from "./prune";
import type { ClaimWindow } from "./expected-keepers";
import { ScoringAttributes as A, ScoringEvents } from "./events";
import type { EpochClock, ModelDirectory, StakingReader } from "./expected-keepers";
import * as K from "./keys";
import { DEFAULT_SCORING_PARAMS, PPM } from "./params";

export { Commitment, EpochResult, EpochStatus, ModelScore, Reveal, ValidatorAgreement };

export const valoper = (operator: Uint8Array) => encodeAddress(operator, VALIDATOR_OPERATOR_PREFIX);
export const valoperBytes = (address: string, what = "validator address") => decodeAddress(address, what, VALIDATOR_OPERATOR_PREFIX);

const rangeOf = (prefix: Uint8Array): [Uint8Array, Uint8Array | undefined] => [prefix, prefixEnd(prefix)];

/**
 * Validators' scores of the models: scorer keys, commitments, reveals, and per epoch the
 * consensus scores and each validator's agreement with them (docs/scoring.md).
 */
export class ScoringKeeper {
  private claimWindow: ClaimWindow | undefined;

  /**
   * The rewards module's oldest open claim epoch: scoring records of epochs two below it are
   * pruned (rewards read epoch e's scores when e+1 ends). Unset, they are kept.
   */
  setClaimWindow(w: ClaimWindow): void {
    this.claimWindow = w;
  }

  constructor(
    private readonly staking: StakingReader,
    private readonly models: ModelDirectory,
    private readonly epochs: EpochClock,
  ) {}

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, K.SCORING_STORE_PREFIX);
  }

  // ---- params -----------------------------------------------------------------------------------

  getParams(root: KVStore): Params {
    const raw = this.store(root).get(K.PARAMS_KEY);
    return raw ? Params.decode(raw) : DEFAULT_SCORING_PARAMS;
  }

  setParams(root: KVStore, params: Params): void {
    this.store(root).set(K.PARAMS_KEY, Params.encode(params).finish());
  }

  // ---- scorers ----------------------------------------------------------------------------------

  getScorer(root: KVStore, operator: Uint8Array): Uint8Array | undefined {
    return this.store(root).get(K.scorerKey(operator));
  }

  validatorOfScorer(root: KVStore, scorer: Uint8Array): Uint8Array | undefined {
    return this.store(root).get(K.scorerIndexKey(scorer));
  }

  /** Sets (or, with undefined or the operator itself, removes) a validator's scorer key. */
  setScorer(ctx: Context, operator: Uint8Array, scorer: Uint8Array | undefined): void {
    const store = this.store(ctx.store);
    if (!this.staking.getValidator(ctx.store, operator)) throw ScoringErrors.ValidatorNotFound.wrap(valoper(operator));
    const self = scorer === undefined || equalBytes(scorer, operator);
    if (!self) {
      const owner = this.validatorOfScorer(ctx.store, scorer);
      if (owner && !equalBytes(owner, operator)) throw ScoringErrors.ScorerInUse.wrap(`${encodeAddress(scorer)} signs for ${valoper(owner)}`);
      // The operator of another validator signs for that validator when it has no scorer; one key
      // must never stand for two validators.
      if (this.staking.getValidator(ctx.store, scorer)) throw ScoringErrors.ScorerInUse.wrap(`${encodeAddress(scorer)} is the operator of ${valoper(scorer)}`);
    }
    const previous = this.getScorer(ctx.store, operator);
    if (previous) store.delete(K.scorerIndexKey(previous));
    if (self) store.delete(K.scorerKey(operator));
    else {
      store.set(K.scorerKey(operator), scorer);
      store.set(K.scorerIndexKey(scorer), operator);
    }
    ctx.events.emit(ScoringEvents.SetScorer, { [A.Validator]: valoper(operator), [A.Scorer]: encodeAddress(self ? operator : scorer) });
  }

  /** The validator a score tx's signer acts for: its scorer key, or its operator when it has none. */
  resolveValidator(root: KVStore, signer: Uint8Array): Uint8Array {
    const byScorer = this.validatorOfScorer(root, signer);
    if (byScorer) return byScorer;
    if (this.staking.getValidator(root, signer) && !this.getScorer(root, signer)) return signer;
    throw ScoringErrors.UnauthorizedScorer.wrap(`${encodeAddress(signer)} is neither a scorer key nor the operator of a validator without one`);
  }

  // ---- records ----------------------------------------------------------------------------------

  getCommitment(root: KVStore, epoch: bigint, operator: Uint8Array): Commitment | undefined {
    const raw = this.store(root).get(K.commitmentKey(epoch, operator));
    return raw ? Commitment.decode(raw) : undefined;
  }

  private setCommitment(root: KVStore, operator: Uint8Array, c: Commitment): void {
    this.store(root).set(K.commitmentKey(c.epoch, operator), Commitment.encode(c).finish());
  }

  getEpochResult(root: KVStore, epoch: bigint): EpochResult | undefined {
    const raw = this.store(root).get(K.epochResultKey(epoch));
    return raw ? EpochResult.decode(raw) : undefined;
  }

  private setEpochResult(root: KVStore, r: EpochResult): void {
    this.store(root).set(K.epochResultKey(r.epoch), EpochResult.encode(r).finish());
  }

  getReveal(root: KVStore, epoch: bigint, operator: Uint8Array): Reveal | undefined {
    const raw = this.store(root).get(K.revealKey(epoch, operator));
    return raw ? Reveal.decode(raw) : undefined;
  }

  /**
   * A model's consensus score in an epoch: undefined when the epoch has no consensus (not
   * computed yet, or too little stake revealed); 0 for a model nobody scored.
   */
  consensusScore(root: KVStore, epoch: bigint, modelId: bigint): number | undefined {
    const result = this.getEpochResult(root, epoch);
    if (result?.status !== EpochStatus.EPOCH_STATUS_CONSENSUS) return undefined;
    const raw = this.store(root).get(K.modelScoreKey(epoch, modelId));
    return raw ? ModelScore.decode(raw).scorePpm : 0;
  }

  getAgreement(root: KVStore, epoch: bigint, operator: Uint8Array): ValidatorAgreement | undefined {
    const raw = this.store(root).get(K.agreementKey(epoch, operator));
    return raw ? ValidatorAgreement.decode(raw) : undefined;
  }

  /** The epoch's consensus scores in model id order (models somebody scored). */
  epochScores(root: KVStore, epoch: bigint): ModelScore[] {
    return this.store(root)
      .range(...rangeOf(K.modelScoresPrefix(epoch)))
      .map(([, v]) => ModelScore.decode(v));
  }

  /** The epoch's agreements in validator key order. */
  epochAgreements(root: KVStore, epoch: bigint): ValidatorAgreement[] {
    return this.store(root)
      .range(...rangeOf(K.agreementsPrefix(epoch)))
      .map(([, v]) => ValidatorAgreement.decode(v));
  }

  // ---- messages (after validateBasic) -----------------------------------------------------------

  commit(ctx: Context, signer: Uint8Array, epoch: bigint, commitment: Uint8Array): Uint8Array {
    const operator = this.resolveValidator(ctx.store, signer);
    const current = this.epochs.current(ctx.store).number;
    if (epoch !== current) throw ScoringErrors.WrongEpoch.wrap(`epoch ${epoch}, current epoch ${current}`);
    const power = this.staking.getLastValidatorPower(ctx.store, operator);
    if (power === undefined || power === 0n) throw ScoringErrors.NotBonded.wrap(valoper(operator));
    this.setCommitment(ctx.store, operator, {
      epoch,
      validator: valoper(operator),
      commitment,
      height: BigInt(ctx.block.height),
      power: 0n,
      revealed: false,
    });
    ctx.events.emit(ScoringEvents.Commit, {
      [A.Validator]: valoper(operator),
      [A.Scorer]: encodeAddress(signer),
      [A.Epoch]: epoch.toString(),
      [A.Commitment]: Buffer.from(commitment).toString("hex"),
    });
    return operator;
  }

  reveal(ctx: Context, signer: Uint8Array, epoch: bigint, salt: Uint8Array, scores: readonly ScoreEntry[]): Uint8Array {
    const operator = this.resolveValidator(ctx.store, signer);
    const params = this.getParams(ctx.store);
    if (scores.length > params.maxScoresPerReveal) throw ScoringErrors.TooManyScores.wrap(`${scores.length} > ${params.maxScoresPerReveal}`);
    const result = this.getEpochResult(ctx.store, epoch);
    const height = BigInt(ctx.block.height);
    if (!result) {
      const current = this.epochs.current(ctx.store).number;
      if (epoch >= current) throw ScoringErrors.RevealTooEarly.wrap(`epoch ${epoch} ends with epoch ${current} or later`);
      throw ScoringErrors.RevealWindowClosed.wrap(`epoch ${epoch} has no open reveal window`);
    }
    if (result.status !== EpochStatus.EPOCH_STATUS_REVEALING || height > result.revealEndHeight) {
      throw ScoringErrors.RevealWindowClosed.wrap(`epoch ${epoch}: window was heights ${result.revealStartHeight}..${result.revealEndHeight}`);
    }
    const c = this.getCommitment(ctx.store, epoch, operator);
    if (!c) throw ScoringErrors.NoCommitment.wrap(`${valoper(operator)}, epoch ${epoch}`);
    if (c.power === 0n) throw ScoringErrors.NotBonded.wrap(`${valoper(operator)} was not bonded at the end of epoch ${epoch}`);
    if (c.revealed) throw ScoringErrors.AlreadyRevealed.wrap(`${valoper(operator)}, epoch ${epoch}`);
    const expected = computeCommitment(ctx.block.chainId, epoch, operator, salt, scores);
    if (!equalBytes(expected, c.commitment)) throw ScoringErrors.CommitmentMismatch.wrap(`${valoper(operator)}, epoch ${epoch}`);
    for (const s of scores) {
      const status = this.models.modelStatus(ctx.store, s.modelId);
      if (status === "unknown") throw ScoringErrors.UnknownModel.wrap(`model ${s.modelId}`);
      if (status === "inactive") throw ScoringErrors.ModelNotActive.wrap(`model ${s.modelId}`);
    }
    this.setCommitment(ctx.store, operator, { ...c, revealed: true });
    this.store(ctx.store).set(K.revealKey(epoch, operator), Reveal.encode({ epoch, validator: c.validator, scores: [...scores] }).finish());
    ctx.events.emit(ScoringEvents.Reveal, {
      [A.Validator]: c.validator,
      [A.Scorer]: encodeAddress(signer),
      [A.Epoch]: epoch.toString(),
      [A.Scores]: scores.length.toString(),
    });
    return operator;
  }

  // ---- hooks ------------------------------------------------------------------------------------

  /**
   * Epoch end (the epoch clock's hook): snapshots the power of every validator that committed
   * (O(commitments)) and opens the reveal window over the next reveal_window blocks.
   */
  onEpochEnd(ctx: Context, epoch: bigint): void {
    const store = this.store(ctx.store);
    let committedPower = 0n;
    for (const [key, value] of store.range(...rangeOf(K.commitmentsPrefix(epoch)))) {
      const operator = K.trailingAddress(key, 9);
      const power = this.staking.getLastValidatorPower(ctx.store, operator) ?? 0n;
      committedPower += power;
      store.set(key, Commitment.encode({ ...Commitment.decode(value), power }).finish());
    }
    const height = BigInt(ctx.block.height);
    // The window never outlasts the next epoch: its consensus is then final before that epoch's
    // end, when rewards pays by it (docs/rewards.md), whatever reveal_window and epoch_length are.
    const revealWindow = this.getParams(ctx.store).revealWindow;
    const nextEpochLength = this.epochs.getParams(ctx.store).epochLength;
    const end = height + (revealWindow < nextEpochLength ? revealWindow : nextEpochLength);
    this.setEpochResult(ctx.store, {
      epoch,
      status: EpochStatus.EPOCH_STATUS_REVEALING,
      revealStartHeight: height + 1n,
      revealEndHeight: end,
      bondedPower: this.staking.getLastTotalPower(ctx.store),
      committedPower,
      revealedPower: 0n,
      revealers: 0,
      models: 0,
    });
    store.set(K.dueKey(end, epoch), K.MARKER);
  }

  /** End of block: computes the consensus of every epoch whose reveal window ends here. */
  endBlock(ctx: Context): void {
    const store = this.store(ctx.store);
    const height = BigInt(ctx.block.height);
    for (const [key] of store.range(Uint8Array.of(K.DUE_PREFIX), K.dueKey(height + 1n, 0n))) {
      store.delete(key);
      this.finalize(ctx, K.readU64be(key, 9));
    }
    if (this.claimWindow) {
      const oldest = this.claimWindow.oldestOpenEpoch(ctx.store);
      if (oldest >= 2n) pruneScoringEpochs(ctx.store, oldest - 1n);
    }
  }

  /** The consensus of an epoch: O(reveals x scores) plus one write per scored model. */
  finalize(ctx: Context, epoch: bigint): void {
    const store = this.store(ctx.store);
    const result = this.getEpochResult(ctx.store, epoch);
    if (!result || result.status !== EpochStatus.EPOCH_STATUS_REVEALING) return;
    const params = this.getParams(ctx.store);
    const inputs: RevealInput[] = [];
    const revealers: Array<{ key: Uint8Array; validator: string; power: bigint }> = [];
    const missed: Array<{ key: Uint8Array; validator: string; power: bigint }> = [];
    for (const [key, value] of store.range(...rangeOf(K.commitmentsPrefix(epoch)))) {
      const c = Commitment.decode(value);
      if (c.power === 0n) continue;
      const operator = K.trailingAddress(key, 9);
      if (!c.revealed) {
        missed.push({ key: operator, validator: c.validator, power: c.power });
        continue;
      }
      const reveal = this.getReveal(ctx.store, epoch, operator);
      store.delete(K.revealKey(epoch, operator));
      inputs.push({ power: c.power, scores: (reveal?.scores ?? []) as Score[] });
      revealers.push({ key: operator, validator: c.validator, power: c.power });
    }
    let revealedPower = 0n;
    for (const r of revealers) revealedPower += r.power;
    for (const m of missed) {
      ctx.events.emit(ScoringEvents.MissedReveal, { [A.Validator]: m.validator, [A.Epoch]: epoch.toString(), [A.Power]: m.power.toString() });
    }
    const quorum = revealedPower > 0n && revealedPower * BigInt(PPM) >= BigInt(params.minRevealStakeFractionPpm) * result.bondedPower;
    const summary = {
      [A.Epoch]: epoch.toString(),
      [A.Revealers]: revealers.length.toString(),
      [A.RevealedPower]: revealedPower.toString(),
      [A.BondedPower]: result.bondedPower.toString(),
    };
    if (!quorum) {
      this.setEpochResult(ctx.store, { ...result, status: EpochStatus.EPOCH_STATUS_NO_QUORUM, revealedPower, revealers: revealers.length });
      ctx.events.emit(ScoringEvents.NoConsensus, summary);
      return;
    }
    const out = computeConsensus(inputs);
    for (const m of out.models) {
      store.set(K.modelScoreKey(epoch, m.modelId), ModelScore.encode({ epoch, modelId: m.modelId, scorePpm: m.scorePpm }).finish());
    }
    revealers.forEach((r, i) => {
      const a: ValidatorAgreement = { epoch, validator: r.validator, agreementPpm: out.agreements[i], revealed: true, power: r.power };
      store.set(K.agreementKey(epoch, r.key), ValidatorAgreement.encode(a).finish());
    });
    for (const m of missed) {
      const a: ValidatorAgreement = { epoch, validator: m.validator, agreementPpm: 0, revealed: false, power: m.power };
      store.set(K.agreementKey(epoch, m.key), ValidatorAgreement.encode(a).finish());
    }
    this.setEpochResult(ctx.store, {
      ...result,
      status: EpochStatus.EPOCH_STATUS_CONSENSUS,
      revealedPower,
      revealers: revealers.length,
      models: out.models.length,
    });
    ctx.events.emit(ScoringEvents.Consensus, { ...summary, [A.Models]: out.models.length.toString() });
  }

  // ---- genesis ----------------------------------------------------------------------------------

  allScorers(root: KVStore): Array<{ validator: Uint8Array; scorer: Uint8Array }> {
    return this.store(root)
      .range(...rangeOf(Uint8Array.of(K.SCORER_PREFIX)))
      .map(([k, v]) => ({ validator: K.trailingAddress(k, 1), scorer: Uint8Array.from(v) }));
  }

  importScorer(root: KVStore, validator: Uint8Array, scorer: Uint8Array): void {
    const store = this.store(root);
    store.set(K.scorerKey(validator), scorer);
    store.set(K.scorerIndexKey(scorer), validator);
  }

  allCommitments(root: KVStore): Commitment[] {
    return this.store(root)
      .range(...rangeOf(Uint8Array.of(K.COMMITMENT_PREFIX)))
      .map(([, v]) => Commitment.decode(v));
  }

  allReveals(root: KVStore): Reveal[] {
    return this.store(root)
      .range(...rangeOf(Uint8Array.of(K.REVEAL_PREFIX)))
      .map(([, v]) => Reveal.decode(v));
  }

  allEpochResults(root: KVStore): EpochResult[] {
    return this.store(root)
      .range(...rangeOf(Uint8Array.of(K.EPOCH_RESULT_PREFIX)))
      .map(([, v]) => EpochResult.decode(v));
  }

  allModelScores(root: KVStore): ModelScore[] {
    return this.store(root)
      .range(...rangeOf(Uint8Array.of(K.MODEL_SCORE_PREFIX)))
      .map(([, v]) => ModelScore.decode(v));
  }

  allAgreements(root: KVStore): ValidatorAgreement[] {
    return this.store(root)
      .range(...rangeOf(Uint8Array.of(K.AGREEMENT_PREFIX)))
      .map(([, v]) => ValidatorAgreement.decode(v));
  }

  /** Genesis import of records validated by the caller. */
  importRecords(
    root: KVStore,
    r: { commitments: Commitment[]; reveals: Reveal[]; results: EpochResult[]; scores: ModelScore[]; agreements: ValidatorAgreement[] },
  ): void {
    const store = this.store(root);
    for (const c of r.commitments) this.setCommitment(root, valoperBytes(c.validator), c);
    for (const v of r.reveals) store.set(K.revealKey(v.epoch, valoperBytes(v.validator)), Reveal.encode(v).finish());
    for (const e of r.results) {
      this.setEpochResult(root, e);
      if (e.status === EpochStatus.EPOCH_STATUS_REVEALING) store.set(K.dueKey(e.revealEndHeight, e.epoch), K.MARKER);
    }
    for (const s of r.scores) store.set(K.modelScoreKey(s.epoch, s.modelId), ModelScore.encode(s).finish());
    for (const a of r.agreements) store.set(K.agreementKey(a.epoch, valoperBytes(a.validator)), ValidatorAgreement.encode(a).finish());
  }

  /** Invariants: scorer index and scorers agree; reveals only for revealed commitments of open windows. */
  invariants(root: KVStore): string[] {
    const problems: string[] = [];
    const store = this.store(root);
    for (const { validator, scorer } of this.allScorers(root)) {
      const back = store.get(K.scorerIndexKey(scorer));
      if (!back || !equalBytes(back, validator)) problems.push(`scoring: scorer ${encodeAddress(scorer)} of ${valoper(validator)} is not indexed back to it`);
    }
    const indexed = store.range(...rangeOf(Uint8Array.of(K.SCORER_INDEX_PREFIX))).length;
    if (indexed !== this.allScorers(root).length) problems.push(`scoring: ${indexed} scorer index entries for ${this.allScorers(root).length} scorers`);
    for (const r of this.allReveals(root)) {
      const c = this.getCommitment(root, r.epoch, valoperBytes(r.validator));
      if (!c?.revealed) problems.push(`scoring: reveal of ${r.validator} for epoch ${r.epoch} without a revealed commitment`);
      if (this.getEpochResult(root, r.epoch)?.status !== EpochStatus.EPOCH_STATUS_REVEALING) {
        problems.push(`scoring: reveal of ${r.validator} kept for epoch ${r.epoch} whose window is not open`);
      }
    }
    return problems;
  }
}
