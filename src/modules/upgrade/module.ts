import { MsgCancelUpgrade, MsgCancelUpgradeResponse, MsgSoftwareUpgrade, MsgSoftwareUpgradeResponse } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { decodeAddress } from "../../types/address";
import { arr, obj, str, u64 } from "../../types/genesis-json";
import type { Context, Module, MsgHandler } from "../../framework/module";
import { serveQueries } from "../../framework/query-server";
import { UpgradeKeeper, validatePlan } from "./keeper";
import { UpgradeQuery } from "./service";

import { InvalidAuthority } from "../../framework/params";
import { UpgradeAmino } from "./amino";

export const UPGRADE_TYPE_URLS = {
  MsgSoftwareUpgrade: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade",
  MsgCancelUpgrade: "/cosmos.upgrade.v1beta1.MsgCancelUpgrade",
} as const;

export function createUpgradeModule(keeper: UpgradeKeeper): Module {
  const checkAuthority = (authority: string) => {
    if (authority !== keeper.authority) throw InvalidAuthority.wrap(`invalid authority; expected ${keeper.authority}, got ${authority}`);
  };
  const softwareUpgrade: MsgHandler<MsgSoftwareUpgrade> = {
    typeUrl: UPGRADE_TYPE_URLS.MsgSoftwareUpgrade,
    codec: MsgSoftwareUpgrade,
    signers: (m) => [m.authority],
    validateBasic(m) {
      decodeAddress(m.authority, "authority");
      validatePlan(m.plan);
    },
    // At submission the height must still be ahead; execution checks it again.
    checkProposalMsg(ctx, m) {
      keeper.checkSchedulable(ctx, m.plan);
    },
    execute(ctx, m) {
      checkAuthority(m.authority);
      keeper.schedule(ctx, m.plan);
      return { typeUrl: `${UPGRADE_TYPE_URLS.MsgSoftwareUpgrade}Response`, value: MsgSoftwareUpgradeResponse.encode({}).finish() };
    },
  };
  const cancelUpgrade: MsgHandler<MsgCancelUpgrade> = {
    typeUrl: UPGRADE_TYPE_URLS.MsgCancelUpgrade,
    codec: MsgCancelUpgrade,
    signers: (m) => [m.authority],
    validateBasic(m) {
      decodeAddress(m.authority, "authority");
    },
    execute(ctx, m) {
      checkAuthority(m.authority);
      keeper.clear(ctx);
      return { typeUrl: `${UPGRADE_TYPE_URLS.MsgCancelUpgrade}Response`, value: MsgCancelUpgradeResponse.encode({}).finish() };
    },
  };
  return {
    name: "upgrade",
    msgs: [softwareUpgrade, cancelUpgrade],
    amino: UpgradeAmino,
    queries: serveQueries(UpgradeQuery, {
      CurrentPlan: (ctx) => ({ plan: keeper.getPlan(ctx.store) }),
      AppliedPlan: (ctx, req) => ({ height: keeper.doneHeight(ctx.store, req.name) }),
      Authority: () => ({ address: keeper.authority }),
    }),
    defaultGenesis: defaultUpgradeGenesis,
    initGenesis(ctx: Context, genesis: unknown) {
      const g = obj(genesis ?? {}, "upgrade");
      arr(g.done ?? [], "upgrade.done").forEach((d, i) => {
        const o = obj(d, `upgrade.done[${i}]`);
        keeper.setDone(ctx.store, str(o.name, `upgrade.done[${i}].name`), u64(o.height, `upgrade.done[${i}].height`));
      });
    },
    exportGenesis: (ctx: Context) => ({ done: keeper.allDone(ctx.store).map((d) => ({ name: d.name, height: d.height.toString() })) }),
    beginBlock: (ctx: Context) => keeper.beginBlock(ctx),
  };
}

/** No plan applied yet. */
export function defaultUpgradeGenesis(): Record<string, unknown> {
  return { done: [] };
}
