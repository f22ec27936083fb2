import { Params as ProtoParams } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { isValidDenom } from "../../types/coins";
import { DEC_ONE, Dec, decFromProto, decToProto, formatDec, parseDec } from "../../types/dec";
import { obj, str } from "../../types/genesis-json";
import { uint } from "../../types/json";
import { protoDec } from "../../framework/params";
import { durationFromProto, durationToProto, formatDuration, parseDuration } from "../../types/time";

export interface StakingParams {
  unbondingTimeNs: bigint;
  maxValidators: number;
  maxEntries: number;
  historicalEntries: number;
  bondDenom: string;
  minCommissionRate: Dec;
}

/** The Cosmos SDK v0.50 defaults (x/staking/types/params.go), with BLOCKAI's bond denom. */
export const DEFAULT_STAKING_PARAMS: StakingParams = {
  unbondingTimeNs: 21n * 24n * 3600n * 1_000_000_000n,
  maxValidators: 100,
  maxEntries: 7,
  historicalEntries: 10_000,
  bondDenom: "usoa",
  minCommissionRate: 0n,
};

/**
 * The rules every parameter set obeys (genesis applies them; a MsgUpdateParams would too).
 * Throws an Error naming the field under `where`.
 */
export function validateStakingParams(p: StakingParams, where = "staking.params"): void {
  const atLeast = (n: number, name: string, min: number) => {
    if (n < min) throw new Error(`${where}.${name} must be at least ${min}`);
  };
  atLeast(p.maxValidators, "max_validators", 1);
  atLeast(p.maxEntries, "max_entries", 1);
  atLeast(p.historicalEntries, "historical_entries", 0);
  if (p.unbondingTimeNs <= 0n) throw new Error(`${where}.unbonding_time must be positive`);
  if (!isValidDenom(p.bondDenom)) throw new Error(`${where}.bond_denom: invalid denom ${JSON.stringify(p.bondDenom)}`);
  if (p.minCommissionRate < 0n || p.minCommissionRate > DEC_ONE) throw new Error(`${where}.min_commission_rate must be between 0 and 1`);
}

export function stakingParamsToProto(p: StakingParams): ProtoParams {
  return {
    unbondingTime: durationToProto(p.unbondingTimeNs),
    maxValidators: p.maxValidators,
    maxEntries: p.maxEntries,
    historicalEntries: p.historicalEntries,
    bondDenom: p.bondDenom,
    minCommissionRate: decToProto(p.minCommissionRate),
  };
}

export function stakingParamsFromProto(p: ProtoParams): StakingParams {
  return {
    unbondingTimeNs: durationFromProto(p.unbondingTime),
    maxValidators: p.maxValidators,
    maxEntries: p.maxEntries,
    historicalEntries: p.historicalEntries,
    bondDenom: p.bondDenom,
    minCommissionRate: decFromProto(p.minCommissionRate) ?? 0n,
  };
}

export function stakingParamsToJson(p: StakingParams) {
  return {
    unbonding_time: formatDuration(p.unbondingTimeNs),
    max_validators: p.maxValidators,
    max_entries: p.maxEntries,
    historical_entries: p.historicalEntries,
    bond_denom: p.bondDenom,
    min_commission_rate: formatDec(p.minCommissionRate),
  };
}

/** Genesis params: absent fields take the defaults; the result is validated. */
export function stakingParamsFromJson(j: unknown): StakingParams {
  if (j === undefined) return DEFAULT_STAKING_PARAMS;
  const o = obj(j, "staking.params");
  const d = DEFAULT_STAKING_PARAMS;
  const num = (v: unknown, name: string, def: number) => (v === undefined ? def : Number(uint(v, `staking.params.${name}`, 0xffffffffn)));
  const p: StakingParams = {
    unbondingTimeNs: o.unbonding_time === undefined ? d.unbondingTimeNs : parseDuration(o.unbonding_time, "staking.params.unbonding_time"),
    maxValidators: num(o.max_validators, "max_validators", d.maxValidators),
    maxEntries: num(o.max_entries, "max_entries", d.maxEntries),
    historicalEntries: num(o.historical_entries, "historical_entries", d.historicalEntries),
    bondDenom: o.bond_denom === undefined ? d.bondDenom : str(o.bond_denom, "staking.params.bond_denom"),
    minCommissionRate: o.min_commission_rate === undefined ? d.minCommissionRate : parseDec(str(o.min_commission_rate, "staking.params.min_commission_rate"), "staking.params.min_commission_rate"),
  };
  validateStakingParams(p);
  return p;
}

/** MsgUpdateParams' params: every field given (a malformed decimal is refused), then validated as genesis. */
export function stakingParamsFromMsg(p: ProtoParams | undefined): StakingParams {
  if (!p) throw new Error("params must be set");
  if (!p.unbondingTime) throw new Error("params.unbonding_time must be set");
  const out = { ...stakingParamsFromProto(p), minCommissionRate: protoDec(p.minCommissionRate, "params.min_commission_rate") };
  validateStakingParams(out, "params");
  return out;
}
