/**
 * The tally of a proposal: the Cosmos SDK's algorithm (x/gov/keeper/tally.go, v0.50) as a pure
 * function of the bonded validators, the votes and the voters' delegations.
 *
 * Voting power is bonded stake. A validator votes with the tokens behind its delegator shares,
 * less the shares of delegators who voted themselves: a delegator's own vote overrides the
 * validator's for that delegator's stake. Delegators who do not vote inherit their validator's
 * vote; stake behind a validator that did not vote and whose delegators did not vote is not
 * counted (it only weighs against the quorum).
 */
import { Dec, decFromInt, decMul, decQuo, decTruncateInt } from "../../types/dec";

export enum TallyOption {
  Yes = 1,
  Abstain = 2,
  No = 3,
  NoWithVeto = 4,
}

export interface WeightedOption {
  readonly option: TallyOption;
  /** Fraction of the voter's power, 0 < weight <= 1; a vote's weights sum to 1. */
  readonly weight: Dec;
}

export interface TallyValidator {
  /** Operator address bytes as a key (the same bytes as the operator's account). */
  readonly operator: string;
  readonly bondedTokens: bigint;
  readonly delegatorShares: Dec;
}

export interface TallyVote {
  /** Voter account bytes as a key (same encoding as TallyValidator.operator). */
  readonly voter: string;
  readonly options: readonly WeightedOption[];
  /** The voter's delegations, to any validator (only bonded ones count). */
  readonly delegations: ReadonlyArray<{ readonly validator: string; readonly shares: Dec }>;
}

export interface TallyParams {
  readonly quorum: Dec;
  readonly threshold: Dec;
  readonly vetoThreshold: Dec;
  readonly burnVoteQuorum: boolean;
  readonly burnVoteVeto: boolean;
}

export interface TallyCounts {
  yes: Dec;
  abstain: Dec;
  no: Dec;
  noWithVeto: Dec;
}

export interface TallyOutcome {
  readonly passes: boolean;
  readonly burnDeposits: boolean;
  /** Exact power per option (18 decimals). */
  readonly counts: TallyCounts;
  /** Truncated to integers, as the SDK's TallyResult carries them. */
  readonly result: { yes: bigint; abstain: bigint; no: bigint; noWithVeto: bigint };
  readonly totalVotingPower: Dec;
}

function add(counts: TallyCounts, option: TallyOption, power: Dec): void {
  switch (option) {
    case TallyOption.Yes:
      counts.yes += power;
      break;
    case TallyOption.Abstain:
      counts.abstain += power;
      break;
    case TallyOption.No:
      counts.no += power;
      break;
    case TallyOption.NoWithVeto:
      counts.noWithVeto += power;
      break;
  }
}

/**
 * `validators` are the bonded ones; `totalBonded` is the bonded pool's balance. Sums are exact,
 * so the order of validators and votes does not change the outcome.
 */
export function tally(validators: readonly TallyValidator[], votes: readonly TallyVote[], totalBonded: bigint, params: TallyParams): TallyOutcome {
  const vals = new Map<string, { v: TallyValidator; deductions: Dec; vote?: readonly WeightedOption[] }>();
  for (const v of validators) vals.set(v.operator, { v, deductions: 0n });
  const counts: TallyCounts = { yes: 0n, abstain: 0n, no: 0n, noWithVeto: 0n };
  let total = 0n;
  for (const vote of votes) {
    const own = vals.get(vote.voter);
    if (own) own.vote = vote.options;
    for (const del of vote.delegations) {
      const val = vals.get(del.validator);
      // A validator without shares has no stake to count (and the SDK's quotient would divide by 0).
      if (!val || val.v.delegatorShares === 0n) continue;
      val.deductions += del.shares;
      const power = decQuo(del.shares * val.v.bondedTokens, val.v.delegatorShares);
      for (const o of vote.options) add(counts, o.option, decMul(power, o.weight));
      total += power;
    }
  }
  for (const { v, deductions, vote } of vals.values()) {
    if (!vote || vote.length === 0 || v.delegatorShares === 0n) continue;
    const power = decQuo((v.delegatorShares - deductions) * v.bondedTokens, v.delegatorShares);
    for (const o of vote) add(counts, o.option, decMul(power, o.weight));
    total += power;
  }
  const result = {
    yes: decTruncateInt(counts.yes),
    abstain: decTruncateInt(counts.abstain),
    no: decTruncateInt(counts.no),
    noWithVeto: decTruncateInt(counts.noWithVeto),
  };
  const outcome = (passes: boolean, burnDeposits: boolean): TallyOutcome => ({ passes, burnDeposits, counts, result, totalVotingPower: total });
  if (totalBonded === 0n) return outcome(false, false);
  if (decQuo(total, decFromInt(totalBonded)) < params.quorum) return outcome(false, params.burnVoteQuorum);
  if (total - counts.abstain === 0n) return outcome(false, false);
  if (decQuo(counts.noWithVeto, total) > params.vetoThreshold) return outcome(false, params.burnVoteVeto);
  if (decQuo(counts.yes, total - counts.abstain) > params.threshold) return outcome(true, false);
  return outcome(false, false);
}
