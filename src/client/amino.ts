/**
 * CosmJS AminoTypes for every message BLOCKAI accepts, for SIGN_MODE_LEGACY_AMINO_JSON (amino
 * signers: Secp256k1HdWallet, Ledger, Keplr's amino path):
 *
 *   const client = await SigningStargateClient.connectWithSigner(rpc, aminoWallet, {
 *     registry: createBlockaiRegistry(), aminoTypes: createBlockaiAminoTypes(), gasPrice });
 *
 * The SDK messages CosmJS already knows (bank, staking, distribution, gov v1beta1) keep CosmJS's
 * own converters; the rest (BLOCKAI's messages, gov v1, slashing, upgrade, the MsgUpdateParams)
 * get converters built from the modules' amino tables, the very tables the chain verifies with.
 */
import { AminoTypes, createDefaultAminoConverters, type AminoConverter, type AminoConverters } from "@cosmjs/stargate";
import { aminoResolver, fromAminoValue, toAminoMsg, type AminoMsgType, type AminoResolver, type AminoTable } from "../types/amino";
import { AuthAmino } from "../modules/auth/amino";
import { BankAmino } from "../modules/bank/amino";
import { DistributionAmino } from "../modules/distribution/amino";
import { EpochsAmino } from "../modules/epochs/amino";
import { GovAmino } from "../modules/gov/amino";
import { MeteringAmino } from "../modules/metering/amino";
import { MintAmino } from "../modules/mint/amino";
import { PowAmino } from "../modules/pow/amino";
import { RegistryAmino } from "../modules/registry/amino";
import { RewardsAmino } from "../modules/rewards/amino";
import { ScoringAmino } from "../modules/scoring/amino";
import { SlashingAmino } from "../modules/slashing/amino";
import { StakingAmino } from "../modules/staking/amino";
import { UpgradeAmino } from "../modules/upgrade/amino";

/** Every module's amino table; the chain takes the same from each module's definition (test/unit/amino-sign-bytes.test.ts checks they agree). */
export const BLOCKAI_AMINO_TABLES: readonly AminoTable[] = [
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

/** The amino name of every message type BLOCKAI accepts, by type URL. */
export const BLOCKAI_AMINO_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  BLOCKAI_AMINO_TABLES.flatMap((t) => Object.values(t).map((e): [string, string] => [e.typeUrl, e.aminoType])),
);

/** One table entry as a CosmJS converter. */
function converter(type: AminoMsgType, resolve: AminoResolver): AminoConverter {
  return {
    aminoType: type.aminoType,
    // Normalized to what the chain decodes (every field present, defaults filled in), so both
    // sides write the same JSON whatever partial object the application passed.
    toAmino: (value: unknown) => toAminoMsg(type, type.codec.decode(type.codec.encode(type.codec.fromPartial(value)).finish()), resolve).value,
    fromAmino: (value: Record<string, unknown>) => fromAminoValue(type, value, resolve),
  };
}

/** Converters for every BLOCKAI-accepted message CosmJS has none for (see the file comment). */
export function createBlockaiAminoConverters(): AminoConverters {
  const resolve = aminoResolver(...BLOCKAI_AMINO_TABLES);
  const cosmjs = createDefaultAminoConverters();
  const out: Record<string, AminoConverter> = {};
  for (const table of BLOCKAI_AMINO_TABLES) {
    for (const type of Object.values(table)) if (!(type.typeUrl in cosmjs)) out[type.typeUrl] = converter(type, resolve);
  }
  return out;
}

/** CosmJS's default converters plus BLOCKAI's: pass as `aminoTypes` to SigningStargateClient. */
export function createBlockaiAminoTypes(): AminoTypes {
  return new AminoTypes({ ...createDefaultAminoConverters(), ...createBlockaiAminoConverters() });
}
