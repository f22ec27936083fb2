import * as fs from "node:fs";
import { ProposalStatus, VoteOption, type Proposal, type Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgCancelProposal, MsgDeposit, MsgSubmitProposal, MsgVote, MsgVoteWeighted } from "cosmjs-types/cosmos/gov/v1/tx";
import type { EncodeObject, Registry } from "@cosmjs/proto-signing";
import { MsgUpdateParams as StakingMsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgUpdateParams as SlashingMsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { MsgCommunityPoolSpend, MsgUpdateParams as DistributionMsgUpdateParams } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { MsgCancelUpgrade, MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { encodeAddress, moduleAddress } from "../../types/address";
import { coinsToProto } from "../../types/coins";
import { parseDec } from "../../types/dec";
import { GovQuery } from "../../modules/gov/service";
import { BLOCKAI_TYPES } from "../../client";
import { parseCoinsArg } from "../amount";
import { UsageError } from "../args";
import type { Command, ModuleCli } from "../command";
import { queryNode } from "../connect";
import { QUERY_FLAGS } from "../flags";
import { formatCoinsHuman, keyValues, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { checkAddressArg } from "../validate";
import { POS_TX_FLAGS } from "./staking";

const GOV_AUTHORITY = encodeAddress(moduleAddress("gov"));

function idArg(text: string): bigint {
  if (!/^[0-9]{1,20}$/.test(text) || BigInt(text) === 0n || BigInt(text) >= 1n << 64n) throw new UsageError(`"${text}" is not a proposal id (a positive integer)`);
  return BigInt(text);
}

const OPTIONS: Record<string, VoteOption> = {
  yes: VoteOption.VOTE_OPTION_YES,
  abstain: VoteOption.VOTE_OPTION_ABSTAIN,
  no: VoteOption.VOTE_OPTION_NO,
  no_with_veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
  nowithveto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
};

function optionArg(text: string): VoteOption {
  const o = OPTIONS[text.toLowerCase().replace(/-/g, "_")];
  if (o === undefined) throw new UsageError(`"${text}" is not a vote option (yes, no, abstain, no_with_veto)`);
  return o;
}

/** "yes=0.6,no=0.4": options with weights (summing to 1, checked by the chain). */
export function weightedOptionsArg(text: string): Array<{ option: VoteOption; weight: string }> {
  return text.split(",").map((part) => {
    const m = /^([a-zA-Z_-]+)=([0-9]+(?:\.[0-9]{1,18})?)$/.exec(part.trim());
    if (!m) throw new UsageError(`"${part}" is not OPTION=WEIGHT (e.g. yes=0.6,no=0.4)`);
    return { option: optionArg(m[1]), weight: m[2] };
  });
}

const statusName = (s: ProposalStatus) => ProposalStatus[s]?.replace("PROPOSAL_STATUS_", "") ?? String(s);
const optionName = (o: VoteOption) => VoteOption[o]?.replace("VOTE_OPTION_", "") ?? String(o);
const time = (t: { seconds: bigint; nanos: number } | undefined) => (t && t.seconds > 0n ? new Date(Number(t.seconds) * 1000).toISOString() : "");

function proposalJson(p: Proposal) {
  return {
    id: p.id.toString(),
    status: ProposalStatus[p.status],
    title: p.title,
    summary: p.summary,
    metadata: p.metadata,
    proposer: p.proposer,
    messages: p.messages.map((m) => m.typeUrl),
    total_deposit: p.totalDeposit,
    submit_time: time(p.submitTime),
    deposit_end_time: time(p.depositEndTime),
    voting_start_time: time(p.votingStartTime),
    voting_end_time: time(p.votingEndTime),
    final_tally_result: p.finalTallyResult && {
      yes_count: p.finalTallyResult.yesCount,
      abstain_count: p.finalTallyResult.abstainCount,
      no_count: p.finalTallyResult.noCount,
      no_with_veto_count: p.finalTallyResult.noWithVetoCount,
    },
    failed_reason: p.failedReason,
  };
}

const voteJson = (v: Vote) => ({ proposal_id: v.proposalId.toString(), voter: v.voter, options: v.options.map((o) => ({ option: VoteOption[o.option], weight: o.weight })), metadata: v.metadata });

// ---- proposal files ------------------------------------------------------------------------------

/** The SDK's JSON uses snake_case field names; cosmjs-types' fromJSON reads lowerCamelCase. */
function camelKeys(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => camelKeys(v, key));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = camelKeys(v, k);
    return out;
  }
  // Protobuf JSON writes a Duration as "172800s"; cosmjs-types reads {seconds, nanos}. Durations
  // are the fields named *_period, *_duration and *_time holding such a string.
  const m = typeof value === "string" && /(_period|_duration|_time|Period|Duration|Time)$/.test(key) ? /^([0-9]{1,12})(?:\.([0-9]{1,9}))?s$/.exec(value) : null;
  if (m) return { seconds: m[1], nanos: Number((m[2] ?? "").padEnd(9, "0") || "0") };
  return value;
}

/**
 * Fields the SDK's JSON writes as decimals ("0.050000000000000000") but the protobuf carries as
 * LegacyDec's scaled integer: a string (`int`), or its ASCII as bytes (`bytes`, base64 in JSON).
 */
const LEGACY_DEC_FIELDS: Record<string, Record<string, "int" | "bytes">> = {
  "/cosmos.staking.v1beta1.MsgUpdateParams": { min_commission_rate: "int" },
  "/cosmos.distribution.v1beta1.MsgUpdateParams": { community_tax: "int", base_proposer_reward: "int", bonus_proposer_reward: "int" },
  "/cosmos.slashing.v1beta1.MsgUpdateParams": { min_signed_per_window: "bytes", slash_fraction_double_sign: "bytes", slash_fraction_downtime: "bytes" },
};

function legacyDecs(typeUrl: string, fields: Record<string, unknown>, where: string): Record<string, unknown> {
  const spec = LEGACY_DEC_FIELDS[typeUrl];
  const params = fields.params;
  if (!spec || typeof params !== "object" || params === null) return fields;
  const out: Record<string, unknown> = { ...(params as Record<string, unknown>) };
  for (const [k, kind] of Object.entries(spec)) {
    const v = out[k];
    if (typeof v !== "string" || !v.includes(".")) continue;
    let atomics: string;
    try {
      atomics = parseDec(v, `${where}.params.${k}`).toString();
    } catch (e) {
      throw new UsageError(`proposal file: ${(e as Error).message}`);
    }
    out[k] = kind === "int" ? atomics : Buffer.from(atomics).toString("base64");
  }
  return { ...fields, params: out };
}

export interface ProposalFile {
  messages: EncodeObject[];
  metadata: string;
  deposit: ReturnType<typeof parseCoinsArg>;
  title: string;
  summary: string;
  expedited: boolean;
}

/**
 * Reads a proposal file in the SDK's shape (`simd tx gov submit-proposal`): messages with their
 * "@type", metadata, deposit ("10000000usoa" or "10SOA"), title, summary, expedited.
 */
export function readProposalFile(text: string, registry: Registry): ProposalFile {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`the proposal file is not JSON: ${(e as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new UsageError("the proposal file must hold a JSON object");
  const known = new Set(["messages", "metadata", "deposit", "title", "summary", "expedited"]);
  for (const k of Object.keys(json)) if (!known.has(k)) throw new UsageError(`proposal file: unknown field "${k}" (expected ${[...known].join(", ")})`);
  const str = (k: string, required: boolean) => {
    const v = json[k];
    if (v === undefined && !required) return "";
    if (typeof v !== "string") throw new UsageError(`proposal file: "${k}" must be a string`);
    return v;
  };
  const rawMessages = json.messages ?? [];
  if (!Array.isArray(rawMessages)) throw new UsageError(`proposal file: "messages" must be an array`);
  const messages = rawMessages.map((raw, i) => {
    if (typeof raw !== "object" || raw === null) throw new UsageError(`proposal file: messages[${i}] must be an object`);
    const { "@type": typeUrl, ...fields } = raw as Record<string, unknown>;
    if (typeof typeUrl !== "string") throw new UsageError(`proposal file: messages[${i}] needs "@type", e.g. "/cosmos.gov.v1.MsgUpdateParams"`);
    const type = registry.lookupType(typeUrl) as { fromJSON?: (o: unknown) => unknown } | undefined;
    if (!type?.fromJSON) throw new UsageError(`proposal file: messages[${i}]: unknown message type ${typeUrl}`);
    return { typeUrl, value: type.fromJSON(camelKeys(legacyDecs(typeUrl, fields, `messages[${i}]`))) };
  });
  const depositText = str("deposit", false);
  const expedited = json.expedited ?? false;
  if (typeof expedited !== "boolean") throw new UsageError(`proposal file: "expedited" must be true or false`);
  return {
    messages,
    metadata: str("metadata", false),
    deposit: depositText === "" ? [] : parseCoinsArg(depositText, "deposit"),
    title: str("title", true),
    summary: str("summary", true),
    expedited,
  };
}

/** Type URLs of each module's MsgUpdateParams, for draft-proposal. */
export const UPDATE_PARAMS_TYPES: Record<string, string> = {
  auth: "/cosmos.auth.v1beta1.MsgUpdateParams",
  bank: "/cosmos.bank.v1beta1.MsgUpdateParams",
  staking: "/cosmos.staking.v1beta1.MsgUpdateParams",
  slashing: "/cosmos.slashing.v1beta1.MsgUpdateParams",
  distribution: "/cosmos.distribution.v1beta1.MsgUpdateParams",
  gov: "/cosmos.gov.v1.MsgUpdateParams",
  epochs: "/blockai.epochs.v1.MsgUpdateParams",
  registry: "/blockai.registry.v1.MsgUpdateParams",
  metering: "/blockai.metering.v1.MsgUpdateParams",
  pow: "/blockai.pow.v1.MsgUpdateParams",
  scoring: "/blockai.scoring.v1.MsgUpdateParams",
  mint: "/blockai.mint.v1.MsgUpdateParams",
  rewards: "/blockai.rewards.v1.MsgUpdateParams",
};

/** A proposal file changing `module`'s parameters, filled with the genesis defaults to edit. */
export async function draftProposal(module: string): Promise<{ draft: Record<string, unknown>; routed: boolean }> {
  const typeUrl = UPDATE_PARAMS_TYPES[module];
  if (!typeUrl) throw new UsageError(`--module must be one of ${Object.keys(UPDATE_PARAMS_TYPES).join(", ")}, got "${module}"`);
  const { createModules } = await import("../../app/modules");
  const { modules } = createModules();
  const m = modules.find((x) => x.name === module);
  const defaults = (m?.defaultGenesis?.() ?? {}) as { params?: unknown };
  const routed = modules.some((x) => (x.msgs ?? []).some((h) => h.typeUrl === typeUrl));
  return {
    routed,
    draft: {
      messages: [{ "@type": typeUrl, authority: GOV_AUTHORITY, params: defaults.params ?? {} }],
      metadata: "",
      deposit: "10000000usoa",
      title: `Change ${module} parameters`,
      summary: `Sets the ${module} parameters to the values below, all of them: start from the current ones ('blockai query ${module} params'), not only the defaults shown here.`,
      expedited: false,
    },
  };
}

// ---- tx ---------------------------------------------------------------------------------------------

const submitProposal: Command = {
  name: "submit-proposal",
  summary: "submit a proposal from a JSON file in the SDK's shape (see draft-proposal)",
  usage: "FILE.json",
  nargs: [1, 1],
  flags: POS_TX_FLAGS,
  help:
    'The file: {"messages": [{"@type": "/cosmos.gov.v1.MsgUpdateParams", "authority": "<gov account>", "params": {...}}], ' +
    '"metadata": "", "deposit": "10000000usoa", "title": "...", "summary": "...", "expedited": false}. Every message must be ' +
    `signed by the gov account ${GOV_AUTHORITY} alone; 'blockai tx gov draft-proposal --module NAME' prints a template.`,
  async run(ctx) {
    txOptions(ctx);
    let text: string;
    try {
      text = fs.readFileSync(ctx.args[0], "utf8");
    } catch (e) {
      throw new UsageError(`cannot read ${ctx.args[0]}: ${(e as Error).message}`);
    }
    const p = readProposalFile(text, ctx.registry);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [
        {
          typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
          value: MsgSubmitProposal.fromPartial({
            messages: p.messages.map((m) => ({ typeUrl: m.typeUrl, value: ctx.registry.encode(m) })),
            initialDeposit: coinsToProto(p.deposit),
            proposer: sender,
            metadata: p.metadata,
            title: p.title,
            summary: p.summary,
            expedited: p.expedited,
          }),
        },
      ],
      summary: [["title", p.title], ["messages", p.messages.map((m) => m.typeUrl).join(", ") || "none (text proposal)"], ["deposit", formatCoinsHuman(p.deposit) || "none"]],
    });
  },
};

const deposit: Command = {
  name: "deposit",
  summary: "add to a proposal's deposit (it votes once min_deposit is reached)",
  usage: "PROPOSAL_ID AMOUNT",
  nargs: [2, 2],
  flags: POS_TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const id = idArg(ctx.args[0]);
    const amount = parseCoinsArg(ctx.args[1]);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [{ typeUrl: "/cosmos.gov.v1.MsgDeposit", value: MsgDeposit.fromPartial({ proposalId: id, depositor: sender, amount: coinsToProto(amount) }) }],
      summary: [["proposal", id.toString()], ["deposit", formatCoinsHuman(amount)]],
    });
  },
};

const METADATA_FLAG = { name: "metadata", value: "TEXT", description: "vote metadata (at most 255 bytes)" };

const vote: Command = {
  name: "vote",
  summary: "vote on a proposal in its voting period: yes, no, abstain or no_with_veto",
  usage: "PROPOSAL_ID OPTION",
  nargs: [2, 2],
  flags: [...POS_TX_FLAGS, METADATA_FLAG],
  async run(ctx) {
    txOptions(ctx);
    const id = idArg(ctx.args[0]);
    const option = optionArg(ctx.args[1]);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.fromPartial({ proposalId: id, voter: sender, option, metadata: ctx.flag("metadata") ?? "" }) }],
      summary: [["proposal", id.toString()], ["vote", optionName(option)]],
    });
  },
};

const weightedVote: Command = {
  name: "weighted-vote",
  summary: "split a vote between options, e.g. yes=0.6,no=0.4 (weights sum to 1)",
  usage: "PROPOSAL_ID OPTION=WEIGHT,...",
  nargs: [2, 2],
  flags: [...POS_TX_FLAGS, METADATA_FLAG],
  async run(ctx) {
    txOptions(ctx);
    const id = idArg(ctx.args[0]);
    const options = weightedOptionsArg(ctx.args[1]);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [{ typeUrl: "/cosmos.gov.v1.MsgVoteWeighted", value: MsgVoteWeighted.fromPartial({ proposalId: id, voter: sender, options, metadata: ctx.flag("metadata") ?? "" }) }],
      summary: [["proposal", id.toString()], ["vote", options.map((o) => `${optionName(o.option)} ${o.weight}`).join(", ")]],
    });
  },
};

const cancelProposal: Command = {
  name: "cancel-proposal",
  summary: "withdraw your own open proposal (proposal_cancel_ratio of its deposits is charged)",
  usage: "PROPOSAL_ID",
  nargs: [1, 1],
  flags: POS_TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const id = idArg(ctx.args[0]);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [{ typeUrl: "/cosmos.gov.v1.MsgCancelProposal", value: MsgCancelProposal.fromPartial({ proposalId: id, proposer: sender }) }],
      summary: [["cancel proposal", id.toString()]],
    });
  },
};

const draft: Command = {
  name: "draft-proposal",
  summary: "print a proposal file template changing a module's parameters (for submit-proposal)",
  flags: [{ name: "module", value: "NAME", description: `module whose MsgUpdateParams to draft: ${Object.keys(UPDATE_PARAMS_TYPES).join(", ")}` }],
  async run(ctx) {
    const module = ctx.flag("module");
    if (!module) throw new UsageError(`"${ctx.path}" needs --module NAME (one of ${Object.keys(UPDATE_PARAMS_TYPES).join(", ")})`);
    const { draft: d, routed } = await draftProposal(module);
    if (!routed) ctx.io.stderr.write(`warning: this binary does not route ${UPDATE_PARAMS_TYPES[module]} yet; a proposal carrying it is refused (gov/10)\n`);
    ctx.io.stdout.write(JSON.stringify(d, null, 2) + "\n");
  },
};

// ---- query ---------------------------------------------------------------------------------------------

const STATUS: Record<string, ProposalStatus> = {
  deposit_period: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
  voting_period: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD,
  passed: ProposalStatus.PROPOSAL_STATUS_PASSED,
  rejected: ProposalStatus.PROPOSAL_STATUS_REJECTED,
  failed: ProposalStatus.PROPOSAL_STATUS_FAILED,
};

const PAGE = { key: new Uint8Array(), offset: 0n, limit: 1000n, countTotal: false, reverse: false };

const proposals: Command = {
  name: "proposals",
  summary: "list proposals, optionally by status, voter or depositor",
  flags: [
    ...QUERY_FLAGS,
    { name: "status", value: "S", description: `one of ${Object.keys(STATUS).join(", ")}` },
    { name: "voter", value: "ADDRESS", description: "only proposals this address voted on (votes are kept until the tally)" },
    { name: "depositor", value: "ADDRESS", description: "only proposals this address deposited on" },
  ],
  async run(ctx) {
    const statusText = ctx.flag("status");
    const status = statusText === undefined ? 0 : STATUS[statusText.toLowerCase()];
    if (status === undefined) throw new UsageError(`--status must be one of ${Object.keys(STATUS).join(", ")}, got "${statusText}"`);
    const voter = ctx.flag("voter");
    const depositor = ctx.flag("depositor");
    if (voter) checkAddressArg(voter, "voter");
    if (depositor) checkAddressArg(depositor, "depositor");
    const r = await queryNode(ctx, GovQuery.Proposals, { proposalStatus: status, voter: voter ?? "", depositor: depositor ?? "", pagination: PAGE });
    const list = r.proposals.map(proposalJson);
    ctx.print(table(list.map((p) => [p.id, p.status.replace("PROPOSAL_STATUS_", ""), p.title, p.voting_end_time || p.deposit_end_time]), ["ID", "STATUS", "TITLE", "ENDS"]), { proposals: list });
  },
};

const proposal: Command = {
  name: "proposal",
  summary: "one proposal",
  usage: "PROPOSAL_ID",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const id = idArg(ctx.args[0]);
    const p = (await queryNode(ctx, GovQuery.Proposal, { proposalId: id })).proposal!;
    const j = proposalJson(p);
    ctx.print(
      keyValues([
        ["id", j.id],
        ["status", statusName(p.status)],
        ["title", j.title],
        ["proposer", j.proposer],
        ["messages", j.messages.join(", ") || "none"],
        ["total deposit", formatCoinsHuman(p.totalDeposit) || "none"],
        ["voting ends", j.voting_end_time || "(not voting)"],
        ...(j.failed_reason ? [["failed", j.failed_reason] as const] : []),
      ]),
      j,
    );
  },
};

const votes: Command = {
  name: "votes",
  summary: "the votes on a proposal (until its tally, which deletes them)",
  usage: "PROPOSAL_ID",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const id = idArg(ctx.args[0]);
    const r = await queryNode(ctx, GovQuery.Votes, { proposalId: id, pagination: PAGE });
    const list = r.votes.map(voteJson);
    ctx.print(table(r.votes.map((v) => [v.voter, v.options.map((o) => `${optionName(o.option)} ${o.weight}`).join(", ")]), ["VOTER", "VOTE"]), { votes: list });
  },
};

const tally: Command = {
  name: "tally",
  summary: "a proposal's tally: running in its voting period, final after",
  usage: "PROPOSAL_ID",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const id = idArg(ctx.args[0]);
    const t = (await queryNode(ctx, GovQuery.TallyResult, { proposalId: id })).tally!;
    const j = { yes: t.yesCount, abstain: t.abstainCount, no: t.noCount, no_with_veto: t.noWithVetoCount };
    ctx.print(keyValues(Object.entries(j).map(([k, v]) => [k.replace(/_/g, " "), v])), j);
  },
};

const params: Command = {
  name: "params",
  summary: "gov parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, GovQuery.Params, { paramsType: "" })).params!;
    const dur = (d: { seconds: bigint } | undefined) => `${d?.seconds ?? 0n}s`;
    const j = {
      min_deposit: p.minDeposit,
      max_deposit_period: dur(p.maxDepositPeriod),
      voting_period: dur(p.votingPeriod),
      quorum: p.quorum,
      threshold: p.threshold,
      veto_threshold: p.vetoThreshold,
      min_initial_deposit_ratio: p.minInitialDepositRatio,
      min_deposit_ratio: p.minDepositRatio,
      proposal_cancel_ratio: p.proposalCancelRatio,
      proposal_cancel_dest: p.proposalCancelDest,
      burn_vote_quorum: p.burnVoteQuorum,
      burn_proposal_deposit_prevote: p.burnProposalDepositPrevote,
      burn_vote_veto: p.burnVoteVeto,
    };
    ctx.print(keyValues(Object.entries(j).map(([k, v]) => [k.replace(/_/g, " "), Array.isArray(v) ? formatCoinsHuman(v) : String(v)])), j);
  },
};

export const govCli: ModuleCli = {
  name: "gov",
  summary: "proposals, deposits and votes: how parameters change and the community pool is spent",
  tx: [submitProposal, deposit, vote, weightedVote, cancelProposal, draft],
  query: [proposals, proposal, votes, tally, params],
  // Not in CosmJS's default registry: MsgCancelProposal (the other gov messages are), and the
  // messages only a proposal carries, so submit-proposal can encode them from a file.
  types: [
    ["/cosmos.gov.v1.MsgCancelProposal", MsgCancelProposal],
    ["/cosmos.staking.v1beta1.MsgUpdateParams", StakingMsgUpdateParams],
    ["/cosmos.slashing.v1beta1.MsgUpdateParams", SlashingMsgUpdateParams],
    ["/cosmos.distribution.v1beta1.MsgUpdateParams", DistributionMsgUpdateParams],
    ["/cosmos.distribution.v1beta1.MsgCommunityPoolSpend", MsgCommunityPoolSpend],
    ["/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", MsgSoftwareUpgrade],
    ["/cosmos.upgrade.v1beta1.MsgCancelUpgrade", MsgCancelUpgrade],
    // The other modules' MsgUpdateParams (auth, bank, epochs, mint and the rest): a module with no
    // CLI of its own still gets its draft read back.
    ...BLOCKAI_TYPES.filter(([url]) => url.endsWith(".MsgUpdateParams")),
  ],
};
