import { EpochInfo, Params } from "../../gen/blockai/epochs/v1/epochs";
import type { Context } from "../../framework/module";
import { KVStore, PrefixStore } from "../../store/kv";
import { EpochsAttributes as A, EpochsEvents } from "./events";
import { EPOCHS_STORE_PREFIX, EPOCH_KEY, PARAMS_KEY } from "./keys";
import { DEFAULT_EPOCH_LENGTH, validateEpochsParams } from "./params";

/** Called at the end of the last block of an epoch, in registration order (deterministic). */
export type EpochEndHook = (ctx: Context, epoch: bigint) => void;

/**
 * The shared epoch clock. An epoch is epoch_length consecutive blocks; at the end of its last
 * block every registered hook runs, then the next epoch starts. A changed epoch_length applies
 * from the next epoch, so an epoch in progress is never cut short.
 */
export class EpochsKeeper {
  private readonly hooks: Array<{ name: string; hook: EpochEndHook }> = [];

  /** Registration happens once at startup, in the order src/app/modules.ts writes. */
  onEpochEnd(name: string, hook: EpochEndHook): void {
    this.hooks.push({ name, hook });
  }

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, EPOCHS_STORE_PREFIX);
  }

  getParams(root: KVStore): Params {
    const raw = this.store(root).get(PARAMS_KEY);
    return raw ? Params.decode(raw) : { epochLength: DEFAULT_EPOCH_LENGTH };
  }

  setParams(root: KVStore, params: Params): void {
    validateEpochsParams(params);
    this.store(root).set(PARAMS_KEY, Params.encode(params).finish());
  }

  current(root: KVStore): EpochInfo {
    const raw = this.store(root).get(EPOCH_KEY);
    if (!raw) throw new Error("epochs: no current epoch (genesis not loaded)");
    return EpochInfo.decode(raw);
  }

  currentEpoch(root: KVStore): bigint {
    return this.current(root).number;
  }

  /** Starts epoch `number` at `startHeight` with the current epoch_length. */
  startEpoch(root: KVStore, number: bigint, startHeight: bigint): void {
    const length = this.getParams(root).epochLength;
    this.store(root).set(EPOCH_KEY, EpochInfo.encode({ number, startHeight, endHeight: startHeight + length - 1n }).finish());
  }

  /** End of block: closes the epoch if this was its last block. */
  endBlock(ctx: Context): void {
    const epoch = this.current(ctx.store);
    const height = BigInt(ctx.block.height);
    if (height < epoch.endHeight) return;
    for (const { hook } of this.hooks) hook(ctx, epoch.number);
    ctx.events.emit(EpochsEvents.EpochEnd, { [A.Epoch]: epoch.number.toString(), [A.Height]: height.toString() });
    this.startEpoch(ctx.store, epoch.number + 1n, height + 1n);
  }
}
