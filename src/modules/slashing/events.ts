/** Event types, attribute keys and values the slashing module emits (the SDK's x/slashing/types/events.go). */
export const SlashingEvents = {
  Liveness: "liveness",
  Slash: "slash",
} as const;

export const SlashingAttributes = {
  Address: "address",
  MissedBlocks: "missed_blocks",
  Height: "height",
  Power: "power",
  Reason: "reason",
  Jailed: "jailed",
  BurnedCoins: "burned_coins",
} as const;

/** Values of the `reason` attribute of a slash event. */
export const SlashReasons = {
  MissingSignature: "missing_signature",
  DoubleSign: "double_sign",
} as const;
