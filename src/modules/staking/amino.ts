/** The staking module's messages in SIGN_MODE_LEGACY_AMINO_JSON (docs/signing.md). Browser-safe. */
import {
  MsgBeginRedelegate,
  MsgCancelUnbondingDelegation,
  MsgCreateValidator,
  MsgDelegate,
  MsgEditValidator,
  MsgUndelegate,
  MsgUpdateParams,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { aminoType, type AminoTable, KEEP, keepAll } from "../../types/amino";

const T = "/cosmos.staking.v1beta1.";
const dec = { kind: "dec", keep: true } as const;
// CosmJS writes every description field, empty or not; so does the chain, to verify what it signs.
const description = { keep: true, fields: keepAll("moniker", "identity", "website", "securityContact", "details") };

export const StakingAmino: AminoTable = {
  [`${T}MsgCreateValidator`]: aminoType(`${T}MsgCreateValidator`, "cosmos-sdk/MsgCreateValidator", MsgCreateValidator, {
    description,
    commission: { keep: true, fields: { rate: dec, maxRate: dec, maxChangeRate: dec } },
    minSelfDelegation: KEEP,
    delegatorAddress: KEEP,
    validatorAddress: KEEP,
    pubkey: { kind: "pubkey", keep: true },
    value: KEEP,
  }),
  // commission_rate and min_self_delegation are left out when empty ("do not change").
  [`${T}MsgEditValidator`]: aminoType(`${T}MsgEditValidator`, "cosmos-sdk/MsgEditValidator", MsgEditValidator, {
    description,
    commissionRate: { kind: "dec" },
    validatorAddress: KEEP,
  }),
  [`${T}MsgDelegate`]: aminoType(`${T}MsgDelegate`, "cosmos-sdk/MsgDelegate", MsgDelegate, keepAll("delegatorAddress", "validatorAddress", "amount")),
  [`${T}MsgUndelegate`]: aminoType(`${T}MsgUndelegate`, "cosmos-sdk/MsgUndelegate", MsgUndelegate, keepAll("delegatorAddress", "validatorAddress", "amount")),
  [`${T}MsgBeginRedelegate`]: aminoType(
    `${T}MsgBeginRedelegate`,
    "cosmos-sdk/MsgBeginRedelegate",
    MsgBeginRedelegate,
    keepAll("delegatorAddress", "validatorSrcAddress", "validatorDstAddress", "amount"),
  ),
  [`${T}MsgCancelUnbondingDelegation`]: aminoType(
    `${T}MsgCancelUnbondingDelegation`,
    "cosmos-sdk/MsgCancelUnbondingDelegation",
    MsgCancelUnbondingDelegation,
    keepAll("delegatorAddress", "validatorAddress", "amount", "creationHeight"),
  ),
  [`${T}MsgUpdateParams`]: aminoType(`${T}MsgUpdateParams`, "cosmos-sdk/x/staking/MsgUpdateParams", MsgUpdateParams, {
    params: { keep: true, fields: { unbondingTime: { kind: "duration", keep: true }, minCommissionRate: dec } },
  }),
};
