import { Params as ProtoParams } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { protoDec } from "../../framework/params";
import { DEC_ONE, Dec, decFromProtoBytes, decMulInt, decRoundInt, decToProtoBytes, formatDec, parseDec } from "../../types/dec";
import { obj, str } from "../../types/genesis-json";
import { uint } from "../../types/json";
import { durationFromProto, durationToProto, formatDuration, parseDuration } from "../../types/time";

export interface SlashingParams {
  signedBlocksWindow: bigint;
  minSignedPerWindow: Dec;
  downtimeJailDurationNs: bigint;
  slashFractionDoubleSign: Dec;
  slashFractionDowntime: Dec;
}

/** The Cosmos SDK v0.50 defaults (x/slashing/types/params.go). */
export const DEFAULT_SLASHING_PARAMS: SlashingParams = {
  signedBlocksWindow: 100n,
  minSignedPerWindow: DEC_ONE / 2n,
  downtimeJailDurationNs: 600n * 1_000_000_000n,
  slashFractionDoubleSign: DEC_ONE / 20n,
  slashFractionDowntime: DEC_ONE / 100n,
};

/**
 * The rules every parameter set obeys (genesis applies them; a MsgUpdateParams would too).
 * Throws an Error naming the field under `where`.
 */
export function validateSlashingParams(p: SlashingParams, where = "slashing.params"): void {
  const fraction = (v: Dec, key: string) => {
    if (v < 0n || v > DEC_ONE) throw new Error(`${where}.${key} must be between 0 and 1`);
  };
  fraction(p.minSignedPerWindow, "min_signed_per_window");
  fraction(p.slashFractionDoubleSign, "slash_fraction_double_sign");
  fraction(p.slashFractionDowntime, "slash_fraction_downtime");
  if (p.signedBlocksWindow <= 0n) throw new Error(`${where}.signed_blocks_window must be positive`);
  if (p.downtimeJailDurationNs <= 0n) throw new Error(`${where}.downtime_jail_duration must be positive`);
}

/** Blocks a validator must sign per window: round(window x min_signed_per_window). */
export function minSignedPerWindowInt(p: SlashingParams): bigint {
  return decRoundInt(decMulInt(p.minSignedPerWindow, p.signedBlocksWindow));
}

export function slashingParamsToProto(p: SlashingParams): ProtoParams {
  return {
    signedBlocksWindow: p.signedBlocksWindow,
    minSignedPerWindow: decToProtoBytes(p.minSignedPerWindow),
    downtimeJailDuration: durationToProto(p.downtimeJailDurationNs),
    slashFractionDoubleSign: decToProtoBytes(p.slashFractionDoubleSign),
    slashFractionDowntime: decToProtoBytes(p.slashFractionDowntime),
  };
}

export function slashingParamsFromProto(p: ProtoParams): SlashingParams {
  return {
    signedBlocksWindow: p.signedBlocksWindow,
    minSignedPerWindow: decFromProtoBytes(p.minSignedPerWindow),
    downtimeJailDurationNs: durationFromProto(p.downtimeJailDuration),
    slashFractionDoubleSign: decFromProtoBytes(p.slashFractionDoubleSign),
    slashFractionDowntime: decFromProtoBytes(p.slashFractionDowntime),
  };
}

export function slashingParamsToJson(p: SlashingParams) {
  return {
    signed_blocks_window: p.signedBlocksWindow.toString(),
    min_signed_per_window: formatDec(p.minSignedPerWindow),
    downtime_jail_duration: formatDuration(p.downtimeJailDurationNs),
    slash_fraction_double_sign: formatDec(p.slashFractionDoubleSign),
    slash_fraction_downtime: formatDec(p.slashFractionDowntime),
  };
}

/** Genesis params: absent fields take the defaults; the result is validated. */
export function slashingParamsFromJson(j: unknown): SlashingParams {
  if (j === undefined) return DEFAULT_SLASHING_PARAMS;
  const o = obj(j, "slashing.params");
  const d = DEFAULT_SLASHING_PARAMS;
  const dec = (key: string, def: bigint) => (o[key] === undefined ? def : parseDec(str(o[key], `slashing.params.${key}`), `slashing.params.${key}`));
  const p: SlashingParams = {
    signedBlocksWindow: o.signed_blocks_window === undefined ? d.signedBlocksWindow : uint(o.signed_blocks_window, "slashing.params.signed_blocks_window"),
    minSignedPerWindow: dec("min_signed_per_window", d.minSignedPerWindow),
    downtimeJailDurationNs:
      o.downtime_jail_duration === undefined ? d.downtimeJailDurationNs : parseDuration(o.downtime_jail_duration, "slashing.params.downtime_jail_duration"),
    slashFractionDoubleSign: dec("slash_fraction_double_sign", d.slashFractionDoubleSign),
    slashFractionDowntime: dec("slash_fraction_downtime", d.slashFractionDowntime),
  };
  validateSlashingParams(p);
  return p;
}

/** MsgUpdateParams' params: every field given, then validated as genesis. */
export function slashingParamsFromMsg(p: ProtoParams | undefined): SlashingParams {
  if (!p) throw new Error("params must be set");
  if (!p.downtimeJailDuration) throw new Error("params.downtime_jail_duration must be set");
  const dec = (b: Uint8Array, field: string) => protoDec(new TextDecoder().decode(b), `params.${field}`);
  const out: SlashingParams = {
    ...slashingParamsFromProto({ ...p, minSignedPerWindow: new Uint8Array(), slashFractionDoubleSign: new Uint8Array(), slashFractionDowntime: new Uint8Array() }),
    minSignedPerWindow: dec(p.minSignedPerWindow, "min_signed_per_window"),
    slashFractionDoubleSign: dec(p.slashFractionDoubleSign, "slash_fraction_double_sign"),
    slashFractionDowntime: dec(p.slashFractionDowntime, "slash_fraction_downtime"),
  };
  validateSlashingParams(out, "params");
  return out;
}
