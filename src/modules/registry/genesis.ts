import { canonicalAddress } from "../../types/address";
import { BASE_DENOM, checkUsoa } from "../../types/coins";
import { arr, obj, optional, u64 } from "../../types/genesis-json";
import { atField, snakeKeys } from "../../types/json";
import type { Context } from "../../framework/module";
import { Model, ModelStatus, Params } from "../../gen/blockai/registry/v1/registry";
import type { RegistryKeeper } from "./keeper";
import { DEFAULT_REGISTRY_PARAMS, validateRegistryParams } from "./params";
import { LIMITS, SETTABLE_STATUSES, checkArtifactDigest, checkDescriptive, checkOperators, checkWeightsRoot } from "./validation";

function paramsFromJson(value: unknown): Params {
  const p = obj(value, "registry.params");
  const bond = optional(p.min_model_bond, (b) => obj(b, "registry.params.min_model_bond"));
  const minModelBond = bond
    ? { denom: String(bond.denom), amount: atField("registry.params.min_model_bond", () => checkUsoa({ denom: String(bond.denom), amount: String(bond.amount) }, "min_model_bond", true)).toString() }
    : DEFAULT_REGISTRY_PARAMS.minModelBond;
  const bondReturnDelay = p.bond_return_delay === undefined ? DEFAULT_REGISTRY_PARAMS.bondReturnDelay : u64(p.bond_return_delay, "registry.params.bond_return_delay");
  const maxOps = p.max_operators === undefined ? BigInt(DEFAULT_REGISTRY_PARAMS.maxOperators) : u64(p.max_operators, "registry.params.max_operators");
  // Checked as a bigint first: a u64 must not reach Number() unchecked.
  if (maxOps > BigInt(LIMITS.operatorsHardCap)) throw new Error(`registry.params.max_operators: at most ${LIMITS.operatorsHardCap}`);
  const params = { minModelBond, bondReturnDelay, maxOperators: Number(maxOps) };
  validateRegistryParams(params);
  return params;
}

function paramsToJson(p: Params) {
  return { min_model_bond: p.minModelBond, bond_return_delay: p.bondReturnDelay.toString(), max_operators: p.maxOperators };
}
/** Validates a model read from genesis; names the bad field. */
function modelFromJson(value: unknown, where: string): Model {
  const m = Model.fromJSON(obj(value, where));
  if (m.id === 0n) throw new Error(`${where}.id: must be > 0`);
  atField(`${where}.owner`, () => {
    if (canonicalAddress(m.owner, "owner") !== m.owner) throw new Error("not canonical (lowercase) bech32");
  });
  atField(`${where}.operators`, () => checkOperators(m.operators, m.owner));
  atField(where, () => checkDescriptive(m));
  atField(`${where}.artifact_digest`, () => checkArtifactDigest(m.artifactDigest));
  atField(`${where}.weights_root`, () => checkWeightsRoot(m.weightsRoot));
  atField(`${where}.price_per_unit`, () => checkUsoa(m.pricePerUnit, "price_per_unit", true));
  atField(`${where}.bond`, () => checkUsoa(m.bond, "bond", true));
  if (!SETTABLE_STATUSES.has(m.status)) throw new Error(`${where}.status: must be ACTIVE, PAUSED or RETIRED`);
  if (m.status !== ModelStatus.MODEL_STATUS_RETIRED && (m.bondReturned || m.retiredHeight !== 0n || m.bondReleaseHeight !== 0n)) {
    throw new Error(`${where}: only a retired model may have retired_height, bond_release_height or bond_returned`);
  }
  if (m.supersedes >= m.id) throw new Error(`${where}.supersedes: must be an earlier model id`);
  return m;
}
export function defaultRegistryGenesis() {
  return { params: paramsToJson(DEFAULT_REGISTRY_PARAMS), models: [], next_model_id: "1" };
}

export function initRegistryGenesis(keeper: RegistryKeeper, ctx: Context, genesis: unknown): void {
  const g = obj(genesis ?? {}, "registry");
  keeper.setParams(ctx.store, g.params === undefined ? DEFAULT_REGISTRY_PARAMS : paramsFromJson(g.params));
  const models = arr(g.models ?? [], "registry.models").map((m, i) => modelFromJson(m, `registry.models[${i}]`));
  const ids = new Set<bigint>();
  let maxId = 0n;
  for (const [i, m] of models.entries()) {
    if (ids.has(m.id)) throw new Error(`registry.models[${i}].id: duplicate id ${m.id}`);
    if (m.supersedes !== 0n && !ids.has(m.supersedes)) throw new Error(`registry.models[${i}].supersedes: model ${m.supersedes} is not listed before it`);
    ids.add(m.id);
    if (m.id > maxId) maxId = m.id;
  }
  const next = g.next_model_id === undefined ? maxId + 1n : u64(g.next_model_id, "registry.next_model_id");
  if (next <= maxId || next === 0n) throw new Error(`registry.next_model_id: must be > every model id (${maxId})`);
  keeper.setNextModelId(ctx.store, next);
  for (const m of models) keeper.importModel(ctx.store, m);
  const held = keeper.bondsHeld(ctx.store);
  const balance = keeper.bondAccountBalance(ctx.store);
  if (held !== balance) {
    throw new Error(`registry.models: bonds held (${held}${BASE_DENOM}) differ from the registry module account balance in bank.balances (${balance}${BASE_DENOM})`);
  }
}

export function exportRegistryGenesis(keeper: RegistryKeeper, ctx: Context) {
  return {
    params: paramsToJson(keeper.getParams(ctx.store)),
    models: keeper.allModels(ctx.store).map((m) => snakeKeys(Model.toJSON(m))),
    next_model_id: keeper.getNextModelId(ctx.store).toString(),
  };
}
