import type { UpgradeHandler } from "../modules/upgrade";

/**
 * The upgrade handlers this binary carries, by plan name. A release that a governance upgrade plan
 * names adds its handler here (its state migrations, or nothing): nodes stop at the plan's height
 * until they run a binary with it (docs/gov.md, "Software upgrades").
 */
export const UPGRADE_HANDLERS: ReadonlyMap<string, UpgradeHandler> = new Map<string, UpgradeHandler>([]);
