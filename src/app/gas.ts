import { SdkErrors } from "./errors";

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
