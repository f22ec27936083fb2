/**
 * The mint module's state layout (under the "mint/" prefix). No Node-only imports here.
 *
 *   0x00   Params (protobuf)
 *   0x01   total minted since genesis (decimal usoa)
 *   0x02   last height that minted (u64 big-endian)
 */
export const MINT_STORE_PREFIX = new TextEncoder().encode("mint/");
export const PARAMS_KEY = Uint8Array.of(0x00);
export const MINTED_KEY = Uint8Array.of(0x01);
export const LAST_HEIGHT_KEY = Uint8Array.of(0x02);
