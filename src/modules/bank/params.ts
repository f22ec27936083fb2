/** Bank's parameters: BLOCKAI keeps only the global switch (no per-denom send_enabled entries). */
export interface BankParams {
  defaultSendEnabled: boolean;
}

export const DEFAULT_BANK_PARAMS: BankParams = { defaultSendEnabled: true };
