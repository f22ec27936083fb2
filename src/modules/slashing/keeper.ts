import { Params as ProtoParams, ValidatorSigningInfo } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import type { CommitInfo, Misbehavior } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { Context } from "../../framework/module";
import { KVStore, PrefixStore, prefixEnd } from "../../store/kv";
import { decTruncateInt } from "../../types/dec";
import { formatTime, nsToTimestamp, timestampToNs } from "../../types/time";
import { BondStatus, consAddressOf, tokensFromShares, valcons, valoper } from "../staking";
import type { StakingHooks } from "../staking";
import { SlashingErrors } from "./errors";
import { SlashReasons, SlashingAttributes, SlashingEvents } from "./events";
import type { SlashingStaking } from "./expected-keepers";
import * as K from "./keys";
import { DEFAULT_SLASHING_PARAMS, SlashingParams, minSignedPerWindowInt, slashingParamsFromProto, slashingParamsToProto } from "./params";

/** Jailed "forever" after double signing: 9999-12-31T23:59:59Z (the SDK's DoubleSignJailEndTime). */
export const DOUBLE_SIGN_JAIL_END_NS = 253402300799n * 1_000_000_000n;
/** Validator updates returned at H take effect at H+2: evidence at H concerns stake as of H-1. */
const VALIDATOR_UPDATE_DELAY = 1n;

export interface SigningInfo {
  address: Uint8Array;
  startHeight: bigint;
  indexOffset: bigint;
  jailedUntilNs: bigint;
  tombstoned: boolean;
  missedBlocksCounter: bigint;
}

export function signingInfoToProto(s: SigningInfo): ValidatorSigningInfo {
  return {
    address: valcons(s.address),
    startHeight: s.startHeight,
    indexOffset: s.indexOffset,
    jailedUntil: nsToTimestamp(s.jailedUntilNs),
    tombstoned: s.tombstoned,
    missedBlocksCounter: s.missedBlocksCounter,
  };
}

/** Liveness (missed blocks in a sliding window) and double-sign punishment; MsgUnjail. */
export class SlashingKeeper implements StakingHooks {
  constructor(private readonly staking: SlashingStaking) {}

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, K.SLASHING_STORE_PREFIX);
  }

  getParams(root: KVStore): SlashingParams {
    const raw = this.store(root).get(K.PARAMS_KEY);
    return raw ? slashingParamsFromProto(ProtoParams.decode(raw)) : DEFAULT_SLASHING_PARAMS;
  }

  setParams(root: KVStore, p: SlashingParams): void {
    this.store(root).set(K.PARAMS_KEY, ProtoParams.encode(slashingParamsToProto(p)).finish());
  }

  getSigningInfo(root: KVStore, cons: Uint8Array): SigningInfo | undefined {
    const raw = this.store(root).get(K.signingInfoKey(cons));
    if (!raw) return undefined;
    const p = ValidatorSigningInfo.decode(raw);
    return {
      address: Uint8Array.from(cons),
      startHeight: p.startHeight,
      indexOffset: p.indexOffset,
      jailedUntilNs: timestampToNs(p.jailedUntil),
      tombstoned: p.tombstoned,
      missedBlocksCounter: p.missedBlocksCounter,
    };
  }

  setSigningInfo(root: KVStore, s: SigningInfo): void {
    this.store(root).set(K.signingInfoKey(s.address), ValidatorSigningInfo.encode(signingInfoToProto(s)).finish());
  }

  allSigningInfos(root: KVStore): SigningInfo[] {
    return this.store(root)
      .range(Uint8Array.of(K.SIGNING_INFO_PREFIX), Uint8Array.of(K.SIGNING_INFO_PREFIX + 1))
      .map(([k]) => this.getSigningInfo(root, K.readLp(k, 1)[0])!);
  }

  isTombstoned(root: KVStore, cons: Uint8Array): boolean {
    return this.getSigningInfo(root, cons)?.tombstoned ?? false;
  }

  missedIndexes(root: KVStore, cons: Uint8Array): bigint[] {
    const prefix = K.missedPrefix(cons);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k]) => K.readU64(k, prefix.length));
  }

  setMissed(root: KVStore, cons: Uint8Array, index: bigint, missed: boolean): void {
    if (missed) this.store(root).set(K.missedKey(cons, index), Uint8Array.of(1));
    else this.store(root).delete(K.missedKey(cons, index));
  }

  private clearMissed(root: KVStore, cons: Uint8Array): void {
    const s = this.store(root);
    const prefix = K.missedPrefix(cons);
    for (const [k] of s.range(prefix, prefixEnd(prefix))) s.delete(k);
  }

  /** Blocks a validator must sign per window: round(window x min_signed_per_window). */
  static minSignedPerWindowInt(p: SlashingParams): bigint {
    return minSignedPerWindowInt(p);
  }

  /**
   * One vote of decided_last_commit (the SDK's HandleValidatorSignature): record it in the
   * window; past the first window, more than window - min_signed misses slash by
   * slash_fraction_downtime (stake as of two blocks ago), jail for downtime_jail_duration and
   * reset the window.
   */
  handleValidatorSignature(ctx: Context, params: SlashingParams, cons: Uint8Array, power: bigint, flag: BlockIDFlag): void {
    const v = this.staking.getValidatorByConsAddr(ctx.store, cons);
    if (!v || v.jailed) return;
    const info = this.getSigningInfo(ctx.store, cons);
    if (!info) return;
    const height = BigInt(ctx.block.height);
    const window = params.signedBlocksWindow;
    const index = info.indexOffset % window;
    info.indexOffset++;
    const previous = this.store(ctx.store).has(K.missedKey(cons, index));
    const missed = flag === BlockIDFlag.BLOCK_ID_FLAG_ABSENT;
    if (!previous && missed) {
      this.setMissed(ctx.store, cons, index, true);
      info.missedBlocksCounter++;
    } else if (previous && !missed) {
      this.setMissed(ctx.store, cons, index, false);
      info.missedBlocksCounter--;
    }
    if (missed) {
      ctx.events.emit(SlashingEvents.Liveness, {
        [SlashingAttributes.Address]: valcons(cons),
        [SlashingAttributes.MissedBlocks]: info.missedBlocksCounter.toString(),
        [SlashingAttributes.Height]: height.toString(),
      });
    }
    const minHeight = info.startHeight + window;
    const maxMissed = window - SlashingKeeper.minSignedPerWindowInt(params);
    if (height > minHeight && info.missedBlocksCounter > maxMissed && v.status !== BondStatus.BOND_STATUS_UNBONDED) {
      const distributionHeight = height - VALIDATOR_UPDATE_DELAY - 1n;
      const burned = this.staking.slash(ctx, cons, distributionHeight, power, params.slashFractionDowntime);
      this.staking.jail(ctx, cons);
      ctx.events.emit(SlashingEvents.Slash, {
        [SlashingAttributes.Address]: valcons(cons),
        [SlashingAttributes.Power]: power.toString(),
        [SlashingAttributes.Reason]: SlashReasons.MissingSignature,
        [SlashingAttributes.Jailed]: valcons(cons),
        [SlashingAttributes.BurnedCoins]: burned.toString(),
      });
      info.jailedUntilNs = ctx.block.timeNs + params.downtimeJailDurationNs;
      info.missedBlocksCounter = 0n;
      info.indexOffset = 0n;
      this.clearMissed(ctx.store, cons);
    }
    this.setSigningInfo(ctx.store, info);
  }

  /**
   * Double signing (CometBFT's misbehavior, both duplicate votes and light client attacks, as
   * the SDK's x/evidence): slash slash_fraction_double_sign of the stake at the infraction -
   * including unbonding delegations and redelegations that started after it - jail until
   * 9999-12-31 and tombstone. Unknown, unbonded and already tombstoned validators are ignored.
   */
  handleEquivocation(ctx: Context, params: SlashingParams, m: Misbehavior): void {
    const cons = m.validator.address;
    const v = this.staking.getValidatorByConsAddr(ctx.store, cons);
    if (!v || v.status === BondStatus.BOND_STATUS_UNBONDED) return;
    const info = this.getSigningInfo(ctx.store, cons);
    if (!info || info.tombstoned) return;
    const infractionHeight = m.height;
    if (infractionHeight > BigInt(ctx.block.height)) return;
    const distributionHeight = infractionHeight - VALIDATOR_UPDATE_DELAY;
    const burned = this.staking.slash(ctx, cons, distributionHeight, m.validator.power, params.slashFractionDoubleSign);
    ctx.events.emit(SlashingEvents.Slash, {
      [SlashingAttributes.Address]: valcons(cons),
      [SlashingAttributes.Power]: m.validator.power.toString(),
      [SlashingAttributes.Reason]: SlashReasons.DoubleSign,
      [SlashingAttributes.BurnedCoins]: burned.toString(),
    });
    this.staking.jail(ctx, cons);
    info.jailedUntilNs = DOUBLE_SIGN_JAIL_END_NS;
    info.tombstoned = true;
    this.setSigningInfo(ctx.store, info);
  }

  beginBlock(ctx: Context, lastCommit: CommitInfo | undefined, misbehavior: readonly Misbehavior[]): void {
    const params = this.getParams(ctx.store);
    for (const vote of lastCommit?.votes ?? []) {
      this.handleValidatorSignature(ctx, params, vote.validator.address, vote.validator.power, vote.blockIdFlag);
    }
    for (const m of misbehavior) this.handleEquivocation(ctx, params, m);
  }

  /** MsgUnjail (x/slashing keeper Unjail), with the SDK's checks and codes. */
  unjail(ctx: Context, op: Uint8Array): void {
    const v = this.staking.getValidator(ctx.store, op);
    if (!v) throw SlashingErrors.NoValidatorForAddress.wrap(valoper(op));
    const self = this.staking.getDelegation(ctx.store, op, op);
    if (!self) throw SlashingErrors.MissingSelfDelegation.wrap();
    const tokens = decTruncateInt(tokensFromShares(v, self.shares));
    if (tokens < v.minSelfDelegation) throw SlashingErrors.SelfDelegationTooLowToUnjail.wrap(`${tokens} less than ${v.minSelfDelegation}`);
    if (!v.jailed) throw SlashingErrors.ValidatorNotJailed.wrap();
    const cons = consAddressOf(v.consPubKey);
    const info = this.getSigningInfo(ctx.store, cons);
    if (info) {
      if (info.tombstoned) throw SlashingErrors.ValidatorJailed.wrap("validator is tombstoned (double signing)");
      if (ctx.block.timeNs < info.jailedUntilNs) {
        throw SlashingErrors.ValidatorJailed.wrap(`jailed until ${formatTime(info.jailedUntilNs)}`);
      }
    }
    this.staking.unjail(ctx, cons);
  }

  // ---- staking hooks -----------------------------------------------------------------------------------------

  /** A validator entering the bonded set gets a fresh window (and a signing info on first bonding). */
  afterValidatorBonded(ctx: Context, cons: Uint8Array): void {
    const height = BigInt(ctx.block.height);
    const info = this.getSigningInfo(ctx.store, cons);
    if (info) {
      info.startHeight = height;
      this.setSigningInfo(ctx.store, info);
    } else {
      this.setSigningInfo(ctx.store, { address: Uint8Array.from(cons), startHeight: height, indexOffset: 0n, jailedUntilNs: 0n, tombstoned: false, missedBlocksCounter: 0n });
    }
  }

  invariants(root: KVStore): string[] {
    const problems: string[] = [];
    const params = this.getParams(root);
    for (const info of this.allSigningInfos(root)) {
      const missed = this.missedIndexes(root, info.address);
      if (BigInt(missed.length) !== info.missedBlocksCounter) {
        problems.push(`slashing: ${valcons(info.address)} records ${info.missedBlocksCounter} missed blocks but its window has ${missed.length}`);
      }
      if (missed.some((i) => i >= params.signedBlocksWindow)) problems.push(`slashing: ${valcons(info.address)} has a missed index outside the window`);
    }
    return problems;
  }
}
