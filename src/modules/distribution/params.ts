import { Params as ProtoParams } from "cosmjs-types/cosmos/distribution/v1beta1/distribution";
import { protoDec } from "../../framework/params";
import { DEC_ONE, Dec, decFromProto, decToProto, formatDec, parseDec } from "../../types/dec";
import { bool, obj, str } from "../../types/genesis-json";

export interface DistributionParams {
  communityTax: Dec;
  /** Deprecated in the SDK since v0.47 and unused (always 0); kept for the wire format. */
  baseProposerReward: Dec;
  bonusProposerReward: Dec;
  withdrawAddrEnabled: boolean;
}

/** The Cosmos SDK v0.50 defaults (x/distribution/types/params.go). */
export const DEFAULT_DISTRIBUTION_PARAMS: DistributionParams = {
  communityTax: (DEC_ONE * 2n) / 100n,
  baseProposerReward: 0n,
  bonusProposerReward: 0n,
  withdrawAddrEnabled: true,
};

/**
 * The rules every parameter set obeys (genesis applies them; a MsgUpdateParams would too).
 * Throws an Error naming the field under `where`.
 */
export function validateDistributionParams(p: DistributionParams, where = "distribution.params"): void {
  if (p.communityTax < 0n || p.communityTax > DEC_ONE) throw new Error(`${where}.community_tax must be between 0 and 1`);
  if (p.baseProposerReward !== 0n || p.bonusProposerReward !== 0n) {
    throw new Error(`${where}.base_proposer_reward and bonus_proposer_reward are deprecated and must be 0`);
  }
}

export function distributionParamsFromProto(p: ProtoParams): DistributionParams {
  return {
    communityTax: decFromProto(p.communityTax) ?? 0n,
    baseProposerReward: decFromProto(p.baseProposerReward) ?? 0n,
    bonusProposerReward: decFromProto(p.bonusProposerReward) ?? 0n,
    withdrawAddrEnabled: p.withdrawAddrEnabled,
  };
}

/** cosmos.distribution.v1beta1.Params: the stored form and the Params query's (Dec fields are the integer x 10^18). */
export function distributionParamsToProto(p: DistributionParams): ProtoParams {
  return {
    communityTax: decToProto(p.communityTax),
    baseProposerReward: decToProto(p.baseProposerReward),
    bonusProposerReward: decToProto(p.bonusProposerReward),
    withdrawAddrEnabled: p.withdrawAddrEnabled,
  };
}

export function distributionParamsToJson(p: DistributionParams) {
  return {
    community_tax: formatDec(p.communityTax),
    base_proposer_reward: formatDec(p.baseProposerReward),
    bonus_proposer_reward: formatDec(p.bonusProposerReward),
    withdraw_addr_enabled: p.withdrawAddrEnabled,
  };
}

function decField(o: Record<string, unknown>, key: string, where: string, def: Dec): Dec {
  return o[key] === undefined ? def : parseDec(str(o[key], `${where}.${key}`), `${where}.${key}`);
}

/** Genesis params: absent fields take the defaults; the result is validated. */
export function distributionParamsFromJson(j: unknown): DistributionParams {
  if (j === undefined) return DEFAULT_DISTRIBUTION_PARAMS;
  const o = obj(j, "distribution.params");
  const d = DEFAULT_DISTRIBUTION_PARAMS;
  const p: DistributionParams = {
    communityTax: decField(o, "community_tax", "distribution.params", d.communityTax),
    baseProposerReward: decField(o, "base_proposer_reward", "distribution.params", d.baseProposerReward),
    bonusProposerReward: decField(o, "bonus_proposer_reward", "distribution.params", d.bonusProposerReward),
    withdrawAddrEnabled: o.withdraw_addr_enabled === undefined ? d.withdrawAddrEnabled : bool(o.withdraw_addr_enabled, "distribution.params.withdraw_addr_enabled"),
  };
  validateDistributionParams(p);
  return p;
}

/** MsgUpdateParams' params: every field given (a malformed decimal is refused), then validated as genesis. */
export function distributionParamsFromMsg(p: ProtoParams | undefined): DistributionParams {
  if (!p) throw new Error("params must be set");
  const out: DistributionParams = {
    communityTax: protoDec(p.communityTax, "params.community_tax"),
    baseProposerReward: protoDec(p.baseProposerReward, "params.base_proposer_reward"),
    bonusProposerReward: protoDec(p.bonusProposerReward, "params.bonus_proposer_reward"),
    withdrawAddrEnabled: p.withdrawAddrEnabled,
  };
  validateDistributionParams(out, "params");
  return out;
}
