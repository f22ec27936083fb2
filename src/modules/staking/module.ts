import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import type { Coin as ProtoCoin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryDelegatorValidatorRequest,
  QueryDelegatorValidatorResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryParamsResponse,
  QueryPoolResponse,
  QueryRedelegationsRequest,
  QueryRedelegationsResponse,
  QueryUnbondingDelegationRequest,
  QueryUnbondingDelegationResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorUnbondingDelegationsRequest,
  QueryValidatorUnbondingDelegationsResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { Params as ProtoParams, RedelegationResponse, bondStatusFromJSON, bondStatusToJSON } from "cosmjs-types/cosmos/staking/v1beta1/staking";
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
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { decodeAddress, moduleAddress } from "../../types/address";
import { isValidDenom } from "../../types/coins";
import { ChainError, SdkErrors } from "../../types/errors";
import { arr, bool, obj, str } from "../../types/genesis-json";
import type { Context, Module, MsgHandler, MsgResponse, QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import type { AuthKeeper } from "../auth/keeper";
import { KVStore, PrefixStore } from "../../store/kv";
import { DEC_ONE, Dec, decFromProto, decTruncateInt, formatDec, parseDec } from "../../types/dec";
import { StakingErrors } from "./errors";
import { formatRfc3339, parseRfc3339, uint, b64 } from "../../types/json";
import * as K from "./keys";
import { DEFAULT_STAKING_PARAMS, StakingKeeper } from "./keeper";
import {
  BONDED_POOL,
  BondStatus,
  DESCRIPTION_LIMITS,
  DO_NOT_MODIFY,
  Delegation,
  Description,
  ED25519_PUBKEY_TYPE_URL,
  NOT_BONDED_POOL,
  Redelegation,
  StakingParams,
  UnbondingDelegation,
  Validator,
  accAddr,
  consAddressOf,
  delegationToProto,
  formatDuration,
  formatTime,
  hex,
  nsToTimestamp,
  parseDuration,
  redToProto,
  tokensFromShares,
  ubdToProto,
  validatorToProto,
  valoper,
  valoperBytes,
  operatorAccount,
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
      ctx.events.emit("create_validator", { validator: msg.validatorAddress, amount: `${value.amount}${value.denom}` });
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
      ctx.events.emit("edit_validator", { commission_rate: formatDec(v.commission.rate), min_self_delegation: v.minSelfDelegation.toString() });
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
      ctx.events.emit("delegate", {
        validator: msg.validatorAddress,
        delegator: msg.delegatorAddress,
        amount: `${amount.amount}${amount.denom}`,
        new_shares: formatDec(shares),
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
      ctx.events.emit("unbond", {
        validator: msg.validatorAddress,
        delegator: msg.delegatorAddress,
        amount: `${returned}${amount.denom}`,
        completion_time: formatTime(completionTimeNs),
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
      ctx.events.emit("redelegate", {
        source_validator: msg.validatorSrcAddress,
        destination_validator: msg.validatorDstAddress,
        amount: `${amount.amount}${amount.denom}`,
        completion_time: formatTime(completionTimeNs),
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
      ctx.events.emit("cancel_unbonding_delegation", {
        amount: `${amount.amount}${amount.denom}`,
        validator: msg.validatorAddress,
        delegator: msg.delegatorAddress,
        creation_height: msg.creationHeight.toString(),
      });
      return respond("MsgCancelUnbondingDelegationResponse", MsgCancelUnbondingDelegationResponse, {});
    },
  };
}

// ---- queries ----------------------------------------------------------------------------------------------

function notFound(what: string): ChainError {
  return SdkErrors.KeyNotFound.wrap(`rpc error: code = NotFound desc = ${what}`);
}

function emptyAddress(value: string, what: string): void {
  if (value === "") throw SdkErrors.InvalidRequest.wrap(`${what} cannot be empty`);
}

export function paramsToProto(p: StakingParams): ProtoParams {
  return {
    unbondingTime: { seconds: p.unbondingTimeNs / 1_000_000_000n, nanos: Number(p.unbondingTimeNs % 1_000_000_000n) },
    maxValidators: p.maxValidators,
    maxEntries: p.maxEntries,
    historicalEntries: p.historicalEntries,
    bondDenom: p.bondDenom,
    minCommissionRate: p.minCommissionRate.toString(),
  };
}

function createQueries(keeper: StakingKeeper): QueryHandler[] {
  const q = (path: string, handle: QueryHandler["handle"]): QueryHandler => ({ path: `/cosmos.staking.v1beta1.Query/${path}`, handle });
  const st = (root: KVStore) => new PrefixStore(root, K.STAKING_STORE_PREFIX);
  const delegationResponse = (root: KVStore, d: Delegation) => {
    const v = keeper.getValidator(root, d.validator);
    const balance = v ? decTruncateInt(tokensFromShares(v, d.shares)) : 0n;
    return { delegation: delegationToProto(d), balance: { denom: keeper.bondDenom(root), amount: balance.toString() } };
  };
  const redelegationResponse = (root: KVStore, r: Redelegation): RedelegationResponse => {
    const dst = keeper.getValidator(root, r.dst);
    const proto = redToProto(r);
    return {
      redelegation: proto,
      entries: proto.entries.map((e, i) => ({
        redelegationEntry: e,
        balance: (dst ? decTruncateInt(tokensFromShares(dst, r.entries[i].sharesDst)) : 0n).toString(),
      })),
    };
  };
  return [
    q("Validators", (ctx, data) => {
      const req = QueryValidatorsRequest.decode(data);
      let status: BondStatus | undefined;
      if (req.status !== "") {
        status = bondStatusFromJSON(req.status);
        if (status === BondStatus.UNRECOGNIZED || status === BondStatus.BOND_STATUS_UNSPECIFIED) {
          throw SdkErrors.InvalidRequest.wrap(`invalid validator status ${req.status}`);
        }
      }
      const { items, pagination } = paginate(st(ctx.store), Uint8Array.of(K.VALIDATOR_PREFIX), Uint8Array.of(K.VALIDATOR_PREFIX + 1), req.pagination, (k) => {
        const v = keeper.getValidator(ctx.store, K.readLp(k, 1)[0]);
        return v && (status === undefined || v.status === status) ? validatorToProto(v) : undefined;
      });
      return QueryValidatorsResponse.encode({ validators: items, pagination }).finish();
    }),
    q("Validator", (ctx, data) => {
      const req = QueryValidatorRequest.decode(data);
      emptyAddress(req.validatorAddr, "validator address");
      const v = keeper.getValidator(ctx.store, valoperBytes(req.validatorAddr));
      if (!v) throw notFound(`validator ${req.validatorAddr} not found`);
      return QueryValidatorResponse.encode({ validator: validatorToProto(v) }).finish();
    }),
    q("ValidatorDelegations", (ctx, data) => {
      const req = QueryValidatorDelegationsRequest.decode(data);
      emptyAddress(req.validatorAddr, "validator address");
      const op = valoperBytes(req.validatorAddr);
      const prefix = K.delegationsByValPrefix(op);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const d = keeper.getDelegation(ctx.store, K.readLp(k, prefix.length)[0], op);
        return d ? delegationResponse(ctx.store, d) : undefined;
      });
      return QueryValidatorDelegationsResponse.encode({ delegationResponses: page.items, pagination: page.pagination }).finish();
    }),
    q("ValidatorUnbondingDelegations", (ctx, data) => {
      const req = QueryValidatorUnbondingDelegationsRequest.decode(data);
      emptyAddress(req.validatorAddr, "validator address");
      const op = valoperBytes(req.validatorAddr);
      const prefix = K.ubdsByValPrefix(op);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const u = keeper.getUnbondingDelegation(ctx.store, K.readLp(k, prefix.length)[0], op);
        return u ? ubdToProto(u) : undefined;
      });
      return QueryValidatorUnbondingDelegationsResponse.encode({ unbondingResponses: page.items, pagination: page.pagination }).finish();
    }),
    q("Delegation", (ctx, data) => {
      const req = QueryDelegationRequest.decode(data);
      emptyAddress(req.delegatorAddr, "delegator address");
      emptyAddress(req.validatorAddr, "validator address");
      const d = keeper.getDelegation(ctx.store, decodeAddress(req.delegatorAddr, "delegator address"), valoperBytes(req.validatorAddr));
      if (!d) throw notFound(`delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`);
      return QueryDelegationResponse.encode({ delegationResponse: delegationResponse(ctx.store, d) }).finish();
    }),
    q("UnbondingDelegation", (ctx, data) => {
      const req = QueryUnbondingDelegationRequest.decode(data);
      emptyAddress(req.delegatorAddr, "delegator address");
      emptyAddress(req.validatorAddr, "validator address");
      const u = keeper.getUnbondingDelegation(ctx.store, decodeAddress(req.delegatorAddr, "delegator address"), valoperBytes(req.validatorAddr));
      if (!u) throw notFound(`unbonding delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`);
      return QueryUnbondingDelegationResponse.encode({ unbond: ubdToProto(u) }).finish();
    }),
    q("DelegatorDelegations", (ctx, data) => {
      const req = QueryDelegatorDelegationsRequest.decode(data);
      emptyAddress(req.delegatorAddr, "delegator address");
      const del = decodeAddress(req.delegatorAddr, "delegator address");
      const prefix = K.delegationsOfDelegatorPrefix(del);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const d = keeper.getDelegation(ctx.store, del, K.readLp(k, prefix.length)[0]);
        return d ? delegationResponse(ctx.store, d) : undefined;
      });
      return QueryDelegatorDelegationsResponse.encode({ delegationResponses: page.items, pagination: page.pagination }).finish();
    }),
    q("DelegatorUnbondingDelegations", (ctx, data) => {
      const req = QueryDelegatorUnbondingDelegationsRequest.decode(data);
      emptyAddress(req.delegatorAddr, "delegator address");
      const del = decodeAddress(req.delegatorAddr, "delegator address");
      const prefix = K.ubdsOfDelegatorPrefix(del);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const u = keeper.getUnbondingDelegation(ctx.store, del, K.readLp(k, prefix.length)[0]);
        return u ? ubdToProto(u) : undefined;
      });
      return QueryDelegatorUnbondingDelegationsResponse.encode({ unbondingResponses: page.items, pagination: page.pagination }).finish();
    }),
    q("Redelegations", (ctx, data) => {
      const req = QueryRedelegationsRequest.decode(data);
      const del = req.delegatorAddr ? decodeAddress(req.delegatorAddr, "delegator address") : undefined;
      const src = req.srcValidatorAddr ? valoperBytes(req.srcValidatorAddr, "source validator address") : undefined;
      const dst = req.dstValidatorAddr ? valoperBytes(req.dstValidatorAddr, "destination validator address") : undefined;
      if (del && src && dst) {
        const r = keeper.getRedelegation(ctx.store, del, src, dst);
        if (!r) throw notFound(`redelegation not found for delegator address ${req.delegatorAddr} from validator address ${req.srcValidatorAddr}`);
        return QueryRedelegationsResponse.encode({ redelegationResponses: [redelegationResponse(ctx.store, r)], pagination: undefined }).finish();
      }
      if (del) {
        const prefix = src ? K.redsOfDelegatorFromSrcPrefix(del, src) : K.redsOfDelegatorPrefix(del);
        const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
          const [, o1] = K.readLp(k, 1);
          const [s, o2] = K.readLp(k, o1);
          const [d] = K.readLp(k, o2);
          const r = keeper.getRedelegation(ctx.store, del, s, d);
          return r && (!dst || Buffer.from(d).equals(Buffer.from(dst))) ? redelegationResponse(ctx.store, r) : undefined;
        });
        return QueryRedelegationsResponse.encode({ redelegationResponses: page.items, pagination: page.pagination }).finish();
      }
      if (src) {
        const prefix = K.redsBySrcPrefix(src);
        const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
          const [d1, o] = K.readLp(k, prefix.length);
          const [d2] = K.readLp(k, o);
          const r = keeper.getRedelegation(ctx.store, d1, src, d2);
          return r && (!dst || Buffer.from(d2).equals(Buffer.from(dst))) ? redelegationResponse(ctx.store, r) : undefined;
        });
        return QueryRedelegationsResponse.encode({ redelegationResponses: page.items, pagination: page.pagination }).finish();
      }
      throw SdkErrors.InvalidRequest.wrap("give a delegator address or a source validator address");
    }),
    q("DelegatorValidators", (ctx, data) => {
      const req = QueryDelegatorValidatorsRequest.decode(data);
      emptyAddress(req.delegatorAddr, "delegator address");
      const del = decodeAddress(req.delegatorAddr, "delegator address");
      const prefix = K.delegationsOfDelegatorPrefix(del);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const v = keeper.getValidator(ctx.store, K.readLp(k, prefix.length)[0]);
        return v ? validatorToProto(v) : undefined;
      });
      return QueryDelegatorValidatorsResponse.encode({ validators: page.items, pagination: page.pagination }).finish();
    }),
    q("DelegatorValidator", (ctx, data) => {
      const req = QueryDelegatorValidatorRequest.decode(data);
      const del = decodeAddress(req.delegatorAddr, "delegator address");
      const op = valoperBytes(req.validatorAddr);
      if (!keeper.getDelegation(ctx.store, del, op)) throw notFound(`delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`);
      const v = keeper.getValidator(ctx.store, op);
      if (!v) throw notFound(`validator ${req.validatorAddr} not found`);
      return QueryDelegatorValidatorResponse.encode({ validator: validatorToProto(v) }).finish();
    }),
    q("Pool", (ctx) => {
      const p = keeper.poolBalances(ctx.store);
      return QueryPoolResponse.encode({ pool: { notBondedTokens: p.notBonded.toString(), bondedTokens: p.bonded.toString() } }).finish();
    }),
    q("Params", (ctx) => QueryParamsResponse.encode({ params: paramsToProto(keeper.getParams(ctx.store)) }).finish()),
  ];
}

function endOf(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i]++;
      return end;
    }
  }
  return undefined;
}

// ---- genesis ------------------------------------------------------------------------------------------------

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

export function stakingParamsFromJson(j: unknown): StakingParams {
  if (j === undefined) return DEFAULT_STAKING_PARAMS;
  const o = obj(j, "staking.params");
  const d = DEFAULT_STAKING_PARAMS;
  const num = (v: unknown, name: string, def: number, min: number) => {
    if (v === undefined) return def;
    const n = Number(uint(v, `staking.params.${name}`, 0xffffffffn));
    if (n < min) throw new Error(`staking.params.${name} must be at least ${min}`);
    return n;
  };
  const p: StakingParams = {
    unbondingTimeNs: o.unbonding_time === undefined ? d.unbondingTimeNs : parseDuration(o.unbonding_time, "staking.params.unbonding_time"),
    maxValidators: num(o.max_validators, "max_validators", d.maxValidators, 1),
    maxEntries: num(o.max_entries, "max_entries", d.maxEntries, 1),
    historicalEntries: num(o.historical_entries, "historical_entries", d.historicalEntries, 0),
    bondDenom: o.bond_denom === undefined ? d.bondDenom : str(o.bond_denom, "staking.params.bond_denom"),
    minCommissionRate: o.min_commission_rate === undefined ? d.minCommissionRate : parseDec(str(o.min_commission_rate, "staking.params.min_commission_rate"), "staking.params.min_commission_rate"),
  };
  if (p.unbondingTimeNs <= 0n) throw new Error("staking.params.unbonding_time must be positive");
  if (!isValidDenom(p.bondDenom)) throw new Error(`staking.params.bond_denom: invalid denom ${JSON.stringify(p.bondDenom)}`);
  if (p.minCommissionRate < 0n || p.minCommissionRate > DEC_ONE) throw new Error("staking.params.min_commission_rate must be between 0 and 1");
  return p;
}

function validatorToJson(v: Validator) {
  return {
    operator_address: valoper(v.operator),
    consensus_pubkey: { "@type": ED25519_PUBKEY_TYPE_URL, key: Buffer.from(v.consPubKey).toString("base64") },
    jailed: v.jailed,
    status: bondStatusToJSON(v.status),
    tokens: v.tokens.toString(),
    delegator_shares: formatDec(v.delegatorShares),
    description: {
      moniker: v.description.moniker,
      identity: v.description.identity,
      website: v.description.website,
      security_contact: v.description.securityContact,
      details: v.description.details,
    },
    unbonding_height: v.unbondingHeight.toString(),
    unbonding_time: formatRfc3339(v.unbondingTimeNs),
    commission: {
      commission_rates: {
        rate: formatDec(v.commission.rate),
        max_rate: formatDec(v.commission.maxRate),
        max_change_rate: formatDec(v.commission.maxChangeRate),
      },
      update_time: formatRfc3339(v.commission.updateTimeNs),
    },
    min_self_delegation: v.minSelfDelegation.toString(),
    unbonding_on_hold_ref_count: "0",
    unbonding_ids: [],
  };
}

function validatorFromJson(j: unknown, w: string): Validator {
  const o = obj(j, w);
  const pk = obj(o.consensus_pubkey, `${w}.consensus_pubkey`);
  if (pk["@type"] !== ED25519_PUBKEY_TYPE_URL) throw new Error(`${w}.consensus_pubkey: only ${ED25519_PUBKEY_TYPE_URL} is supported`);
  const key = b64(pk.key, `${w}.consensus_pubkey.key`);
  if (key.length !== 32) throw new Error(`${w}.consensus_pubkey.key: expected 32 bytes`);
  const status = bondStatusFromJSON(str(o.status ?? "BOND_STATUS_UNBONDED", `${w}.status`));
  if (status === BondStatus.UNRECOGNIZED || status === BondStatus.BOND_STATUS_UNSPECIFIED) throw new Error(`${w}.status: invalid ${JSON.stringify(o.status)}`);
  const desc = obj(o.description ?? {}, `${w}.description`);
  const ds = (k: string) => (desc[k] === undefined ? "" : str(desc[k], `${w}.description.${k}`));
  const comm = obj(o.commission ?? {}, `${w}.commission`);
  const rates = obj(comm.commission_rates ?? {}, `${w}.commission.commission_rates`);
  const rate = (k: string, def: string) => parseDec(str(rates[k] ?? def, `${w}.commission.commission_rates.${k}`), `${w}.commission.commission_rates.${k}`);
  const v: Validator = {
    operator: valoperBytesOrError(str(o.operator_address, `${w}.operator_address`), `${w}.operator_address`),
    consPubKey: key,
    jailed: o.jailed === undefined ? false : bool(o.jailed, `${w}.jailed`),
    status,
    tokens: uint(o.tokens ?? "0", `${w}.tokens`, (1n << 256n) - 1n),
    delegatorShares: parseDec(str(o.delegator_shares ?? "0", `${w}.delegator_shares`), `${w}.delegator_shares`),
    description: { moniker: ds("moniker"), identity: ds("identity"), website: ds("website"), securityContact: ds("security_contact"), details: ds("details") },
    unbondingHeight: uint(o.unbonding_height ?? "0", `${w}.unbonding_height`),
    unbondingTimeNs: o.unbonding_time === undefined ? 0n : parseRfc3339(o.unbonding_time, `${w}.unbonding_time`),
    commission: {
      rate: rate("rate", "0.1"),
      maxRate: rate("max_rate", "0.2"),
      maxChangeRate: rate("max_change_rate", "0.01"),
      updateTimeNs: comm.update_time === undefined ? 0n : parseRfc3339(comm.update_time, `${w}.commission.update_time`),
    },
    minSelfDelegation: uint(o.min_self_delegation ?? "1", `${w}.min_self_delegation`, (1n << 256n) - 1n),
  };
  try {
    validateCommission(v.commission.rate, v.commission.maxRate, v.commission.maxChangeRate);
  } catch (e) {
    throw new Error(`${w}.commission: ${(e as Error).message}`);
  }
  if (v.delegatorShares < 0n) throw new Error(`${w}.delegator_shares must not be negative`);
  return v;
}

function valoperBytesOrError(text: string, where: string): Uint8Array {
  try {
    return valoperBytes(text);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

function accBytesOrError(text: string, where: string): Uint8Array {
  try {
    return decodeAddress(text, "address");
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

/** The operator addresses are soavaloper; module accounts of the pools must be module accounts. */
function ensurePoolAccount(auth: AuthKeeper, root: KVStore, name: string): void {
  const existing = auth.getAccount(root, moduleAddress(name));
  if (existing && existing.moduleName === undefined) auth.setAccount(root, { ...existing, moduleName: name });
  else if (!existing) auth.ensureModuleAccount(root, name);
}

export function createStakingModule(keeper: StakingKeeper, auth: AuthKeeper): Module {
  return {
    name: "staking",
    msgs: [
      createValidatorHandler(keeper),
      editValidatorHandler(keeper),
      delegateHandler(keeper),
      undelegateHandler(keeper),
      redelegateHandler(keeper),
      cancelUnbondingHandler(keeper),
    ],
    queries: createQueries(keeper),
    defaultGenesis: () => ({
      params: stakingParamsToJson(DEFAULT_STAKING_PARAMS),
      last_total_power: "0",
      last_validator_powers: [],
      validators: [],
      delegations: [],
      unbonding_delegations: [],
      redelegations: [],
      exported: false,
    }),
    initGenesis(ctx: Context, genesis: unknown): ValidatorUpdate[] {
      const g = obj(genesis ?? {}, "staking");
      const params = stakingParamsFromJson(g.params);
      keeper.setParams(ctx.store, params);
      const exported = g.exported === undefined ? false : bool(g.exported, "staking.exported");
      ensurePoolAccount(auth, ctx.store, BONDED_POOL);
      ensurePoolAccount(auth, ctx.store, NOT_BONDED_POOL);
      const s = keeper.store(ctx.store);
      let bondedTokens = 0n;
      let notBondedTokens = 0n;
      const seenOps = new Set<string>();
      const seenCons = new Set<string>();
      arr(g.validators ?? [], "staking.validators").forEach((j, i) => {
        const w = `staking.validators[${i}]`;
        const v = validatorFromJson(j, w);
        const cons = hex(consAddressOf(v.consPubKey));
        if (seenOps.has(hex(v.operator))) throw new Error(`${w}: duplicate operator ${valoper(v.operator)}`);
        if (seenCons.has(cons)) throw new Error(`${w}: consensus key already used by another validator`);
        seenOps.add(hex(v.operator));
        seenCons.add(cons);
        keeper.createValidatorRecord(ctx, v, !exported);
        if (v.status === BondStatus.BOND_STATUS_UNBONDING) s.set(K.validatorQueueKey(v.unbondingTimeNs, v.unbondingHeight, v.operator), new Uint8Array());
        if (v.status === BondStatus.BOND_STATUS_BONDED) bondedTokens += v.tokens;
        else notBondedTokens += v.tokens;
      });
      const shareSums = new Map<string, bigint>();
      arr(g.delegations ?? [], "staking.delegations").forEach((j, i) => {
        const w = `staking.delegations[${i}]`;
        const o = obj(j, w);
        const d: Delegation = {
          delegator: accBytesOrError(str(o.delegator_address, `${w}.delegator_address`), `${w}.delegator_address`),
          validator: valoperBytesOrError(str(o.validator_address, `${w}.validator_address`), `${w}.validator_address`),
          shares: parseDec(str(o.shares, `${w}.shares`), `${w}.shares`),
        };
        if (!seenOps.has(hex(d.validator))) throw new Error(`${w}: unknown validator ${valoper(d.validator)}`);
        if (d.shares <= 0n) throw new Error(`${w}.shares must be positive`);
        if (keeper.getDelegation(ctx.store, d.delegator, d.validator)) throw new Error(`${w}: duplicate delegation`);
        keeper.importDelegation(ctx, d, !exported);
        shareSums.set(hex(d.validator), (shareSums.get(hex(d.validator)) ?? 0n) + d.shares);
      });
      for (const v of keeper.allValidators(ctx.store)) {
        const sum = shareSums.get(hex(v.operator)) ?? 0n;
        if (sum !== v.delegatorShares) {
          throw new Error(`staking: delegations to ${valoper(v.operator)} hold ${formatDec(sum)} shares but the validator records ${formatDec(v.delegatorShares)}`);
        }
      }
      arr(g.unbonding_delegations ?? [], "staking.unbonding_delegations").forEach((j, i) => {
        const w = `staking.unbonding_delegations[${i}]`;
        const o = obj(j, w);
        const u: UnbondingDelegation = {
          delegator: accBytesOrError(str(o.delegator_address, `${w}.delegator_address`), `${w}.delegator_address`),
          validator: valoperBytesOrError(str(o.validator_address, `${w}.validator_address`), `${w}.validator_address`),
          entries: arr(o.entries, `${w}.entries`).map((e, k) => {
            const eo = obj(e, `${w}.entries[${k}]`);
            return {
              creationHeight: uint(eo.creation_height ?? "0", `${w}.entries[${k}].creation_height`),
              completionTimeNs: parseRfc3339(eo.completion_time, `${w}.entries[${k}].completion_time`),
              initialBalance: uint(eo.initial_balance, `${w}.entries[${k}].initial_balance`, (1n << 256n) - 1n),
              balance: uint(eo.balance, `${w}.entries[${k}].balance`, (1n << 256n) - 1n),
              unbondingId: uint(eo.unbonding_id ?? "0", `${w}.entries[${k}].unbonding_id`),
            };
          }),
        };
        keeper.setUnbondingDelegation(ctx.store, u);
        for (const e of u.entries) {
          s.set(K.ubdQueueKey(e.completionTimeNs, u.delegator, u.validator), new Uint8Array());
          notBondedTokens += e.balance;
        }
      });
      arr(g.redelegations ?? [], "staking.redelegations").forEach((j, i) => {
        const w = `staking.redelegations[${i}]`;
        const o = obj(j, w);
        const r: Redelegation = {
          delegator: accBytesOrError(str(o.delegator_address, `${w}.delegator_address`), `${w}.delegator_address`),
          src: valoperBytesOrError(str(o.validator_src_address, `${w}.validator_src_address`), `${w}.validator_src_address`),
          dst: valoperBytesOrError(str(o.validator_dst_address, `${w}.validator_dst_address`), `${w}.validator_dst_address`),
          entries: arr(o.entries, `${w}.entries`).map((e, k) => {
            const eo = obj(e, `${w}.entries[${k}]`);
            return {
              creationHeight: uint(eo.creation_height ?? "0", `${w}.entries[${k}].creation_height`),
              completionTimeNs: parseRfc3339(eo.completion_time, `${w}.entries[${k}].completion_time`),
              initialBalance: uint(eo.initial_balance, `${w}.entries[${k}].initial_balance`, (1n << 256n) - 1n),
              sharesDst: parseDec(str(eo.shares_dst, `${w}.entries[${k}].shares_dst`), `${w}.entries[${k}].shares_dst`),
              unbondingId: uint(eo.unbonding_id ?? "0", `${w}.entries[${k}].unbonding_id`),
            };
          }),
        };
        keeper.setRedelegation(ctx.store, r);
        for (const e of r.entries) s.set(K.redQueueKey(e.completionTimeNs, r.delegator, r.src, r.dst), new Uint8Array());
      });
      const pools = keeper.poolBalances(ctx.store);
      if (pools.bonded !== bondedTokens) {
        throw new Error(`staking: bonded_tokens_pool balance ${pools.bonded} differs from the bonded validators' tokens ${bondedTokens}`);
      }
      if (pools.notBonded !== notBondedTokens) {
        throw new Error(`staking: not_bonded_tokens_pool balance ${pools.notBonded} differs from unbonded tokens and unbonding entries ${notBondedTokens}`);
      }
      if (exported) {
        const updates: ValidatorUpdate[] = [];
        let total = 0n;
        arr(g.last_validator_powers ?? [], "staking.last_validator_powers").forEach((j, i) => {
          const w = `staking.last_validator_powers[${i}]`;
          const o = obj(j, w);
          const op = valoperBytesOrError(str(o.address, `${w}.address`), `${w}.address`);
          const power = uint(o.power, `${w}.power`);
          const v = keeper.getValidator(ctx.store, op);
          if (!v) throw new Error(`${w}: unknown validator`);
          s.set(K.lastPowerKey(op), K.u64(power));
          total += power;
          updates.push({ pubKey: { ed25519: v.consPubKey }, power });
        });
        s.set(K.LAST_TOTAL_POWER_KEY, K.u64(total));
        return updates;
      }
      return keeper.applyAndReturnValidatorSetUpdates(ctx);
    },
    exportGenesis(ctx: Context) {
      const root = ctx.store;
      return {
        params: stakingParamsToJson(keeper.getParams(root)),
        last_total_power: keeper.getLastTotalPower(root).toString(),
        last_validator_powers: keeper.lastValidatorPowers(root).map(({ op, power }) => ({ address: valoper(op), power: power.toString() })),
        validators: keeper.allValidators(root).map(validatorToJson),
        delegations: keeper.allDelegations(root).map((d) => ({
          delegator_address: accAddr(d.delegator),
          validator_address: valoper(d.validator),
          shares: formatDec(d.shares),
        })),
        unbonding_delegations: keeper.allUnbondingDelegations(root).map((u) => ({
          delegator_address: accAddr(u.delegator),
          validator_address: valoper(u.validator),
          entries: u.entries.map((e) => ({
            creation_height: e.creationHeight.toString(),
            completion_time: formatRfc3339(e.completionTimeNs),
            initial_balance: e.initialBalance.toString(),
            balance: e.balance.toString(),
            unbonding_id: e.unbondingId.toString(),
            unbonding_on_hold_ref_count: "0",
          })),
        })),
        redelegations: keeper.allRedelegations(root).map((r) => ({
          delegator_address: accAddr(r.delegator),
          validator_src_address: valoper(r.src),
          validator_dst_address: valoper(r.dst),
          entries: r.entries.map((e) => ({
            creation_height: e.creationHeight.toString(),
            completion_time: formatRfc3339(e.completionTimeNs),
            initial_balance: e.initialBalance.toString(),
            shares_dst: formatDec(e.sharesDst),
            unbonding_id: e.unbondingId.toString(),
            unbonding_on_hold_ref_count: "0",
          })),
        })),
        exported: true,
      };
    },
    endBlock: (ctx) => keeper.endBlock(ctx),
    invariants: (store) => keeper.invariants(store),
  };
}
