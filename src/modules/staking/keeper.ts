import { Params as ProtoParams } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { moduleAddress } from "../../types/address";
import { equalBytes } from "../../types/bytes";
import type { Coin } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import type { Context } from "../../framework/module";
import { KVStore, PrefixStore, prefixEnd } from "../../store/kv";
import { DEC_ONE, Dec, decFromInt, decMul, decMulInt, decQuoRoundUp, decTruncateInt } from "../../types/dec";
import { StakingErrors } from "./errors";
import { StakingAttributes, StakingEvents } from "./events";
import type { StakingBank, StakingHooks, TombstoneCheck } from "./expected-keepers";
import { DEFAULT_STAKING_PARAMS, StakingParams, stakingParamsFromProto, stakingParamsToProto } from "./params";
import * as K from "./keys";
import {
  BONDED_POOL,
  BondStatus,
  Delegation,
  NOT_BONDED_POOL,
  POWER_REDUCTION,
  Redelegation,
  UnbondingDelegation,
  Validator,
  abciUpdate,
  accAddr,
  addTokensFromDel,
  consAddressOf,
  consensusPower,
  decodeDelegation,
  decodeRed,
  decodeUbd,
  decodeValidator,
  encodeDelegation,
  encodeRed,
  encodeUbd,
  encodeValidator,
  hex,
  invalidExRate,
  removeDelShares,
  sharesFromTokens,
  tokensFromShares,
  valoper,
} from "./types";

const enc = new TextEncoder();
const dec = new TextDecoder();

function u64Value(raw: Uint8Array | undefined): bigint {
  return raw ? K.readU64(raw) : 0n;
}

/**
 * Validators, delegations, unbonding delegations and redelegations; the bonded set sent to
 * CometBFT; slashing of stake. The Cosmos SDK's x/staking semantics (v0.50), deterministic:
 * every listing iterates the store in key order.
 */
export class StakingKeeper {
  private readonly hooks: StakingHooks[] = [];
  private tombstoned: TombstoneCheck = () => false;

  constructor(private readonly bank: StakingBank) {}

  addHooks(h: StakingHooks): void {
    this.hooks.push(h);
  }

  setTombstoneCheck(check: TombstoneCheck): void {
    this.tombstoned = check;
  }

  isTombstoned(store: KVStore, consAddr: Uint8Array): boolean {
    return this.tombstoned(store, consAddr);
  }

  store(root: KVStore): KVStore {
    return new PrefixStore(root, K.STAKING_STORE_PREFIX);
  }

  // ---- params ---------------------------------------------------------------------------------

  getParams(root: KVStore): StakingParams {
    const raw = this.store(root).get(K.PARAMS_KEY);
    return raw ? stakingParamsFromProto(ProtoParams.decode(raw)) : DEFAULT_STAKING_PARAMS;
  }

  setParams(root: KVStore, p: StakingParams): void {
    this.store(root).set(K.PARAMS_KEY, ProtoParams.encode(stakingParamsToProto(p)).finish());
  }

  bondDenom(root: KVStore): string {
    return this.getParams(root).bondDenom;
  }

  // ---- validators -----------------------------------------------------------------------------

  getValidator(root: KVStore, op: Uint8Array): Validator | undefined {
    const raw = this.store(root).get(K.validatorKey(op));
    return raw ? decodeValidator(Uint8Array.from(op), raw) : undefined;
  }

  mustGetValidator(root: KVStore, op: Uint8Array): Validator {
    const v = this.getValidator(root, op);
    if (!v) throw StakingErrors.NoValidatorFound.wrap(valoper(op));
    return v;
  }

  setValidator(root: KVStore, v: Validator): void {
    this.store(root).set(K.validatorKey(v.operator), encodeValidator(v));
  }

  getValidatorByConsAddr(root: KVStore, cons: Uint8Array): Validator | undefined {
    const op = this.store(root).get(K.validatorByConsKey(cons));
    return op ? this.getValidator(root, op) : undefined;
  }

  setValidatorByConsAddr(root: KVStore, v: Validator): void {
    this.store(root).set(K.validatorByConsKey(consAddressOf(v.consPubKey)), v.operator);
  }

  private setPowerIndex(root: KVStore, v: Validator): void {
    // Jailed validators are not in the power index (they cannot be bonded).
    if (v.jailed) return;
    this.store(root).set(K.powerIndexKey(consensusPower(v.tokens), v.operator), new Uint8Array());
  }

  private deletePowerIndex(root: KVStore, v: Validator): void {
    this.store(root).delete(K.powerIndexKey(consensusPower(v.tokens), v.operator));
  }

  /** Every validator, in operator-address order. */
  allValidators(root: KVStore): Validator[] {
    return this.store(root)
      .range(Uint8Array.of(K.VALIDATOR_PREFIX), Uint8Array.of(K.VALIDATOR_PREFIX + 1))
      .map(([k, v]) => decodeValidator(Uint8Array.from(K.readLp(k, 1)[0]), v));
  }

  /** Bonded validators (status BONDED), in operator-address order. */
  bondedValidators(root: KVStore): Validator[] {
    return this.lastValidatorPowers(root).map(({ op }) => this.mustGetValidator(root, op));
  }

  // ---- last bonded set (what CometBFT has been told) ---------------------------------------------

  lastValidatorPowers(root: KVStore): Array<{ op: Uint8Array; power: bigint }> {
    return this.store(root)
      .range(Uint8Array.of(K.LAST_POWER_PREFIX), Uint8Array.of(K.LAST_POWER_PREFIX + 1))
      .map(([k, v]) => ({ op: Uint8Array.from(K.readLp(k, 1)[0]), power: K.readU64(v) }));
  }

  getLastValidatorPower(root: KVStore, op: Uint8Array): bigint | undefined {
    const raw = this.store(root).get(K.lastPowerKey(op));
    return raw ? K.readU64(raw) : undefined;
  }

  getLastTotalPower(root: KVStore): bigint {
    return u64Value(this.store(root).get(K.LAST_TOTAL_POWER_KEY));
  }

  // ---- delegations ------------------------------------------------------------------------------

  getDelegation(root: KVStore, del: Uint8Array, val: Uint8Array): Delegation | undefined {
    const raw = this.store(root).get(K.delegationKey(del, val));
    return raw ? decodeDelegation(Uint8Array.from(del), Uint8Array.from(val), raw) : undefined;
  }

  setDelegation(root: KVStore, d: Delegation): void {
    const s = this.store(root);
    s.set(K.delegationKey(d.delegator, d.validator), encodeDelegation(d));
    s.set(K.delegationByValKey(d.validator, d.delegator), new Uint8Array());
  }

  private removeDelegation(root: KVStore, d: Delegation): void {
    const s = this.store(root);
    s.delete(K.delegationKey(d.delegator, d.validator));
    s.delete(K.delegationByValKey(d.validator, d.delegator));
  }

  delegatorDelegations(root: KVStore, del: Uint8Array): Delegation[] {
    const prefix = K.delegationsOfDelegatorPrefix(del);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k, v]) => decodeDelegation(Uint8Array.from(del), Uint8Array.from(K.readLp(k, prefix.length)[0]), v));
  }

  validatorDelegations(root: KVStore, val: Uint8Array): Delegation[] {
    const prefix = K.delegationsByValPrefix(val);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k]) => this.getDelegation(root, K.readLp(k, prefix.length)[0], val)!);
  }

  allDelegations(root: KVStore): Delegation[] {
    return this.store(root)
      .range(Uint8Array.of(K.DELEGATION_PREFIX), Uint8Array.of(K.DELEGATION_PREFIX + 1))
      .map(([k, v]) => {
        const [del, o] = K.readLp(k, 1);
        const [val] = K.readLp(k, o);
        return decodeDelegation(Uint8Array.from(del), Uint8Array.from(val), v);
      });
  }

  // ---- unbonding delegations ------------------------------------------------------------------------

  getUnbondingDelegation(root: KVStore, del: Uint8Array, val: Uint8Array): UnbondingDelegation | undefined {
    const raw = this.store(root).get(K.ubdKey(del, val));
    return raw ? decodeUbd(Uint8Array.from(del), Uint8Array.from(val), raw) : undefined;
  }

  setUnbondingDelegation(root: KVStore, u: UnbondingDelegation): void {
    const s = this.store(root);
    s.set(K.ubdKey(u.delegator, u.validator), encodeUbd(u));
    s.set(K.ubdByValKey(u.validator, u.delegator), new Uint8Array());
  }

  private removeUnbondingDelegation(root: KVStore, u: UnbondingDelegation): void {
    const s = this.store(root);
    s.delete(K.ubdKey(u.delegator, u.validator));
    s.delete(K.ubdByValKey(u.validator, u.delegator));
  }

  delegatorUnbondingDelegations(root: KVStore, del: Uint8Array): UnbondingDelegation[] {
    const prefix = K.ubdsOfDelegatorPrefix(del);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k, v]) => decodeUbd(Uint8Array.from(del), Uint8Array.from(K.readLp(k, prefix.length)[0]), v));
  }

  validatorUnbondingDelegations(root: KVStore, val: Uint8Array): UnbondingDelegation[] {
    const prefix = K.ubdsByValPrefix(val);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k]) => this.getUnbondingDelegation(root, K.readLp(k, prefix.length)[0], val)!);
  }

  allUnbondingDelegations(root: KVStore): UnbondingDelegation[] {
    return this.store(root)
      .range(Uint8Array.of(K.UBD_PREFIX), Uint8Array.of(K.UBD_PREFIX + 1))
      .map(([k, v]) => {
        const [del, o] = K.readLp(k, 1);
        const [val] = K.readLp(k, o);
        return decodeUbd(Uint8Array.from(del), Uint8Array.from(val), v);
      });
  }

  // ---- redelegations -------------------------------------------------------------------------------

  getRedelegation(root: KVStore, del: Uint8Array, src: Uint8Array, dst: Uint8Array): Redelegation | undefined {
    const raw = this.store(root).get(K.redKey(del, src, dst));
    return raw ? decodeRed(Uint8Array.from(del), Uint8Array.from(src), Uint8Array.from(dst), raw) : undefined;
  }

  setRedelegation(root: KVStore, r: Redelegation): void {
    const s = this.store(root);
    s.set(K.redKey(r.delegator, r.src, r.dst), encodeRed(r));
    s.set(K.redBySrcKey(r.src, r.delegator, r.dst), new Uint8Array());
    s.set(K.redByDstKey(r.dst, r.delegator, r.src), new Uint8Array());
  }

  private removeRedelegation(root: KVStore, r: Redelegation): void {
    const s = this.store(root);
    s.delete(K.redKey(r.delegator, r.src, r.dst));
    s.delete(K.redBySrcKey(r.src, r.delegator, r.dst));
    s.delete(K.redByDstKey(r.dst, r.delegator, r.src));
  }

  /** Redelegations of a delegator, optionally from one source, in key order. */
  delegatorRedelegations(root: KVStore, del: Uint8Array, src?: Uint8Array): Redelegation[] {
    const prefix = src ? K.redsOfDelegatorFromSrcPrefix(del, src) : K.redsOfDelegatorPrefix(del);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k, v]) => {
        const [, o1] = K.readLp(k, 1);
        const [s, o2] = K.readLp(k, o1);
        const [d] = K.readLp(k, o2);
        return decodeRed(Uint8Array.from(del), Uint8Array.from(s), Uint8Array.from(d), v);
      });
  }

  redelegationsFromSrc(root: KVStore, src: Uint8Array): Redelegation[] {
    const prefix = K.redsBySrcPrefix(src);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k]) => {
        const [del, o] = K.readLp(k, prefix.length);
        const [dst] = K.readLp(k, o);
        return this.getRedelegation(root, del, src, dst)!;
      });
  }

  allRedelegations(root: KVStore): Redelegation[] {
    return this.store(root)
      .range(Uint8Array.of(K.RED_PREFIX), Uint8Array.of(K.RED_PREFIX + 1))
      .map(([k, v]) => {
        const [del, o1] = K.readLp(k, 1);
        const [s, o2] = K.readLp(k, o1);
        const [d] = K.readLp(k, o2);
        return decodeRed(Uint8Array.from(del), Uint8Array.from(s), Uint8Array.from(d), v);
      });
  }

  /** Whether `del` has an unfinished redelegation *into* `dst` (then redelegating out of it is transitive). */
  hasReceivingRedelegation(root: KVStore, del: Uint8Array, dst: Uint8Array): boolean {
    const prefix = K.redsByDstDelPrefix(dst, del);
    return this.store(root).range(prefix, prefixEnd(prefix), { limit: 1 }).length > 0;
  }

  private nextUnbondingId(root: KVStore): bigint {
    const s = this.store(root);
    const id = u64Value(s.get(K.NEXT_UNBONDING_ID_KEY)) + 1n;
    s.set(K.NEXT_UNBONDING_ID_KEY, K.u64(id));
    return id;
  }

  // ---- pools -----------------------------------------------------------------------------------------

  private coins(root: KVStore, amount: bigint): Coin[] {
    return amount > 0n ? [{ denom: this.bondDenom(root), amount }] : [];
  }

  private moveBetweenPools(ctx: Context, from: string, to: string, amount: bigint): void {
    if (amount <= 0n) return;
    this.bank.sendToModule(ctx.store, ctx.events, moduleAddress(from), to, this.coins(ctx.store, amount));
  }

  bondedTokensToNotBonded(ctx: Context, amount: bigint): void {
    this.moveBetweenPools(ctx, BONDED_POOL, NOT_BONDED_POOL, amount);
  }

  notBondedTokensToBonded(ctx: Context, amount: bigint): void {
    this.moveBetweenPools(ctx, NOT_BONDED_POOL, BONDED_POOL, amount);
  }

  private burnFrom(ctx: Context, pool: string, amount: bigint): void {
    if (amount <= 0n) return;
    this.bank.burn(ctx.store, ctx.events, pool, this.coins(ctx.store, amount));
  }

  poolBalances(root: KVStore): { bonded: bigint; notBonded: bigint } {
    const denom = this.bondDenom(root);
    return {
      bonded: this.bank.getBalance(root, moduleAddress(BONDED_POOL), denom),
      notBonded: this.bank.getBalance(root, moduleAddress(NOT_BONDED_POOL), denom),
    };
  }

  // ---- validator tokens and shares (power index kept in step) ----------------------------------------------

  private addValidatorTokensAndShares(root: KVStore, v: Validator, amount: bigint): Dec {
    this.deletePowerIndex(root, v);
    const issued = addTokensFromDel(v, amount);
    this.setValidator(root, v);
    this.setPowerIndex(root, v);
    return issued;
  }

  private removeValidatorTokensAndShares(root: KVStore, v: Validator, shares: Dec): bigint {
    this.deletePowerIndex(root, v);
    const removed = removeDelShares(v, shares);
    this.setValidator(root, v);
    this.setPowerIndex(root, v);
    return removed;
  }

  private removeValidatorTokens(root: KVStore, v: Validator, amount: bigint): void {
    this.deletePowerIndex(root, v);
    v.tokens -= amount;
    if (v.tokens < 0n) throw new Error("validator tokens would become negative");
    this.setValidator(root, v);
    this.setPowerIndex(root, v);
  }

  // ---- hooks ---------------------------------------------------------------------------------------------

  private callHooks(f: (h: StakingHooks) => void): void {
    for (const h of this.hooks) f(h);
  }

  // ---- create / delegate / unbond ---------------------------------------------------------------------------

  /** Registers a new (unbonded) validator; the caller then self-delegates. */
  createValidator(ctx: Context, v: Validator): void {
    this.setValidator(ctx.store, v);
    this.setValidatorByConsAddr(ctx.store, v);
    this.setPowerIndex(ctx.store, v);
    this.callHooks((h) => h.afterValidatorCreated?.(ctx, v));
  }

  /** Genesis: stores a validator as given; a fresh (not exported) genesis also runs the creation hooks. */
  createValidatorRecord(ctx: Context, v: Validator, runHooks: boolean): void {
    this.setValidator(ctx.store, v);
    this.setValidatorByConsAddr(ctx.store, v);
    this.setPowerIndex(ctx.store, v);
    if (runHooks) this.callHooks((h) => h.afterValidatorCreated?.(ctx, v));
  }

  /** Genesis: stores a delegation; a fresh genesis runs the hooks that start its reward tracking. */
  importDelegation(ctx: Context, d: Delegation, runHooks: boolean): void {
    if (runHooks) this.callHooks((h) => h.beforeDelegationCreated?.(ctx, d.delegator, d.validator));
    this.setDelegation(ctx.store, d);
    if (runHooks) this.callHooks((h) => h.afterDelegationModified?.(ctx, d.delegator, d.validator));
  }

  /**
   * Delegates `amount` tokens to `v`. `fromAccount`: the tokens come from the delegator's balance
   * (MsgDelegate, MsgCreateValidator); otherwise they are already in the pool matching `tokenSrc`
   * (redelegation, cancelled unbonding) and move between pools as needed. Returns the new shares.
   */
  delegate(ctx: Context, del: Uint8Array, amount: bigint, tokenSrc: BondStatus, v: Validator, fromAccount: boolean): Dec {
    if (invalidExRate(v)) throw StakingErrors.DelegatorShareExRateInvalid.wrap();
    let delegation = this.getDelegation(ctx.store, del, v.operator);
    if (delegation) {
      this.callHooks((h) => h.beforeDelegationSharesModified?.(ctx, del, v.operator));
    } else {
      delegation = { delegator: Uint8Array.from(del), validator: v.operator, shares: 0n };
      this.callHooks((h) => h.beforeDelegationCreated?.(ctx, del, v.operator));
    }
    // Hooks may have changed the validator record (never its tokens): read it again.
    v = this.mustGetValidator(ctx.store, v.operator);
    const bonded = v.status === BondStatus.BOND_STATUS_BONDED;
    if (fromAccount) {
      this.bank.sendToModule(ctx.store, ctx.events, del, bonded ? BONDED_POOL : NOT_BONDED_POOL, this.coins(ctx.store, amount));
    } else if (tokenSrc === BondStatus.BOND_STATUS_BONDED && !bonded) {
      this.bondedTokensToNotBonded(ctx, amount);
    } else if (tokenSrc !== BondStatus.BOND_STATUS_BONDED && bonded) {
      this.notBondedTokensToBonded(ctx, amount);
    }
    const issued = this.addValidatorTokensAndShares(ctx.store, v, amount);
    delegation.shares += issued;
    this.setDelegation(ctx.store, delegation);
    this.callHooks((h) => h.afterDelegationModified?.(ctx, del, v.operator));
    return issued;
  }

  /**
   * Removes `shares` of a delegation and the tokens they are worth from the validator (tokens stay
   * in their pool; the caller moves them). Jails an operator whose self-delegation falls below its
   * minimum. Returns the tokens.
   */
  unbond(ctx: Context, del: Uint8Array, op: Uint8Array, shares: Dec): bigint {
    const delegation = this.getDelegation(ctx.store, del, op);
    if (!delegation) throw StakingErrors.NoDelegation.wrap(`${accAddr(del)} has no delegation to ${valoper(op)}`);
    this.callHooks((h) => h.beforeDelegationSharesModified?.(ctx, del, op));
    if (delegation.shares < shares) throw StakingErrors.NotEnoughDelegationShares.wrap(`${delegation.shares} < ${shares}`);
    let v = this.mustGetValidator(ctx.store, op);
    delegation.shares -= shares;
    if (equalBytes(del, v.operator) && !v.jailed && decTruncateInt(tokensFromShares(v, delegation.shares)) < v.minSelfDelegation) {
      this.jailValidator(ctx.store, v);
      v = this.mustGetValidator(ctx.store, op);
    }
    if (delegation.shares === 0n) {
      this.removeDelegation(ctx.store, delegation);
    } else {
      this.setDelegation(ctx.store, delegation);
      this.callHooks((h) => h.afterDelegationModified?.(ctx, del, op));
    }
    v = this.mustGetValidator(ctx.store, op);
    const amount = this.removeValidatorTokensAndShares(ctx.store, v, shares);
    if (v.delegatorShares === 0n && v.status === BondStatus.BOND_STATUS_UNBONDED) this.removeValidator(ctx, op);
    return amount;
  }

  /**
   * The shares an undelegation or redelegation of `amount` tokens removes (the SDK's
   * ValidateUnbondAmount): more than the delegation is worth fails; rounding up to the whole
   * delegation is allowed so everything can be withdrawn.
   */
  validateUnbondAmount(root: KVStore, del: Uint8Array, op: Uint8Array, amount: bigint): Dec {
    const v = this.mustGetValidator(root, op);
    const delegation = this.getDelegation(root, del, op);
    if (!delegation) throw StakingErrors.NoDelegation.wrap(`${accAddr(del)} has no delegation to ${valoper(op)}`);
    const shares = sharesFromTokens(v, amount);
    if (shares === undefined) throw StakingErrors.InsufficientShares.wrap(`validator ${valoper(op)} has no tokens`);
    if (shares > delegation.shares) {
      const worth = decTruncateInt(tokensFromShares(v, delegation.shares));
      throw StakingErrors.NotEnoughDelegationShares.wrap(`cannot unbond ${amount}${this.bondDenom(root)}: the delegation is worth ${worth}`);
    }
    return shares;
  }

  /** MsgUndelegate: unbond and start an unbonding entry that completes after unbonding_time. */
  undelegate(ctx: Context, del: Uint8Array, op: Uint8Array, shares: Dec): { completionTimeNs: bigint; amount: bigint } {
    const v = this.mustGetValidator(ctx.store, op);
    const params = this.getParams(ctx.store);
    const existing = this.getUnbondingDelegation(ctx.store, del, op);
    if (existing && existing.entries.length >= params.maxEntries) throw StakingErrors.MaxUnbondingDelegationEntries.wrap();
    const amount = this.unbond(ctx, del, op, shares);
    if (v.status === BondStatus.BOND_STATUS_BONDED) this.bondedTokensToNotBonded(ctx, amount);
    const completionTimeNs = ctx.block.timeNs + params.unbondingTimeNs;
    const height = BigInt(ctx.block.height);
    const ubd = this.getUnbondingDelegation(ctx.store, del, op) ?? { delegator: Uint8Array.from(del), validator: Uint8Array.from(op), entries: [] };
    const same = ubd.entries.find((e) => e.creationHeight === height && e.completionTimeNs === completionTimeNs);
    if (same) {
      same.balance += amount;
      same.initialBalance += amount;
    } else {
      ubd.entries.push({ creationHeight: height, completionTimeNs, initialBalance: amount, balance: amount, unbondingId: this.nextUnbondingId(ctx.store) });
    }
    this.setUnbondingDelegation(ctx.store, ubd);
    this.store(ctx.store).set(K.ubdQueueKey(completionTimeNs, del, op), new Uint8Array());
    return { completionTimeNs, amount };
  }

  /** MsgBeginRedelegate: moves stake to another validator at once; the source stays slashable until completion. */
  beginRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array, shares: Dec): bigint {
    if (equalBytes(src, dst)) throw StakingErrors.SelfRedelegation.wrap();
    const dstVal = this.getValidator(ctx.store, dst);
    if (!dstVal) throw StakingErrors.BadRedelegationDst.wrap(valoper(dst));
    const srcVal = this.getValidator(ctx.store, src);
    if (!srcVal) throw StakingErrors.NoValidatorFound.wrap(`redelegation source ${valoper(src)}`);
    if (this.isTombstoned(ctx.store, consAddressOf(dstVal.consPubKey))) {
      throw StakingErrors.ValidatorJailed.wrap(`validator ${valoper(dst)} is tombstoned (jailed forever for double signing); it accepts no stake`);
    }
    if (this.hasReceivingRedelegation(ctx.store, del, src)) throw StakingErrors.TransitiveRedelegation.wrap();
    const params = this.getParams(ctx.store);
    const existing = this.getRedelegation(ctx.store, del, src, dst);
    if (existing && existing.entries.length >= params.maxEntries) throw StakingErrors.MaxRedelegationEntries.wrap();
    const srcStatus = srcVal.status;
    const amount = this.unbond(ctx, del, src, shares);
    if (amount === 0n) throw StakingErrors.TinyRedelegationAmount.wrap();
    const sharesCreated = this.delegate(ctx, del, amount, srcStatus, this.mustGetValidator(ctx.store, dst), false);

    // When the redelegation completes: bonded source -> unbonding_time from now; unbonding
    // source -> when it finishes unbonding; unbonded source -> at once (nothing left to slash).
    const after = this.getValidator(ctx.store, src);
    let completionTimeNs: bigint;
    let height: bigint;
    if (!after || after.status === BondStatus.BOND_STATUS_BONDED) {
      completionTimeNs = ctx.block.timeNs + params.unbondingTimeNs;
      height = BigInt(ctx.block.height);
    } else if (after.status === BondStatus.BOND_STATUS_UNBONDING) {
      completionTimeNs = after.unbondingTimeNs;
      height = after.unbondingHeight;
    } else {
      return ctx.block.timeNs;
    }
    const red = existing ?? { delegator: Uint8Array.from(del), src: Uint8Array.from(src), dst: Uint8Array.from(dst), entries: [] };
    red.entries.push({ creationHeight: height, completionTimeNs, initialBalance: amount, sharesDst: sharesCreated, unbondingId: this.nextUnbondingId(ctx.store) });
    this.setRedelegation(ctx.store, red);
    this.store(ctx.store).set(K.redQueueKey(completionTimeNs, del, src, dst), new Uint8Array());
    return completionTimeNs;
  }

  /** MsgCancelUnbondingDelegation: re-delegates (part of) an unbonding entry to its validator. */
  cancelUnbondingDelegation(ctx: Context, del: Uint8Array, op: Uint8Array, amount: bigint, creationHeight: bigint): void {
    const v = this.mustGetValidator(ctx.store, op);
    if (v.jailed) throw StakingErrors.ValidatorJailed.wrap(`cannot cancel an unbonding from jailed validator ${valoper(op)}`);
    const ubd = this.getUnbondingDelegation(ctx.store, del, op);
    if (!ubd) throw StakingErrors.NoUnbondingDelegation.wrap(`${accAddr(del)} is not unbonding from ${valoper(op)}`);
    const index = ubd.entries.findIndex((e) => e.creationHeight === creationHeight);
    if (index < 0) throw StakingErrors.NoUnbondingDelegation.wrap(`no unbonding entry at creation height ${creationHeight}`);
    const entry = ubd.entries[index];
    if (entry.completionTimeNs <= ctx.block.timeNs) throw SdkErrors.InvalidRequest.wrap("unbonding delegation is already processed");
    if (amount > entry.balance) {
      throw SdkErrors.InvalidRequest.wrap(`amount ${amount} is greater than the unbonding delegation entry balance ${entry.balance}`);
    }
    this.delegate(ctx, del, amount, BondStatus.BOND_STATUS_UNBONDING, v, false);
    entry.balance -= amount;
    entry.initialBalance -= amount;
    if (entry.balance === 0n) ubd.entries.splice(index, 1);
    if (ubd.entries.length === 0) this.removeUnbondingDelegation(ctx.store, ubd);
    else this.setUnbondingDelegation(ctx.store, ubd);
  }

  // ---- validator status transitions ------------------------------------------------------------------------

  private bondValidator(ctx: Context, v: Validator): Validator {
    this.deletePowerIndex(ctx.store, v);
    if (v.status === BondStatus.BOND_STATUS_UNBONDING) {
      this.store(ctx.store).delete(K.validatorQueueKey(v.unbondingTimeNs, v.unbondingHeight, v.operator));
    }
    v.status = BondStatus.BOND_STATUS_BONDED;
    this.setValidator(ctx.store, v);
    this.setPowerIndex(ctx.store, v);
    this.callHooks((h) => h.afterValidatorBonded?.(ctx, consAddressOf(v.consPubKey), v.operator));
    return v;
  }

  private beginUnbondingValidator(ctx: Context, v: Validator): Validator {
    const params = this.getParams(ctx.store);
    this.deletePowerIndex(ctx.store, v);
    v.status = BondStatus.BOND_STATUS_UNBONDING;
    v.unbondingTimeNs = ctx.block.timeNs + params.unbondingTimeNs;
    v.unbondingHeight = BigInt(ctx.block.height);
    this.setValidator(ctx.store, v);
    this.setPowerIndex(ctx.store, v);
    this.store(ctx.store).set(K.validatorQueueKey(v.unbondingTimeNs, v.unbondingHeight, v.operator), new Uint8Array());
    this.callHooks((h) => h.afterValidatorBeginUnbonding?.(ctx, consAddressOf(v.consPubKey), v.operator));
    return v;
  }

  private removeValidator(ctx: Context, op: Uint8Array): void {
    const v = this.mustGetValidator(ctx.store, op);
    if (v.status !== BondStatus.BOND_STATUS_UNBONDED) throw StakingErrors.BadRemoveValidator.wrap("cannot remove a bonded or unbonding validator");
    if (v.tokens > 0n) throw StakingErrors.BadRemoveValidator.wrap("validator still holds tokens");
    const cons = consAddressOf(v.consPubKey);
    const s = this.store(ctx.store);
    s.delete(K.validatorKey(op));
    s.delete(K.validatorByConsKey(cons));
    this.deletePowerIndex(ctx.store, v);
    this.callHooks((h) => h.afterValidatorRemoved?.(ctx, cons, op));
  }

  jailValidator(root: KVStore, v: Validator): void {
    if (v.jailed) throw StakingErrors.ValidatorJailed.wrap(`validator ${valoper(v.operator)} is already jailed`);
    this.deletePowerIndex(root, v);
    v.jailed = true;
    this.setValidator(root, v);
  }

  jail(ctx: Context, cons: Uint8Array): void {
    const v = this.getValidatorByConsAddr(ctx.store, cons);
    if (!v) throw new Error(`jail: no validator with consensus address ${hex(cons)}`);
    if (!v.jailed) this.jailValidator(ctx.store, v);
  }

  unjail(ctx: Context, cons: Uint8Array): void {
    const v = this.getValidatorByConsAddr(ctx.store, cons);
    if (!v) throw StakingErrors.NoValidatorFound.wrap();
    if (!v.jailed) throw StakingErrors.ValidatorJailed.wrap("validator is not jailed");
    v.jailed = false;
    this.setValidator(ctx.store, v);
    this.setPowerIndex(ctx.store, v);
  }

  // ---- end block: the bonded set and matured queues -------------------------------------------------------------

  /**
   * The SDK's ApplyAndReturnValidatorSetUpdates: the first max_validators validators of the power
   * index (power descending, then operator address) with power > 0 are bonded; the difference
   * from the last set sent to CometBFT is returned (power 0 = removal). Tokens of validators
   * entering or leaving the set move between the pools in one transfer.
   */
  applyAndReturnValidatorSetUpdates(ctx: Context): ValidatorUpdate[] {
    const params = this.getParams(ctx.store);
    const s = this.store(ctx.store);
    const last = new Map<string, bigint>();
    for (const { op, power } of this.lastValidatorPowers(ctx.store)) last.set(hex(op), power);
    const updates: ValidatorUpdate[] = [];
    let toBonded = 0n;
    let toNotBonded = 0n;
    let totalPower = 0n;
    let count = 0;
    const index = s.range(Uint8Array.of(K.POWER_INDEX_PREFIX), Uint8Array.of(K.POWER_INDEX_PREFIX + 1), {
      limit: params.maxValidators,
    });
    for (const [key] of index) {
      if (count >= params.maxValidators) break;
      const [op] = K.readLp(key, 9);
      let v = this.mustGetValidator(ctx.store, op);
      if (v.jailed) throw new Error(`jailed validator ${valoper(op)} found in the power index`);
      const power = consensusPower(v.tokens);
      if (power === 0n) break;
      if (v.status !== BondStatus.BOND_STATUS_BONDED) {
        v = this.bondValidator(ctx, v);
        toBonded += v.tokens;
      }
      const id = hex(op);
      if (last.get(id) !== power) {
        updates.push(abciUpdate(v, power));
        s.set(K.lastPowerKey(op), K.u64(power));
      }
      last.delete(id);
      count++;
      totalPower += power;
    }
    // Whatever was bonded and is no longer in the top set starts unbonding (key order = address order).
    for (const id of [...last.keys()].sort()) {
      const op = Uint8Array.from(Buffer.from(id, "hex"));
      let v = this.mustGetValidator(ctx.store, op);
      v = this.beginUnbondingValidator(ctx, v);
      toNotBonded += v.tokens;
      s.delete(K.lastPowerKey(op));
      updates.push(abciUpdate(v, 0n));
    }
    if (toBonded > toNotBonded) this.notBondedTokensToBonded(ctx, toBonded - toNotBonded);
    else if (toNotBonded > toBonded) this.bondedTokensToNotBonded(ctx, toNotBonded - toBonded);
    if (updates.length > 0 || !s.has(K.LAST_TOTAL_POWER_KEY)) s.set(K.LAST_TOTAL_POWER_KEY, K.u64(totalPower));
    return updates;
  }

  /** Unbonding validators whose unbonding time and height have passed become unbonded (and are removed if empty). */
  private unbondAllMatureValidators(ctx: Context): void {
    const s = this.store(ctx.store);
    const entries = s.range(Uint8Array.of(K.VALIDATOR_QUEUE_PREFIX), K.queueEnd(K.VALIDATOR_QUEUE_PREFIX, ctx.block.timeNs));
    for (const [key] of entries) {
      const height = K.readU64(key, 9);
      if (height > BigInt(ctx.block.height)) continue;
      const [op] = K.readLp(key, 17);
      s.delete(key);
      const v = this.getValidator(ctx.store, op);
      if (!v || v.status !== BondStatus.BOND_STATUS_UNBONDING) continue;
      this.deletePowerIndex(ctx.store, v);
      v.status = BondStatus.BOND_STATUS_UNBONDED;
      this.setValidator(ctx.store, v);
      this.setPowerIndex(ctx.store, v);
      if (v.delegatorShares === 0n) this.removeValidator(ctx, op);
    }
  }

  /** Pays out the mature entries of an unbonding delegation; returns the amount paid. */
  completeUnbonding(ctx: Context, del: Uint8Array, op: Uint8Array): bigint {
    const ubd = this.getUnbondingDelegation(ctx.store, del, op);
    if (!ubd) return 0n;
    let paid = 0n;
    ubd.entries = ubd.entries.filter((e) => {
      if (e.completionTimeNs > ctx.block.timeNs) return true;
      paid += e.balance;
      return false;
    });
    if (paid > 0n) this.bank.sendFromModule(ctx.store, ctx.events, NOT_BONDED_POOL, del, this.coins(ctx.store, paid));
    if (ubd.entries.length === 0) this.removeUnbondingDelegation(ctx.store, ubd);
    else this.setUnbondingDelegation(ctx.store, ubd);
    return paid;
  }

  private completeRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array): bigint {
    const red = this.getRedelegation(ctx.store, del, src, dst);
    if (!red) return 0n;
    let amount = 0n;
    red.entries = red.entries.filter((e) => {
      if (e.completionTimeNs > ctx.block.timeNs) return true;
      amount += e.initialBalance;
      return false;
    });
    if (red.entries.length === 0) this.removeRedelegation(ctx.store, red);
    else this.setRedelegation(ctx.store, red);
    return amount;
  }

  /** End block: new bonded set, then matured validators, unbondings and redelegations (the SDK's order). */
  endBlock(ctx: Context): ValidatorUpdate[] {
    const updates = this.applyAndReturnValidatorSetUpdates(ctx);
    this.unbondAllMatureValidators(ctx);
    const s = this.store(ctx.store);
    const denom = this.bondDenom(ctx.store);
    for (const [key] of s.range(Uint8Array.of(K.UBD_QUEUE_PREFIX), K.queueEnd(K.UBD_QUEUE_PREFIX, ctx.block.timeNs))) {
      s.delete(key);
      const [del, o] = K.readLp(key, 9);
      const [op] = K.readLp(key, o);
      const paid = this.completeUnbonding(ctx, Uint8Array.from(del), Uint8Array.from(op));
      ctx.events.emit(StakingEvents.CompleteUnbonding, {
        [StakingAttributes.Amount]: `${paid}${denom}`,
        [StakingAttributes.Validator]: valoper(op),
        [StakingAttributes.Delegator]: accAddr(del),
      });
    }
    for (const [key] of s.range(Uint8Array.of(K.RED_QUEUE_PREFIX), K.queueEnd(K.RED_QUEUE_PREFIX, ctx.block.timeNs))) {
      s.delete(key);
      const [del, o1] = K.readLp(key, 9);
      const [src, o2] = K.readLp(key, o1);
      const [dst] = K.readLp(key, o2);
      const amount = this.completeRedelegation(ctx, Uint8Array.from(del), Uint8Array.from(src), Uint8Array.from(dst));
      ctx.events.emit(StakingEvents.CompleteRedelegation, {
        [StakingAttributes.Amount]: `${amount}${denom}`,
        [StakingAttributes.Delegator]: accAddr(del),
        [StakingAttributes.SourceValidator]: valoper(src),
        [StakingAttributes.DestinationValidator]: valoper(dst),
      });
    }
    return updates;
  }

  // ---- slashing ---------------------------------------------------------------------------------------------

  /**
   * The SDK's Slash: burns `fraction` of the stake that backed the validator (power at the
   * infraction, in tokens) - first from unbonding delegations and redelegations that started at or
   * after the infraction height (that stake contributed), the rest from the validator's tokens.
   * Returns the tokens burned from the validator itself.
   */
  slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, power: bigint, fraction: Dec): bigint {
    if (fraction < 0n) throw new Error(`negative slash fraction ${fraction}`);
    const slashAmount = decTruncateInt(decMul(decFromInt(power * POWER_REDUCTION), fraction));
    let v = this.getValidatorByConsAddr(ctx.store, cons);
    if (!v) return 0n; // already removed: nothing left to slash
    if (v.status === BondStatus.BOND_STATUS_UNBONDED) throw new Error(`should not be slashing unbonded validator ${valoper(v.operator)}`);
    const height = BigInt(ctx.block.height);
    if (infractionHeight > height) throw new Error(`cannot slash a future infraction at height ${infractionHeight} (now ${height})`);
    let remaining = slashAmount;
    if (infractionHeight < height) {
      for (const ubd of this.validatorUnbondingDelegations(ctx.store, v.operator)) {
        remaining -= this.slashUnbondingDelegation(ctx, ubd, infractionHeight, fraction);
      }
      for (const red of this.redelegationsFromSrc(ctx.store, v.operator)) {
        remaining -= this.slashRedelegation(ctx, red, infractionHeight, fraction);
      }
      v = this.mustGetValidator(ctx.store, v.operator);
    }
    let burn = remaining < v.tokens ? remaining : v.tokens;
    if (burn < 0n) burn = 0n;
    if (burn === 0n) return 0n;
    if (v.tokens > 0n) {
      let effective = decQuoRoundUp(decFromInt(burn), decFromInt(v.tokens));
      if (effective > DEC_ONE) effective = DEC_ONE;
      const op = v.operator;
      this.callHooks((h) => h.beforeValidatorSlashed?.(ctx, op, effective));
      v = this.mustGetValidator(ctx.store, op);
    }
    this.removeValidatorTokens(ctx.store, v, burn);
    this.burnFrom(ctx, v.status === BondStatus.BOND_STATUS_BONDED ? BONDED_POOL : NOT_BONDED_POOL, burn);
    return burn;
  }

  /** Slashes the entries of an unbonding delegation created at or after the infraction; returns the amount due. */
  private slashUnbondingDelegation(ctx: Context, ubd: UnbondingDelegation, infractionHeight: bigint, fraction: Dec): bigint {
    let total = 0n;
    let burned = 0n;
    for (const e of ubd.entries) {
      if (e.creationHeight < infractionHeight) continue;
      if (e.completionTimeNs <= ctx.block.timeNs) continue; // mature: no longer slashable
      const due = decTruncateInt(decMulInt(fraction, e.initialBalance));
      total += due;
      const take = due < e.balance ? due : e.balance;
      if (take === 0n) continue;
      burned += take;
      e.balance -= take;
    }
    if (burned > 0n) {
      this.setUnbondingDelegation(ctx.store, ubd);
      this.burnFrom(ctx, NOT_BONDED_POOL, burned);
    }
    return total;
  }

  /**
   * Slashes redelegations out of the validator: first what the delegator has since undelegated
   * from the destination (its unbonding entries there created at or after the infraction, as the
   * SDK's fix for ASA-2024-005 does), then by unbonding and burning shares at the destination for
   * what is left. Without the first step, redelegating and then undelegating before the evidence
   * landed escaped the slash.
   */
  private slashRedelegation(ctx: Context, red: Redelegation, infractionHeight: bigint, fraction: Dec): bigint {
    let total = 0n;
    let bondedBurn = 0n;
    let notBondedBurn = 0n;
    for (const e of red.entries) {
      if (e.creationHeight < infractionHeight) continue;
      if (e.completionTimeNs <= ctx.block.timeNs) continue;
      const due = decTruncateInt(decMulInt(fraction, e.initialBalance));
      total += due;
      let left = due;
      const ubd = this.getUnbondingDelegation(ctx.store, red.delegator, red.dst);
      if (ubd) {
        let taken = 0n;
        for (const u of ubd.entries) {
          if (left === 0n) break;
          if (u.creationHeight < infractionHeight || u.completionTimeNs <= ctx.block.timeNs) continue;
          const take = left < u.balance ? left : u.balance;
          u.balance -= take;
          left -= take;
          taken += take;
        }
        if (taken > 0n) {
          this.setUnbondingDelegation(ctx.store, ubd);
          notBondedBurn += taken;
        }
      }
      if (left === 0n) continue;
      // Only the part not taken from unbonding entries (the SDK unbonds the full share here,
      // which over-slashes a delegator who undelegated part of it).
      let shares = decMul(fraction, e.sharesDst);
      if (left < due) shares = (shares * left) / due;
      if (shares === 0n) continue;
      const delegation = this.getDelegation(ctx.store, red.delegator, red.dst);
      if (!delegation) continue;
      if (shares > delegation.shares) shares = delegation.shares;
      const dstBefore = this.mustGetValidator(ctx.store, red.dst);
      const tokens = this.unbond(ctx, red.delegator, red.dst, shares);
      if (dstBefore.status === BondStatus.BOND_STATUS_BONDED) bondedBurn += tokens;
      else notBondedBurn += tokens;
    }
    this.burnFrom(ctx, BONDED_POOL, bondedBurn);
    this.burnFrom(ctx, NOT_BONDED_POOL, notBondedBurn);
    return total;
  }

  // ---- invariants -----------------------------------------------------------------------------------------

  /** Pool balances equal the tokens staking tracks; shares add up; the power index matches. */
  invariants(root: KVStore): string[] {
    const problems: string[] = [];
    let bonded = 0n;
    let notBonded = 0n;
    const shares = new Map<string, bigint>();
    for (const v of this.allValidators(root)) {
      if (v.tokens < 0n || v.delegatorShares < 0n) problems.push(`staking: validator ${valoper(v.operator)} has negative tokens or shares`);
      if (v.status === BondStatus.BOND_STATUS_BONDED) bonded += v.tokens;
      else notBonded += v.tokens;
      shares.set(hex(v.operator), 0n);
      const indexed = this.store(root).has(K.powerIndexKey(consensusPower(v.tokens), v.operator));
      if (indexed === v.jailed) problems.push(`staking: power index entry of ${valoper(v.operator)} is ${indexed ? "present" : "missing"} (jailed=${v.jailed})`);
      const last = this.getLastValidatorPower(root, v.operator);
      if ((last !== undefined) !== (v.status === BondStatus.BOND_STATUS_BONDED)) {
        problems.push(`staking: validator ${valoper(v.operator)} status ${v.status} disagrees with the last bonded set`);
      }
    }
    for (const u of this.allUnbondingDelegations(root)) for (const e of u.entries) notBonded += e.balance;
    for (const d of this.allDelegations(root)) {
      const id = hex(d.validator);
      if (!shares.has(id)) problems.push(`staking: delegation of ${accAddr(d.delegator)} to unknown validator ${valoper(d.validator)}`);
      else shares.set(id, shares.get(id)! + d.shares);
      if (d.shares <= 0n) problems.push(`staking: non-positive delegation of ${accAddr(d.delegator)} to ${valoper(d.validator)}`);
    }
    for (const v of this.allValidators(root)) {
      const sum = shares.get(hex(v.operator)) ?? 0n;
      if (sum !== v.delegatorShares) problems.push(`staking: delegations to ${valoper(v.operator)} hold ${sum} shares, validator records ${v.delegatorShares}`);
    }
    const pools = this.poolBalances(root);
    if (pools.bonded !== bonded) problems.push(`staking: bonded pool holds ${pools.bonded} but bonded validators have ${bonded} tokens`);
    if (pools.notBonded !== notBonded) {
      problems.push(`staking: not-bonded pool holds ${pools.notBonded} but unbonded/unbonding validators and unbonding entries hold ${notBonded}`);
    }
    let total = 0n;
    for (const { power } of this.lastValidatorPowers(root)) total += power;
    if (total !== this.getLastTotalPower(root)) problems.push(`staking: last total power ${this.getLastTotalPower(root)} != sum of last powers ${total}`);
    return problems;
  }

  // ---- encoding helpers for other modules ------------------------------------------------------------------

  static decodeAmount(raw: Uint8Array | undefined): bigint {
    return raw ? BigInt(dec.decode(raw)) : 0n;
  }

  static encodeAmount(v: bigint): Uint8Array {
    return enc.encode(v.toString());
  }
}
