import { sha256 } from "@noble/hashes/sha2.js";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  BondStatus,
  Delegation as ProtoDelegation,
  Description,
  Redelegation as ProtoRedelegation,
  UnbondingDelegation as ProtoUnbondingDelegation,
  Validator as ProtoValidator,
} from "cosmjs-types/cosmos/staking/v1beta1/staking";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { ACCOUNT_PREFIX, VALIDATOR_CONSENSUS_PREFIX, VALIDATOR_OPERATOR_PREFIX, decodeAddress, encodeAddress } from "../../types/address";
import { DEC_ONE, Dec, decFromProto, decMulInt, decQuo, decQuoTruncate, decToProto, decTruncateInt, decFromInt, formatDec } from "../../types/dec";
import { nsToTimestamp, timestampToNs } from "../../types/time";
import { StakingErrors } from "./errors";

export { BondStatus };
export type { Description };

export const STAKING_MODULE = "staking";
export const BONDED_POOL = "bonded_tokens_pool";
export const NOT_BONDED_POOL = "not_bonded_tokens_pool";
/** CometBFT voting power of bonded tokens: 1 power per 10^6 usoa (the SDK's DefaultPowerReduction). */
export const POWER_REDUCTION = 1_000_000n;
export const ED25519_PUBKEY_TYPE_URL = "/cosmos.crypto.ed25519.PubKey";
/** Description field limits (x/staking/types/validator.go). */
export const DESCRIPTION_LIMITS = { moniker: 70, identity: 3000, website: 140, securityContact: 140, details: 280 } as const;
export const DO_NOT_MODIFY = "[do-not-modify]";

export interface CommissionInfo {
  rate: Dec;
  maxRate: Dec;
  maxChangeRate: Dec;
  updateTimeNs: bigint;
}

export interface Validator {
  /** Operator address bytes (the same bytes as the operator's soa1 account). */
  operator: Uint8Array;
  /** 32-byte ed25519 consensus public key. */
  consPubKey: Uint8Array;
  jailed: boolean;
  status: BondStatus;
  tokens: bigint;
  delegatorShares: Dec;
  description: Description;
  unbondingHeight: bigint;
  unbondingTimeNs: bigint;
  commission: CommissionInfo;
  minSelfDelegation: bigint;
}

export interface Delegation {
  delegator: Uint8Array;
  validator: Uint8Array;
  shares: Dec;
}

export interface UnbondingEntry {
  creationHeight: bigint;
  completionTimeNs: bigint;
  initialBalance: bigint;
  balance: bigint;
  unbondingId: bigint;
}

export interface UnbondingDelegation {
  delegator: Uint8Array;
  validator: Uint8Array;
  entries: UnbondingEntry[];
}

export interface RedelegationEntry {
  creationHeight: bigint;
  completionTimeNs: bigint;
  initialBalance: bigint;
  sharesDst: Dec;
  unbondingId: bigint;
}

export interface Redelegation {
  delegator: Uint8Array;
  src: Uint8Array;
  dst: Uint8Array;
  entries: RedelegationEntry[];
}

// ---- addresses ------------------------------------------------------------------------------

export const valoper = (op: Uint8Array) => encodeAddress(op, VALIDATOR_OPERATOR_PREFIX);

/** Bytes of a soavaloper address; a bad one is sdk/7 naming `what`. */
export function valoperBytes(address: string, what = "validator address"): Uint8Array {
  return decodeAddress(address, what, VALIDATOR_OPERATOR_PREFIX);
}

/** The operator account (soa1...) of a soavaloper address, for signers; unparsable input is returned as is. */
export function operatorAccount(valoperAddress: string): string {
  try {
    return encodeAddress(valoperBytes(valoperAddress), ACCOUNT_PREFIX);
  } catch {
    return valoperAddress;
  }
}
export const accAddr = (a: Uint8Array) => encodeAddress(a, ACCOUNT_PREFIX);
export const valcons = (c: Uint8Array) => encodeAddress(c, VALIDATOR_CONSENSUS_PREFIX);

/** CometBFT's address of an ed25519 key: SHA-256(pubkey)[:20]. */
export function consAddressOf(pubKey: Uint8Array): Uint8Array {
  return sha256(pubKey).subarray(0, 20);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

// ---- validator arithmetic (x/staking/types/validator.go) --------------------------------------

export function consensusPower(tokens: bigint): bigint {
  return tokens / POWER_REDUCTION;
}

/** Power the validator has in CometBFT: its tokens' power when bonded, else 0. */
export function validatorPower(v: Validator): bigint {
  return v.status === BondStatus.BOND_STATUS_BONDED ? consensusPower(v.tokens) : 0n;
}

/** shares x tokens / total shares, rounded (the SDK's TokensFromShares). */
export function tokensFromShares(v: Validator, shares: Dec): Dec {
  if (v.delegatorShares === 0n) return 0n;
  return decQuo(decMulInt(shares, v.tokens), v.delegatorShares);
}

export function tokensFromSharesTruncated(v: Validator, shares: Dec): Dec {
  if (v.delegatorShares === 0n) return 0n;
  return decQuoTruncate(decMulInt(shares, v.tokens), v.delegatorShares);
}

/** Shares worth `amount` tokens (truncated); undefined when the validator has no tokens. */
export function sharesFromTokens(v: Validator, amount: bigint): Dec | undefined {
  if (v.tokens === 0n) return undefined;
  return decMulInt(v.delegatorShares, amount) / v.tokens;
}

export function invalidExRate(v: Validator): boolean {
  return v.tokens === 0n && v.delegatorShares > 0n;
}

/** Adds tokens from a delegation; returns the shares issued (first delegation: 1 share per token). */
export function addTokensFromDel(v: Validator, amount: bigint): Dec {
  const issued = v.delegatorShares === 0n ? decFromInt(amount) : sharesFromTokens(v, amount)!;
  v.tokens += amount;
  v.delegatorShares += issued;
  return issued;
}

/** Removes shares; returns the tokens they were worth (the last shares take every remaining token). */
export function removeDelShares(v: Validator, shares: Dec): bigint {
  const remaining = v.delegatorShares - shares;
  let issued: bigint;
  if (remaining === 0n) {
    issued = v.tokens;
    v.tokens = 0n;
  } else {
    issued = decTruncateInt(tokensFromShares(v, shares));
    v.tokens -= issued;
    if (v.tokens < 0n) throw new Error("attempting to remove more tokens than the validator has");
  }
  v.delegatorShares = remaining;
  return issued;
}

/** CommissionRates.Validate (x/staking/types/commission.go). */
export function validateCommission(rate: Dec, maxRate: Dec, maxChangeRate: Dec): void {
  if (maxRate < 0n) throw StakingErrors.CommissionNegative.wrap("max rate");
  if (maxRate > DEC_ONE) throw StakingErrors.CommissionHuge.wrap(`max rate ${formatDec(maxRate)}`);
  if (rate < 0n) throw StakingErrors.CommissionNegative.wrap("rate");
  if (rate > maxRate) throw StakingErrors.CommissionGTMaxRate.wrap(`rate ${formatDec(rate)} > max rate ${formatDec(maxRate)}`);
  if (maxChangeRate < 0n) throw StakingErrors.CommissionChangeRateNegative.wrap();
  if (maxChangeRate > maxRate) {
    throw StakingErrors.CommissionChangeRateGTMaxRate.wrap(`max change rate ${formatDec(maxChangeRate)} > max rate ${formatDec(maxRate)}`);
  }
}

export function abciUpdate(v: Validator, power: bigint): ValidatorUpdate {
  return { pubKey: { ed25519: v.consPubKey }, power };
}

// ---- protobuf conversion -----------------------------------------------------------------------

export function validatorToProto(v: Validator): ProtoValidator {
  return {
    operatorAddress: valoper(v.operator),
    consensusPubkey: { typeUrl: ED25519_PUBKEY_TYPE_URL, value: Ed25519PubKey.encode({ key: v.consPubKey }).finish() },
    jailed: v.jailed,
    status: v.status,
    tokens: v.tokens.toString(),
    delegatorShares: decToProto(v.delegatorShares),
    description: v.description,
    unbondingHeight: v.unbondingHeight,
    unbondingTime: nsToTimestamp(v.unbondingTimeNs),
    commission: {
      commissionRates: {
        rate: decToProto(v.commission.rate),
        maxRate: decToProto(v.commission.maxRate),
        maxChangeRate: decToProto(v.commission.maxChangeRate),
      },
      updateTime: nsToTimestamp(v.commission.updateTimeNs),
    },
    minSelfDelegation: v.minSelfDelegation.toString(),
    unbondingOnHoldRefCount: 0n,
    unbondingIds: [],
  };
}

function mustDec(s: string, what: string): Dec {
  const d = decFromProto(s);
  if (d === undefined) throw new Error(`corrupt staking state: ${what} ${JSON.stringify(s)}`);
  return d;
}

export function validatorFromProto(operator: Uint8Array, p: ProtoValidator): Validator {
  const rates = p.commission.commissionRates;
  return {
    operator,
    consPubKey: Ed25519PubKey.decode(p.consensusPubkey!.value).key,
    jailed: p.jailed,
    status: p.status,
    tokens: BigInt(p.tokens || "0"),
    delegatorShares: mustDec(p.delegatorShares, "delegator_shares"),
    description: p.description,
    unbondingHeight: p.unbondingHeight,
    unbondingTimeNs: timestampToNs(p.unbondingTime),
    commission: {
      rate: mustDec(rates.rate, "commission rate"),
      maxRate: mustDec(rates.maxRate, "commission max rate"),
      maxChangeRate: mustDec(rates.maxChangeRate, "commission max change rate"),
      updateTimeNs: timestampToNs(p.commission.updateTime),
    },
    minSelfDelegation: BigInt(p.minSelfDelegation || "0"),
  };
}

export function encodeValidator(v: Validator): Uint8Array {
  return ProtoValidator.encode(validatorToProto(v)).finish();
}

export function decodeValidator(operator: Uint8Array, raw: Uint8Array): Validator {
  return validatorFromProto(operator, ProtoValidator.decode(raw));
}

export function delegationToProto(d: Delegation): ProtoDelegation {
  return { delegatorAddress: accAddr(d.delegator), validatorAddress: valoper(d.validator), shares: decToProto(d.shares) };
}

export function encodeDelegation(d: Delegation): Uint8Array {
  return ProtoDelegation.encode(delegationToProto(d)).finish();
}

export function decodeDelegation(delegator: Uint8Array, validator: Uint8Array, raw: Uint8Array): Delegation {
  return { delegator, validator, shares: mustDec(ProtoDelegation.decode(raw).shares, "delegation shares") };
}

export function ubdToProto(u: UnbondingDelegation): ProtoUnbondingDelegation {
  return {
    delegatorAddress: accAddr(u.delegator),
    validatorAddress: valoper(u.validator),
    entries: u.entries.map((e) => ({
      creationHeight: e.creationHeight,
      completionTime: nsToTimestamp(e.completionTimeNs),
      initialBalance: e.initialBalance.toString(),
      balance: e.balance.toString(),
      unbondingId: e.unbondingId,
      unbondingOnHoldRefCount: 0n,
    })),
  };
}

export function encodeUbd(u: UnbondingDelegation): Uint8Array {
  return ProtoUnbondingDelegation.encode(ubdToProto(u)).finish();
}

export function decodeUbd(delegator: Uint8Array, validator: Uint8Array, raw: Uint8Array): UnbondingDelegation {
  const p = ProtoUnbondingDelegation.decode(raw);
  return {
    delegator,
    validator,
    entries: p.entries.map((e) => ({
      creationHeight: e.creationHeight,
      completionTimeNs: timestampToNs(e.completionTime),
      initialBalance: BigInt(e.initialBalance || "0"),
      balance: BigInt(e.balance || "0"),
      unbondingId: e.unbondingId,
    })),
  };
}

export function redToProto(r: Redelegation): ProtoRedelegation {
  return {
    delegatorAddress: accAddr(r.delegator),
    validatorSrcAddress: valoper(r.src),
    validatorDstAddress: valoper(r.dst),
    entries: r.entries.map((e) => ({
      creationHeight: e.creationHeight,
      completionTime: nsToTimestamp(e.completionTimeNs),
      initialBalance: e.initialBalance.toString(),
      sharesDst: decToProto(e.sharesDst),
      unbondingId: e.unbondingId,
      unbondingOnHoldRefCount: 0n,
    })),
  };
}

export function encodeRed(r: Redelegation): Uint8Array {
  return ProtoRedelegation.encode(redToProto(r)).finish();
}

export function decodeRed(delegator: Uint8Array, src: Uint8Array, dst: Uint8Array, raw: Uint8Array): Redelegation {
  const p = ProtoRedelegation.decode(raw);
  return {
    delegator,
    src,
    dst,
    entries: p.entries.map((e) => ({
      creationHeight: e.creationHeight,
      completionTimeNs: timestampToNs(e.completionTime),
      initialBalance: BigInt(e.initialBalance || "0"),
      sharesDst: mustDec(e.sharesDst, "redelegation shares_dst"),
      unbondingId: e.unbondingId,
    })),
  };
}
