import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { QueryCurrentEpochRequest, QueryCurrentEpochResponse } from "../gen/blockai/epochs/v1/epochs";
import { QueryModelsRequest, QueryModelsResponse } from "../gen/blockai/registry/v1/query";
import { Model, ModelStatus } from "../gen/blockai/registry/v1/registry";
import { QueryEpochScoresRequest, QueryEpochScoresResponse } from "../gen/blockai/scoring/v1/query";
import { EpochStatus } from "../gen/blockai/scoring/v1/scoring";
import { MsgCommitScores, MsgRevealScores } from "../gen/blockai/scoring/v1/tx";
import { MsgOpenEscrow, MsgOpenEscrowResponse } from "../gen/blockai/metering/v1/tx";
import { createPayingFetch, privateKeyFromMnemonic, signedVoucherToJson, signVoucher } from "../client";
import { CallResult, callChat, callModel, combineScore, fetchTerms, gatewayRoot, readEvalSet, sampleCases } from "./http-evaluator";
import { VALIDATOR_OPERATOR_PREFIX } from "../types/address";
import { computeCommitment, Score } from "../modules/scoring/commitment";
import { UsageError } from "./args";
import type { Command } from "./command";
import { SERVICE_FLAGS, checkChainId, homeDir, nodeUrl } from "./flags";
import { openKeyring } from "./keys-context";
import { walletFromMnemonic } from "./keyring";
import { modelJson } from "./modules/registry";
import { checkAddressArg } from "./validate";

const PPM = 1_000_000;
/** Blocks an evaluator's escrow lasts, and how close to its expiry a new one is opened instead. */
const ESCROW_DURATION = 100_000n;
const ESCROW_RENEW_MARGIN = 1_000n;

/** Scores one model in an epoch: its registry record in, a score in ppm out. */
export type Evaluator = (model: Model, epoch: bigint) => Promise<{ scorePpm: number; details?: unknown }>;

/**
 * The command evaluator: runs `command` through the shell with the model as JSON (the registry
 * record, snake_case) on stdin, and reads `{"score_ppm": n, "details": {...}}` from stdout.
 */
export function commandEvaluator(command: string, timeoutMs = 60_000): Evaluator {
  return async (model) => {
    const stdout = execFileSync("/bin/sh", ["-c", command], { input: JSON.stringify(modelJson(model)), encoding: "utf8", timeout: timeoutMs, maxBuffer: 1 << 20 });
    let answer: { score_ppm?: unknown; details?: unknown };
    try {
      answer = JSON.parse(stdout);
    } catch {
      throw new Error(`evaluator output is not JSON: ${stdout.slice(0, 200)}`);
    }
    const score = answer.score_ppm;
    if (typeof score !== "number" || !Number.isInteger(score) || score < 0 || score > PPM) throw new Error(`evaluator score_ppm must be an integer 0..${PPM}, got ${JSON.stringify(score)}`);
    return { scorePpm: score, details: answer.details };
  };
}

/** What survives a restart: per epoch, the salt and the scores committed, and what was sent. */
interface EpochState {
  epoch: string;
  salt: string;
  scores: Array<{ model_id: string; score_ppm: number }>;
  commit_height?: number;
  reveal_height?: number;
  closed?: boolean;
}

interface ScorerState {
  validator: string;
  epochs: EpochState[];
  /**
   * The http and openai evaluators' escrow per model and the cumulative usage signed so far (never
   * decreases); `provider` is the address an openai escrow is bound to (the gateway's terms).
   */
  escrows?: Record<string, { escrow_id: string; units: string; amount: string; provider?: string; deposit?: string; expiry_height?: string }>;
}

/** Written to a temporary file and renamed: a crash leaves the old or the new state, never half. */
function saveState(file: string, state: ScorerState): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function loadState(file: string, validator: string): ScorerState {
  if (!fs.existsSync(file)) return { validator, epochs: [] };
  const state = JSON.parse(fs.readFileSync(file, "utf8")) as ScorerState;
  if (state.validator !== validator) throw new UsageError(`${file} is the state of ${state.validator}, not ${validator}`);
  return state;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const scorerCommand: Command = {
  name: "scorer",
  summary: "a validator's scorer: evaluate every ACTIVE model each epoch, commit, then reveal",
  flags: [
    { name: "from", value: "KEY", description: "the scorer key (or the operator of a validator without one)" },
    { name: "validator", value: "VALOPER", description: "the validator scored for", default: "the key's own validator" },
    { name: "evaluator", value: "CMD|http|openai", description: 'command run per model (model JSON on stdin, {"score_ppm": n, "details": {...}} on stdout), http, or openai (the endpoint is a BLOCKAI gateway)' },
    { name: "eval-set", value: "FILE.jsonl", description: 'http and openai evaluators: lines {"input": ..., "expected": ...}' },
    { name: "openai-model", value: "NAME", description: "openai evaluator: the request's model field when a case does not set it", default: "default" },
    { name: "sample", value: "N", description: "http evaluator: cases drawn per model and epoch from (epoch, validator)", default: "20" },
    { name: "latency-target", value: "MS", description: "http evaluator: median latency that earns the full latency score", default: "2000" },
    { name: "call-timeout", value: "MS", description: "http evaluator: a call answered later counts as unanswered", default: "10000" },
    { name: "escrow-deposit", value: "USOA", description: "http evaluator: deposit of the escrow opened per model", default: "1000000" },
    { name: "state", value: "FILE", description: "salts and scores per epoch, kept across restarts", default: "HOME/scorer-state.json" },
    { name: "gas-prices", value: "PRICE", description: "gas price of the score txs", default: "0.025usoa" },
    { name: "poll", value: "MS", description: "how often the chain is polled (also for a sent tx's inclusion)", default: "1000" },
    { name: "stop-after", value: "commit|reveal", description: "stop after the first commit or reveal (scripts, tests)" },
    ...SERVICE_FLAGS,
  ],
  help:
    "Each epoch: lists the ACTIVE models, scores each with --evaluator, saves the salt and scores to --state,\n" +
    "then commits (MsgCommitScores); once the epoch has ended, reveals them in the reveal window. A restart\n" +
    "between commit and reveal reveals from the state file. Logs each step and a status line. See docs/scoring.md.",
  async run(ctx) {
    const from = ctx.flag("from");
    if (from === undefined) throw new UsageError(`"${ctx.path}" needs --from KEY`);
    const evaluatorCmd = ctx.flag("evaluator");
    if (evaluatorCmd === undefined) throw new UsageError(`"${ctx.path}" needs --evaluator CMD`);
    const stopAfter = ctx.flag("stop-after");
    if (stopAfter !== undefined && stopAfter !== "commit" && stopAfter !== "reveal") throw new UsageError(`--stop-after must be commit or reveal, got "${stopAfter}"`);
    const pollMs = Number(ctx.flag("poll") ?? "1000");
    if (!Number.isInteger(pollMs) || pollMs < 50) throw new UsageError("--poll must be an integer >= 50 (milliseconds)");
    const keyring = openKeyring(ctx);
    const key = keyring.get(from);
    const validatorFlag = ctx.flag("validator");
    const validator = validatorFlag === undefined ? toBech32(VALIDATOR_OPERATOR_PREFIX, fromBech32(key.address).data) : checkAddressArg(validatorFlag, "--validator", VALIDATOR_OPERATOR_PREFIX);
    const stateFile = ctx.flag("state") ?? path.join(homeDir(ctx), "scorer-state.json");
    const state = loadState(stateFile, validator);
    const int = (name: string, def: number) => {
      const v = Number(ctx.flag(name) ?? String(def));
      if (!Number.isSafeInteger(v) || v < 1) throw new UsageError(`--${name} must be a positive integer`);
      return v;
    };
    const openai = evaluatorCmd === "openai";
    const http = evaluatorCmd === "http" || openai;
    const evalSetFile = ctx.flag("eval-set");
    if (http && evalSetFile === undefined) throw new UsageError(`--evaluator ${evaluatorCmd} needs --eval-set FILE.jsonl`);
    const openaiModel = ctx.flag("openai-model") ?? "default";
    const evalSet = http ? readEvalSet(evalSetFile!) : [];
    const sample = int("sample", 20);
    const latencyTarget = int("latency-target", 2000);
    const callTimeout = int("call-timeout", 10_000);
    const deposit = BigInt(int("escrow-deposit", 1_000_000));
    const json = ctx.output === "json";
    const log = (event: string, fields: Record<string, unknown>, text: string) =>
      json ? ctx.io.stdout.write(JSON.stringify({ event, ...fields }) + "\n") : ctx.io.stderr.write(text + "\n");

    const mnemonic = await keyring.mnemonic(key.name);
    const wallet = await walletFromMnemonic(mnemonic);
    const privateKey = http ? await privateKeyFromMnemonic(mnemonic) : undefined;
    const comet = await Comet38Client.connect(nodeUrl(ctx));
    // CosmJS polls for a tx's inclusion every 3 s unless told otherwise: on short epochs the
    // escrows opened before the first commit then eat most of the epoch, so --poll governs it too.
    const client = SigningStargateClient.createWithSigner(comet, wallet, { registry: ctx.registry, gasPrice: GasPrice.fromString(ctx.flag("gas-prices") ?? "0.025usoa"), broadcastPollIntervalMs: pollMs });
    const abci = async <T>(p: string, data: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> => {
      const r = await comet.abciQuery({ path: p, data });
      if (r.code !== 0) throw Object.assign(new Error(`${p}: ${r.log}`), { code: r.code });
      return decode(r.value);
    };
    const sendTx = async (msg: EncodeObject) => {
      const r = await client.signAndBroadcast(key.address, [msg], "auto");
      if (r.code !== 0) throw new Error(`${msg.typeUrl} failed: ${r.rawLog ?? ""} (code ${r.code})`);
      return r;
    };
    const send = async (msg: EncodeObject): Promise<number> => (await sendTx(msg)).height;
    const activeModels = async (): Promise<Model[]> => {
      const out: Model[] = [];
      let pageKey: Uint8Array = new Uint8Array();
      for (;;) {
        const req = QueryModelsRequest.fromPartial({ status: ModelStatus.MODEL_STATUS_ACTIVE, pagination: { key: pageKey, limit: 1000n } });
        const res = await abci("/blockai.registry.v1.Query/Models", QueryModelsRequest.encode(req).finish(), QueryModelsResponse.decode);
        out.push(...res.models);
        pageKey = res.pagination?.nextKey ?? new Uint8Array();
        if (pageKey.length === 0) return out;
      }
    };

    try {
      const chainId = await client.getChainId();
      checkChainId(ctx, nodeUrl(ctx), chainId);
      log("start", { scorer: key.address, validator, chain_id: chainId, state: stateFile }, `scoring for ${validator} as ${key.address} on ${chainId} (state ${stateFile})`);
      type EscrowRecord = NonNullable<ScorerState["escrows"]>[string];
      /**
       * Opens the scorer's escrow on `model` (bound to `provider` when given) for ESCROW_DURATION
       * blocks and records it in the state file, which then holds it across restarts.
       */
      const openEscrow = async (model: Model, height: bigint, provider?: string): Promise<EscrowRecord> => {
        const expiryHeight = height + ESCROW_DURATION;
        const r = await sendTx({ typeUrl: "/blockai.metering.v1.MsgOpenEscrow", value: MsgOpenEscrow.fromPartial({ consumer: key.address, modelId: model.id, deposit: { denom: "usoa", amount: deposit.toString() }, expiryHeight, provider: provider ?? "" }) });
        const escrowId = MsgOpenEscrowResponse.decode(r.msgResponses[0].value).escrowId;
        const escrow: EscrowRecord = { escrow_id: escrowId.toString(), units: "0", amount: "0", provider, deposit: deposit.toString(), expiry_height: expiryHeight.toString() };
        (state.escrows ??= {})[model.id.toString()] = escrow;
        saveState(stateFile, state);
        log(
          "escrow",
          { model_id: model.id.toString(), escrow_id: escrow.escrow_id, deposit: deposit.toString(), ...(provider ? { provider } : {}) },
          `model ${model.id}: opened escrow ${escrow.escrow_id} (${deposit}usoa)${provider ? ` bound to ${provider}` : ""}`,
        );
        return escrow;
      };
      /**
       * The http evaluator pays every call with a voucher on its own escrow for the model (opened
       * on first use); the cumulative usage is saved before each call, so a restart never signs a
       * lower cumulative voucher than one already sent.
       */
      const httpEvaluate: Evaluator = async (model, epoch) => {
        if (model.endpoint === "") throw new Error("model has no endpoint");
        const price = BigInt(model.pricePerUnit?.amount ?? "0");
        const escrows = (state.escrows ??= {});
        let escrow = escrows[model.id.toString()];
        if (!escrow) escrow = await openEscrow(model, BigInt((await comet.status()).syncInfo.latestBlockHeight));
        const results: CallResult[] = [];
        for (const c of sampleCases(evalSet, epoch, fromBech32(validator).data, sample)) {
          escrow.units = (BigInt(escrow.units) + 1n).toString();
          escrow.amount = (BigInt(escrow.amount) + price).toString();
          saveState(stateFile, state);
          const signed = signVoucher({ chainId, escrowId: BigInt(escrow.escrow_id), cumulativeUnits: BigInt(escrow.units), cumulativeAmount: BigInt(escrow.amount) }, privateKey!);
          results.push(await callModel(model.endpoint, c, JSON.stringify(signedVoucherToJson(signed)), callTimeout));
        }
        const r = combineScore(results, latencyTarget);
        return { scorePpm: r.scorePpm, details: { calls: results.length, accuracy_ppm: r.accuracyPpm, availability_ppm: r.availabilityPpm, latency_ppm: r.latencyPpm, p50_ms: r.p50Ms === null ? null : Math.round(r.p50Ms) } };
      };
      /**
       * The openai evaluator: the endpoint is a provider gateway; the escrow is bound to the
       * provider its terms name, and the calls are chat completions paid by the gateway's voucher
       * protocol (pay after use, by the usage each answer reports). What was signed is saved before
       * each voucher leaves, and the last call is settled so that the provider can claim it.
       */
      const openaiEvaluate: Evaluator = async (model, epoch) => {
        if (model.endpoint === "") throw new Error("model has no endpoint");
        const root = gatewayRoot(model.endpoint);
        const terms = await fetchTerms(root, callTimeout);
        if (terms.chain_id !== chainId || terms.model_id !== model.id.toString()) {
          throw new Error(`the gateway at ${model.endpoint} serves model ${terms.model_id} on ${terms.chain_id}, not model ${model.id} on ${chainId}`);
        }
        const escrows = (state.escrows ??= {});
        let escrow = escrows[model.id.toString()];
        const height = BigInt((await comet.status()).syncInfo.latestBlockHeight);
        const maxCallPrice = BigInt(terms.max_call_price);
        // A new escrow when there is none bound to this provider, or when this epoch's calls could
        // outrun the deposit or the expiry: the gateway would refuse them, and the model would be
        // scored for the scorer's own empty escrow.
        const spent = escrow !== undefined && BigInt(escrow.amount) + BigInt(sample) * maxCallPrice > BigInt(escrow.deposit ?? "0");
        const expiring = escrow !== undefined && height + ESCROW_RENEW_MARGIN > BigInt(escrow.expiry_height ?? "0");
        if (!escrow || escrow.provider !== terms.provider || spent || expiring) {
          if (deposit < BigInt(sample) * maxCallPrice) throw new Error(`--escrow-deposit ${deposit}usoa cannot pay ${sample} calls at the gateway's bound of ${maxCallPrice}usoa a call`);
          escrow = await openEscrow(model, height, terms.provider);
        }
        const bound = escrow;
        const pay = createPayingFetch({
          chainId,
          escrowId: BigInt(bound.escrow_id),
          pricePerUnit: BigInt(terms.price_per_unit),
          maxCallPrice: BigInt(terms.max_call_price),
          sign: (v) => signVoucher(v, privateKey!).signature,
          maxSpend: BigInt(bound.deposit ?? deposit.toString()),
          owed: BigInt(bound.amount),
          owedUnits: BigInt(bound.units),
          onState: (s) => {
            bound.amount = s.owed.toString();
            bound.units = s.owedUnits.toString();
            saveState(stateFile, state);
          },
        });
        const results: CallResult[] = [];
        for (const c of sampleCases(evalSet, epoch, fromBech32(validator).data, sample)) results.push(await callChat(pay, root, c, openaiModel, callTimeout));
        try {
          await pay.payer.settle(root);
        } catch (err) {
          log("settle_failed", { model_id: model.id.toString(), error: (err as Error).message }, `model ${model.id}: settling the last call failed: ${(err as Error).message}`);
        }
        const r = combineScore(results, latencyTarget);
        return { scorePpm: r.scorePpm, details: { calls: results.length, paid: bound.amount, accuracy_ppm: r.accuracyPpm, availability_ppm: r.availabilityPpm, latency_ppm: r.latencyPpm, p50_ms: r.p50Ms === null ? null : Math.round(r.p50Ms) } };
      };
      const evaluate: Evaluator = openai ? openaiEvaluate : http ? httpEvaluate : commandEvaluator(evaluatorCmd);
      let stopping = false;
      const onSignal = () => (stopping = true);
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        let lastText = 0;
        while (!stopping) {
          try {
            if (await step()) break;
          } catch (err) {
            // A long-running process: a failed query or tx is logged and retried at the next poll.
            log("error", { error: (err as Error).message }, `error: ${(err as Error).message}`);
          }
          await sleep(pollMs);
        }
        /** One poll: reveal what is due, commit for the current epoch; true when told to stop. */
        async function step(): Promise<boolean> {
          const height = (await comet.status()).syncInfo.latestBlockHeight;
          const current = (await abci("/blockai.epochs.v1.Query/CurrentEpoch", QueryCurrentEpochRequest.encode({}).finish(), QueryCurrentEpochResponse.decode)).epoch!;
          // Reveals first: a window is short, an epoch is long.
          for (const e of state.epochs) {
            if (e.closed || e.reveal_height !== undefined || e.commit_height === undefined || BigInt(e.epoch) >= current.number) continue;
            let result;
            try {
              result = (await abci("/blockai.scoring.v1.Query/EpochScores", QueryEpochScoresRequest.encode({ epoch: BigInt(e.epoch), pagination: { key: new Uint8Array(), offset: 0n, limit: 1n, countTotal: false, reverse: false } }).finish(), QueryEpochScoresResponse.decode)).result!;
            } catch {
              continue; // the epoch's end is not committed yet
            }
            if (result.status !== EpochStatus.EPOCH_STATUS_REVEALING || BigInt(height) >= result.revealEndHeight) {
              e.closed = true;
              saveState(stateFile, state);
              log("missed", { epoch: e.epoch }, `epoch ${e.epoch}: reveal window closed before the reveal`);
              continue;
            }
            const scores: Score[] = e.scores.map((s) => ({ modelId: BigInt(s.model_id), scorePpm: s.score_ppm }));
            e.reveal_height = await send({ typeUrl: "/blockai.scoring.v1.MsgRevealScores", value: MsgRevealScores.fromPartial({ scorer: key.address, epoch: BigInt(e.epoch), salt: Buffer.from(e.salt, "hex"), scores }) });
            saveState(stateFile, state);
            log("reveal", { epoch: e.epoch, height: e.reveal_height, scores: scores.length }, `epoch ${e.epoch}: revealed ${scores.length} scores at height ${e.reveal_height}`);
            if (stopAfter === "reveal") return true;
          }
          const epoch = current.number.toString();
          let mine = state.epochs.find((e) => e.epoch === epoch);
          // Commit once per epoch, leaving at least one block before the epoch's last.
          if (mine?.commit_height === undefined && BigInt(height) + 1n < current.endHeight) {
            if (!mine) {
              const models = await activeModels();
              const scores: EpochState["scores"] = [];
              for (const m of models) {
                try {
                  const r = await evaluate(m, current.number);
                  scores.push({ model_id: m.id.toString(), score_ppm: r.scorePpm });
                  log("evaluated", { epoch, model_id: m.id.toString(), score_ppm: r.scorePpm, details: r.details ?? null }, `epoch ${epoch}: model ${m.id} scored ${r.scorePpm} ppm`);
                } catch (err) {
                  log("evaluation_failed", { epoch, model_id: m.id.toString(), error: (err as Error).message }, `epoch ${epoch}: model ${m.id} not scored: ${(err as Error).message}`);
                }
              }
              // The salt is on disk before the commitment leaves this process.
              // Evaluation takes time: scores made for an epoch that has ended meanwhile are not sent.
              const now = (await abci("/blockai.epochs.v1.Query/CurrentEpoch", QueryCurrentEpochRequest.encode({}).finish(), QueryCurrentEpochResponse.decode)).epoch!;
              if (now.number !== current.number) {
                log("late", { epoch }, `epoch ${epoch} ended during the evaluation; evaluating again for epoch ${now.number}`);
                return false;
              }
              mine = { epoch, salt: crypto.randomBytes(32).toString("hex"), scores };
              // Kept: epochs committed and not yet revealed; dropped: revealed, closed, never committed.
              state.epochs = [...state.epochs.filter((e) => e.commit_height !== undefined && !e.closed && e.reveal_height === undefined), mine];
              saveState(stateFile, state);
            }
            const scores: Score[] = mine.scores.map((s) => ({ modelId: BigInt(s.model_id), scorePpm: s.score_ppm }));
            const commitment = computeCommitment(chainId, current.number, fromBech32(validator).data, Buffer.from(mine.salt, "hex"), scores);
            mine.commit_height = await send({ typeUrl: "/blockai.scoring.v1.MsgCommitScores", value: MsgCommitScores.fromPartial({ scorer: key.address, epoch: current.number, commitment }) });
            saveState(stateFile, state);
            log("commit", { epoch, height: mine.commit_height, models: scores.length }, `epoch ${epoch}: committed ${scores.length} scores at height ${mine.commit_height}`);
            if (stopAfter === "commit") return true;
          }
          const revealHeight = state.epochs.map((e) => e.reveal_height).filter((h) => h !== undefined).pop();
          const fields = { height, epoch, models_evaluated: mine?.scores.length ?? 0, commit_height: mine?.commit_height ?? null, reveal_height: revealHeight ?? null };
          if (json) log("status", fields, "");
          else if (Date.now() - lastText >= 10_000) {
            lastText = Date.now();
            log("status", fields, `height ${height} | epoch ${epoch} | models evaluated ${fields.models_evaluated} | commit ${fields.commit_height ?? "-"} | reveal ${fields.reveal_height ?? "-"}`);
          }
          return false;
        }
      } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
      }
      return 0;
    } finally {
      client.disconnect();
    }
  },
};
