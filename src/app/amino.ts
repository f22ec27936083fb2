/**
 * Every module's amino JSON encodings in one resolver, for SIGN_MODE_LEGACY_AMINO_JSON in the ante
 * handler (src/app/tx.ts). test/unit/amino-sign-bytes.test.ts checks it covers every message the
 * router accepts, so a module that adds a message without an amino entry fails there.
 */
import { AuthAmino } from "../modules/auth";
import { BankAmino } from "../modules/bank";
import { DistributionAmino } from "../modules/distribution";
import { EpochsAmino } from "../modules/epochs";
import { GovAmino } from "../modules/gov";
import { MeteringAmino } from "../modules/metering";
import { MintAmino } from "../modules/mint";
import { PowAmino } from "../modules/pow";
import { RegistryAmino } from "../modules/registry";
import { RewardsAmino } from "../modules/rewards";
import { ScoringAmino } from "../modules/scoring";
import { SlashingAmino } from "../modules/slashing";
import { StakingAmino } from "../modules/staking";
import { UpgradeAmino } from "../modules/upgrade";
import { aminoResolver, type AminoTable } from "../types/amino";

export const CHAIN_AMINO_TABLES: readonly AminoTable[] = [
  AuthAmino,
  BankAmino,
  DistributionAmino,
  SlashingAmino,
  StakingAmino,
  GovAmino,
  UpgradeAmino,
  EpochsAmino,
  MintAmino,
  RewardsAmino,
  RegistryAmino,
  MeteringAmino,
  PowAmino,
  ScoringAmino,
];

export const CHAIN_AMINO = aminoResolver(...CHAIN_AMINO_TABLES);
