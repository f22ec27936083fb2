import { Plan } from "cosmjs-types/cosmos/upgrade/v1beta1/upgrade";
import { encodeAddress, moduleAddress } from "../../types/address";
import { readU64be, u64be } from "../../types/bytes";
import { SdkErrors } from "../../types/errors";
import type { Context } from "../../framework/module";
import { KVStore, PrefixStore } from "../../store/kv";
import { UpgradeAttributes as A, UpgradeEvents } from "./events";
import { DONE_PREFIX, PLAN_KEY, UPGRADE_STORE_PREFIX, doneKey } from "./keys";

/**
 * A release's state migration for the plan of that name. It runs at the plan's height, at the
 * start of the block, before any other module: the binary that has it is the one to run from
 * that height on.
 */
export type UpgradeHandler = (ctx: Context, plan: Plan) => void;

/** Go's zero time: what an unset (deprecated) Plan.time holds in the SDK's encoding. */
const GO_ZERO_SECONDS = -62_135_596_800n;

export function isUnsetTime(t: { seconds: bigint; nanos: number } | undefined): boolean {
  return t === undefined || ((t.seconds === 0n || t.seconds === GO_ZERO_SECONDS) && t.nanos === 0);
}

/** The plan's stateless checks (the SDK's Plan.ValidateBasic). */
export function validatePlan(plan: Plan | undefined): Plan {
  if (!plan) throw SdkErrors.InvalidRequest.wrap("plan must be set");
  if (plan.name.trim() === "") throw SdkErrors.InvalidRequest.wrap("name cannot be empty");
  if (plan.height <= 0n) throw SdkErrors.InvalidRequest.wrap("height must be greater than 0");
  if (!isUnsetTime(plan.time)) throw SdkErrors.InvalidRequest.wrap("time-based upgrades have been deprecated in the SDK");
  if (plan.upgradedClientState) throw SdkErrors.InvalidRequest.wrap("upgrade logic for IBC has been moved to the IBC module");
  return plan;
}

/** Halts the chain at an upgrade height this binary cannot run past (the SDK's panic). */
export class UpgradeNeededError extends Error {
  constructor(readonly plan: Plan) {
    super(`UPGRADE "${plan.name}" NEEDED at height: ${plan.height}: ${plan.info}`);
    this.name = "UpgradeNeededError";
  }
}

export class UpgradeKeeper {
  readonly authority = encodeAddress(moduleAddress("gov"));

  constructor(private readonly handlers: ReadonlyMap<string, UpgradeHandler>) {}

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, UPGRADE_STORE_PREFIX);
  }

  getPlan(root: KVStore): Plan | undefined {
    const raw = this.store(root).get(PLAN_KEY);
    return raw ? Plan.decode(raw) : undefined;
  }

  doneHeight(root: KVStore, name: string): bigint {
    const raw = this.store(root).get(doneKey(name));
    return raw ? readU64be(raw) : 0n;
  }

  allDone(root: KVStore): Array<{ name: string; height: bigint }> {
    return this.store(root)
      .range(Uint8Array.of(DONE_PREFIX), Uint8Array.of(DONE_PREFIX + 1))
      .map(([k, v]) => ({ name: new TextDecoder().decode(k.subarray(1)), height: readU64be(v) }));
  }

  setDone(root: KVStore, name: string, height: bigint): void {
    this.store(root).set(doneKey(name), u64be(height));
  }

  /** A plan must be ahead of the chain and new. */
  checkSchedulable(ctx: Context, plan: Plan): void {
    validatePlan(plan);
    if (plan.height <= BigInt(ctx.block.height)) {
      throw SdkErrors.InvalidRequest.wrap(`upgrade cannot be scheduled in the past: height ${plan.height} is not above the current height ${ctx.block.height}`);
    }
    if (this.doneHeight(ctx.store, plan.name) !== 0n) throw SdkErrors.InvalidRequest.wrap(`upgrade with name ${plan.name} has already been completed`);
  }

  /** Schedules `plan`, replacing any plan already scheduled (as the SDK does). */
  schedule(ctx: Context, plan: Plan): void {
    this.checkSchedulable(ctx, plan);
    this.store(ctx.store).set(PLAN_KEY, Plan.encode({ ...plan, time: { seconds: GO_ZERO_SECONDS, nanos: 0 } }).finish());
    ctx.events.emit(UpgradeEvents.Upgrade, { [A.Action]: "schedule", [A.Name]: plan.name, [A.Height]: plan.height.toString() });
  }

  clear(ctx: Context): void {
    this.store(ctx.store).delete(PLAN_KEY);
  }

  /**
   * At the start of each block: at the plan's height, this binary either has the plan's handler
   * (it runs, the plan is done) or stops with the plan named, so every validator halts at the same
   * height instead of running past it with the old rules. A binary carrying the handler before
   * that height stops too: it would apply new rules early.
   */
  beginBlock(ctx: Context): void {
    const plan = this.getPlan(ctx.store);
    if (!plan) return;
    const handler = this.handlers.get(plan.name);
    if (BigInt(ctx.block.height) < plan.height) {
      if (handler) throw new Error(`BINARY UPDATED BEFORE TRIGGER! UPGRADE "${plan.name}" - in binary but not executed on chain (at height ${plan.height}). Downgrade your binary`);
      return;
    }
    if (!handler) throw new UpgradeNeededError(plan);
    handler(ctx, plan);
    this.setDone(ctx.store, plan.name, BigInt(ctx.block.height));
    this.clear(ctx);
    ctx.events.emit(UpgradeEvents.Upgrade, { [A.Action]: "apply", [A.Name]: plan.name, [A.Height]: ctx.block.height.toString() });
  }
}
