import { BLOCKAI_TYPES, BlockaiMsgs } from "../../client";
import { Model, ModelStatus } from "../../gen/blockai/registry/v1/registry";
import { RegistryQuery } from "../../modules/registry/service";
import { BASE_DENOM } from "../../types/coins";
import { parseCoinArg } from "../amount";
import { UsageError } from "../args";
import type { Command, FlagSpec, ModuleCli } from "../command";
import { queryNode } from "../connect";
import { QUERY_FLAGS, TX_FLAGS } from "../flags";
import { formatCoinHuman, keyValues, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { checkAddressArg } from "../validate";

export function u64Arg(text: string, what: string): bigint {
  if (!/^[0-9]{1,20}$/.test(text) || BigInt(text) >= 1n << 64n) throw new UsageError(`${what} must be an unsigned integer, got "${text}"`);
  return BigInt(text);
}

/** An amount in usoa: "1500000usoa" or "1.5SOA". */
export function usoaArg(text: string, what: string, allowZero = false): bigint {
  if (allowZero && /^0(usoa|SOA|soa)?$/.test(text.trim())) return 0n;
  let coin;
  try {
    coin = parseCoinArg(text, what);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (coin.denom !== BASE_DENOM) throw new UsageError(`${what} must be in usoa or SOA, got ${coin.denom}`);
  return coin.amount;
}

function digestArg(text: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new UsageError(`--artifact-digest must be 64 hex characters (a SHA-256), got "${text}"`);
  return Uint8Array.from(Buffer.from(text, "hex"));
}

function operatorsArg(text: string): string[] {
  if (text.trim() === "") return [];
  return text.split(",").map((a) => checkAddressArg(a.trim(), "operator address"));
}

const STATUS_NAMES: Record<string, ModelStatus> = { active: ModelStatus.MODEL_STATUS_ACTIVE, paused: ModelStatus.MODEL_STATUS_PAUSED, retired: ModelStatus.MODEL_STATUS_RETIRED };

function statusArg(text: string): ModelStatus {
  const s = STATUS_NAMES[text.toLowerCase()];
  if (s === undefined) throw new UsageError(`status must be active, paused or retired, got "${text}"`);
  return s;
}

export function statusText(s: ModelStatus): string {
  return (ModelStatus[s] ?? String(s)).replace("MODEL_STATUS_", "").toLowerCase();
}

export function modelJson(m: Model) {
  return {
    id: String(m.id),
    owner: m.owner,
    operators: m.operators,
    name: m.name,
    version: m.version,
    task: m.task,
    description: m.description,
    artifact_digest: Buffer.from(m.artifactDigest).toString("hex"),
    weights_root: Buffer.from(m.weightsRoot ?? new Uint8Array()).toString("hex"),
    artifact_uri: m.artifactUri,
    endpoint: m.endpoint,
    price_per_unit: m.pricePerUnit?.amount ?? "0",
    unit: m.unit,
    status: statusText(m.status),
    bond: m.bond?.amount ?? "0",
    created_height: String(m.createdHeight),
    updated_height: String(m.updatedHeight),
    supersedes: String(m.supersedes),
    retired_height: String(m.retiredHeight),
    bond_release_height: String(m.bondReleaseHeight),
    bond_returned: m.bondReturned,
  };
}

const MODEL_FLAGS: FlagSpec[] = [
  { name: "name", value: "TEXT", description: "model name (1-128 bytes)" },
  { name: "version", value: "TEXT", description: "model version (1-64 bytes)" },
  { name: "task", value: "TASK", description: "what the model does, e.g. text-generation (lowercase token)" },
  { name: "description", value: "TEXT", description: "free text (up to 2048 bytes)" },
  { name: "artifact-uri", value: "URI", description: "where the weights or image can be fetched (scheme://...)" },
  { name: "endpoint", value: "URL", description: "where the model is served (https://, grpc://, wss://...)" },
  { name: "price", value: "AMOUNT", description: "price per unit, e.g. 1000usoa or 0.001SOA" },
  { name: "unit", value: "UNIT", description: 'unit of usage, e.g. "call" or "1k-tokens"' },
  { name: "operators", value: "ADDRS", description: "comma-separated operator addresses (empty to remove all on update)" },
];

const register: Command = {
  name: "register-model",
  summary: "register a model and lock its bond",
  usage: "FROM_KEY",
  nargs: [1, 1],
  flags: [
    ...TX_FLAGS,
    ...MODEL_FLAGS,
    { name: "artifact-digest", value: "HEX", description: "SHA-256 of the weights or image (64 hex characters); immutable" },
    { name: "bond", value: "AMOUNT", description: "bond to lock (>= the min_model_bond parameter)" },
    { name: "supersedes", value: "MODEL_ID", description: "id of the model version this one replaces (same owner)" },
    { name: "weights-root", value: "HEX", description: "Merkle root over the artifact's int8 matrices (blockai weights root FILE); enables matmul certificates; immutable" },
  ],
  help: "Required: --name --version --task --artifact-digest --price --unit --bond.",
  async run(ctx) {
    txOptions(ctx);
    const need = (name: string) => {
      const v = ctx.flag(name);
      if (v === undefined) throw new UsageError(`"${ctx.path}" needs --${name}`);
      return v;
    };
    const fields = {
      name: need("name"),
      version: need("version"),
      task: need("task"),
      description: ctx.flag("description") ?? "",
      artifactDigest: digestArg(need("artifact-digest")),
      artifactUri: ctx.flag("artifact-uri") ?? "",
      endpoint: ctx.flag("endpoint") ?? "",
      pricePerUnit: usoaArg(need("price"), "--price", true),
      unit: need("unit"),
      bond: usoaArg(need("bond"), "--bond"),
      operators: operatorsArg(ctx.flag("operators") ?? ""),
      supersedes: ctx.flag("supersedes") === undefined ? 0n : u64Arg(ctx.flag("supersedes")!, "--supersedes"),
      weightsRoot: ctx.flag("weights-root") === undefined ? undefined : digestArg(ctx.flag("weights-root")!),
    };
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (owner) => [BlockaiMsgs.registerModel(owner, fields)],
      summary: [
        ["model", `${fields.name} ${fields.version} (${fields.task})`],
        ["price", `${formatCoinHuman({ denom: BASE_DENOM, amount: fields.pricePerUnit })} per ${fields.unit}`],
        ["bond", formatCoinHuman({ denom: BASE_DENOM, amount: fields.bond })],
      ],
    });
  },
};

const update: Command = {
  name: "update-model",
  summary: "change a model's mutable fields (owner only; the artifact digest is immutable)",
  usage: "FROM_KEY MODEL_ID",
  nargs: [2, 2],
  flags: [...TX_FLAGS, ...MODEL_FLAGS],
  async run(ctx) {
    txOptions(ctx);
    const modelId = u64Arg(ctx.args[1], "MODEL_ID");
    const ops = ctx.flag("operators");
    const price = ctx.flag("price");
    const fields = {
      name: ctx.flag("name"),
      version: ctx.flag("version"),
      task: ctx.flag("task"),
      description: ctx.flag("description"),
      artifactUri: ctx.flag("artifact-uri"),
      endpoint: ctx.flag("endpoint"),
      unit: ctx.flag("unit"),
      pricePerUnit: price === undefined ? undefined : usoaArg(price, "--price", true),
      operators: ops === undefined ? undefined : operatorsArg(ops),
    };
    const changed = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (changed.length === 0) throw new UsageError("nothing to update: give at least one of --name --version --task --description --artifact-uri --endpoint --price --unit --operators");
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (owner) => [BlockaiMsgs.updateModel(owner, modelId, fields)],
      summary: [["model", String(modelId)], ...changed.map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)] as const)],
    });
  },
};

const setStatus: Command = {
  name: "set-model-status",
  summary: "pause or resume (owner or operator) or retire (owner) a model",
  usage: "FROM_KEY MODEL_ID active|paused|retired",
  nargs: [3, 3],
  flags: TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const modelId = u64Arg(ctx.args[1], "MODEL_ID");
    const status = statusArg(ctx.args[2]);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (sender) => [BlockaiMsgs.setModelStatus(sender, modelId, status)],
      summary: [["model", String(modelId)], ["status", statusText(status)]],
    });
  },
};

const model: Command = {
  name: "model",
  summary: "a model by id",
  usage: "MODEL_ID",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const m = (await queryNode(ctx, RegistryQuery.Model, { modelId: u64Arg(ctx.args[0], "MODEL_ID") })).model!;
    const j = modelJson(m);
    ctx.print(keyValues(Object.entries(j).map(([k, v]) => [k.replace(/_/g, " "), Array.isArray(v) ? v.join(", ") : String(v)])), j);
  },
};

const models: Command = {
  name: "models",
  summary: "models in id order, optionally filtered by owner, status and task",
  flags: [
    ...QUERY_FLAGS,
    { name: "owner", value: "ADDRESS", description: "only this owner's models" },
    { name: "status", value: "active|paused|retired", description: "only models in this status" },
    { name: "task", value: "TASK", description: "only models of this task" },
    { name: "limit", value: "N", description: "page size", default: "100" },
    { name: "page-key", value: "HEX", description: "next_key of the previous page" },
  ],
  async run(ctx) {
    const owner = ctx.flag("owner");
    if (owner !== undefined) checkAddressArg(owner, "--owner");
    const status = ctx.flag("status");
    const pageKey = ctx.flag("page-key") ?? "";
    if (!/^([0-9a-fA-F]{2})*$/.test(pageKey)) throw new UsageError("--page-key must be hex");
    const res = await queryNode(ctx, RegistryQuery.Models, {
      owner: owner ?? "",
      status: status === undefined ? ModelStatus.MODEL_STATUS_UNSPECIFIED : statusArg(status),
      task: ctx.flag("task") ?? "",
      pagination: { key: Buffer.from(pageKey, "hex"), limit: u64Arg(ctx.flag("limit") ?? "100", "--limit") },
    });
    const rows = res.models.map(modelJson);
    const next = Buffer.from(res.pagination?.nextKey ?? new Uint8Array()).toString("hex");
    const text =
      (rows.length === 0 ? "no models\n" : table(rows.map((m) => [m.id, m.name, m.version, m.task, m.status, `${m.price_per_unit}usoa/${m.unit}`, m.owner]), ["ID", "NAME", "VERSION", "TASK", "STATUS", "PRICE", "OWNER"])) +
      (next ? `next page: --page-key ${next}\n` : "");
    ctx.print(text, { models: rows, next_key: next });
  },
};

const params: Command = {
  name: "params",
  summary: "registry parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, RegistryQuery.Params)).params!;
    const json = { min_model_bond: p.minModelBond?.amount ?? "0", bond_return_delay: String(p.bondReturnDelay), max_operators: String(p.maxOperators) };
    ctx.print(
      keyValues([
        ["min model bond", formatCoinHuman({ denom: BASE_DENOM, amount: json.min_model_bond })],
        ["bond return delay", `${json.bond_return_delay} blocks`],
        ["max operators", json.max_operators],
      ]),
      json,
    );
  },
};

export const registryCli: ModuleCli = {
  name: "registry",
  summary: "AI models: register, update, pause, retire; list and read them",
  tx: [register, update, setStatus],
  query: [model, models, params],
  types: BLOCKAI_TYPES.filter(([url]) => url.startsWith("/blockai.registry.")),
};
