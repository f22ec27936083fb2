import {
  MsgCancelProposal,
  MsgCancelProposalResponse,
  MsgDeposit,
  MsgDepositResponse,
  MsgSubmitProposal,
  MsgSubmitProposalResponse,
  MsgUpdateParams,
  MsgVote,
  MsgVoteResponse,
  MsgVoteWeighted,
  MsgVoteWeightedResponse,
} from "cosmjs-types/cosmos/gov/v1/tx";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import * as v1beta1 from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { decodeAddress } from "../../types/address";
import { Coin, coinsFromProto } from "../../types/coins";
import { DEC_ONE, decFromProto, formatDec, parseDec } from "../../types/dec";
import { SdkErrors, toChainError } from "../../types/errors";
import { KV_GAS } from "../../framework/gas";
import type { Context, MsgHandler } from "../../framework/module";
import { updateParamsHandler } from "../../framework/params";
import { GovErrors } from "./errors";
import { GovAttributes, GovEvents } from "./events";
import { GovKeeper } from "./keeper";
import { GovParams, MAX_METADATA_LEN, MAX_PROPOSAL_MSGS, MAX_SUMMARY_LEN, MAX_TITLE_LEN, paramsFromProto, validateGovParams } from "./params";

export const GOV_TYPE_URLS = {
  MsgSubmitProposal: "/cosmos.gov.v1.MsgSubmitProposal",
  MsgDeposit: "/cosmos.gov.v1.MsgDeposit",
  MsgVote: "/cosmos.gov.v1.MsgVote",
  MsgVoteWeighted: "/cosmos.gov.v1.MsgVoteWeighted",
  MsgCancelProposal: "/cosmos.gov.v1.MsgCancelProposal",
  MsgUpdateParams: "/cosmos.gov.v1.MsgUpdateParams",
  LegacyMsgSubmitProposal: "/cosmos.gov.v1beta1.MsgSubmitProposal",
  LegacyMsgDeposit: "/cosmos.gov.v1beta1.MsgDeposit",
  LegacyMsgVote: "/cosmos.gov.v1beta1.MsgVote",
  LegacyMsgVoteWeighted: "/cosmos.gov.v1beta1.MsgVoteWeighted",
  TextProposal: "/cosmos.gov.v1beta1.TextProposal",
} as const;

const response = (typeUrl: string, value: Uint8Array) => ({ typeUrl: `${typeUrl}Response`, value });

function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Metadata, title and summary limits (the SDK's, from its default MaxMetadataLen of 255). */
export function checkTexts(t: { metadata?: string; title?: string; summary?: string }): void {
  if (t.metadata !== undefined && byteLength(t.metadata) > MAX_METADATA_LEN) {
    throw GovErrors.MetadataTooLong.wrap(`got metadata with length ${byteLength(t.metadata)}, limit ${MAX_METADATA_LEN}`);
  }
  if (t.title !== undefined && byteLength(t.title) > MAX_TITLE_LEN) {
    throw GovErrors.MetadataTooLong.wrap(`got title with length ${byteLength(t.title)}, limit ${MAX_TITLE_LEN}`);
  }
  if (t.summary !== undefined && byteLength(t.summary) > MAX_SUMMARY_LEN) {
    throw GovErrors.SummaryTooLong.wrap(`got summary with length ${byteLength(t.summary)}, limit ${MAX_SUMMARY_LEN}`);
  }
}

/** Deposit coins: valid, sorted, positive; `allowEmpty` for an initial deposit. */
function depositCoins(coins: ReadonlyArray<{ denom: string; amount: string }>, allowEmpty: boolean): Coin[] {
  const parsed = coinsFromProto(coins);
  if (parsed.length === 0 && !allowEmpty) throw SdkErrors.InvalidCoins.wrap("deposit amount must be positive");
  return parsed;
}

function validOption(option: number): boolean {
  return option >= VoteOption.VOTE_OPTION_YES && option <= VoteOption.VOTE_OPTION_NO_WITH_VETO;
}

/**
 * Weighted options, as the SDK validates MsgVoteWeighted: at least one, each a known option with a
 * weight in (0, 1], no option twice, weights summing to exactly 1. `weights` are already parsed.
 */
function checkWeighted(options: ReadonlyArray<{ option: number; weight: bigint }>): Array<{ option: VoteOption; weight: string }> {
  if (options.length === 0) throw SdkErrors.InvalidRequest.wrap("no vote options");
  const used = new Set<number>();
  let total = 0n;
  for (const o of options) {
    if (!validOption(o.option)) throw GovErrors.InvalidVote.wrap(`option ${o.option}`);
    if (o.weight <= 0n || o.weight > DEC_ONE) throw GovErrors.InvalidVote.wrap(`weight ${formatDec(o.weight)} of option ${VoteOption[o.option]} is not in (0, 1]`);
    if (used.has(o.option)) throw GovErrors.InvalidVote.wrap(`duplicated vote option ${VoteOption[o.option]}`);
    used.add(o.option);
    total += o.weight;
  }
  if (total > DEC_ONE) throw GovErrors.InvalidVote.wrap(`total weight overflow 1.00: ${formatDec(total)}`);
  if (total < DEC_ONE) throw GovErrors.InvalidVote.wrap(`total weight lower than 1.00: ${formatDec(total)}`);
  return options.map((o) => ({ option: o.option as VoteOption, weight: formatDec(o.weight) }));
}

function parseWeight(text: string, legacy: boolean): bigint {
  // v1 carries cosmos.Dec as a plain decimal ("0.5"); v1beta1 as LegacyDec's scaled integer.
  if (legacy) {
    const v = decFromProto(text);
    if (v === undefined) throw GovErrors.InvalidVote.wrap(`invalid weight: ${text}`);
    return v;
  }
  try {
    return parseDec(text);
  } catch {
    throw GovErrors.InvalidVote.wrap(`invalid weight: ${text}`);
  }
}

export function createMsgHandlers(keeper: GovKeeper): MsgHandler<any>[] {
  /**
   * A proposal's messages, checked at submission as the SDK does: a bounded number, each of a
   * type the app routes, signed by the gov authority alone, and passing its own stateless checks.
   */
  const checkMessages = (messages: readonly Any[]) => {
    if (messages.length > MAX_PROPOSAL_MSGS) throw GovErrors.InvalidProposalMsg.wrap(`a proposal carries at most ${MAX_PROPOSAL_MSGS} messages, got ${messages.length}`);
    messages.forEach((any, i) => {
      const handler = keeper.getRouter().get(any.typeUrl);
      if (!handler) throw GovErrors.UnroutableProposalMsg.wrap(`message ${i}: ${any.typeUrl}`);
      let msg: unknown;
      try {
        msg = handler.codec.decode(any.value);
      } catch (e) {
        throw GovErrors.InvalidProposalMsg.wrap(`message ${i} (${any.typeUrl}): ${(e as Error).message}`);
      }
      const signers = handler.signers(msg);
      if (signers.length !== 1 || signers[0] !== keeper.authority) {
        throw GovErrors.InvalidSigner.wrap(`message ${i} (${any.typeUrl}) is signed by ${signers.join(", ") || "nobody"}, not the gov authority ${keeper.authority}`);
      }
      try {
        handler.validateBasic(msg);
      } catch (e) {
        const err = toChainError(e);
        throw GovErrors.InvalidProposalMsg.wrap(`message ${i} (${any.typeUrl}): ${err.message} (${err.codespace}/${err.code})`);
      }
    });
  };

  /** The messages' state-dependent checks (e.g. a parameter change breaking an invariant), at submission. */
  const checkMessagesState = (ctx: Context, messages: readonly Any[]) => {
    messages.forEach((any, i) => {
      const handler = keeper.getRouter().get(any.typeUrl)!;
      try {
        handler.checkProposalMsg?.(ctx, handler.codec.decode(any.value));
      } catch (e) {
        const err = toChainError(e);
        throw GovErrors.InvalidProposalMsg.wrap(`message ${i} (${any.typeUrl}): ${err.message} (${err.codespace}/${err.code})`);
      }
    });
  };

  const submitBasic = (m: { proposer: string; title: string; summary: string; metadata: string; messages: readonly Any[]; initialDeposit: ReadonlyArray<{ denom: string; amount: string }>; expedited: boolean }) => {
    decodeAddress(m.proposer, "proposer address");
    if (m.title.trim() === "") throw GovErrors.InvalidProposalContent.wrap("proposal title cannot be empty");
    if (m.summary.trim() === "") throw GovErrors.InvalidProposalContent.wrap("proposal summary cannot be empty");
    checkTexts(m);
    depositCoins(m.initialDeposit, true);
    if (m.expedited) throw GovErrors.InvalidProposal.wrap("expedited proposals are not supported on this chain; submit with expedited=false");
    checkMessages(m.messages);
  };

  const submit = (ctx: Context, m: { proposer: string; title: string; summary: string; metadata: string; messages: Any[]; initialDeposit: ReadonlyArray<{ denom: string; amount: string }>; expedited: boolean }) => {
    const params = keeper.getParams(ctx.store);
    const deposit = depositCoins(m.initialDeposit, true);
    keeper.checkInitialDeposit(params, deposit, m.expedited);
    keeper.checkDepositDenoms(params, deposit);
    checkMessagesState(ctx, m.messages);
    const proposal = keeper.submitProposal(ctx, { messages: m.messages, metadata: m.metadata, title: m.title, summary: m.summary, proposer: m.proposer, expedited: m.expedited });
    // Storing the proposal costs its bytes three times over (the SDK charges this too): a large
    // proposal is written once but read by every query and by the tally.
    ctx.gasMeter.consume(3n * KV_GAS.writeCostPerByte * BigInt(byteLength(m.metadata) + byteLength(m.title) + byteLength(m.summary)), "submit proposal");
    const started = keeper.addDeposit(ctx, proposal.id, decodeAddress(m.proposer), deposit);
    if (started) ctx.events.emit(GovEvents.SubmitProposal, { [GovAttributes.VotingPeriodStart]: proposal.id.toString() });
    return proposal.id;
  };

  const deposit = (ctx: Context, id: bigint, depositor: string, amount: ReadonlyArray<{ denom: string; amount: string }>) => {
    const started = keeper.addDeposit(ctx, id, decodeAddress(depositor), depositCoins(amount, false));
    if (started) ctx.events.emit(GovEvents.ProposalDeposit, { [GovAttributes.VotingPeriodStart]: id.toString() });
  };

  const submitV1: MsgHandler<MsgSubmitProposal> = {
    typeUrl: GOV_TYPE_URLS.MsgSubmitProposal,
    codec: MsgSubmitProposal,
    signers: (m) => [m.proposer],
    validateBasic: (m) => submitBasic(m),
    execute(ctx, m) {
      const proposalId = submit(ctx, m);
      return response(GOV_TYPE_URLS.MsgSubmitProposal, MsgSubmitProposalResponse.encode({ proposalId }).finish());
    },
  };

  /** v1beta1: only a TextProposal (a proposal without messages), as older wallets send it. */
  const legacyContent = (m: v1beta1.MsgSubmitProposal) => {
    if (!m.content) throw GovErrors.InvalidProposalContent.wrap("missing content");
    if (m.content.typeUrl !== GOV_TYPE_URLS.TextProposal) {
      throw GovErrors.InvalidProposalType.wrap(`${m.content.typeUrl}: only ${GOV_TYPE_URLS.TextProposal} is accepted in a v1beta1 proposal; use cosmos.gov.v1.MsgSubmitProposal for messages`);
    }
    try {
      return TextProposal.decode(m.content.value);
    } catch (e) {
      throw GovErrors.InvalidProposalContent.wrap((e as Error).message);
    }
  };
  const legacyAsV1 = (m: v1beta1.MsgSubmitProposal) => {
    const text = legacyContent(m);
    return { proposer: m.proposer, title: text.title, summary: text.description, metadata: "", messages: [], initialDeposit: m.initialDeposit, expedited: false };
  };
  const submitV1beta1: MsgHandler<v1beta1.MsgSubmitProposal> = {
    typeUrl: GOV_TYPE_URLS.LegacyMsgSubmitProposal,
    codec: v1beta1.MsgSubmitProposal,
    signers: (m) => [m.proposer],
    validateBasic: (m) => submitBasic(legacyAsV1(m)),
    execute(ctx, m) {
      const proposalId = submit(ctx, legacyAsV1(m));
      return response(GOV_TYPE_URLS.LegacyMsgSubmitProposal, v1beta1.MsgSubmitProposalResponse.encode({ proposalId }).finish());
    },
  };

  const depositV1: MsgHandler<MsgDeposit> = {
    typeUrl: GOV_TYPE_URLS.MsgDeposit,
    codec: MsgDeposit,
    signers: (m) => [m.depositor],
    validateBasic(m) {
      decodeAddress(m.depositor, "depositor address");
      depositCoins(m.amount, false);
    },
    execute(ctx, m) {
      deposit(ctx, m.proposalId, m.depositor, m.amount);
      return response(GOV_TYPE_URLS.MsgDeposit, MsgDepositResponse.encode({}).finish());
    },
  };
  const depositV1beta1: MsgHandler<v1beta1.MsgDeposit> = {
    typeUrl: GOV_TYPE_URLS.LegacyMsgDeposit,
    codec: v1beta1.MsgDeposit,
    signers: (m) => [m.depositor],
    validateBasic: (m) => depositV1.validateBasic({ ...m }),
    execute(ctx, m) {
      deposit(ctx, m.proposalId, m.depositor, m.amount);
      return response(GOV_TYPE_URLS.LegacyMsgDeposit, v1beta1.MsgDepositResponse.encode({}).finish());
    },
  };

  const single = (option: number) => {
    if (!validOption(option)) throw GovErrors.InvalidVote.wrap(`option ${option}`);
    return [{ option: option as VoteOption, weight: formatDec(DEC_ONE) }];
  };

  const voteV1: MsgHandler<MsgVote> = {
    typeUrl: GOV_TYPE_URLS.MsgVote,
    codec: MsgVote,
    signers: (m) => [m.voter],
    validateBasic(m) {
      decodeAddress(m.voter, "voter address");
      single(m.option);
      checkTexts({ metadata: m.metadata });
    },
    execute(ctx, m) {
      keeper.addVote(ctx, m.proposalId, decodeAddress(m.voter), single(m.option), m.metadata);
      return response(GOV_TYPE_URLS.MsgVote, MsgVoteResponse.encode({}).finish());
    },
  };
  const voteV1beta1: MsgHandler<v1beta1.MsgVote> = {
    typeUrl: GOV_TYPE_URLS.LegacyMsgVote,
    codec: v1beta1.MsgVote,
    signers: (m) => [m.voter],
    validateBasic(m) {
      decodeAddress(m.voter, "voter address");
      single(m.option);
    },
    execute(ctx, m) {
      keeper.addVote(ctx, m.proposalId, decodeAddress(m.voter), single(m.option), "");
      return response(GOV_TYPE_URLS.LegacyMsgVote, v1beta1.MsgVoteResponse.encode({}).finish());
    },
  };

  const weighted = (options: ReadonlyArray<{ option: number; weight: string }>, legacy: boolean) =>
    checkWeighted(options.map((o) => ({ option: o.option, weight: parseWeight(o.weight, legacy) })));

  const voteWeightedV1: MsgHandler<MsgVoteWeighted> = {
    typeUrl: GOV_TYPE_URLS.MsgVoteWeighted,
    codec: MsgVoteWeighted,
    signers: (m) => [m.voter],
    validateBasic(m) {
      decodeAddress(m.voter, "voter address");
      weighted(m.options, false);
      checkTexts({ metadata: m.metadata });
    },
    execute(ctx, m) {
      keeper.addVote(ctx, m.proposalId, decodeAddress(m.voter), weighted(m.options, false), m.metadata);
      return response(GOV_TYPE_URLS.MsgVoteWeighted, MsgVoteWeightedResponse.encode({}).finish());
    },
  };
  const voteWeightedV1beta1: MsgHandler<v1beta1.MsgVoteWeighted> = {
    typeUrl: GOV_TYPE_URLS.LegacyMsgVoteWeighted,
    codec: v1beta1.MsgVoteWeighted,
    signers: (m) => [m.voter],
    validateBasic(m) {
      decodeAddress(m.voter, "voter address");
      weighted(m.options, true);
    },
    execute(ctx, m) {
      keeper.addVote(ctx, m.proposalId, decodeAddress(m.voter), weighted(m.options, true), "");
      return response(GOV_TYPE_URLS.LegacyMsgVoteWeighted, v1beta1.MsgVoteWeightedResponse.encode({}).finish());
    },
  };

  const cancel: MsgHandler<MsgCancelProposal> = {
    typeUrl: GOV_TYPE_URLS.MsgCancelProposal,
    codec: MsgCancelProposal,
    signers: (m) => [m.proposer],
    validateBasic(m) {
      decodeAddress(m.proposer, "proposer address");
    },
    execute(ctx, m) {
      keeper.cancelProposal(ctx, m.proposalId, m.proposer);
      const canceledTime = { seconds: ctx.block.timeNs / 1_000_000_000n, nanos: Number(ctx.block.timeNs % 1_000_000_000n) };
      return response(
        GOV_TYPE_URLS.MsgCancelProposal,
        MsgCancelProposalResponse.encode({ proposalId: m.proposalId, canceledTime, canceledHeight: BigInt(ctx.block.height) }).finish(),
      );
    },
  };

  const updateParams = updateParamsHandler<MsgUpdateParams, GovParams>({
    typeUrl: GOV_TYPE_URLS.MsgUpdateParams,
    codec: MsgUpdateParams,
    authority: keeper.authority,
    read(m) {
      if (!m.params) throw new Error("params must be set");
      const p = paramsFromProto(m.params);
      validateGovParams(p);
      return p;
    },
    checkState: (_ctx, p) => keeper.checkParamsState(p),
    set: (ctx, p) => keeper.setParams(ctx.store, p),
  });

  return [submitV1, depositV1, voteV1, voteWeightedV1, cancel, updateParams, submitV1beta1, depositV1beta1, voteV1beta1, voteWeightedV1beta1];
}
