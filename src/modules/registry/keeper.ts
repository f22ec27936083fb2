import { encodeAddress, decodeAddress, moduleAddress } from "../../types/address";
import { BASE_DENOM, formatCoins } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import type { Context } from "../../framework/module";
import { Model, ModelStatus, Params } from "../../gen/blockai/registry/v1/registry";
import { KVStore, PrefixStore, concatBytes, prefixEnd } from "../../store/kv";
import { RegistryErrors } from "./errors";
import { RegistryAttributes as A, RegistryEvents } from "./events";
import type { RegistryBank } from "./expected-keepers";
import { DEFAULT_REGISTRY_PARAMS } from "./params";
import { isPrunedFromIndexes, pruneRetiredIndexes } from "./prune";
import {
  BOND_QUEUE_PREFIX,
  INDEX_VALUE,
  MODEL_PREFIX,
  NEXT_ID_KEY,
  PARAMS_KEY,
  REGISTRY_STORE_PREFIX,
  STATUS_INDEX_PREFIX,
  bondQueueKey,
  digestIndexKey,
  digestIndexPrefix,
  modelKey,
  ownerIndexKey,
  statusIndexKey,
  taskIndexKey,
} from "./keys";
import { readU64be, u64be } from "../../types/bytes";

export { Model, ModelStatus, Params };

/** Module account holding the bonds of registered models. */
export const REGISTRY_BOND_ACCOUNT = "registry";

/**
 * AI models: registration, updates, status and bonds, with secondary indexes by owner, status and
 * task (keys.ts) so filtered listings never scan every model.
 */
export class RegistryKeeper {
  constructor(private readonly bank?: RegistryBank) {}

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, REGISTRY_STORE_PREFIX);
  }

  private requireBank(): RegistryBank {
    if (!this.bank) throw new Error("registry keeper built without a bank keeper");
    return this.bank;
  }

  // ---- the contract other modules use ---------------------------------------------------------

  getModel(root: KVStore, id: bigint): Model | undefined {
    const raw = this.store(root).get(modelKey(id));
    return raw ? Model.decode(raw) : undefined;
  }

  /** True if `address` (bech32) is the model's owner or one of its operators. */
  isOwnerOrOperator(model: { readonly owner: string; readonly operators: readonly string[] }, address: string): boolean {
    const a = address.toLowerCase();
    return model.owner === a || model.operators.includes(a);
  }

  // ---- params and ids ---------------------------------------------------------------------------

  getParams(root: KVStore): Params {
    const raw = this.store(root).get(PARAMS_KEY);
    return raw ? Params.decode(raw) : DEFAULT_REGISTRY_PARAMS;
  }

  setParams(root: KVStore, params: Params): void {
    this.store(root).set(PARAMS_KEY, Params.encode(params).finish());
  }

  getNextModelId(root: KVStore): bigint {
    const raw = this.store(root).get(NEXT_ID_KEY);
    return raw ? readU64be(raw) : 1n;
  }

  setNextModelId(root: KVStore, id: bigint): void {
    this.store(root).set(NEXT_ID_KEY, u64be(id));
  }

  // ---- records and indexes ----------------------------------------------------------------------

  /** Writes a model and keeps every secondary index in step with it (prev = the stored version). */
  setModel(root: KVStore, model: Model, prev?: Model): void {
    const store = this.store(root);
    if (prev) {
      if (prev.owner !== model.owner) store.delete(ownerIndexKey(decodeAddress(prev.owner), prev.id));
      if (prev.status !== model.status) store.delete(statusIndexKey(prev.status, prev.id));
      if (prev.task !== model.task) store.delete(taskIndexKey(prev.task, prev.id));
    }
    store.set(modelKey(model.id), Model.encode(model).finish());
    store.set(ownerIndexKey(decodeAddress(model.owner), model.id), INDEX_VALUE);
    store.set(statusIndexKey(model.status, model.id), INDEX_VALUE);
    store.set(taskIndexKey(model.task, model.id), INDEX_VALUE);
    // The digest is immutable (MsgUpdateModel refuses a change), so its entry never moves.
    store.set(digestIndexKey(model.artifactDigest, model.id), INDEX_VALUE);
  }

  /** Ids of the models registered with `digest`, ascending (the first is the original). */
  modelsByDigest(root: KVStore, digest: Uint8Array): bigint[] {
    const prefix = digestIndexPrefix(digest);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k]) => readU64be(k, prefix.length));
  }

  /**
   * The earliest ACTIVE model registered with `digest` (undefined if none): the one that earns the
   * artifact's performance reward. Reads the digest's entries in id order up to the first active.
   */
  earliestActiveWithDigest(root: KVStore, digest: Uint8Array): bigint | undefined {
    const prefix = digestIndexPrefix(digest);
    for (const [k] of this.store(root).range(prefix, prefixEnd(prefix))) {
      const id = readU64be(k, prefix.length);
      if (this.getModel(root, id)?.status === ModelStatus.MODEL_STATUS_ACTIVE) return id;
    }
    return undefined;
  }

  /** Every model in id order (genesis export, invariants). */
  allModels(root: KVStore): Model[] {
    return this.store(root)
      .range(Uint8Array.of(MODEL_PREFIX), Uint8Array.of(MODEL_PREFIX + 1))
      .map(([, v]) => Model.decode(v));
  }

  /** usoa the registry account must hold: the bonds not yet returned. */
  bondsHeld(root: KVStore): bigint {
    let sum = 0n;
    for (const m of this.allModels(root)) if (!m.bondReturned && m.bond) sum += BigInt(m.bond.amount);
    return sum;
  }

  bondAccountBalance(root: KVStore): bigint {
    return this.requireBank().getBalance(root, moduleAddress(REGISTRY_BOND_ACCOUNT), BASE_DENOM);
  }

  // ---- state transitions (called by the message handlers, after validateBasic) -----------------

  /** Registers a model whose fields were validated; locks the bond. Returns the new id. */
  register(ctx: Context, model: Omit<Model, "id" | "createdHeight" | "updatedHeight" | "status" | "retiredHeight" | "bondReleaseHeight" | "bondReturned">): bigint {
    const params = this.getParams(ctx.store);
    const bond = BigInt(model.bond!.amount);
    const min = BigInt(params.minModelBond?.amount ?? "0");
    if (bond < min) throw RegistryErrors.BondTooSmall.wrap(`bond ${bond}${BASE_DENOM} < min_model_bond ${min}${BASE_DENOM}`);
    if (BigInt(model.operators.length) > BigInt(params.maxOperators)) {
      throw RegistryErrors.InvalidOperators.wrap(`${model.operators.length} operators, at most ${params.maxOperators} allowed`);
    }
    if (model.supersedes !== 0n) {
      const old = this.getModel(ctx.store, model.supersedes);
      if (!old) throw RegistryErrors.ModelNotFound.wrap(`superseded model ${model.supersedes}`);
      if (old.owner !== model.owner) throw SdkErrors.Unauthorized.wrap(`model ${old.id} belongs to ${old.owner}, not ${model.owner}`);
    }
    const id = this.getNextModelId(ctx.store);
    this.setNextModelId(ctx.store, id + 1n);
    const height = BigInt(ctx.block.height);
    const full: Model = {
      ...model,
      id,
      status: ModelStatus.MODEL_STATUS_ACTIVE,
      createdHeight: height,
      updatedHeight: height,
      retiredHeight: 0n,
      bondReleaseHeight: 0n,
      bondReturned: false,
    };
    if (bond > 0n) {
      this.requireBank().sendToModule(ctx.store, ctx.events, decodeAddress(model.owner), REGISTRY_BOND_ACCOUNT, [{ denom: BASE_DENOM, amount: bond }]);
    }
    this.setModel(ctx.store, full);
    ctx.events.emit(RegistryEvents.RegisterModel, {
      [A.ModelId]: id.toString(),
      [A.Owner]: model.owner,
      [A.ArtifactDigest]: hex(model.artifactDigest),
      [A.Bond]: formatCoins([{ denom: BASE_DENOM, amount: bond }]),
      [A.Supersedes]: model.supersedes.toString(),
    });
    return id;
  }

  /** Loads a model or fails with registry/2. */
  mustGetModel(root: KVStore, id: bigint): Model {
    const model = this.getModel(root, id);
    if (!model) throw RegistryErrors.ModelNotFound.wrap(`model ${id}`);
    return model;
  }

  /** Applies an update (owner checked by the caller); retired models cannot change. */
  update(ctx: Context, prev: Model, next: Model): void {
    const params = this.getParams(ctx.store);
    if (BigInt(next.operators.length) > BigInt(params.maxOperators)) {
      throw RegistryErrors.InvalidOperators.wrap(`${next.operators.length} operators, at most ${params.maxOperators} allowed`);
    }
    this.setModel(ctx.store, { ...next, updatedHeight: BigInt(ctx.block.height) }, prev);
    ctx.events.emit(RegistryEvents.UpdateModel, { [A.ModelId]: prev.id.toString(), [A.Owner]: prev.owner });
  }

  /** Pause, resume or retire (authorization checked by the caller). */
  setStatus(ctx: Context, prev: Model, status: ModelStatus): Model {
    const from = prev.status;
    const ok =
      (from === ModelStatus.MODEL_STATUS_ACTIVE && (status === ModelStatus.MODEL_STATUS_PAUSED || status === ModelStatus.MODEL_STATUS_RETIRED)) ||
      (from === ModelStatus.MODEL_STATUS_PAUSED && (status === ModelStatus.MODEL_STATUS_ACTIVE || status === ModelStatus.MODEL_STATUS_RETIRED));
    if (from === ModelStatus.MODEL_STATUS_RETIRED) throw RegistryErrors.ModelRetired.wrap(`model ${prev.id}`);
    if (!ok) throw RegistryErrors.InvalidStatusTransition.wrap(`model ${prev.id}: ${statusName(from)} -> ${statusName(status)}`);
    const height = BigInt(ctx.block.height);
    const next: Model = { ...prev, status, updatedHeight: height };
    if (status === ModelStatus.MODEL_STATUS_RETIRED) {
      next.retiredHeight = height;
      next.bondReleaseHeight = height + this.getParams(ctx.store).bondReturnDelay;
      this.store(ctx.store).set(bondQueueKey(next.bondReleaseHeight, next.id), INDEX_VALUE);
    }
    this.setModel(ctx.store, next, prev);
    ctx.events.emit(RegistryEvents.SetModelStatus, { [A.ModelId]: prev.id.toString(), [A.Status]: statusName(status) });
    return next;
  }

  /**
   * End of block: returns the bonds whose release height has come. Reads only the queue entries
   * due (keys sort by height), so the work is proportional to what is released.
   */
  releaseBonds(ctx: Context): void {
    const store = this.store(ctx.store);
    const end = concatBytes(Uint8Array.of(BOND_QUEUE_PREFIX), u64be(BigInt(ctx.block.height) + 1n));
    for (const [key] of store.range(Uint8Array.of(BOND_QUEUE_PREFIX), end)) {
      const id = readU64be(key, 9);
      store.delete(key);
      const model = this.getModel(ctx.store, id);
      if (!model || model.bondReturned) continue;
      const amount = BigInt(model.bond?.amount ?? "0");
      if (amount > 0n) {
        this.requireBank().sendFromModule(ctx.store, ctx.events, REGISTRY_BOND_ACCOUNT, decodeAddress(model.owner), [{ denom: BASE_DENOM, amount }]);
      }
      const returned = { ...model, bondReturned: true };
      this.setModel(ctx.store, returned, model);
      pruneRetiredIndexes(ctx.store, returned);
      ctx.events.emit(RegistryEvents.ReturnModelBond, { [A.ModelId]: id.toString(), [A.Owner]: model.owner, [A.Amount]: `${amount}${BASE_DENOM}` });
    }
  }

  /** Imports a model from genesis (validated by the caller), with its indexes and bond queue entry. */
  importModel(root: KVStore, model: Model): void {
    this.setModel(root, model);
    pruneRetiredIndexes(root, model);
    if (model.status === ModelStatus.MODEL_STATUS_RETIRED && !model.bondReturned) {
      this.store(root).set(bondQueueKey(model.bondReleaseHeight, model.id), INDEX_VALUE);
    }
  }

  /** Invariants: the bond account holds exactly the bonds not yet returned; indexes match records. */
  checkInvariants(root: KVStore): string[] {
    const problems: string[] = [];
    const held = this.bondsHeld(root);
    const balance = this.bondAccountBalance(root);
    if (held !== balance) problems.push(`registry: bond account holds ${balance}${BASE_DENOM} but models hold ${held}${BASE_DENOM} of bonds`);
    const store = this.store(root);
    const next = this.getNextModelId(root);
    let pruned = 0;
    for (const m of this.allModels(root)) {
      if (m.id >= next) problems.push(`registry: model ${m.id} >= next_model_id ${next}`);
      if (isPrunedFromIndexes(m)) {
        pruned++;
        if (store.has(statusIndexKey(m.status, m.id))) problems.push(`registry: retired model ${m.id} with its bond returned is still in the status index`);
      } else if (!store.has(statusIndexKey(m.status, m.id))) problems.push(`registry: model ${m.id} missing from the status index`);
      if (!store.has(digestIndexKey(m.artifactDigest, m.id))) problems.push(`registry: model ${m.id} missing from the artifact digest index`);
    }
    const indexed = store.range(Uint8Array.of(STATUS_INDEX_PREFIX), prefixEnd(Uint8Array.of(STATUS_INDEX_PREFIX))).length;
    const models = store.range(Uint8Array.of(MODEL_PREFIX), Uint8Array.of(MODEL_PREFIX + 1)).length;
    if (indexed !== models - pruned) problems.push(`registry: status index has ${indexed} entries for ${models - pruned} indexed models`);
    return problems;
  }

  /** The registry's module account address (bech32). */
  static bondAccountAddress(): string {
    return encodeAddress(moduleAddress(REGISTRY_BOND_ACCOUNT));
  }
}

export function statusName(status: ModelStatus): string {
  return ModelStatus[status] ?? String(status);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
