/** The auth module's public face: what other modules, the app and the node may use. */
export { createAuthModule } from "./module";
export { AuthKeeper } from "./keeper";
export { type Account, BASE_ACCOUNT_TYPE_URL, MODULE_ACCOUNT_TYPE_URL, SECP256K1_PUBKEY_TYPE_URL } from "./codec";
export { type AuthParams, DEFAULT_AUTH_PARAMS, validateAuthParams } from "./params";
export { defaultAuthGenesis } from "./genesis";
export { AuthAmino } from "./amino";
