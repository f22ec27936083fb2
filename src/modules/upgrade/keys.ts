/**
 * The upgrade module's state layout (under the "upgrade/" prefix):
 *
 *   0x00                 the scheduled Plan (cosmos.upgrade.v1beta1.Plan, protobuf), if any
 *   0x01 | utf8(name)    height at which the upgrade `name` was applied (u64)
 */
import { concatBytes } from "../../types/bytes";

export const UPGRADE_STORE_PREFIX = new TextEncoder().encode("upgrade/");
export const PLAN_KEY = Uint8Array.of(0x00);
export const DONE_PREFIX = 0x01;

export function doneKey(name: string): Uint8Array {
  return concatBytes(Uint8Array.of(DONE_PREFIX), new TextEncoder().encode(name));
}
