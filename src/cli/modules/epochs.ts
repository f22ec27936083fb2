import { QueryCurrentEpochRequest, QueryCurrentEpochResponse, QueryParamsRequest, QueryParamsResponse } from "../../gen/blockai/epochs/v1/epochs";
import type { Command, ModuleCli } from "../command";
import { QUERY_FLAGS, heightFlag } from "../flags";
import { withNode } from "../node-client";
import { keyValues } from "../output";

const current: Command = {
  name: "current",
  summary: "the current epoch: number, first and last height",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const res = await withNode(ctx, (node) => node.query("/blockai.epochs.v1.Query/CurrentEpoch", QueryCurrentEpochRequest.encode({}).finish(), heightFlag(ctx)));
    const e = QueryCurrentEpochResponse.decode(res.value).epoch;
    const json = { number: String(e?.number ?? 0n), start_height: String(e?.startHeight ?? 0n), end_height: String(e?.endHeight ?? 0n) };
    ctx.print(keyValues([["epoch", json.number], ["start height", json.start_height], ["end height", json.end_height]]), json);
  },
};

const params: Command = {
  name: "params",
  summary: "epoch parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const res = await withNode(ctx, (node) => node.query("/blockai.epochs.v1.Query/Params", QueryParamsRequest.encode({}).finish(), heightFlag(ctx)));
    const p = QueryParamsResponse.decode(res.value).params;
    const json = { epoch_length: String(p?.epochLength ?? 0n) };
    ctx.print(keyValues([["epoch length", `${json.epoch_length} blocks`]]), json);
  },
};

export const epochsCli: ModuleCli = { name: "epochs", summary: "the epoch clock", query: [current, params] };
