import { VALIDATOR_CONSENSUS_PREFIX, decodeAddress } from "../../types/address";
import { arr, bool, obj, str } from "../../types/genesis-json";
import { formatRfc3339, parseRfc3339, uint } from "../../types/json";
import type { Context } from "../../framework/module";
import { valcons } from "../staking";
import type { SlashingKeeper } from "./keeper";
import { DEFAULT_SLASHING_PARAMS, slashingParamsFromJson, slashingParamsToJson } from "./params";

export function defaultSlashingGenesis() {
  return { params: slashingParamsToJson(DEFAULT_SLASHING_PARAMS), signing_infos: [], missed_blocks: [] };
}

/** Loads slashing's genesis (strict: a bad field is named). */
export function initSlashingGenesis(ctx: Context, keeper: SlashingKeeper, genesis: unknown): void {
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
}

export function exportSlashingGenesis(ctx: Context, keeper: SlashingKeeper) {
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
}
