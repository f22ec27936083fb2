/**
 * Gov parameters: defaults (the SDK's x/gov/types/v1/params.go), validation shared by genesis and
 * MsgUpdateParams, and the conversions to the protobuf and JSON forms.
 */
import type { Params as ProtoParams } from "cosmjs-types/cosmos/gov/v1/gov";
import { decodeAddress } from "../../types/address";
import { BASE_DENOM, Coin, coinsFromProto, coinsToProto } from "../../types/coins";
import { DEC_ONE, Dec, formatDec, parseDec } from "../../types/dec";
import { arr, bool, obj, str } from "../../types/genesis-json";

const NS_PER_S = 1_000_000_000n;

export interface GovParams {
  minDeposit: Coin[];
  maxDepositPeriodNs: bigint;
  votingPeriodNs: bigint;
  quorum: Dec;
  threshold: Dec;
  vetoThreshold: Dec;
  minInitialDepositRatio: Dec;
  proposalCancelRatio: Dec;
  /** Where the cancellation charge goes: "" burns it. */
  proposalCancelDest: string;
  expeditedVotingPeriodNs: bigint;
  expeditedThreshold: Dec;
  expeditedMinDeposit: Coin[];
  burnVoteQuorum: boolean;
  burnProposalDepositPrevote: boolean;
  burnVoteVeto: boolean;
  minDepositRatio: Dec;
}

const d = (text: string) => parseDec(text);

export const DEFAULT_GOV_PARAMS: GovParams = {
  minDeposit: [{ denom: BASE_DENOM, amount: 10_000_000n }],
  maxDepositPeriodNs: 172_800n * NS_PER_S,
  votingPeriodNs: 172_800n * NS_PER_S,
  quorum: d("0.334"),
  threshold: d("0.5"),
  vetoThreshold: d("0.334"),
  minInitialDepositRatio: 0n,
  proposalCancelRatio: d("0.5"),
  proposalCancelDest: "",
  expeditedVotingPeriodNs: 86_400n * NS_PER_S,
  expeditedThreshold: d("0.667"),
  expeditedMinDeposit: [{ denom: BASE_DENOM, amount: 50_000_000n }],
  burnVoteQuorum: false,
  burnProposalDepositPrevote: false,
  burnVoteVeto: true,
  minDepositRatio: d("0.01"),
};

/** Metadata and title limit (the SDK's default config MaxMetadataLen); a summary may be 40 times that. */
export const MAX_METADATA_LEN = 255;
export const MAX_TITLE_LEN = MAX_METADATA_LEN;
export const MAX_SUMMARY_LEN = 40 * MAX_METADATA_LEN;
/**
 * Messages a proposal may carry. Their execution at the end of the voting period is charged to
 * no one, so this bounds the unmetered work a proposal can ask of every validator.
 */
export const MAX_PROPOSAL_MSGS = 16;

/** The SDK's Coins.IsAnyGTE: some coin of `b` is matched or exceeded in `a`. */
function isAnyGte(a: readonly Coin[], b: readonly Coin[]): boolean {
  return b.some((c) => (a.find((x) => x.denom === c.denom)?.amount ?? 0n) >= c.amount);
}

/**
 * The SDK's Params.ValidateBasic: throws an Error naming the bad field. `where` prefixes field
 * names (genesis "gov.params", a message "params").
 */
export function validateGovParams(p: GovParams, where = "params"): void {
  const fail = (field: string, why: string): never => {
    throw new Error(`${where}.${field}: ${why}`);
  };
  const unit = (field: string, v: Dec, positive: boolean) => {
    if (v < 0n || (positive && v === 0n)) fail(field, `must be ${positive ? "positive" : "non-negative"}, got ${formatDec(v)}`);
    if (v > DEC_ONE) fail(field, `must be at most 1, got ${formatDec(v)}`);
  };
  const coins = (field: string, c: readonly Coin[]) => {
    if (c.length === 0) fail(field, "must not be empty");
    try {
      coinsFromProto(coinsToProto(c));
    } catch (e) {
      fail(field, (e as Error).message);
    }
  };
  coins("min_deposit", p.minDeposit);
  coins("expedited_min_deposit", p.expeditedMinDeposit);
  if (isAnyGte(p.minDeposit, p.expeditedMinDeposit)) {
    fail("expedited_min_deposit", "must be greater than min_deposit");
  }
  unit("quorum", p.quorum, false);
  unit("threshold", p.threshold, true);
  unit("expedited_threshold", p.expeditedThreshold, true);
  if (p.expeditedThreshold <= p.threshold) fail("expedited_threshold", "must be greater than threshold");
  unit("veto_threshold", p.vetoThreshold, true);
  if (p.maxDepositPeriodNs <= 0n) fail("max_deposit_period", "must be positive");
  if (p.votingPeriodNs <= 0n) fail("voting_period", "must be positive");
  if (p.expeditedVotingPeriodNs <= 0n) fail("expedited_voting_period", "must be positive");
  if (p.expeditedVotingPeriodNs >= p.votingPeriodNs) fail("expedited_voting_period", "must be strictly less than voting_period");
  unit("min_initial_deposit_ratio", p.minInitialDepositRatio, false);
  unit("proposal_cancel_ratio", p.proposalCancelRatio, false);
  unit("min_deposit_ratio", p.minDepositRatio, false);
  if (p.proposalCancelDest !== "") {
    try {
      decodeAddress(p.proposalCancelDest, "proposal_cancel_dest");
    } catch (e) {
      fail("proposal_cancel_dest", (e as Error).message);
    }
  }
}

// ---- protobuf --------------------------------------------------------------------------------

const durationToProto = (ns: bigint) => ({ seconds: ns / NS_PER_S, nanos: Number(ns % NS_PER_S) });
const durationFromProto = (x: { seconds: bigint; nanos: number } | undefined) => (x ? x.seconds * NS_PER_S + BigInt(x.nanos) : 0n);

export function paramsToProto(p: GovParams): ProtoParams {
  return {
    minDeposit: coinsToProto(p.minDeposit),
    maxDepositPeriod: durationToProto(p.maxDepositPeriodNs),
    votingPeriod: durationToProto(p.votingPeriodNs),
    quorum: formatDec(p.quorum),
    threshold: formatDec(p.threshold),
    vetoThreshold: formatDec(p.vetoThreshold),
    minInitialDepositRatio: formatDec(p.minInitialDepositRatio),
    proposalCancelRatio: formatDec(p.proposalCancelRatio),
    proposalCancelDest: p.proposalCancelDest,
    expeditedVotingPeriod: durationToProto(p.expeditedVotingPeriodNs),
    expeditedThreshold: formatDec(p.expeditedThreshold),
    expeditedMinDeposit: coinsToProto(p.expeditedMinDeposit),
    burnVoteQuorum: p.burnVoteQuorum,
    burnProposalDepositPrevote: p.burnProposalDepositPrevote,
    burnVoteVeto: p.burnVoteVeto,
    minDepositRatio: formatDec(p.minDepositRatio),
  };
}

/**
 * Reads params from a message (cosmos.Dec fields are plain decimal strings in gov v1). Throws an
 * Error naming the field; does not validate ranges (validateGovParams does).
 */
export function paramsFromProto(p: ProtoParams, where = "params"): GovParams {
  const dec = (field: string, v: string) => parseDec(v, `${where}.${field}`);
  const coins = (field: string, c: ReadonlyArray<{ denom: string; amount: string }>) => {
    try {
      return coinsFromProto(c);
    } catch (e) {
      throw new Error(`${where}.${field}: ${(e as Error).message}`);
    }
  };
  const duration = (field: string, x: { seconds: bigint; nanos: number } | undefined) => {
    if (!x) throw new Error(`${where}.${field}: must be set`);
    if (x.seconds < 0n || x.nanos < 0 || x.nanos >= 1e9) throw new Error(`${where}.${field}: invalid duration`);
    return durationFromProto(x);
  };
  return {
    minDeposit: coins("min_deposit", p.minDeposit),
    maxDepositPeriodNs: duration("max_deposit_period", p.maxDepositPeriod),
    votingPeriodNs: duration("voting_period", p.votingPeriod),
    quorum: dec("quorum", p.quorum),
    threshold: dec("threshold", p.threshold),
    vetoThreshold: dec("veto_threshold", p.vetoThreshold),
    minInitialDepositRatio: dec("min_initial_deposit_ratio", p.minInitialDepositRatio),
    proposalCancelRatio: dec("proposal_cancel_ratio", p.proposalCancelRatio),
    proposalCancelDest: p.proposalCancelDest,
    expeditedVotingPeriodNs: duration("expedited_voting_period", p.expeditedVotingPeriod),
    expeditedThreshold: dec("expedited_threshold", p.expeditedThreshold),
    expeditedMinDeposit: coins("expedited_min_deposit", p.expeditedMinDeposit),
    burnVoteQuorum: p.burnVoteQuorum,
    burnProposalDepositPrevote: p.burnProposalDepositPrevote,
    burnVoteVeto: p.burnVoteVeto,
    minDepositRatio: dec("min_deposit_ratio", p.minDepositRatio),
  };
}

// ---- JSON (genesis) --------------------------------------------------------------------------

function formatDuration(ns: bigint): string {
  const s = ns / NS_PER_S;
  const frac = ns % NS_PER_S;
  return frac === 0n ? `${s}s` : `${s}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

function parseDuration(text: unknown, where: string): bigint {
  const m = typeof text === "string" ? /^([0-9]{1,12})(?:\.([0-9]{1,9}))?s$/.exec(text) : null;
  if (!m) throw new Error(`${where}: invalid duration ${JSON.stringify(text)} (expected e.g. "172800s")`);
  return BigInt(m[1]) * NS_PER_S + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
}

export function paramsToJson(p: GovParams): Record<string, unknown> {
  return {
    min_deposit: coinsToProto(p.minDeposit),
    max_deposit_period: formatDuration(p.maxDepositPeriodNs),
    voting_period: formatDuration(p.votingPeriodNs),
    quorum: formatDec(p.quorum),
    threshold: formatDec(p.threshold),
    veto_threshold: formatDec(p.vetoThreshold),
    min_initial_deposit_ratio: formatDec(p.minInitialDepositRatio),
    proposal_cancel_ratio: formatDec(p.proposalCancelRatio),
    proposal_cancel_dest: p.proposalCancelDest,
    expedited_voting_period: formatDuration(p.expeditedVotingPeriodNs),
    expedited_threshold: formatDec(p.expeditedThreshold),
    expedited_min_deposit: coinsToProto(p.expeditedMinDeposit),
    burn_vote_quorum: p.burnVoteQuorum,
    burn_proposal_deposit_prevote: p.burnProposalDepositPrevote,
    burn_vote_veto: p.burnVoteVeto,
    min_deposit_ratio: formatDec(p.minDepositRatio),
  };
}

/** Genesis params: every field optional (defaults fill the rest), each checked and named. */
export function paramsFromJson(value: unknown, where = "gov.params"): GovParams {
  const o = obj(value, where);
  const known = new Set(Object.keys(paramsToJson(DEFAULT_GOV_PARAMS)));
  for (const k of Object.keys(o)) if (!known.has(k)) throw new Error(`${where}.${k}: unknown parameter`);
  const D = DEFAULT_GOV_PARAMS;
  const dec = (k: string, def: Dec) => (o[k] === undefined ? def : parseDec(str(o[k], `${where}.${k}`), `${where}.${k}`));
  const dur = (k: string, def: bigint) => (o[k] === undefined ? def : parseDuration(o[k], `${where}.${k}`));
  const flag = (k: string, def: boolean) => (o[k] === undefined ? def : bool(o[k], `${where}.${k}`));
  const coins = (k: string, def: Coin[]) => {
    if (o[k] === undefined) return def;
    const list = arr(o[k], `${where}.${k}`).map((c, i) => {
      const x = obj(c, `${where}.${k}[${i}]`);
      return { denom: str(x.denom, `${where}.${k}[${i}].denom`), amount: str(x.amount, `${where}.${k}[${i}].amount`) };
    });
    try {
      return coinsFromProto(list);
    } catch (e) {
      throw new Error(`${where}.${k}: ${(e as Error).message}`);
    }
  };
  const p: GovParams = {
    minDeposit: coins("min_deposit", D.minDeposit),
    maxDepositPeriodNs: dur("max_deposit_period", D.maxDepositPeriodNs),
    votingPeriodNs: dur("voting_period", D.votingPeriodNs),
    quorum: dec("quorum", D.quorum),
    threshold: dec("threshold", D.threshold),
    vetoThreshold: dec("veto_threshold", D.vetoThreshold),
    minInitialDepositRatio: dec("min_initial_deposit_ratio", D.minInitialDepositRatio),
    proposalCancelRatio: dec("proposal_cancel_ratio", D.proposalCancelRatio),
    proposalCancelDest: o.proposal_cancel_dest === undefined ? D.proposalCancelDest : str(o.proposal_cancel_dest, `${where}.proposal_cancel_dest`),
    expeditedVotingPeriodNs: dur("expedited_voting_period", D.expeditedVotingPeriodNs),
    expeditedThreshold: dec("expedited_threshold", D.expeditedThreshold),
    expeditedMinDeposit: coins("expedited_min_deposit", D.expeditedMinDeposit),
    burnVoteQuorum: flag("burn_vote_quorum", D.burnVoteQuorum),
    burnProposalDepositPrevote: flag("burn_proposal_deposit_prevote", D.burnProposalDepositPrevote),
    burnVoteVeto: flag("burn_vote_veto", D.burnVoteVeto),
    minDepositRatio: dec("min_deposit_ratio", D.minDepositRatio),
  };
  validateGovParams(p, where);
  return p;
}
