import { EpochsQuery } from "../../modules/epochs/service";
import type { Command, ModuleCli } from "../command";
import { queryNode } from "../connect";
import { QUERY_FLAGS } from "../flags";
import { keyValues } from "../output";

const current: Command = {
  name: "current",
  summary: "the current epoch: number, first and last height",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const e = (await queryNode(ctx, EpochsQuery.CurrentEpoch)).epoch;
    const json = { number: String(e?.number ?? 0n), start_height: String(e?.startHeight ?? 0n), end_height: String(e?.endHeight ?? 0n) };
    ctx.print(keyValues([["epoch", json.number], ["start height", json.start_height], ["end height", json.end_height]]), json);
  },
};

const params: Command = {
  name: "params",
  summary: "epoch parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, EpochsQuery.Params)).params;
    const json = { epoch_length: String(p?.epochLength ?? 0n) };
    ctx.print(keyValues([["epoch length", `${json.epoch_length} blocks`]]), json);
  },
};

export const epochsCli: ModuleCli = { name: "epochs", summary: "the epoch clock", query: [current, params] };
