import { ChainError, SdkErrors } from "../../types/errors";
import { arr, obj, optional, u64 } from "../../types/genesis-json";
import type { Context, Module, MsgHandler } from "../../framework/module";
import { decodeAddress } from "../../types/address";
import { BASE_DENOM } from "../../types/coins";
import { serveQueries } from "../../framework/query-server";
import { RegistryQuery } from "./service";
import { Model, ModelStatus, Params } from "../../gen/blockai/registry/v1/registry";
import {
  MsgRegisterModel,
  MsgRegisterModelResponse,
  MsgSetModelStatus,
  MsgSetModelStatusResponse,
  MsgUpdateModel,
  MsgUpdateModelResponse,
} from "../../gen/blockai/registry/v1/tx";
import { KVStore, PrefixStore } from "../../store/kv";
import { atField, snakeKeys } from "../../types/json";
import { DEFAULT_REGISTRY_PARAMS, RegistryErrors, RegistryKeeper, statusName } from "./keeper";
import { MODEL_PREFIX, REGISTRY_STORE_PREFIX, digestIndexPrefix, ownerIndexPrefix, readU64be, statusIndexPrefix, taskIndexPrefix } from "./keys";
import { paginate } from "../../framework/pagination";
import {
  LIMITS,
  canonicalAddress,
  checkArtifactDigest,
  checkEndpoint,
  checkOperators,
  checkTask,
  checkText,
  checkUnit,
  checkUri,
  checkUsoa,
} from "./validation";

export const REGISTRY_TYPE_URLS = {
  MsgRegisterModel: "/blockai.registry.v1.MsgRegisterModel",
  MsgUpdateModel: "/blockai.registry.v1.MsgUpdateModel",
  MsgSetModelStatus: "/blockai.registry.v1.MsgSetModelStatus",
} as const;

const SETTABLE_STATUSES = new Set([ModelStatus.MODEL_STATUS_ACTIVE, ModelStatus.MODEL_STATUS_PAUSED, ModelStatus.MODEL_STATUS_RETIRED]);

/** The descriptive fields of a model (register, update, genesis). */
function checkDescriptive(m: { name: string; version: string; task: string; description: string; artifactUri: string; endpoint: string; unit: string }) {
  checkText(m.name, "name", LIMITS.name, { required: true });
  checkText(m.version, "version", LIMITS.version, { required: true });
  checkTask(m.task);
  checkText(m.description, "description", LIMITS.description, { multiline: true });
  checkUri(m.artifactUri, "artifact_uri");
  checkEndpoint(m.endpoint);
  checkUnit(m.unit);
}

function registerHandler(keeper: RegistryKeeper): MsgHandler<MsgRegisterModel> {
  return {
    typeUrl: REGISTRY_TYPE_URLS.MsgRegisterModel,
    codec: MsgRegisterModel,
    signers: (msg) => [msg.owner],
    validateBasic(msg) {
      const owner = canonicalAddress(msg.owner, "owner");
      checkOperators(msg.operators, owner);
      checkDescriptive(msg);
      checkArtifactDigest(msg.artifactDigest);
      checkUsoa(msg.pricePerUnit, "price_per_unit", true);
      checkUsoa(msg.bond, "bond", true);
    },
    execute(ctx, msg) {
      const owner = canonicalAddress(msg.owner, "owner");
      const id = keeper.register(ctx, {
        owner,
        operators: checkOperators(msg.operators, owner),
        name: msg.name,
        version: msg.version,
        task: msg.task,
        description: msg.description,
        artifactDigest: msg.artifactDigest,
        artifactUri: msg.artifactUri,
        endpoint: msg.endpoint,
        pricePerUnit: { denom: BASE_DENOM, amount: checkUsoa(msg.pricePerUnit, "price_per_unit", true).toString() },
        unit: msg.unit,
        bond: { denom: BASE_DENOM, amount: checkUsoa(msg.bond, "bond", true).toString() },
        supersedes: msg.supersedes,
      });
      return { typeUrl: `${REGISTRY_TYPE_URLS.MsgRegisterModel}Response`, value: MsgRegisterModelResponse.encode({ modelId: id }).finish() };
    },
  };
}

function updateHandler(keeper: RegistryKeeper): MsgHandler<MsgUpdateModel> {
  return {
    typeUrl: REGISTRY_TYPE_URLS.MsgUpdateModel,
    codec: MsgUpdateModel,
    signers: (msg) => [msg.owner],
    validateBasic(msg) {
      const owner = canonicalAddress(msg.owner, "owner");
      if (msg.modelId === 0n) throw RegistryErrors.ModelNotFound.wrap("model_id must be set");
      const changes = [msg.name, msg.version, msg.task, msg.description, msg.artifactUri, msg.endpoint, msg.pricePerUnit, msg.unit, msg.operators];
      if (changes.every((c) => c === undefined) && msg.artifactDigest.length === 0) {
        throw RegistryErrors.InvalidModel.wrap("nothing to update");
      }
      if (msg.name !== undefined) checkText(msg.name, "name", LIMITS.name, { required: true });
      if (msg.version !== undefined) checkText(msg.version, "version", LIMITS.version, { required: true });
      if (msg.task !== undefined) checkTask(msg.task);
      if (msg.description !== undefined) checkText(msg.description, "description", LIMITS.description, { multiline: true });
      if (msg.artifactUri !== undefined) checkUri(msg.artifactUri, "artifact_uri");
      if (msg.endpoint !== undefined) checkEndpoint(msg.endpoint);
      if (msg.unit !== undefined) checkUnit(msg.unit);
      if (msg.pricePerUnit !== undefined) checkUsoa(msg.pricePerUnit, "price_per_unit", true);
      if (msg.operators !== undefined) checkOperators(msg.operators.addresses, owner);
    },
    execute(ctx, msg) {
      const owner = canonicalAddress(msg.owner, "owner");
      const prev = keeper.mustGetModel(ctx.store, msg.modelId);
      if (prev.owner !== owner) throw SdkErrors.Unauthorized.wrap(`${owner} is not the owner of model ${prev.id}`);
      if (prev.status === ModelStatus.MODEL_STATUS_RETIRED) throw RegistryErrors.ModelRetired.wrap(`model ${prev.id} cannot be updated`);
      if (msg.artifactDigest.length > 0 && !Buffer.from(msg.artifactDigest).equals(Buffer.from(prev.artifactDigest))) {
        throw RegistryErrors.ArtifactDigestImmutable.wrap(`model ${prev.id}`);
      }
      const next: Model = {
        ...prev,
        name: msg.name ?? prev.name,
        version: msg.version ?? prev.version,
        task: msg.task ?? prev.task,
        description: msg.description ?? prev.description,
        artifactUri: msg.artifactUri ?? prev.artifactUri,
        endpoint: msg.endpoint ?? prev.endpoint,
        unit: msg.unit ?? prev.unit,
        pricePerUnit: msg.pricePerUnit
          ? { denom: BASE_DENOM, amount: checkUsoa(msg.pricePerUnit, "price_per_unit", true).toString() }
          : prev.pricePerUnit,
        operators: msg.operators ? checkOperators(msg.operators.addresses, owner) : prev.operators,
      };
      keeper.update(ctx, prev, next);
      return { typeUrl: `${REGISTRY_TYPE_URLS.MsgUpdateModel}Response`, value: MsgUpdateModelResponse.encode({}).finish() };
    },
  };
}

function setStatusHandler(keeper: RegistryKeeper): MsgHandler<MsgSetModelStatus> {
  return {
    typeUrl: REGISTRY_TYPE_URLS.MsgSetModelStatus,
    codec: MsgSetModelStatus,
    signers: (msg) => [msg.sender],
    validateBasic(msg) {
      decodeAddress(msg.sender, "sender");
      if (msg.modelId === 0n) throw RegistryErrors.ModelNotFound.wrap("model_id must be set");
      if (!SETTABLE_STATUSES.has(msg.status)) {
        throw RegistryErrors.InvalidStatusTransition.wrap(`status must be ACTIVE, PAUSED or RETIRED, got ${statusName(msg.status)}`);
      }
    },
    execute(ctx, msg) {
      const sender = canonicalAddress(msg.sender, "sender");
      const prev = keeper.mustGetModel(ctx.store, msg.modelId);
      const allowed = msg.status === ModelStatus.MODEL_STATUS_RETIRED ? prev.owner === sender : keeper.isOwnerOrOperator(prev, sender);
      if (!allowed) {
        throw SdkErrors.Unauthorized.wrap(
          msg.status === ModelStatus.MODEL_STATUS_RETIRED
            ? `only the owner of model ${prev.id} can retire it`
            : `${sender} is neither the owner nor an operator of model ${prev.id}`,
        );
      }
      keeper.setStatus(ctx, prev, msg.status);
      return { typeUrl: `${REGISTRY_TYPE_URLS.MsgSetModelStatus}Response`, value: MsgSetModelStatusResponse.encode({}).finish() };
    },
  };
}

function paramsFromJson(value: unknown): Params {
  const p = obj(value, "registry.params");
  const bond = optional(p.min_model_bond, (b) => obj(b, "registry.params.min_model_bond"));
  const minModelBond = bond
    ? { denom: String(bond.denom), amount: atField("registry.params.min_model_bond", () => checkUsoa({ denom: String(bond.denom), amount: String(bond.amount) }, "min_model_bond", true)).toString() }
    : DEFAULT_REGISTRY_PARAMS.minModelBond;
  const bondReturnDelay = p.bond_return_delay === undefined ? DEFAULT_REGISTRY_PARAMS.bondReturnDelay : u64(p.bond_return_delay, "registry.params.bond_return_delay");
  const maxOps = p.max_operators === undefined ? BigInt(DEFAULT_REGISTRY_PARAMS.maxOperators) : u64(p.max_operators, "registry.params.max_operators");
  if (maxOps > BigInt(LIMITS.operatorsHardCap)) throw new Error(`registry.params.max_operators: at most ${LIMITS.operatorsHardCap}`);
  return { minModelBond, bondReturnDelay, maxOperators: Number(maxOps) };
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
  atField(`${where}.price_per_unit`, () => checkUsoa(m.pricePerUnit, "price_per_unit", true));
  atField(`${where}.bond`, () => checkUsoa(m.bond, "bond", true));
  if (!SETTABLE_STATUSES.has(m.status)) throw new Error(`${where}.status: must be ACTIVE, PAUSED or RETIRED`);
  if (m.status !== ModelStatus.MODEL_STATUS_RETIRED && (m.bondReturned || m.retiredHeight !== 0n || m.bondReleaseHeight !== 0n)) {
    throw new Error(`${where}: only a retired model may have retired_height, bond_release_height or bond_returned`);
  }
  if (m.supersedes >= m.id) throw new Error(`${where}.supersedes: must be an earlier model id`);
  return m;
}

export function createRegistryModule(keeper: RegistryKeeper): Module {
  const registryStore = (root: KVStore) => new PrefixStore(root, REGISTRY_STORE_PREFIX);
  return {
    name: "registry",
    msgs: [registerHandler(keeper), updateHandler(keeper), setStatusHandler(keeper)],
    queries: serveQueries(RegistryQuery, {
      Model: (ctx, req) => ({ model: keeper.mustGetModel(ctx.store, req.modelId) }),
      Models(ctx, req) {
        const store = registryStore(ctx.store);
        let owner: string | undefined;
        if (req.owner !== "") owner = canonicalAddress(req.owner, "owner");
        if (req.status === ModelStatus.UNRECOGNIZED || req.status < 0 || req.status > ModelStatus.MODEL_STATUS_RETIRED) {
          throw SdkErrors.InvalidRequest.wrap(`unknown status ${req.status}`);
        }
        if (req.task !== "") {
          try {
            checkTask(req.task);
          } catch (e) {
            throw SdkErrors.InvalidRequest.wrap((e as ChainError).message);
          }
        }
        // The narrowest index available: owner, then task, then status; other filters are checked
        // on the entries of that index only.
        let index: Uint8Array;
        if (owner !== undefined) index = ownerIndexPrefix(decodeAddress(owner));
        else if (req.task !== "") index = taskIndexPrefix(req.task);
        else if (req.status !== ModelStatus.MODEL_STATUS_UNSPECIFIED) index = statusIndexPrefix(req.status);
        else index = Uint8Array.of(MODEL_PREFIX);
        const view = new PrefixStore(store, index);
        const { items, pagination } = paginate(view, new Uint8Array(), undefined, req.pagination, (k) => keeper.getModel(ctx.store, readU64be(k, k.length - 8)), {
          filter: (m) =>
            (owner === undefined || m.owner === owner) &&
            (req.task === "" || m.task === req.task) &&
            (req.status === ModelStatus.MODEL_STATUS_UNSPECIFIED || m.status === req.status),
        });
        return { models: items, pagination: { nextKey: Buffer.from(pagination.nextKey), total: pagination.total } };
      },
      Params: (ctx) => ({ params: keeper.getParams(ctx.store) }),
      ModelsByDigest(ctx, req) {
        try {
          checkArtifactDigest(req.artifactDigest);
        } catch (e) {
          throw SdkErrors.InvalidRequest.wrap((e as ChainError).message);
        }
        const view = new PrefixStore(registryStore(ctx.store), digestIndexPrefix(req.artifactDigest));
        const { items, pagination } = paginate(view, new Uint8Array(), undefined, req.pagination, (k) => keeper.getModel(ctx.store, readU64be(k, k.length - 8)));
        return { models: items, pagination: { nextKey: Buffer.from(pagination.nextKey), total: pagination.total } };
      },
    }),
    defaultGenesis: () => ({ params: paramsToJson(DEFAULT_REGISTRY_PARAMS), models: [], next_model_id: "1" }),
    initGenesis(ctx: Context, genesis: unknown) {
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
    },
    exportGenesis(ctx: Context) {
      return {
        params: paramsToJson(keeper.getParams(ctx.store)),
        models: keeper.allModels(ctx.store).map((m) => snakeKeys(Model.toJSON(m))),
        next_model_id: keeper.getNextModelId(ctx.store).toString(),
      };
    },
    endBlock(ctx: Context) {
      keeper.releaseBonds(ctx);
    },
    invariants: (store) => keeper.checkInvariants(store),
  };
}
