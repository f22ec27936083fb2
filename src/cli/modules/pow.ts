import { BLOCKAI_TYPES } from "../../client";
import { PowQuery } from "../../modules/pow/service";
import { UsageError } from "../args";
import type { Command, CommandContext, ModuleCli } from "../command";
import { type NodeConnection, queryNode, withNode } from "../connect";
import { QUERY_FLAGS } from "../flags";
import { keyValues, table } from "../output";
import { checkAddressArg } from "../validate";

const EPOCH_FLAG = { name: "epoch", value: "N", description: "epoch number", default: "the current epoch" };

function u64Arg(text: string | undefined, what: string): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,20}$/.test(text) || BigInt(text) >= 1n << 64n) throw new UsageError(`${what} must be an unsigned integer, got "${text}"`);
  return BigInt(text);
}

async function epochOrCurrent(ctx: CommandContext, node: NodeConnection): Promise<bigint> {
  return u64Arg(ctx.flag("epoch"), "--epoch") ?? (await node.query(PowQuery.Target, {})).epoch;
}

const tallyText = (t: { work: string; certificates: bigint } | undefined) => [t?.work || "0", String(t?.certificates ?? 0n)] as const;

const params: Command = {
  name: "params",
  summary: "proof-of-work parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, PowQuery.Params, {})).params!;
    const json = {
      anchor_window: String(p.anchorWindow),
      max_certs_per_block: String(p.maxCertsPerBlock),
      max_certs_per_miner_per_block: String(p.maxCertsPerMinerPerBlock === 0n ? p.maxCertsPerBlock : p.maxCertsPerMinerPerBlock),
      target_certs_per_epoch: String(p.targetCertsPerEpoch),
      min_target: p.minTarget,
      max_target: p.maxTarget,
      prune_per_block: String(p.prunePerBlock),
    };
    ctx.print(keyValues(Object.entries(json).map(([k, v]) => [k.replace(/_/g, " "), v])), json);
  },
};

const target: Command = {
  name: "target",
  summary: "the current target, the work a certificate earns, and the last retarget",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const t = await queryNode(ctx, PowQuery.Target, {});
    const json = {
      target: t.target,
      work_per_certificate: t.workPerCertificate,
      epoch: String(t.epoch),
      epoch_certificates: String(t.epochCertificates),
      last_retarget: t.lastRetarget
        ? { epoch: String(t.lastRetarget.epoch), certificates: String(t.lastRetarget.certificates), old_target: t.lastRetarget.oldTarget, new_target: t.lastRetarget.newTarget }
        : null,
    };
    const rows: Array<[string, string]> = [
      ["target", json.target],
      ["work per certificate", json.work_per_certificate],
      ["epoch", json.epoch],
      ["certificates this epoch", json.epoch_certificates],
    ];
    if (json.last_retarget) rows.push(["last retarget", `epoch ${json.last_retarget.epoch}: ${json.last_retarget.certificates} certificates, ${json.last_retarget.old_target} -> ${json.last_retarget.new_target}`]);
    ctx.print(keyValues(rows), json);
  },
};

const minerWork: Command = {
  name: "miner-work",
  summary: "work certified by a miner in an epoch (total and per model)",
  usage: "MINER_ADDRESS",
  nargs: [1, 1],
  flags: [...QUERY_FLAGS, EPOCH_FLAG],
  async run(ctx) {
    const miner = checkAddressArg(ctx.args[0], "miner address");
    const { epoch, r } = await withNode(ctx, async (node) => {
      const epoch = await epochOrCurrent(ctx, node);
      return { epoch, r: await node.query(PowQuery.MinerWork, { miner, epoch }) };
    });
    const [work, certificates] = tallyText(r.total);
    const byModel = r.byModel.map((m) => ({ model_id: String(m.modelId), work: m.tally?.work || "0", certificates: String(m.tally?.certificates ?? 0n) }));
    const text =
      keyValues([["miner", miner], ["epoch", String(epoch)], ["work", work], ["certificates", certificates]]) +
      (byModel.length ? "\n" + table(byModel.map((m) => [m.model_id, m.work, m.certificates]), ["MODEL", "WORK", "CERTIFICATES"]) : "");
    ctx.print(text, { miner, epoch: String(epoch), work, certificates, by_model: byModel });
  },
};

const modelWork: Command = {
  name: "model-work",
  summary: "work certified for a model in an epoch",
  usage: "MODEL_ID",
  nargs: [1, 1],
  flags: [...QUERY_FLAGS, EPOCH_FLAG],
  async run(ctx) {
    const modelId = u64Arg(ctx.args[0], "MODEL_ID")!;
    const { epoch, r } = await withNode(ctx, async (node) => {
      const epoch = await epochOrCurrent(ctx, node);
      return { epoch, r: await node.query(PowQuery.ModelWork, { modelId, epoch }) };
    });
    const [work, certificates] = tallyText(r.total);
    ctx.print(keyValues([["model", String(modelId)], ["epoch", String(epoch)], ["work", work], ["certificates", certificates]]), { model_id: String(modelId), epoch: String(epoch), work, certificates });
  },
};

const epochWork: Command = {
  name: "epoch-work",
  summary: "total work certified in an epoch",
  flags: [...QUERY_FLAGS, EPOCH_FLAG],
  async run(ctx) {
    const { epoch, r } = await withNode(ctx, async (node) => {
      const epoch = await epochOrCurrent(ctx, node);
      return { epoch, r: await node.query(PowQuery.EpochWork, { epoch }) };
    });
    const [work, certificates] = tallyText(r.total);
    ctx.print(keyValues([["epoch", String(epoch)], ["work", work], ["certificates", certificates]]), { epoch: String(epoch), work, certificates });
  },
};

const anchor: Command = {
  name: "anchor",
  summary: "the block hash the chain uses for seals anchored at a height (default: the latest)",
  usage: "[HEIGHT]",
  nargs: [0, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const height = u64Arg(ctx.args[0], "HEIGHT") ?? 0n;
    const r = await queryNode(ctx, PowQuery.Anchor, { height });
    const json = { height: String(r.height), hash: Buffer.from(r.hash).toString("hex").toUpperCase() };
    ctx.print(keyValues([["height", json.height], ["hash", json.hash]]), json);
  },
};

export const powCli: ModuleCli = {
  name: "pow",
  summary: "proof of work: target, certified work, anchors (mine with `blockai mine`)",
  query: [params, target, minerWork, modelWork, epochWork, anchor],
  types: BLOCKAI_TYPES.filter(([url]) => url.startsWith("/blockai.pow.")),
};
