import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { BLOCKAI_TYPES } from "../../client";
import { QueryEpochScoresRequest } from "../../gen/blockai/scoring/v1/query";
import { EpochStatus } from "../../gen/blockai/scoring/v1/scoring";
import { MsgCommitScores, MsgRevealScores, MsgSetScorer } from "../../gen/blockai/scoring/v1/tx";
import { VALIDATOR_OPERATOR_PREFIX } from "../../types/address";
import { computeCommitment, Score } from "../../modules/scoring";
import { UsageError } from "../args";
import type { Command, CommandContext, ModuleCli } from "../command";
import { QUERY_FLAGS, TX_FLAGS } from "../flags";
import { queryNode, withNode } from "../connect";
import { ScoringQuery } from "../../modules/scoring/service";
import { EpochsQuery } from "../../modules/epochs/service";
import { keyValues, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { checkAddressArg } from "../validate";
import { u64Arg } from "./registry";

const PPM = 1_000_000;

/** "ID:PPM,ID:PPM" -> scores sorted by model id (duplicates and out-of-range scores refused here). */
export function scoresArg(text: string): Score[] {
  if (text.trim() === "") return [];
  const scores = text.split(",").map((pair) => {
    const m = /^\s*([0-9]{1,20}):([0-9]{1,7})\s*$/.exec(pair);
    if (!m) throw new UsageError(`--scores entries are MODEL_ID:SCORE_PPM, got "${pair}"`);
    const score = Number(m[2]);
    if (score > PPM) throw new UsageError(`score ${score} of model ${m[1]} is above ${PPM}`);
    return { modelId: u64Arg(m[1], "model id"), scorePpm: score };
  });
  scores.sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));
  for (let i = 1; i < scores.length; i++) if (scores[i].modelId === scores[i - 1].modelId) throw new UsageError(`model ${scores[i].modelId} is scored twice`);
  return scores;
}

function hex32(text: string, what: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new UsageError(`${what} must be 64 hex characters, got "${text}"`);
  return Uint8Array.from(Buffer.from(text, "hex"));
}

function valoperArg(text: string, what: string): string {
  try {
    return checkAddressArg(text, what, VALIDATOR_OPERATOR_PREFIX);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const toValoper = (account: string) => toBech32(VALIDATOR_OPERATOR_PREFIX, fromBech32(account).data);

/**
 * The salt of a commit or reveal: --salt HEX, or --salt-file FILE holding {"epoch", "salt"}. A
 * commit creates the file with a fresh random salt (mode 0600) before anything is broadcast, so a
 * restart between commit and reveal still finds it; a file is for one epoch only, because a salt
 * made public by a reveal must never hide another epoch's scores.
 */
function checkSaltFlags(ctx: CommandContext): void {
  const hex = ctx.flag("salt");
  const file = ctx.flag("salt-file");
  if (hex !== undefined && file !== undefined) throw new UsageError("give --salt or --salt-file, not both");
  if (hex !== undefined) hex32(hex, "--salt");
  else if (file === undefined) throw new UsageError(`"${ctx.path}" needs --salt HEX or --salt-file FILE (the salt must be kept until the reveal)`);
}

function saltFor(ctx: CommandContext, epoch: bigint, create: boolean): Uint8Array {
  checkSaltFlags(ctx);
  const hex = ctx.flag("salt");
  const file = ctx.flag("salt-file")!;
  if (hex !== undefined) return hex32(hex, "--salt");
  if (fs.existsSync(file)) {
    let saved: { epoch?: unknown; salt?: unknown };
    try {
      saved = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new UsageError(`${file}: not a salt file (${(e as Error).message})`);
    }
    if (saved.epoch !== String(epoch)) throw new UsageError(`${file} holds the salt of epoch ${String(saved.epoch)}, not ${epoch}: use one salt file per epoch`);
    return hex32(String(saved.salt), `salt in ${file}`);
  }
  if (!create) throw new UsageError(`--salt-file ${file} does not exist`);
  const salt = crypto.randomBytes(32);
  fs.writeFileSync(file, JSON.stringify({ epoch: String(epoch), salt: salt.toString("hex") }) + "\n", { mode: 0o600, flag: "wx" });
  return Uint8Array.from(salt);
}

/** The node's chain ID (the commitment is bound to it) and current epoch. */
async function chainState(ctx: CommandContext): Promise<{ chainId: string; epoch: bigint }> {
  return withNode(ctx, async (node) => {
    const res = await node.query(EpochsQuery.CurrentEpoch, {});
    return { chainId: node.chainId, epoch: res.epoch?.number ?? 0n };
  });
}

const SCORE_FLAGS = [
  { name: "scores", value: "ID:PPM,...", description: "scores in parts per million, e.g. 1:900000,2:400000" },
  { name: "salt", value: "HEX", description: "the 32-byte salt (64 hex characters)" },
  { name: "salt-file", value: "FILE", description: "file holding the salt (commit creates it with a random salt if absent)" },
  { name: "validator", value: "VALOPER", description: "the validator the scores are for", default: "the signer's own validator" },
  { name: "epoch", value: "N", description: "epoch number" },
];

const setScorer: Command = {
  name: "set-scorer",
  summary: "name the key that signs this validator's score txs (signed by the operator; \"\" removes it)",
  usage: "OPERATOR_KEY SCORER_ADDRESS",
  nargs: [2, 2],
  flags: TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const scorer = ctx.args[1] === "" ? "" : checkAddressArg(ctx.args[1], "scorer address");
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (operator) => [{ typeUrl: "/blockai.scoring.v1.MsgSetScorer", value: MsgSetScorer.fromPartial({ validator: toValoper(operator), scorer }) }],
      summary: [["scorer", scorer || "(none: the operator signs)"]],
    });
  },
};

const commit: Command = {
  name: "commit",
  summary: "commit to scores for the current epoch (reveal them after it ends)",
  usage: "SCORER_KEY",
  nargs: [1, 1],
  flags: [...TX_FLAGS, ...SCORE_FLAGS],
  help: "The commitment is SHA-256 of the layout in docs/scoring.md; keep the salt (--salt-file) for the reveal.",
  async run(ctx) {
    txOptions(ctx);
    const scores = scoresArg(ctx.flag("scores") ?? "");
    checkSaltFlags(ctx);
    const validatorFlag = ctx.flag("validator");
    if (validatorFlag !== undefined) valoperArg(validatorFlag, "--validator");
    const chain = await chainState(ctx);
    const epoch = ctx.flag("epoch") === undefined ? chain.epoch : u64Arg(ctx.flag("epoch")!, "--epoch");
    const salt = saltFor(ctx, epoch, true);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (scorer) => {
        const validator = validatorFlag ?? toValoper(scorer);
        const commitment = computeCommitment(chain.chainId, epoch, fromBech32(validator).data, salt, scores);
        return [{ typeUrl: "/blockai.scoring.v1.MsgCommitScores", value: MsgCommitScores.fromPartial({ scorer, epoch, commitment }) }];
      },
      summary: [["epoch", String(epoch)], ["scores", String(scores.length)]],
    });
  },
};

const reveal: Command = {
  name: "reveal",
  summary: "reveal the scores committed for an epoch (in the reveal window after it)",
  usage: "SCORER_KEY",
  nargs: [1, 1],
  flags: [...TX_FLAGS, ...SCORE_FLAGS],
  async run(ctx) {
    txOptions(ctx);
    const scores = scoresArg(ctx.flag("scores") ?? "");
    checkSaltFlags(ctx);
    const epoch = ctx.flag("epoch") === undefined ? (await chainState(ctx)).epoch - 1n : u64Arg(ctx.flag("epoch")!, "--epoch");
    if (epoch < 0n) throw new UsageError("no epoch has ended yet");
    const salt = saltFor(ctx, epoch, false);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (scorer) => [{ typeUrl: "/blockai.scoring.v1.MsgRevealScores", value: MsgRevealScores.fromPartial({ scorer, epoch, salt, scores }) }],
      summary: [["epoch", String(epoch)], ["scores", String(scores.length)]],
    });
  },
};

const statusText = (s: EpochStatus) => (EpochStatus[s] ?? String(s)).replace("EPOCH_STATUS_", "").toLowerCase();

const modelScore: Command = {
  name: "model-score",
  summary: "a model's consensus score in an epoch",
  usage: "MODEL_ID EPOCH",
  nargs: [2, 2],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const modelId = u64Arg(ctx.args[0], "MODEL_ID");
    const epoch = u64Arg(ctx.args[1], "EPOCH");
    const s = (await queryNode(ctx, ScoringQuery.ModelScore, { modelId, epoch })).score!;
    const json = { model_id: String(modelId), epoch: String(epoch), score_ppm: String(s.scorePpm) };
    ctx.print(keyValues([["model", json.model_id], ["epoch", json.epoch], ["score", `${json.score_ppm} ppm`]]), json);
  },
};

const epochScores: Command = {
  name: "epoch-scores",
  summary: "an epoch's result and its models' consensus scores",
  usage: "EPOCH",
  nargs: [1, 1],
  flags: [...QUERY_FLAGS, { name: "limit", value: "N", description: "page size", default: "100" }, { name: "page-key", value: "HEX", description: "next_key of the previous page" }],
  async run(ctx) {
    const epoch = u64Arg(ctx.args[0], "EPOCH");
    const pageKey = ctx.flag("page-key") ?? "";
    if (!/^([0-9a-fA-F]{2})*$/.test(pageKey)) throw new UsageError("--page-key must be hex");
    const req = QueryEpochScoresRequest.fromPartial({ epoch, pagination: { key: Buffer.from(pageKey, "hex"), limit: u64Arg(ctx.flag("limit") ?? "100", "--limit") } });
    const res = await queryNode(ctx, ScoringQuery.EpochScores, req);
    const r = res.result!;
    const scores = res.scores.map((s) => ({ model_id: String(s.modelId), score_ppm: String(s.scorePpm) }));
    const next = Buffer.from(res.pagination?.nextKey ?? new Uint8Array()).toString("hex");
    const json = {
      epoch: String(epoch),
      status: statusText(r.status),
      reveal_window: `${r.revealStartHeight}..${r.revealEndHeight}`,
      bonded_power: String(r.bondedPower),
      revealed_power: String(r.revealedPower),
      revealers: String(r.revealers),
      scores,
      next_key: next,
    };
    const text =
      keyValues([["epoch", json.epoch], ["status", json.status], ["reveal window", json.reveal_window], ["revealed power", `${json.revealed_power} of ${json.bonded_power}`], ["revealers", json.revealers]]) +
      (scores.length ? "\n" + table(scores.map((s) => [s.model_id, s.score_ppm]), ["MODEL", "SCORE_PPM"]) : "") +
      (next ? `next page: --page-key ${next}\n` : "");
    ctx.print(text, json);
  },
};

const agreement: Command = {
  name: "agreement",
  summary: "a validator's agreement with the consensus in an epoch",
  usage: "VALOPER EPOCH",
  nargs: [2, 2],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const validator = valoperArg(ctx.args[0], "validator address");
    const epoch = u64Arg(ctx.args[1], "EPOCH");
    const a = (await queryNode(ctx, ScoringQuery.ValidatorAgreement, { validator, epoch })).agreement!;
    const json = { validator, epoch: String(epoch), agreement_ppm: String(a.agreementPpm), revealed: a.revealed, power: String(a.power) };
    ctx.print(keyValues([["validator", validator], ["epoch", json.epoch], ["agreement", `${json.agreement_ppm} ppm`], ["revealed", String(a.revealed)], ["power", json.power]]), json);
  },
};

const commitmentQuery: Command = {
  name: "commitment",
  summary: "a validator's commitment for an epoch",
  usage: "VALOPER EPOCH",
  nargs: [2, 2],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const validator = valoperArg(ctx.args[0], "validator address");
    const epoch = u64Arg(ctx.args[1], "EPOCH");
    const c = (await queryNode(ctx, ScoringQuery.Commitment, { validator, epoch })).commitment!;
    const json = { validator, epoch: String(epoch), commitment: Buffer.from(c.commitment).toString("hex"), height: String(c.height), power: String(c.power), revealed: c.revealed };
    ctx.print(keyValues([["validator", validator], ["epoch", json.epoch], ["commitment", json.commitment], ["height", json.height], ["power", json.power], ["revealed", String(c.revealed)]]), json);
  },
};

const scorerQuery: Command = {
  name: "scorer",
  summary: "a validator's scorer key (empty: the operator signs)",
  usage: "VALOPER",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const validator = valoperArg(ctx.args[0], "validator address");
    const s = (await queryNode(ctx, ScoringQuery.Scorer, { validator })).scorer;
    ctx.print(keyValues([["validator", validator], ["scorer", s || "(none: the operator signs)"]]), { validator, scorer: s });
  },
};

const params: Command = {
  name: "params",
  summary: "scoring parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, ScoringQuery.Params, {})).params!;
    const json = { reveal_window: String(p.revealWindow), max_scores_per_reveal: String(p.maxScoresPerReveal), min_reveal_stake_fraction_ppm: String(p.minRevealStakeFractionPpm) };
    ctx.print(
      keyValues([
        ["reveal window", `${json.reveal_window} blocks`],
        ["max scores per reveal", json.max_scores_per_reveal],
        ["min reveal stake fraction", `${json.min_reveal_stake_fraction_ppm} ppm`],
      ]),
      json,
    );
  },
};

export const scoringCli: ModuleCli = {
  name: "scoring",
  summary: "model scores: scorer keys, commit and reveal; consensus scores and agreements",
  tx: [setScorer, commit, reveal],
  query: [modelScore, epochScores, agreement, commitmentQuery, scorerQuery, params],
  types: BLOCKAI_TYPES.filter(([url]) => url.startsWith("/blockai.scoring.")),
};
