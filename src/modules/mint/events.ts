/** Event types and attribute keys of the mint module. */
export const MintEvents = {
  /** Each block that mints: height, amount, total minted. */
  Mint: "mint",
} as const;
