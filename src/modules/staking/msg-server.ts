import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import type { Coin as ProtoCoin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import {
  MsgBeginRedelegate,
  MsgBeginRedelegateResponse,
  MsgCancelUnbondingDelegation,
  MsgCancelUnbondingDelegationResponse,
  MsgCreateValidator,
  MsgCreateValidatorResponse,
  MsgDelegate,
  MsgDelegateResponse,
  MsgEditValidator,
  MsgEditValidatorResponse,
  MsgUndelegate,
  MsgUndelegateResponse,
  MsgUpdateParams,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { updateParamsHandler } from "../../framework/params";
import { StakingParams, stakingParamsFromMsg } from "./params";
import { decodeAddress } from "../../types/address";
import { isValidDenom } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import type { MsgHandler, MsgResponse } from "../../framework/module";
import type { KVStore } from "../../store/kv";
import { DEC_ONE, Dec, decFromProto, formatDec } from "../../types/dec";
import { formatTime, nsToTimestamp } from "../../types/time";
import { StakingErrors } from "./errors";
import { StakingAttributes, StakingEvents } from "./events";
import type { StakingKeeper } from "./keeper";
import {
  BondStatus,
  DESCRIPTION_LIMITS,
  DO_NOT_MODIFY,
  Description,
  ED25519_PUBKEY_TYPE_URL,
  Validator,
  consAddressOf,
  operatorAccount,
  validateCommission,
  valoper,
  valoperBytes,
} from "./types";

const TYPE = "/cosmos.staking.v1beta1.";

/** A positive amount of one coin; zero, negative or malformed amounts are sdk/18 as in the SDK's msg server. */
function positiveAmount(coin: ProtoCoin | undefined, what: string): { denom: string; amount: bigint } {
  if (!coin || !isValidDenom(coin.denom) || !/^[0-9]{1,78}$/.test(coin.amount) || BigInt(coin.amount) === 0n) {
    throw SdkErrors.InvalidRequest.wrap(`invalid ${what}: ${coin ? `${JSON.stringify(coin.amount)}${coin.denom}` : "missing"} (must be a positive amount)`);
  }
  return { denom: coin.denom, amount: BigInt(coin.amount) };
}

function requireBondDenom(keeper: StakingKeeper, store: KVStore, denom: string): void {
  const bond = keeper.bondDenom(store);
  if (denom !== bond) throw SdkErrors.InvalidRequest.wrap(`invalid coin denomination: got ${denom}, expected ${bond}`);
}

function msgDec(text: string, what: string): Dec {
  const d = decFromProto(text);
  if (d === undefined) throw SdkErrors.InvalidRequest.wrap(`${what}: invalid decimal ${JSON.stringify(text)} (protobuf Dec is the integer value x 10^18)`);
  return d;
}

function ensureDescriptionLength(d: Description): void {
  // In UTF-8 bytes, as the SDK's len(): in UTF-16 units a field of 3-byte characters held 3x its limit.
  const check = (value: string, max: number, name: string) => {
    const length = Buffer.byteLength(value, "utf8");
    if (length > max) throw SdkErrors.InvalidRequest.wrap(`invalid ${name} length; got: ${length}, max: ${max}`);
  };
  check(d.moniker, DESCRIPTION_LIMITS.moniker, "moniker");
  check(d.identity, DESCRIPTION_LIMITS.identity, "identity");
  check(d.website, DESCRIPTION_LIMITS.website, "website");
  check(d.securityContact, DESCRIPTION_LIMITS.securityContact, "security contact");
  check(d.details, DESCRIPTION_LIMITS.details, "details");
}

function isEmptyDescription(d: Description | undefined): boolean {
  return !d || (d.moniker === "" && d.identity === "" && d.website === "" && d.securityContact === "" && d.details === "");
}

function respond(name: string, codec: { encode(m: any): { finish(): Uint8Array } }, value: unknown): MsgResponse {
  return { typeUrl: `${TYPE}${name}`, value: codec.encode(value).finish() };
}

function refuseTombstoned(keeper: StakingKeeper, store: KVStore, v: Validator): void {
  if (keeper.isTombstoned(store, consAddressOf(v.consPubKey))) {
    throw StakingErrors.ValidatorJailed.wrap(`validator ${valoper(v.operator)} is tombstoned (jailed forever for double signing); it accepts no stake`);
  }
}

// ---- messages ------------------------------------------------------------------------------------------

function createValidatorHandler(keeper: StakingKeeper): MsgHandler<MsgCreateValidator> {
  return {
    typeUrl: `${TYPE}MsgCreateValidator`,
    codec: MsgCreateValidator,
    signers: (msg) => [operatorAccount(msg.validatorAddress)],
    validateBasic(msg) {
      const op = valoperBytes(msg.validatorAddress);
      if (msg.delegatorAddress !== "" && !Buffer.from(decodeAddress(msg.delegatorAddress, "delegator address")).equals(Buffer.from(op))) {
        throw SdkErrors.InvalidAddress.wrap("delegator address must be empty or the validator operator's account");
      }
      if (!msg.pubkey) throw StakingErrors.EmptyValidatorPubKey.wrap();
      positiveAmount(msg.value, "delegation amount");
      if (isEmptyDescription(msg.description)) throw SdkErrors.InvalidRequest.wrap("empty description");
      const c = msg.commission;
      if (!c || (c.rate === "" && c.maxRate === "" && c.maxChangeRate === "")) throw SdkErrors.InvalidRequest.wrap("empty commission");
      validateCommission(msgDec(c.rate, "commission rate"), msgDec(c.maxRate, "commission max rate"), msgDec(c.maxChangeRate, "commission max change rate"));
      if (!/^[0-9]{1,78}$/.test(msg.minSelfDelegation) || BigInt(msg.minSelfDelegation) === 0n) {
        throw SdkErrors.InvalidRequest.wrap("minimum self delegation must be a positive integer");
      }
      if (BigInt(msg.value.amount) < BigInt(msg.minSelfDelegation)) throw StakingErrors.SelfDelegationBelowMinimum.wrap();
    },
    execute(ctx, msg) {
      const op = valoperBytes(msg.validatorAddress);
      const params = keeper.getParams(ctx.store);
      const rates = msg.commission;
      const rate = msgDec(rates.rate, "commission rate");
      if (rate < params.minCommissionRate) {
        throw StakingErrors.CommissionLTMinRate.wrap(`cannot set validator commission to less than minimum rate of ${formatDec(params.minCommissionRate)}`);
      }
      if (keeper.getValidator(ctx.store, op)) throw StakingErrors.ValidatorOwnerExists.wrap(msg.validatorAddress);
      const pk = msg.pubkey!;
      if (pk.typeUrl !== ED25519_PUBKEY_TYPE_URL) {
        throw StakingErrors.ValidatorPubKeyTypeNotSupported.wrap(`got: ${pk.typeUrl}, expected: ${ED25519_PUBKEY_TYPE_URL} (ed25519)`);
      }
      let key: Uint8Array;
      try {
        key = Ed25519PubKey.decode(pk.value).key;
      } catch {
        throw StakingErrors.ValidatorPubKeyTypeNotSupported.wrap("malformed ed25519 public key");
      }
      if (key.length !== 32) throw StakingErrors.ValidatorPubKeyTypeNotSupported.wrap(`ed25519 public key must be 32 bytes, got ${key.length}`);
      const cons = consAddressOf(key);
      if (keeper.getValidatorByConsAddr(ctx.store, cons)) throw StakingErrors.ValidatorPubKeyExists.wrap();
      if (keeper.isTombstoned(ctx.store, cons)) throw StakingErrors.ValidatorPubKeyExists.wrap("this consensus key was tombstoned for double signing and cannot be used again");
      const value = positiveAmount(msg.value, "delegation amount");
      requireBondDenom(keeper, ctx.store, value.denom);
      ensureDescriptionLength(msg.description);
      const v: Validator = {
        operator: op,
        consPubKey: key,
        jailed: false,
        status: BondStatus.BOND_STATUS_UNBONDED,
        tokens: 0n,
        delegatorShares: 0n,
        description: msg.description,
        unbondingHeight: 0n,
        unbondingTimeNs: 0n,
        commission: {
          rate,
          maxRate: msgDec(rates.maxRate, "commission max rate"),
          maxChangeRate: msgDec(rates.maxChangeRate, "commission max change rate"),
          updateTimeNs: ctx.block.timeNs,
        },
        minSelfDelegation: BigInt(msg.minSelfDelegation),
      };
      keeper.createValidator(ctx, v);
      keeper.delegate(ctx, op, value.amount, BondStatus.BOND_STATUS_UNBONDED, v, true);
      ctx.events.emit(StakingEvents.CreateValidator, { [StakingAttributes.Validator]: msg.validatorAddress, [StakingAttributes.Amount]: `${value.amount}${value.denom}` });
      return respond("MsgCreateValidatorResponse", MsgCreateValidatorResponse, {});
    },
  };
}

function editValidatorHandler(keeper: StakingKeeper): MsgHandler<MsgEditValidator> {
  return {
    typeUrl: `${TYPE}MsgEditValidator`,
    codec: MsgEditValidator,
    signers: (msg) => [operatorAccount(msg.validatorAddress)],
    validateBasic(msg) {
      valoperBytes(msg.validatorAddress);
      if (isEmptyDescription(msg.description)) throw SdkErrors.InvalidRequest.wrap("empty description");
      if (msg.minSelfDelegation !== "" && (!/^[0-9]{1,78}$/.test(msg.minSelfDelegation) || BigInt(msg.minSelfDelegation) === 0n)) {
        throw SdkErrors.InvalidRequest.wrap("minimum self delegation must be a positive integer");
      }
      if (msg.commissionRate !== "") {
        const rate = msgDec(msg.commissionRate, "commission rate");
        if (rate < 0n || rate > DEC_ONE) throw SdkErrors.InvalidRequest.wrap("commission rate must be between 0 and 1 (inclusive)");
      }
    },
    execute(ctx, msg) {
      const op = valoperBytes(msg.validatorAddress);
      const params = keeper.getParams(ctx.store);
      const v = keeper.getValidator(ctx.store, op);
      if (!v) throw StakingErrors.NoValidatorFound.wrap(msg.validatorAddress);
      const d = msg.description;
      const keep = (next: string, old: string) => (next === DO_NOT_MODIFY ? old : next);
      v.description = {
        moniker: keep(d.moniker, v.description.moniker),
        identity: keep(d.identity, v.description.identity),
        website: keep(d.website, v.description.website),
        securityContact: keep(d.securityContact, v.description.securityContact),
        details: keep(d.details, v.description.details),
      };
      ensureDescriptionLength(v.description);
      if (msg.commissionRate !== "") {
        const rate = msgDec(msg.commissionRate, "commission rate");
        if (rate < params.minCommissionRate) {
          throw StakingErrors.CommissionLTMinRate.wrap(`cannot set validator commission to less than minimum rate of ${formatDec(params.minCommissionRate)}`);
        }
        const c = v.commission;
        const DAY = 24n * 3600n * 1_000_000_000n;
        if (ctx.block.timeNs - c.updateTimeNs < DAY) {
          throw StakingErrors.CommissionUpdateTime.wrap(`last change at ${formatTime(c.updateTimeNs)}; next change allowed at ${formatTime(c.updateTimeNs + DAY)}`);
        }
        if (rate > c.maxRate) throw StakingErrors.CommissionGTMaxRate.wrap(`rate ${formatDec(rate)} > max rate ${formatDec(c.maxRate)}`);
        const change = rate > c.rate ? rate - c.rate : c.rate - rate;
        if (change > c.maxChangeRate) {
          throw StakingErrors.CommissionGTMaxChangeRate.wrap(`change ${formatDec(change)} > max change rate ${formatDec(c.maxChangeRate)}`);
        }
        v.commission = { ...c, rate, updateTimeNs: ctx.block.timeNs };
      }
      if (msg.minSelfDelegation !== "") {
        const min = BigInt(msg.minSelfDelegation);
        if (min <= v.minSelfDelegation) throw StakingErrors.MinSelfDelegationDecreased.wrap(`${min} <= current ${v.minSelfDelegation}`);
        if (min > v.tokens) throw StakingErrors.SelfDelegationBelowMinimum.wrap(`${min} > validator tokens ${v.tokens}`);
        v.minSelfDelegation = min;
      }
      keeper.setValidator(ctx.store, v);
      ctx.events.emit(StakingEvents.EditValidator, { [StakingAttributes.CommissionRate]: formatDec(v.commission.rate), [StakingAttributes.MinSelfDelegation]: v.minSelfDelegation.toString() });
      return respond("MsgEditValidatorResponse", MsgEditValidatorResponse, {});
    },
  };
}

function delegateHandler(keeper: StakingKeeper): MsgHandler<MsgDelegate> {
  return {
    typeUrl: `${TYPE}MsgDelegate`,
    codec: MsgDelegate,
    signers: (msg) => [msg.delegatorAddress],
    validateBasic(msg) {
      decodeAddress(msg.delegatorAddress, "delegator address");
      valoperBytes(msg.validatorAddress);
      positiveAmount(msg.amount, "delegation amount");
    },
    execute(ctx, msg) {
      const del = decodeAddress(msg.delegatorAddress);
      const op = valoperBytes(msg.validatorAddress);
      const amount = positiveAmount(msg.amount, "delegation amount");
      const v = keeper.getValidator(ctx.store, op);
      if (!v) throw StakingErrors.NoValidatorFound.wrap(msg.validatorAddress);
      requireBondDenom(keeper, ctx.store, amount.denom);
      refuseTombstoned(keeper, ctx.store, v);
      const shares = keeper.delegate(ctx, del, amount.amount, BondStatus.BOND_STATUS_UNBONDED, v, true);
      ctx.events.emit(StakingEvents.Delegate, {
        [StakingAttributes.Validator]: msg.validatorAddress,
        [StakingAttributes.Delegator]: msg.delegatorAddress,
        [StakingAttributes.Amount]: `${amount.amount}${amount.denom}`,
        [StakingAttributes.NewShares]: formatDec(shares),
      });
      return respond("MsgDelegateResponse", MsgDelegateResponse, {});
    },
  };
}

function undelegateHandler(keeper: StakingKeeper): MsgHandler<MsgUndelegate> {
  return {
    typeUrl: `${TYPE}MsgUndelegate`,
    codec: MsgUndelegate,
    signers: (msg) => [msg.delegatorAddress],
    validateBasic(msg) {
      decodeAddress(msg.delegatorAddress, "delegator address");
      valoperBytes(msg.validatorAddress);
      positiveAmount(msg.amount, "shares amount");
    },
    execute(ctx, msg) {
      const del = decodeAddress(msg.delegatorAddress);
      const op = valoperBytes(msg.validatorAddress);
      const amount = positiveAmount(msg.amount, "shares amount");
      requireBondDenom(keeper, ctx.store, amount.denom);
      const shares = keeper.validateUnbondAmount(ctx.store, del, op, amount.amount);
      const { completionTimeNs, amount: returned } = keeper.undelegate(ctx, del, op, shares);
      ctx.events.emit(StakingEvents.Unbond, {
        [StakingAttributes.Validator]: msg.validatorAddress,
        [StakingAttributes.Delegator]: msg.delegatorAddress,
        [StakingAttributes.Amount]: `${returned}${amount.denom}`,
        [StakingAttributes.CompletionTime]: formatTime(completionTimeNs),
      });
      return respond("MsgUndelegateResponse", MsgUndelegateResponse, {
        completionTime: nsToTimestamp(completionTimeNs),
        amount: { denom: amount.denom, amount: returned.toString() },
      });
    },
  };
}

function redelegateHandler(keeper: StakingKeeper): MsgHandler<MsgBeginRedelegate> {
  return {
    typeUrl: `${TYPE}MsgBeginRedelegate`,
    codec: MsgBeginRedelegate,
    signers: (msg) => [msg.delegatorAddress],
    validateBasic(msg) {
      decodeAddress(msg.delegatorAddress, "delegator address");
      valoperBytes(msg.validatorSrcAddress, "source validator address");
      valoperBytes(msg.validatorDstAddress, "destination validator address");
      positiveAmount(msg.amount, "shares amount");
    },
    execute(ctx, msg) {
      const del = decodeAddress(msg.delegatorAddress);
      const src = valoperBytes(msg.validatorSrcAddress);
      const dst = valoperBytes(msg.validatorDstAddress);
      const amount = positiveAmount(msg.amount, "shares amount");
      requireBondDenom(keeper, ctx.store, amount.denom);
      const shares = keeper.validateUnbondAmount(ctx.store, del, src, amount.amount);
      const completionTimeNs = keeper.beginRedelegation(ctx, del, src, dst, shares);
      ctx.events.emit(StakingEvents.Redelegate, {
        [StakingAttributes.SourceValidator]: msg.validatorSrcAddress,
        [StakingAttributes.DestinationValidator]: msg.validatorDstAddress,
        [StakingAttributes.Amount]: `${amount.amount}${amount.denom}`,
        [StakingAttributes.CompletionTime]: formatTime(completionTimeNs),
      });
      return respond("MsgBeginRedelegateResponse", MsgBeginRedelegateResponse, { completionTime: nsToTimestamp(completionTimeNs) });
    },
  };
}

function cancelUnbondingHandler(keeper: StakingKeeper): MsgHandler<MsgCancelUnbondingDelegation> {
  return {
    typeUrl: `${TYPE}MsgCancelUnbondingDelegation`,
    codec: MsgCancelUnbondingDelegation,
    signers: (msg) => [msg.delegatorAddress],
    validateBasic(msg) {
      decodeAddress(msg.delegatorAddress, "delegator address");
      valoperBytes(msg.validatorAddress);
      positiveAmount(msg.amount, "amount");
      if (msg.creationHeight <= 0n) throw SdkErrors.InvalidRequest.wrap("invalid height");
    },
    execute(ctx, msg) {
      const del = decodeAddress(msg.delegatorAddress);
      const op = valoperBytes(msg.validatorAddress);
      const amount = positiveAmount(msg.amount, "amount");
      requireBondDenom(keeper, ctx.store, amount.denom);
      keeper.cancelUnbondingDelegation(ctx, del, op, amount.amount, msg.creationHeight);
      ctx.events.emit(StakingEvents.CancelUnbondingDelegation, {
        [StakingAttributes.Amount]: `${amount.amount}${amount.denom}`,
        [StakingAttributes.Validator]: msg.validatorAddress,
        [StakingAttributes.Delegator]: msg.delegatorAddress,
        [StakingAttributes.CreationHeight]: msg.creationHeight.toString(),
      });
      return respond("MsgCancelUnbondingDelegationResponse", MsgCancelUnbondingDelegationResponse, {});
    },
  };
}

/**
 * Parameter changes that would break the running chain: the bond denom is what every pool and
 * delegation holds, and a max_validators cut may not drop the validators holding more than a
 * third of the voting power at once (the remaining set must keep more than 2/3, or consensus would
 * be left to validators that did not have it a block before).
 */
export function checkStakingParamsChange(keeper: StakingKeeper, root: KVStore, p: StakingParams): void {
  const current = keeper.getParams(root);
  if (p.bondDenom !== current.bondDenom) throw new Error(`params.bond_denom cannot change on a running chain (${current.bondDenom} is bonded)`);
  const powers = keeper.lastValidatorPowers(root).map((x) => x.power).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  if (p.maxValidators >= powers.length) return;
  const total = powers.reduce((a, b) => a + b, 0n);
  const kept = powers.slice(0, p.maxValidators).reduce((a, b) => a + b, 0n);
  if (kept * 3n <= total * 2n) {
    throw new Error(`params.max_validators ${p.maxValidators} would keep validators with ${kept} of ${total} voting power, not more than 2/3`);
  }
}

function updateParamsHandlerOf(keeper: StakingKeeper): MsgHandler<MsgUpdateParams> {
  return updateParamsHandler<MsgUpdateParams, StakingParams>({
    typeUrl: "/cosmos.staking.v1beta1.MsgUpdateParams",
    codec: MsgUpdateParams,
    read: (msg) => stakingParamsFromMsg(msg.params),
    checkState: (ctx, p) => checkStakingParamsChange(keeper, ctx.store, p),
    set: (ctx, p) => keeper.setParams(ctx.store, p),
  });
}

/** The staking Msg service: one handler per message type URL. */
export function stakingMsgHandlers(keeper: StakingKeeper): MsgHandler<any>[] {
  return [
    updateParamsHandlerOf(keeper),
    createValidatorHandler(keeper),
    editValidatorHandler(keeper),
    delegateHandler(keeper),
    undelegateHandler(keeper),
    redelegateHandler(keeper),
    cancelUnbondingHandler(keeper),
  ];
}
