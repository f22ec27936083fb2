import { bondStatusFromJSON, bondStatusToJSON } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { decodeAddress, moduleAddress } from "../../types/address";
import { arr, bool, obj, str } from "../../types/genesis-json";
import { formatRfc3339, parseRfc3339, uint, b64 } from "../../types/json";
import type { Context } from "../../framework/module";
import type { KVStore } from "../../store/kv";
import { formatDec, parseDec } from "../../types/dec";
import type { ModuleAccountKeeper, ModuleAccountShape } from "./expected-keepers";
import type { StakingKeeper } from "./keeper";
import * as K from "./keys";
import { DEFAULT_STAKING_PARAMS, stakingParamsFromJson, stakingParamsToJson } from "./params";
import {
  BONDED_POOL,
  BondStatus,
  Delegation,
  ED25519_PUBKEY_TYPE_URL,
  NOT_BONDED_POOL,
  Redelegation,
  UnbondingDelegation,
  Validator,
  accAddr,
  consAddressOf,
  hex,
  validateCommission,
  valoper,
  valoperBytes,
} from "./types";

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
function ensurePoolAccount<A extends ModuleAccountShape>(auth: ModuleAccountKeeper<A>, root: KVStore, name: string): void {
  const existing = auth.getAccount(root, moduleAddress(name));
  if (existing && existing.moduleName === undefined) auth.setAccount(root, { ...existing, moduleName: name });
  else if (!existing) auth.ensureModuleAccount(root, name);
}

export function defaultStakingGenesis() {
  return {
    params: stakingParamsToJson(DEFAULT_STAKING_PARAMS),
    last_total_power: "0",
    last_validator_powers: [],
    validators: [],
    delegations: [],
    unbonding_delegations: [],
    redelegations: [],
    exported: false,
  };
}

/**
 * Loads staking's genesis (strict: a bad field is named) and returns the initial validator set:
 * an exported genesis restores the recorded last powers, a fresh one bonds the top validators.
 */
export function initStakingGenesis<A extends ModuleAccountShape>(ctx: Context, keeper: StakingKeeper, auth: ModuleAccountKeeper<A>, genesis: unknown): ValidatorUpdate[] {
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
}

export function exportStakingGenesis(ctx: Context, keeper: StakingKeeper) {
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
}
