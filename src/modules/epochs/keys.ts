/**
 * The epochs module's state layout (under "epochs/"). Browser-safe: leaf imports only.
 *
 *   0x00    Params (protobuf)
 *   0x01    EpochInfo of the current epoch (protobuf)
 */
export const EPOCHS_STORE_PREFIX = new TextEncoder().encode("epochs/");
export const PARAMS_KEY = Uint8Array.of(0x00);
export const EPOCH_KEY = Uint8Array.of(0x01);
