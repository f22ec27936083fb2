import { Deposit, Params as ProtoParams, Proposal, ProposalStatus, Vote, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { decodeAddress, encodeAddress, moduleAddress } from "../../types/address";
import { Coin, addCoins, coinsFromProto, coinsToProto, formatCoins } from "../../types/coins";
import { ChainError, toChainError } from "../../types/errors";
import { DEC_ONE, Dec, parseDec } from "../../types/dec";
import { readU64be, u64be } from "../../types/bytes";
import { EventManager } from "../../framework/events";
import { GasMeter } from "../../framework/gas";
import type { Context, MsgHandler } from "../../framework/module";
import { KVStore, PrefixStore, prefixEnd } from "../../store/kv";
import { GovErrors } from "./errors";
import { GovAttributes, GovEvents, GovResults } from "./events";
import type { GovAccountKeeper, GovBankKeeper, GovCommunityPool, GovStakingKeeper } from "./expected-keepers";
import * as K from "./keys";
import { DEFAULT_GOV_PARAMS, GovParams, paramsFromProto, paramsToProto } from "./params";
import { TallyOption, TallyOutcome, TallyVote, WeightedOption, tally } from "./tally";

/** The gov module account: holds deposits, and is the authority that proposal messages run as. */
export const GOV_MODULE = "gov";
export const DISTRIBUTION_MODULE_NAME = "distribution";
const NS_PER_S = 1_000_000_000n;

export const nsToTimestamp = (ns: bigint) => ({ seconds: ns / NS_PER_S, nanos: Number(ns % NS_PER_S) });
export const timestampToNs = (t: { seconds: bigint; nanos: number } | undefined) => (t ? t.seconds * NS_PER_S + BigInt(t.nanos) : 0n);

/** amount x ratio, truncated to an integer (the SDK's Int.ToLegacyDec().Mul(ratio).TruncateInt()). */
const mulTruncate = (amount: bigint, ratio: Dec) => (amount * ratio) / DEC_ONE;

const hexKey = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A store that can run work on a branch and keep it or drop it (the block's StoreBranch). */
interface Branchable extends KVStore {
  branch(): KVStore & { write(): void };
}

function isBranchable(store: KVStore): store is Branchable {
  return typeof (store as Partial<Branchable>).branch === "function";
}

export type MsgRouter = ReadonlyMap<string, MsgHandler<unknown>>;

export interface NewProposal {
  messages: Any[];
  metadata: string;
  title: string;
  summary: string;
  proposer: string;
  expedited: boolean;
}

/** Weighted options from a proposal vote, validated (as the SDK's ValidWeightedVoteOption). */
export function toTallyOptions(options: ReadonlyArray<{ option: VoteOption; weight: string }>): WeightedOption[] {
  return options.map((o) => ({ option: o.option as number as TallyOption, weight: parseDec(o.weight, "weight") }));
}

export class GovKeeper {
  private router: MsgRouter = new Map();

  constructor(
    private readonly bank: GovBankKeeper,
    private readonly accounts: GovAccountKeeper,
    private readonly staking: GovStakingKeeper,
    private readonly communityPool: GovCommunityPool,
  ) {}

  /** The app's message router: proposal messages are checked against it and executed through it. */
  setRouter(router: MsgRouter): void {
    this.router = router;
  }

  getRouter(): MsgRouter {
    return this.router;
  }

  /** The authority address: the only signer a proposal message may have. */
  readonly authority = encodeAddress(moduleAddress(GOV_MODULE));

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, K.GOV_STORE_PREFIX);
  }

  // ---- params ------------------------------------------------------------------------------------

  getParams(root: KVStore): GovParams {
    const raw = this.store(root).get(K.PARAMS_KEY);
    return raw ? paramsFromProto(ProtoParams.decode(raw)) : DEFAULT_GOV_PARAMS;
  }

  setParams(root: KVStore, p: GovParams): void {
    this.store(root).set(K.PARAMS_KEY, ProtoParams.encode(paramsToProto(p)).finish());
  }

  /** Checks of params that need the state: a cancellation charge may not go to a blocked account but the community pool. */
  checkParamsState(p: GovParams): void {
    if (p.proposalCancelDest === "") return;
    const dest = decodeAddress(p.proposalCancelDest, "proposal_cancel_dest");
    if (this.bank.isBlocked(dest) && hexKey(dest) !== hexKey(moduleAddress(DISTRIBUTION_MODULE_NAME))) {
      throw GovErrors.InvalidProposal.wrap(`proposal_cancel_dest ${p.proposalCancelDest} is a module account that may not receive funds`);
    }
  }

  // ---- proposals ---------------------------------------------------------------------------------

  getProposal(root: KVStore, id: bigint): Proposal | undefined {
    const raw = this.store(root).get(K.proposalKey(id));
    return raw ? Proposal.decode(raw) : undefined;
  }

  mustGetProposal(root: KVStore, id: bigint): Proposal {
    const p = this.getProposal(root, id);
    if (!p) throw GovErrors.UnknownProposal.wrap(`proposal ${id} doesn't exist`);
    return p;
  }

  setProposal(root: KVStore, p: Proposal): void {
    this.store(root).set(K.proposalKey(p.id), Proposal.encode(p).finish());
  }

  allProposals(root: KVStore): Proposal[] {
    return this.store(root)
      .range(Uint8Array.of(K.PROPOSAL_PREFIX), Uint8Array.of(K.PROPOSAL_PREFIX + 1))
      .map(([, v]) => Proposal.decode(v));
  }

  getNextProposalId(root: KVStore): bigint {
    const raw = this.store(root).get(K.NEXT_PROPOSAL_ID_KEY);
    return raw ? readU64be(raw) : 1n;
  }

  setNextProposalId(root: KVStore, id: bigint): void {
    this.store(root).set(K.NEXT_PROPOSAL_ID_KEY, u64be(id));
  }

  /** Creates a proposal in its deposit period (messages already checked by the message server). */
  submitProposal(ctx: Context, p: NewProposal): Proposal {
    const params = this.getParams(ctx.store);
    const id = this.getNextProposalId(ctx.store);
    const now = ctx.block.timeNs;
    const depositEnd = now + params.maxDepositPeriodNs;
    const proposal: Proposal = {
      id,
      messages: p.messages,
      status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
      finalTallyResult: { yesCount: "0", abstainCount: "0", noCount: "0", noWithVetoCount: "0" },
      submitTime: nsToTimestamp(now),
      depositEndTime: nsToTimestamp(depositEnd),
      totalDeposit: [],
      votingStartTime: undefined,
      votingEndTime: undefined,
      metadata: p.metadata,
      title: p.title,
      summary: p.summary,
      proposer: p.proposer,
      expedited: p.expedited,
      failedReason: "",
    };
    this.setProposal(ctx.store, proposal);
    this.store(ctx.store).set(K.queueKey(K.INACTIVE_QUEUE_PREFIX, depositEnd, id), K.QUEUE_VALUE);
    this.setNextProposalId(ctx.store, id + 1n);
    ctx.events.emit(GovEvents.SubmitProposal, {
      [GovAttributes.ProposalId]: id.toString(),
      [GovAttributes.ProposalMessages]: p.messages.map((m) => `,${m.typeUrl}`).join(""),
    });
    return proposal;
  }

  /** Removes a proposal and its queue entries (not its deposits or votes). */
  private deleteProposal(root: KVStore, p: Proposal): void {
    const s = this.store(root);
    if (p.depositEndTime) s.delete(K.queueKey(K.INACTIVE_QUEUE_PREFIX, timestampToNs(p.depositEndTime), p.id));
    if (p.votingEndTime) s.delete(K.queueKey(K.ACTIVE_QUEUE_PREFIX, timestampToNs(p.votingEndTime), p.id));
    s.delete(K.proposalKey(p.id));
  }

  minDepositOf(params: GovParams, p: { expedited: boolean }): Coin[] {
    return p.expedited ? params.expeditedMinDeposit : params.minDeposit;
  }

  /** Every deposited denom must be one min_deposit names (the SDK's validateDepositDenom). */
  checkDepositDenoms(params: GovParams, coins: readonly Coin[]): void {
    const accepted = params.minDeposit.map((c) => c.denom);
    for (const c of coins) {
      if (!accepted.includes(c.denom)) {
        throw GovErrors.InvalidDepositDenom.wrap(`deposited ${formatCoins(coins)}, but gov accepts only the following denom(s): [${accepted.join(" ")}]`);
      }
    }
  }

  /** min_initial_deposit_ratio of the minimum deposit, at submission. */
  checkInitialDeposit(params: GovParams, coins: readonly Coin[], expedited: boolean): void {
    if (params.minInitialDepositRatio === 0n) return;
    const required = this.minDepositOf(params, { expedited })
      .map((c) => ({ denom: c.denom, amount: mulTruncate(c.amount, params.minInitialDepositRatio) }))
      .filter((c) => c.amount > 0n);
    const ok = required.every((r) => (coins.find((c) => c.denom === r.denom)?.amount ?? 0n) >= r.amount);
    if (!ok) throw GovErrors.MinDepositTooSmall.wrap(`was (${formatCoins(coins)}), need (${formatCoins(required)})`);
  }

  // ---- deposits ----------------------------------------------------------------------------------

  getDeposit(root: KVStore, id: bigint, depositor: Uint8Array): Deposit | undefined {
    const raw = this.store(root).get(K.depositKey(id, depositor));
    return raw ? Deposit.decode(raw) : undefined;
  }

  deposits(root: KVStore, id: bigint): Array<{ depositor: Uint8Array; deposit: Deposit }> {
    const prefix = K.depositsPrefix(id);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k, v]) => ({ depositor: Uint8Array.from(k.subarray(prefix.length + 1)), deposit: Deposit.decode(v) }));
  }

  /**
   * Adds a deposit (the SDK's AddDeposit); returns whether it started the voting period. The
   * coins move into the gov module account.
   */
  addDeposit(ctx: Context, id: bigint, depositor: Uint8Array, coins: readonly Coin[]): boolean {
    const proposal = this.mustGetProposal(ctx.store, id);
    if (proposal.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && proposal.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      throw GovErrors.InactiveProposal.wrap(`${id}`);
    }
    const params = this.getParams(ctx.store);
    this.checkDepositDenoms(params, coins);
    const minDeposit = this.minDepositOf(params, proposal);
    // A deposit must be at least min_deposit_ratio of the minimum deposit in one denom: this stops
    // dust deposits that would each cost a write and a refund.
    if (params.minDepositRatio !== 0n) {
      const thresholds = minDeposit.map((c) => ({ denom: c.denom, amount: mulTruncate(c.amount, params.minDepositRatio) }));
      const met = thresholds.some((t) => {
        const d = coins.find((c) => c.denom === t.denom);
        return d !== undefined && d.amount >= t.amount;
      });
      if (!met) {
        throw GovErrors.MinDepositTooSmall.wrap(`received ${formatCoins(coins) || "nothing"} but need at least one of the following: ${thresholds.map((t) => `${t.amount}${t.denom}`).join(",")}`);
      }
    }
    this.bank.sendToModule(ctx.store, ctx.events, depositor, GOV_MODULE, coins);
    const total = addCoins(coinsFromProto(proposal.totalDeposit), coins);
    proposal.totalDeposit = coinsToProto(total);
    let activated = false;
    if (proposal.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && minDeposit.every((m) => (total.find((c) => c.denom === m.denom)?.amount ?? 0n) >= m.amount)) {
      this.activateVotingPeriod(ctx, proposal);
      activated = true;
    } else {
      this.setProposal(ctx.store, proposal);
    }
    const prev = this.getDeposit(ctx.store, id, depositor);
    const amount = addCoins(prev ? coinsFromProto(prev.amount) : [], coins);
    const depositorText = encodeAddress(depositor);
    this.store(ctx.store).set(K.depositKey(id, depositor), Deposit.encode({ proposalId: id, depositor: depositorText, amount: coinsToProto(amount) }).finish());
    ctx.events.emit(GovEvents.ProposalDeposit, {
      [GovAttributes.Amount]: formatCoins(coins),
      [GovAttributes.ProposalId]: id.toString(),
      [GovAttributes.Depositor]: depositorText,
    });
    return activated;
  }

  private activateVotingPeriod(ctx: Context, proposal: Proposal): void {
    const params = this.getParams(ctx.store);
    const start = ctx.block.timeNs;
    const end = start + (proposal.expedited ? params.expeditedVotingPeriodNs : params.votingPeriodNs);
    const s = this.store(ctx.store);
    if (proposal.depositEndTime) s.delete(K.queueKey(K.INACTIVE_QUEUE_PREFIX, timestampToNs(proposal.depositEndTime), proposal.id));
    proposal.votingStartTime = nsToTimestamp(start);
    proposal.votingEndTime = nsToTimestamp(end);
    proposal.status = ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD;
    this.setProposal(ctx.store, proposal);
    s.set(K.queueKey(K.ACTIVE_QUEUE_PREFIX, end, proposal.id), K.QUEUE_VALUE);
  }

  private refundAndDeleteDeposits(ctx: Context, id: bigint): void {
    for (const { depositor, deposit } of this.deposits(ctx.store, id)) {
      const coins = coinsFromProto(deposit.amount);
      if (coins.length > 0) this.bank.sendFromModule(ctx.store, ctx.events, GOV_MODULE, depositor, coins);
      this.store(ctx.store).delete(K.depositKey(id, depositor));
    }
  }

  private deleteAndBurnDeposits(ctx: Context, id: bigint): void {
    const all: Coin[][] = [];
    for (const { depositor, deposit } of this.deposits(ctx.store, id)) {
      all.push(coinsFromProto(deposit.amount));
      this.store(ctx.store).delete(K.depositKey(id, depositor));
    }
    const total = addCoins(...all);
    if (total.length > 0) this.bank.burn(ctx.store, ctx.events, GOV_MODULE, total);
  }

  /** Sum of every deposit held (what the gov module account must at least hold). */
  depositsHeld(root: KVStore): Coin[] {
    const lists = this.store(root)
      .range(Uint8Array.of(K.DEPOSIT_PREFIX), Uint8Array.of(K.DEPOSIT_PREFIX + 1))
      .map(([, v]) => coinsFromProto(Deposit.decode(v).amount));
    return addCoins(...lists);
  }

  // ---- votes -------------------------------------------------------------------------------------

  getVote(root: KVStore, id: bigint, voter: Uint8Array): Vote | undefined {
    const raw = this.store(root).get(K.voteKey(id, voter));
    return raw ? Vote.decode(raw) : undefined;
  }

  votes(root: KVStore, id: bigint): Array<{ voter: Uint8Array; vote: Vote }> {
    const prefix = K.votesPrefix(id);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k, v]) => ({ voter: Uint8Array.from(k.subarray(prefix.length + 1)), vote: Vote.decode(v) }));
  }

  /** Records a vote (replacing an earlier one of the same voter); options already validated. */
  addVote(ctx: Context, id: bigint, voter: Uint8Array, options: Array<{ option: VoteOption; weight: string }>, metadata: string): void {
    const proposal = this.mustGetProposal(ctx.store, id);
    if (proposal.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) throw GovErrors.InactiveProposal.wrap(`${id}`);
    const voterText = encodeAddress(voter);
    this.store(ctx.store).set(K.voteKey(id, voter), Vote.encode({ proposalId: id, voter: voterText, options, metadata }).finish());
    ctx.events.emit(GovEvents.ProposalVote, {
      [GovAttributes.Voter]: voterText,
      [GovAttributes.Option]: options.map((o) => `option:${VoteOption[o.option]} weight:"${o.weight}"`).join("\n"),
      [GovAttributes.ProposalId]: id.toString(),
    });
  }

  // ---- tally ---------------------------------------------------------------------------------------

  tally(root: KVStore, proposal: Proposal): TallyOutcome {
    const params = this.getParams(root);
    const validators = this.staking.bondedValidators(root).map((v) => ({ operator: hexKey(v.operator), bondedTokens: v.tokens, delegatorShares: v.delegatorShares }));
    const votes: TallyVote[] = this.votes(root, proposal.id).map(({ voter, vote }) => ({
      voter: hexKey(voter),
      options: toTallyOptions(vote.options),
      delegations: this.staking.delegatorDelegations(root, voter).map((d) => ({ validator: hexKey(d.validator), shares: d.shares })),
    }));
    const threshold = proposal.expedited ? params.expeditedThreshold : params.threshold;
    return tally(validators, votes, this.staking.poolBalances(root).bonded, { ...params, threshold });
  }

  // ---- cancel --------------------------------------------------------------------------------------

  /** MsgCancelProposal: the proposer withdraws it; proposal_cancel_ratio of each deposit is charged. */
  cancelProposal(ctx: Context, id: bigint, proposer: string): void {
    const proposal = this.mustGetProposal(ctx.store, id);
    if (proposal.proposer === "") throw GovErrors.InvalidProposal.wrap(`proposal ${id} doesn't have proposer, so cannot be canceled`);
    if (proposal.proposer !== proposer) throw GovErrors.InvalidProposer.wrap(`invalid proposer ${proposer}`);
    if (proposal.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && proposal.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      throw GovErrors.InvalidProposal.wrap("proposal should be in the deposit or voting period");
    }
    if (proposal.votingEndTime && timestampToNs(proposal.votingEndTime) < ctx.block.timeNs) {
      throw GovErrors.VotingPeriodEnded.wrap(`voting period is already ended for this proposal ${id}`);
    }
    const params = this.getParams(ctx.store);
    const charges: Coin[][] = [];
    for (const { depositor, deposit } of this.deposits(ctx.store, id)) {
      const coins = coinsFromProto(deposit.amount);
      const charge = coins.map((c) => ({ denom: c.denom, amount: mulTruncate(c.amount, params.proposalCancelRatio) }));
      const refund = addCoins(coins, charge.map((c) => ({ denom: c.denom, amount: -c.amount })));
      if (refund.length > 0) this.bank.sendFromModule(ctx.store, ctx.events, GOV_MODULE, depositor, refund);
      charges.push(charge);
      this.store(ctx.store).delete(K.depositKey(id, depositor));
    }
    const total = addCoins(...charges);
    if (total.length > 0) {
      if (params.proposalCancelDest === "") this.bank.burn(ctx.store, ctx.events, GOV_MODULE, total);
      else {
        const dest = decodeAddress(params.proposalCancelDest);
        if (hexKey(dest) === hexKey(moduleAddress(DISTRIBUTION_MODULE_NAME))) this.communityPool.fundCommunityPool(ctx, GOV_MODULE, total);
        else this.bank.sendFromModule(ctx.store, ctx.events, GOV_MODULE, dest, total);
      }
    }
    for (const { voter } of this.votes(ctx.store, id)) this.store(ctx.store).delete(K.voteKey(id, voter));
    this.deleteProposal(ctx.store, proposal);
    ctx.events.emit(GovEvents.CancelProposal, { [GovAttributes.Proposer]: proposer, [GovAttributes.ProposalId]: id.toString() });
  }

  // ---- end block -------------------------------------------------------------------------------------

  /** Ids due in a queue at `nowNs` (end time <= now), in time then id order. */
  private due(root: KVStore, prefix: number, nowNs: bigint): bigint[] {
    const s = this.store(root);
    return s.range(Uint8Array.of(prefix), K.queueKey(prefix, nowNs + 1n, 0n)).map(([k]) => K.queueEntryId(k));
  }

  /**
   * The SDK's EndBlocker: proposals whose deposit period ended are deleted (deposits refunded, or
   * burned per burn_proposal_deposit_prevote); proposals whose voting period ended are tallied,
   * their deposits refunded or burned, and the messages of a passed one executed.
   */
  endBlock(ctx: Context): void {
    const now = ctx.block.timeNs;
    for (const id of this.due(ctx.store, K.INACTIVE_QUEUE_PREFIX, now)) {
      const proposal = this.getProposal(ctx.store, id);
      if (!proposal) continue;
      this.deleteProposal(ctx.store, proposal);
      if (this.getParams(ctx.store).burnProposalDepositPrevote) this.deleteAndBurnDeposits(ctx, id);
      else this.refundAndDeleteDeposits(ctx, id);
      ctx.events.emit(GovEvents.InactiveProposal, { [GovAttributes.ProposalId]: id.toString(), [GovAttributes.ProposalResult]: GovResults.Dropped });
    }
    for (const id of this.due(ctx.store, K.ACTIVE_QUEUE_PREFIX, now)) {
      const proposal = this.getProposal(ctx.store, id);
      if (!proposal) continue;
      const outcome = this.tally(ctx.store, proposal);
      for (const { voter } of this.votes(ctx.store, id)) this.store(ctx.store).delete(K.voteKey(id, voter));
      if (outcome.burnDeposits) this.deleteAndBurnDeposits(ctx, id);
      else this.refundAndDeleteDeposits(ctx, id);
      this.store(ctx.store).delete(K.queueKey(K.ACTIVE_QUEUE_PREFIX, timestampToNs(proposal.votingEndTime), id));
      let result: string;
      let log: string;
      if (outcome.passes) {
        const failure = this.executeMessages(ctx, proposal);
        if (failure === undefined) {
          proposal.status = ProposalStatus.PROPOSAL_STATUS_PASSED;
          result = GovResults.Passed;
          log = "passed";
        } else {
          proposal.status = ProposalStatus.PROPOSAL_STATUS_FAILED;
          proposal.failedReason = failure;
          result = GovResults.Failed;
          log = `passed, but ${failure}`;
        }
      } else {
        proposal.status = ProposalStatus.PROPOSAL_STATUS_REJECTED;
        result = GovResults.Rejected;
        log = "rejected";
      }
      proposal.finalTallyResult = {
        yesCount: outcome.result.yes.toString(),
        abstainCount: outcome.result.abstain.toString(),
        noCount: outcome.result.no.toString(),
        noWithVetoCount: outcome.result.noWithVeto.toString(),
      };
      this.setProposal(ctx.store, proposal);
      ctx.events.emit(GovEvents.ActiveProposal, {
        [GovAttributes.ProposalId]: id.toString(),
        [GovAttributes.ProposalResult]: result,
        [GovAttributes.ProposalLog]: log,
      });
    }
  }

  /**
   * Runs a passed proposal's messages on a branch, as the authority, unmetered (bounded by the
   * message count checked at submission): all are kept or none. Returns the failure, if any; a
   * failure never escapes (the chain does not halt for a bad proposal).
   */
  private executeMessages(ctx: Context, proposal: Proposal): string | undefined {
    if (!isBranchable(ctx.store)) throw new Error("gov: end-block store cannot branch");
    const branch = ctx.store.branch();
    const events = new EventManager();
    const exec: Context = { store: branch, gasMeter: new GasMeter(undefined), events, block: ctx.block, mode: ctx.mode };
    let index = 0;
    try {
      for (; index < proposal.messages.length; index++) {
        const any = proposal.messages[index];
        const handler = this.router.get(any.typeUrl);
        if (!handler) throw GovErrors.UnroutableProposalMsg.wrap(any.typeUrl);
        const msg = handler.codec.decode(any.value);
        handler.validateBasic(msg);
        handler.execute(exec, msg);
      }
      // Deposits of other proposals sit in the gov account too: a message spending them would
      // leave those proposals unable to refund.
      const held = this.depositsHeld(branch);
      const govAddress = moduleAddress(GOV_MODULE);
      for (const c of held) {
        const balance = this.bank.getBalance(branch, govAddress, c.denom);
        if (balance < c.amount) {
          throw GovErrors.InvalidProposalMsg.wrap(`the messages would spend deposits held in escrow (${balance}${c.denom} left, ${c.amount}${c.denom} held)`);
        }
      }
    } catch (e) {
      const err: ChainError = toChainError(e);
      const where = index < proposal.messages.length ? `msg ${index} (${proposal.messages[index].typeUrl}) failed on execution: ` : "";
      return `${where}${err.message} (${err.codespace}/${err.code})`;
    }
    branch.write();
    ctx.events.append(events.events);
    return undefined;
  }

  // ---- invariants --------------------------------------------------------------------------------------

  /** The gov account holds at least every deposit; queued proposals are in the matching status. */
  checkInvariants(root: KVStore): string[] {
    const problems: string[] = [];
    const govAddress = moduleAddress(GOV_MODULE);
    for (const c of this.depositsHeld(root)) {
      const balance = this.bank.getBalance(root, govAddress, c.denom);
      if (balance < c.amount) problems.push(`gov: module account holds ${balance}${c.denom}, less than the deposits ${c.amount}${c.denom}`);
    }
    const s = this.store(root);
    for (const [prefix, status] of [
      [K.INACTIVE_QUEUE_PREFIX, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD],
      [K.ACTIVE_QUEUE_PREFIX, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD],
    ] as const) {
      for (const [k] of s.range(Uint8Array.of(prefix), Uint8Array.of(prefix + 1))) {
        const p = this.getProposal(root, K.queueEntryId(k));
        if (!p || p.status !== status) problems.push(`gov: queue ${prefix} lists proposal ${K.queueEntryId(k)} in status ${p?.status ?? "missing"}`);
      }
    }
    return problems;
  }

  balanceOf(root: KVStore, address: Uint8Array, denom: string): bigint {
    return this.bank.getBalance(root, address, denom);
  }

  /** Creates the gov module account (genesis). */
  ensureModuleAccount(root: KVStore): void {
    this.accounts.ensureModuleAccount(root, GOV_MODULE);
  }

}
