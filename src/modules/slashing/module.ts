import {
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import { MsgUnjail, MsgUnjailResponse } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { ACCOUNT_PREFIX, VALIDATOR_CONSENSUS_PREFIX, VALIDATOR_OPERATOR_PREFIX, decodeAddress, encodeAddress } from "../../types/address";
import { SdkErrors } from "../../types/errors";
import { arr, bool, obj, str } from "../../types/genesis-json";
import type { Context, Module, MsgHandler, QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { PrefixStore } from "../../store/kv";
import { DEC_ONE, formatDec, parseDec } from "../../types/dec";
import { formatRfc3339, parseRfc3339, uint } from "../../types/json";
import { formatDuration, parseDuration, valcons } from "../staking/types";
import {
  DEFAULT_SLASHING_PARAMS,
  SLASHING_STORE_PREFIX,
  SlashingKeeper,
  SlashingParams,
  paramsToProto,
  signingInfoToProto,
} from "./keeper";

export function slashingParamsToJson(p: SlashingParams) {
  return {
    signed_blocks_window: p.signedBlocksWindow.toString(),
    min_signed_per_window: formatDec(p.minSignedPerWindow),
    downtime_jail_duration: formatDuration(p.downtimeJailDurationNs),
    slash_fraction_double_sign: formatDec(p.slashFractionDoubleSign),
    slash_fraction_downtime: formatDec(p.slashFractionDowntime),
  };
}

export function slashingParamsFromJson(j: unknown): SlashingParams {
  if (j === undefined) return DEFAULT_SLASHING_PARAMS;
  const o = obj(j, "slashing.params");
  const d = DEFAULT_SLASHING_PARAMS;
  const dec = (key: string, def: bigint) => {
    if (o[key] === undefined) return def;
    const v = parseDec(str(o[key], `slashing.params.${key}`), `slashing.params.${key}`);
    if (v < 0n || v > DEC_ONE) throw new Error(`slashing.params.${key} must be between 0 and 1`);
    return v;
  };
  const p: SlashingParams = {
    signedBlocksWindow: o.signed_blocks_window === undefined ? d.signedBlocksWindow : uint(o.signed_blocks_window, "slashing.params.signed_blocks_window"),
    minSignedPerWindow: dec("min_signed_per_window", d.minSignedPerWindow),
    downtimeJailDurationNs:
      o.downtime_jail_duration === undefined ? d.downtimeJailDurationNs : parseDuration(o.downtime_jail_duration, "slashing.params.downtime_jail_duration"),
    slashFractionDoubleSign: dec("slash_fraction_double_sign", d.slashFractionDoubleSign),
    slashFractionDowntime: dec("slash_fraction_downtime", d.slashFractionDowntime),
  };
  if (p.signedBlocksWindow <= 0n) throw new Error("slashing.params.signed_blocks_window must be positive");
  if (p.downtimeJailDurationNs <= 0n) throw new Error("slashing.params.downtime_jail_duration must be positive");
  return p;
}

function unjailHandler(keeper: SlashingKeeper): MsgHandler<MsgUnjail> {
  const opBytes = (a: string) => decodeAddress(a, "validator address", VALIDATOR_OPERATOR_PREFIX);
  return {
    typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail",
    codec: MsgUnjail,
    signers: (msg) => {
      try {
        return [encodeAddress(opBytes(msg.validatorAddr), ACCOUNT_PREFIX)];
      } catch {
        return [msg.validatorAddr];
      }
    },
    validateBasic(msg) {
      opBytes(msg.validatorAddr);
    },
    execute(ctx, msg) {
      keeper.unjail(ctx, opBytes(msg.validatorAddr));
      return { typeUrl: "/cosmos.slashing.v1beta1.MsgUnjailResponse", value: MsgUnjailResponse.encode({}).finish() };
    },
  };
}

export function createSlashingModule(keeper: SlashingKeeper): Module {
  const q = (path: string, handle: QueryHandler["handle"]): QueryHandler => ({ path: `/cosmos.slashing.v1beta1.Query/${path}`, handle });
  return {
    name: "slashing",
    msgs: [unjailHandler(keeper)],
    queries: [
      q("Params", (ctx) => QueryParamsResponse.encode({ params: paramsToProto(keeper.getParams(ctx.store)) }).finish()),
      q("SigningInfo", (ctx, data) => {
        const req = QuerySigningInfoRequest.decode(data);
        if (req.consAddress === "") throw SdkErrors.InvalidRequest.wrap("empty consensus address");
        const cons = decodeAddress(req.consAddress, "consensus address", VALIDATOR_CONSENSUS_PREFIX);
        const info = keeper.getSigningInfo(ctx.store, cons);
        if (!info) throw SdkErrors.KeyNotFound.wrap(`rpc error: code = NotFound desc = SigningInfo not found for validator ${req.consAddress}`);
        return QuerySigningInfoResponse.encode({ valSigningInfo: signingInfoToProto(info) }).finish();
      }),
      q("SigningInfos", (ctx, data) => {
        const req = QuerySigningInfosRequest.decode(data);
        const store = new PrefixStore(ctx.store, SLASHING_STORE_PREFIX);
        const page = paginate(store, Uint8Array.of(0x01), Uint8Array.of(0x02), req.pagination, (k) => {
          const info = keeper.getSigningInfo(ctx.store, k.subarray(2, 2 + k[1]));
          return info ? signingInfoToProto(info) : undefined;
        });
        return QuerySigningInfosResponse.encode({ info: page.items, pagination: page.pagination }).finish();
      }),
    ],
    defaultGenesis: () => ({ params: slashingParamsToJson(DEFAULT_SLASHING_PARAMS), signing_infos: [], missed_blocks: [] }),
    initGenesis(ctx: Context, genesis: unknown) {
      const g = obj(genesis ?? {}, "slashing");
      const params = slashingParamsFromJson(g.params);
      keeper.setParams(ctx.store, params);
      arr(g.signing_infos ?? [], "slashing.signing_infos").forEach((j, i) => {
        const w = `slashing.signing_infos[${i}]`;
        const o = obj(j, w);
        const info = obj(o.validator_signing_info, `${w}.validator_signing_info`);
        let cons: Uint8Array;
        try {
          cons = decodeAddress(str(o.address, `${w}.address`), "consensus address", VALIDATOR_CONSENSUS_PREFIX);
        } catch (err) {
          throw new Error(`${w}.address: ${(err as Error).message}`);
        }
        keeper.setSigningInfo(ctx.store, {
          address: cons,
          startHeight: uint(info.start_height ?? "0", `${w}.validator_signing_info.start_height`),
          indexOffset: uint(info.index_offset ?? "0", `${w}.validator_signing_info.index_offset`),
          jailedUntilNs: info.jailed_until === undefined ? 0n : parseRfc3339(info.jailed_until, `${w}.validator_signing_info.jailed_until`),
          tombstoned: info.tombstoned === undefined ? false : bool(info.tombstoned, `${w}.validator_signing_info.tombstoned`),
          missedBlocksCounter: uint(info.missed_blocks_counter ?? "0", `${w}.validator_signing_info.missed_blocks_counter`),
        });
      });
      arr(g.missed_blocks ?? [], "slashing.missed_blocks").forEach((j, i) => {
        const w = `slashing.missed_blocks[${i}]`;
        const o = obj(j, w);
        const cons = decodeAddress(str(o.address, `${w}.address`), "consensus address", VALIDATOR_CONSENSUS_PREFIX);
        arr(o.missed_blocks ?? [], `${w}.missed_blocks`).forEach((m, k) => {
          const mo = obj(m, `${w}.missed_blocks[${k}]`);
          const index = uint(mo.index, `${w}.missed_blocks[${k}].index`);
          if (index >= params.signedBlocksWindow) throw new Error(`${w}.missed_blocks[${k}].index is outside the signed blocks window`);
          keeper.setMissed(ctx.store, cons, index, bool(mo.missed, `${w}.missed_blocks[${k}].missed`));
        });
      });
    },
    exportGenesis(ctx: Context) {
      const infos = keeper.allSigningInfos(ctx.store);
      return {
        params: slashingParamsToJson(keeper.getParams(ctx.store)),
        signing_infos: infos.map((s) => ({
          address: valcons(s.address),
          validator_signing_info: {
            address: valcons(s.address),
            start_height: s.startHeight.toString(),
            index_offset: s.indexOffset.toString(),
            jailed_until: formatRfc3339(s.jailedUntilNs),
            tombstoned: s.tombstoned,
            missed_blocks_counter: s.missedBlocksCounter.toString(),
          },
        })),
        missed_blocks: infos.map((s) => ({
          address: valcons(s.address),
          missed_blocks: keeper.missedIndexes(ctx.store, s.address).map((index) => ({ index: index.toString(), missed: true })),
        })),
      };
    },
    beginBlock(ctx, info) {
      keeper.beginBlock(ctx, info.decidedLastCommit, info.misbehavior);
    },
    invariants: (store) => keeper.invariants(store),
  };
}
