import { MsgUpdateParams as MsgUpdateRegistryParams } from "../../gen/blockai/registry/v1/tx";
import type { Params as RegistryParams } from "../../gen/blockai/registry/v1/registry";
import { updateParamsHandler } from "../../framework/params";
import { validateRegistryParams } from "./params";
import { SdkErrors } from "../../types/errors";
import { canonicalAddress, decodeAddress } from "../../types/address";
import { BASE_DENOM, checkUsoa } from "../../types/coins";
import type { MsgHandler } from "../../framework/module";
import { Model, ModelStatus } from "../../gen/blockai/registry/v1/registry";
import {
  MsgRegisterModel,
  MsgRegisterModelResponse,
  MsgSetModelStatus,
  MsgSetModelStatusResponse,
  MsgUpdateModel,
  MsgUpdateModelResponse,
} from "../../gen/blockai/registry/v1/tx";
import { RegistryErrors } from "./errors";
import { type RegistryKeeper, statusName } from "./keeper";
import {
  LIMITS,
  SETTABLE_STATUSES,
  checkArtifactDigest,
  checkDescriptive,
  checkEndpoint,
  checkOperators,
  checkTask,
  checkText,
  checkUnit,
  checkUri,
  checkWeightsRoot,
} from "./validation";

export const REGISTRY_TYPE_URLS = {
  MsgRegisterModel: "/blockai.registry.v1.MsgRegisterModel",
  MsgUpdateModel: "/blockai.registry.v1.MsgUpdateModel",
  MsgSetModelStatus: "/blockai.registry.v1.MsgSetModelStatus",
} as const;

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
      checkWeightsRoot(msg.weightsRoot);
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
        weightsRoot: msg.weightsRoot,
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

export function registryMsgHandlers(keeper: RegistryKeeper): MsgHandler<any>[] {
  return [registerHandler(keeper), updateHandler(keeper), setStatusHandler(keeper), updateParamsHandlerOf(keeper)];
}

export function registryParamsFromMsg(msg: MsgUpdateRegistryParams): RegistryParams {
  const p = msg.params;
  if (!p) throw new Error("params must be set");
  const out: RegistryParams = { minModelBond: p.minModelBond, bondReturnDelay: p.bondReturnDelay, maxOperators: p.maxOperators };
  validateRegistryParams(out, "params");
  return out;
}

/**
 * Models registered before keep their bond and operators: min_model_bond and max_operators bound
 * the next registration or update, as in genesis.
 */
function updateParamsHandlerOf(keeper: RegistryKeeper): MsgHandler<MsgUpdateRegistryParams> {
  return updateParamsHandler<MsgUpdateRegistryParams, RegistryParams>({
    typeUrl: "/blockai.registry.v1.MsgUpdateParams",
    codec: MsgUpdateRegistryParams,
    read: registryParamsFromMsg,
    set: (ctx, p) => keeper.setParams(ctx.store, p),
  });
}
