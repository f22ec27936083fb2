/**
 * The CosmJS Registry of every BLOCKAI message: the Cosmos SDK's default types plus the list
 * below. Each module adds its messages to BLOCKAI_TYPES (a simple list of [type URL, codec]).
 * ts-proto codecs have encode/decode/fromPartial, which is what CosmJS needs.
 */
import type { GeneratedType } from "@cosmjs/proto-signing";
import { Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { MsgClaimUsage, MsgCloseEscrow, MsgOpenEscrow, MsgPayForUsage, MsgTopUpEscrow } from "../gen/blockai/metering/v1/tx";
import { MsgRegisterModel, MsgSetModelStatus, MsgUpdateModel } from "../gen/blockai/registry/v1/tx";
import { MsgSubmitWork } from "../gen/blockai/pow/v1/tx";
import { MsgCommitScores, MsgRevealScores, MsgSetScorer } from "../gen/blockai/scoring/v1/tx";
import { MsgClaimRewards, MsgSetPayoutAddress } from "../gen/blockai/rewards/v1/tx";

const t = (codec: unknown) => codec as GeneratedType;

export const BLOCKAI_TYPES: ReadonlyArray<[string, GeneratedType]> = [
  // registry
  ["/blockai.registry.v1.MsgRegisterModel", t(MsgRegisterModel)],
  ["/blockai.registry.v1.MsgUpdateModel", t(MsgUpdateModel)],
  ["/blockai.registry.v1.MsgSetModelStatus", t(MsgSetModelStatus)],
  // metering
  ["/blockai.metering.v1.MsgOpenEscrow", t(MsgOpenEscrow)],
  ["/blockai.metering.v1.MsgTopUpEscrow", t(MsgTopUpEscrow)],
  ["/blockai.metering.v1.MsgClaimUsage", t(MsgClaimUsage)],
  ["/blockai.metering.v1.MsgCloseEscrow", t(MsgCloseEscrow)],
  ["/blockai.metering.v1.MsgPayForUsage", t(MsgPayForUsage)],
  // pow
  ["/blockai.pow.v1.MsgSubmitWork", t(MsgSubmitWork)],
  // scoring
  ["/blockai.scoring.v1.MsgSetScorer", t(MsgSetScorer)],
  ["/blockai.scoring.v1.MsgCommitScores", t(MsgCommitScores)],
  ["/blockai.scoring.v1.MsgRevealScores", t(MsgRevealScores)],
  // rewards
  ["/blockai.rewards.v1.MsgClaimRewards", t(MsgClaimRewards)],
  ["/blockai.rewards.v1.MsgSetPayoutAddress", t(MsgSetPayoutAddress)],
];

/** A Registry with the Cosmos SDK's default messages (bank, staking, ...) and every BLOCKAI message. */
export function createBlockaiRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...BLOCKAI_TYPES]);
}
