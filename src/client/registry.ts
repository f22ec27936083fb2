/**
 * The CosmJS Registry of every BLOCKAI message: the Cosmos SDK's default types plus the list
 * below. Each module adds its messages to BLOCKAI_TYPES (a simple list of [type URL, codec]).
 * ts-proto codecs have encode/decode/fromPartial, which is what CosmJS needs.
 */
import type { GeneratedType } from "@cosmjs/proto-signing";
import { Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { MsgUpdateParams as MsgUpdateAuthParams } from "cosmjs-types/cosmos/auth/v1beta1/tx";
import { MsgUpdateParams as MsgUpdateBankParams } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import {
  MsgCommunityPoolSpend,
  MsgDepositValidatorRewardsPool,
  MsgUpdateParams as MsgUpdateDistributionParams,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { MsgCancelProposal } from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgUnjail, MsgUpdateParams as MsgUpdateSlashingParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { MsgCancelUpgrade, MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { MsgUpdateParams as MsgUpdateStakingParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgUpdateParams as MsgUpdateEpochsParams } from "../gen/blockai/epochs/v1/tx";
import { MsgUpdateParams as MsgUpdateMintParams } from "../gen/blockai/mint/v1/tx";
import { MsgClaimUsage, MsgCloseEscrow, MsgOpenEscrow, MsgPayForUsage, MsgTopUpEscrow, MsgUpdateParams as MsgUpdateMeteringParams } from "../gen/blockai/metering/v1/tx";
import { MsgRegisterModel, MsgSetModelStatus, MsgUpdateModel, MsgUpdateParams as MsgUpdateRegistryParams } from "../gen/blockai/registry/v1/tx";
import { MsgSubmitMatmulWork, MsgSubmitWork, MsgUpdateParams as MsgUpdatePowParams } from "../gen/blockai/pow/v1/tx";
import { MsgCommitScores, MsgRevealScores, MsgSetScorer, MsgUpdateParams as MsgUpdateScoringParams } from "../gen/blockai/scoring/v1/tx";
import { MsgClaimRewards, MsgSetPayoutAddress, MsgUpdateParams as MsgUpdateRewardsParams } from "../gen/blockai/rewards/v1/tx";

const t = (codec: unknown) => codec as GeneratedType;

export const BLOCKAI_TYPES: ReadonlyArray<[string, GeneratedType]> = [
  // registry
  ["/blockai.registry.v1.MsgRegisterModel", t(MsgRegisterModel)],
  ["/blockai.registry.v1.MsgUpdateModel", t(MsgUpdateModel)],
  ["/blockai.registry.v1.MsgSetModelStatus", t(MsgSetModelStatus)],
  ["/blockai.registry.v1.MsgUpdateParams", t(MsgUpdateRegistryParams)],
  // metering
  ["/blockai.metering.v1.MsgOpenEscrow", t(MsgOpenEscrow)],
  ["/blockai.metering.v1.MsgTopUpEscrow", t(MsgTopUpEscrow)],
  ["/blockai.metering.v1.MsgClaimUsage", t(MsgClaimUsage)],
  ["/blockai.metering.v1.MsgCloseEscrow", t(MsgCloseEscrow)],
  ["/blockai.metering.v1.MsgPayForUsage", t(MsgPayForUsage)],
  ["/blockai.metering.v1.MsgUpdateParams", t(MsgUpdateMeteringParams)],
  // pow
  ["/blockai.pow.v1.MsgSubmitWork", t(MsgSubmitWork)],
  ["/blockai.pow.v1.MsgSubmitMatmulWork", t(MsgSubmitMatmulWork)],
  ["/blockai.pow.v1.MsgUpdateParams", t(MsgUpdatePowParams)],
  // scoring
  ["/blockai.scoring.v1.MsgSetScorer", t(MsgSetScorer)],
  ["/blockai.scoring.v1.MsgCommitScores", t(MsgCommitScores)],
  ["/blockai.scoring.v1.MsgRevealScores", t(MsgRevealScores)],
  ["/blockai.scoring.v1.MsgUpdateParams", t(MsgUpdateScoringParams)],
  // rewards
  ["/blockai.rewards.v1.MsgClaimRewards", t(MsgClaimRewards)],
  ["/blockai.rewards.v1.MsgSetPayoutAddress", t(MsgSetPayoutAddress)],
  ["/blockai.rewards.v1.MsgUpdateParams", t(MsgUpdateRewardsParams)],
  // epochs, mint
  ["/blockai.epochs.v1.MsgUpdateParams", t(MsgUpdateEpochsParams)],
  ["/blockai.mint.v1.MsgUpdateParams", t(MsgUpdateMintParams)],
  // The SDK modules' MsgUpdateParams: not in CosmJS's default registry
  ["/cosmos.auth.v1beta1.MsgUpdateParams", t(MsgUpdateAuthParams)],
  ["/cosmos.bank.v1beta1.MsgUpdateParams", t(MsgUpdateBankParams)],
  ["/cosmos.staking.v1beta1.MsgUpdateParams", t(MsgUpdateStakingParams)],
  ["/cosmos.slashing.v1beta1.MsgUpdateParams", t(MsgUpdateSlashingParams)],
  ["/cosmos.distribution.v1beta1.MsgUpdateParams", t(MsgUpdateDistributionParams)],
  // The SDK messages the chain accepts that CosmJS's default registry lacks
  ["/cosmos.distribution.v1beta1.MsgCommunityPoolSpend", t(MsgCommunityPoolSpend)],
  ["/cosmos.distribution.v1beta1.MsgDepositValidatorRewardsPool", t(MsgDepositValidatorRewardsPool)],
  ["/cosmos.slashing.v1beta1.MsgUnjail", t(MsgUnjail)],
  ["/cosmos.gov.v1.MsgCancelProposal", t(MsgCancelProposal)],
  ["/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", t(MsgSoftwareUpgrade)],
  ["/cosmos.upgrade.v1beta1.MsgCancelUpgrade", t(MsgCancelUpgrade)],
];

/** A Registry with the Cosmos SDK's default messages (bank, staking, ...) and every BLOCKAI message. */
export function createBlockaiRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...BLOCKAI_TYPES]);
}
