import { Proposal, ProposalStatus, TallyResult, Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import * as beta from "cosmjs-types/cosmos/gov/v1beta1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { decodeAddress } from "../../types/address";
import { concatBytes } from "../../types/bytes";
import { decToProto, decToProtoBytes, parseDec } from "../../types/dec";
import { SdkErrors } from "../../types/errors";
import type { QueryContext, QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { KVStore, PrefixStore } from "../../store/kv";
import { GovKeeper } from "./keeper";
import { GOV_STORE_PREFIX, PROPOSAL_PREFIX, depositsPrefix, votesPrefix } from "./keys";
import { GOV_TYPE_URLS } from "./msg-server";
import { paramsToProto } from "./params";
import { GovQuery, GovQueryV1beta1 } from "./service";

/** Go's zero time, which the SDK's non-nullable v1beta1 timestamps show for "not set". */
const ZERO_TIME = { seconds: -62_135_596_800n, nanos: 0 };
const EMPTY_TALLY: TallyResult = { yesCount: "0", abstainCount: "0", noCount: "0", noWithVetoCount: "0" };

const pageResponse = (p: { nextKey: Uint8Array; total: bigint }) => ({ nextKey: p.nextKey, total: p.total });

export function createQueryHandlers(keeper: GovKeeper): QueryHandler[] {
  const view = (root: KVStore, prefix: Uint8Array) => new PrefixStore(root, concatBytes(GOV_STORE_PREFIX, prefix));

  const proposals = (ctx: QueryContext, req: { proposalStatus: number; voter: string; depositor: string; pagination?: PageRequest }) => {
    const voter = req.voter === "" ? undefined : decodeAddress(req.voter, "voter");
    const depositor = req.depositor === "" ? undefined : decodeAddress(req.depositor, "depositor");
    if (req.proposalStatus < 0 || req.proposalStatus > ProposalStatus.PROPOSAL_STATUS_FAILED) {
      throw SdkErrors.InvalidRequest.wrap(`unknown proposal status ${req.proposalStatus}`);
    }
    const filtered = req.proposalStatus !== 0 || voter !== undefined || depositor !== undefined;
    return paginate(view(ctx.store, Uint8Array.of(PROPOSAL_PREFIX)), new Uint8Array(), undefined, req.pagination, (_k, v) => Proposal.decode(v), {
      filter: filtered
        ? (p) =>
            (req.proposalStatus === 0 || p.status === req.proposalStatus) &&
            (voter === undefined || keeper.getVote(ctx.store, p.id, voter) !== undefined) &&
            (depositor === undefined || keeper.getDeposit(ctx.store, p.id, depositor) !== undefined)
        : undefined,
    });
  };

  const mustVote = (ctx: QueryContext, id: bigint, voterText: string): Vote => {
    keeper.mustGetProposal(ctx.store, id);
    const vote = keeper.getVote(ctx.store, id, decodeAddress(voterText, "voter"));
    if (!vote) throw SdkErrors.NotFound.wrap(`voter: ${voterText} not found for proposal: ${id}`);
    return vote;
  };

  const mustDeposit = (ctx: QueryContext, id: bigint, depositorText: string) => {
    keeper.mustGetProposal(ctx.store, id);
    const deposit = keeper.getDeposit(ctx.store, id, decodeAddress(depositorText, "depositor"));
    if (!deposit) throw SdkErrors.NotFound.wrap(`depositer: ${depositorText} not found for proposal: ${id}`);
    return deposit;
  };

  const votes = (ctx: QueryContext, id: bigint, pagination: PageRequest | undefined) => {
    keeper.mustGetProposal(ctx.store, id);
    return paginate(view(ctx.store, votesPrefix(id)), new Uint8Array(), undefined, pagination, (_k, v) => Vote.decode(v));
  };

  const deposits = (ctx: QueryContext, id: bigint, pagination: PageRequest | undefined) => {
    keeper.mustGetProposal(ctx.store, id);
    return paginate(view(ctx.store, depositsPrefix(id)), new Uint8Array(), undefined, pagination, (_k, v) => beta.Deposit.decode(v));
  };

  /** The running tally during the voting period; the final one after; zeros before. */
  const tallyOf = (ctx: QueryContext, id: bigint): TallyResult => {
    const p = keeper.mustGetProposal(ctx.store, id);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) return EMPTY_TALLY;
    if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      const r = keeper.tally(ctx.store, p).result;
      return { yesCount: r.yes.toString(), abstainCount: r.abstain.toString(), noCount: r.no.toString(), noWithVetoCount: r.noWithVeto.toString() };
    }
    return p.finalTallyResult ?? EMPTY_TALLY;
  };

  const checkParamsType = (t: string) => {
    if (t !== "" && t !== "voting" && t !== "deposit" && t !== "tallying") throw SdkErrors.InvalidRequest.wrap(`${t} is not a valid parameter type`);
  };

  // ---- v1beta1 views ----
  const betaTally = (t: TallyResult): beta.TallyResult => ({ yes: t.yesCount, abstain: t.abstainCount, no: t.noCount, noWithVeto: t.noWithVetoCount });
  /**
   * A v1beta1 proposal has one content: a one-message proposal shows its message, any other (a
   * text proposal, or several messages) a TextProposal of its title and summary.
   */
  const contentOf = (p: Proposal): Any =>
    p.messages.length === 1
      ? p.messages[0]
      : { typeUrl: GOV_TYPE_URLS.TextProposal, value: beta.TextProposal.encode({ title: p.title, description: p.summary }).finish() };
  const betaProposal = (p: Proposal): beta.Proposal => ({
    proposalId: p.id,
    content: contentOf(p),
    status: p.status as number as beta.ProposalStatus,
    finalTallyResult: betaTally(p.finalTallyResult ?? EMPTY_TALLY),
    submitTime: p.submitTime ?? ZERO_TIME,
    depositEndTime: p.depositEndTime ?? ZERO_TIME,
    totalDeposit: p.totalDeposit,
    votingStartTime: p.votingStartTime ?? ZERO_TIME,
    votingEndTime: p.votingEndTime ?? ZERO_TIME,
  });
  const betaVote = (v: Vote): beta.Vote => ({
    proposalId: v.proposalId,
    voter: v.voter,
    option: v.options.length === 1 ? (v.options[0].option as number as beta.VoteOption) : beta.VoteOption.VOTE_OPTION_UNSPECIFIED,
    options: v.options.map((o) => ({ option: o.option as number as beta.VoteOption, weight: decToProto(parseDec(o.weight)) })),
  });

  return [
    ...serveQueries(GovQuery, {
      Constitution: () => ({ constitution: "" }),
      Proposal: (ctx, req) => ({ proposal: keeper.mustGetProposal(ctx.store, req.proposalId) }),
      Proposals(ctx, req) {
        const { items, pagination } = proposals(ctx, req);
        return { proposals: items, pagination: pageResponse(pagination) };
      },
      Vote: (ctx, req) => ({ vote: mustVote(ctx, req.proposalId, req.voter) }),
      Votes(ctx, req) {
        const { items, pagination } = votes(ctx, req.proposalId, req.pagination);
        return { votes: items, pagination: pageResponse(pagination) };
      },
      Params(ctx, req) {
        checkParamsType(req.paramsType);
        const p = paramsToProto(keeper.getParams(ctx.store));
        return {
          params: p,
          votingParams: req.paramsType === "voting" ? { votingPeriod: p.votingPeriod } : undefined,
          depositParams: req.paramsType === "deposit" ? { minDeposit: p.minDeposit, maxDepositPeriod: p.maxDepositPeriod } : undefined,
          tallyParams: req.paramsType === "tallying" ? { quorum: p.quorum, threshold: p.threshold, vetoThreshold: p.vetoThreshold } : undefined,
        };
      },
      Deposit: (ctx, req) => ({ deposit: mustDeposit(ctx, req.proposalId, req.depositor) }),
      Deposits(ctx, req) {
        const { items, pagination } = deposits(ctx, req.proposalId, req.pagination);
        return { deposits: items, pagination: pageResponse(pagination) };
      },
      TallyResult: (ctx, req) => ({ tally: tallyOf(ctx, req.proposalId) }),
    }),
    ...serveQueries(GovQueryV1beta1, {
      Proposal: (ctx, req) => ({ proposal: betaProposal(keeper.mustGetProposal(ctx.store, req.proposalId)) }),
      Proposals(ctx, req) {
        const { items, pagination } = proposals(ctx, req);
        return { proposals: items.map(betaProposal), pagination: pageResponse(pagination) };
      },
      Vote: (ctx, req) => ({ vote: betaVote(mustVote(ctx, req.proposalId, req.voter)) }),
      Votes(ctx, req) {
        const { items, pagination } = votes(ctx, req.proposalId, req.pagination);
        return { votes: items.map(betaVote), pagination: pageResponse(pagination) };
      },
      Params(ctx, req) {
        checkParamsType(req.paramsType);
        const p = keeper.getParams(ctx.store);
        const proto = paramsToProto(p);
        return {
          votingParams: { votingPeriod: proto.votingPeriod! },
          depositParams: { minDeposit: proto.minDeposit, maxDepositPeriod: proto.maxDepositPeriod! },
          tallyParams: { quorum: decToProtoBytes(p.quorum), threshold: decToProtoBytes(p.threshold), vetoThreshold: decToProtoBytes(p.vetoThreshold) },
        };
      },
      Deposit: (ctx, req) => ({ deposit: mustDeposit(ctx, req.proposalId, req.depositor) }),
      Deposits(ctx, req) {
        const { items, pagination } = deposits(ctx, req.proposalId, req.pagination);
        return { deposits: items, pagination: pageResponse(pagination) };
      },
      TallyResult: (ctx, req) => ({ tally: betaTally(tallyOf(ctx, req.proposalId)) }),
    }),
  ];
}

