/** Event types and attribute keys of the upgrade module (docs/gov.md, "Software upgrades"). */
export const UpgradeEvents = {
  /** A plan scheduled (`action` schedule) or applied at its height (`action` apply). */
  Upgrade: "upgrade",
} as const;

export const UpgradeAttributes = {
  Action: "action",
  Name: "name",
  Height: "height",
} as const;
