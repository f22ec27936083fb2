export interface AuthParams {
  maxMemoCharacters: bigint;
  txSigLimit: bigint;
  txSizeCostPerByte: bigint;
  sigVerifyCostEd25519: bigint;
  sigVerifyCostSecp256k1: bigint;
}

/** The Cosmos SDK v0.50 defaults (x/auth/types/params.go). */
export const DEFAULT_AUTH_PARAMS: AuthParams = {
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: 10n,
  sigVerifyCostEd25519: 590n,
  sigVerifyCostSecp256k1: 1000n,
};

/** The rules genesis applies to params (and a MsgUpdateParams would): throws naming the field. */
export function validateAuthParams(p: AuthParams, where = "auth.params"): void {
  if (p.txSigLimit === 0n) throw new Error(`${where}.tx_sig_limit must be positive`);
}
