import { canonicalAddress, decodeAddress } from "../../types/address";
import { readU64be } from "../../types/bytes";
import { ChainError, SdkErrors } from "../../types/errors";
import type { QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { ModelStatus } from "../../gen/blockai/registry/v1/registry";
import { KVStore, PrefixStore } from "../../store/kv";
import type { RegistryKeeper } from "./keeper";
import { MODEL_PREFIX, REGISTRY_STORE_PREFIX, digestIndexPrefix, ownerIndexPrefix, statusIndexPrefix, taskIndexPrefix } from "./keys";
import { RegistryQuery } from "./service";
import { checkArtifactDigest, checkTask } from "./validation";

export function registryQueryHandlers(keeper: RegistryKeeper): QueryHandler[] {
  const registryStore = (root: KVStore) => new PrefixStore(root, REGISTRY_STORE_PREFIX);
  return serveQueries(RegistryQuery, {
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
  });
}
