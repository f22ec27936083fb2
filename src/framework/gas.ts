import type { KVStore, RangeOptions } from "../store/kv";
import { SdkErrors } from "../types/errors";

/** Gas costs of store access, the Cosmos SDK's KVGasConfig defaults (store/types/gas.go). */
export const KV_GAS = {
  hasCost: 1000n,
  deleteCost: 1000n,
  readCostFlat: 1000n,
  readCostPerByte: 3n,
  writeCostFlat: 2000n,
  writeCostPerByte: 30n,
  iterNextCostFlat: 30n,
} as const;

export class OutOfGasError extends Error {
  constructor(
    readonly descriptor: string,
    readonly limit: bigint,
    readonly consumed: bigint,
  ) {
    super(`out of gas in location: ${descriptor}; gasWanted: ${limit}, gasUsed: ${consumed}`);
  }
  toChainError() {
    return SdkErrors.OutOfGas.wrap(
      `out of gas in location: ${this.descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.consumed}`,
    );
  }
}

/** Counts gas; throws OutOfGasError past its limit (undefined limit = unmetered, for simulate and genesis). */
export class GasMeter {
  private used = 0n;
  constructor(readonly limit: bigint | undefined) {}

  consume(amount: bigint, descriptor: string): void {
    this.used += amount;
    if (this.limit !== undefined && this.used > this.limit) {
      throw new OutOfGasError(descriptor, this.limit, this.used);
    }
  }

  get consumed(): bigint {
    return this.used;
  }
}

/** Charges the Cosmos SDK's store gas for every access (store/gaskv). */
export class GasKVStore implements KVStore {
  constructor(
    private readonly parent: KVStore,
    private readonly meter: GasMeter,
  ) {}

  get(key: Uint8Array) {
    this.meter.consume(KV_GAS.readCostFlat, "ReadFlat");
    const value = this.parent.get(key);
    this.meter.consume(KV_GAS.readCostPerByte * BigInt(key.length + (value?.length ?? 0)), "ReadPerByte");
    return value;
  }
  has(key: Uint8Array) {
    this.meter.consume(KV_GAS.hasCost, "Has");
    return this.parent.has(key);
  }
  set(key: Uint8Array, value: Uint8Array) {
    this.meter.consume(KV_GAS.writeCostFlat, "WriteFlat");
    this.meter.consume(KV_GAS.writeCostPerByte * BigInt(key.length + value.length), "WritePerByte");
    this.parent.set(key, value);
  }
  delete(key: Uint8Array) {
    this.meter.consume(KV_GAS.deleteCost, "Delete");
    this.parent.delete(key);
  }
  range(start: Uint8Array, end: Uint8Array | undefined, options?: RangeOptions) {
    const entries = this.parent.range(start, end, options);
    for (const [k, v] of entries) {
      this.meter.consume(KV_GAS.iterNextCostFlat, "IterNextFlat");
      this.meter.consume(KV_GAS.readCostPerByte * BigInt(k.length + v.length), "ValuePerByte");
    }
    return entries;
  }
}
