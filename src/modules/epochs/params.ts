import type { Params } from "../../gen/blockai/epochs/v1/epochs";

export const DEFAULT_EPOCH_LENGTH = 14_400n; // about a day at 6 s blocks

export const DEFAULT_EPOCHS_PARAMS: Params = { epochLength: DEFAULT_EPOCH_LENGTH };

/** The rules genesis applies to params (and a MsgUpdateParams would). */
export function validateEpochsParams(p: Params, where = "epochs.params"): void {
  if (p.epochLength <= 0n) throw new Error(`${where}.epoch_length must be positive`);
}
