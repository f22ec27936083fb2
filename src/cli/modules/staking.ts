import * as fs from "node:fs";
import * as path from "node:path";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { BondStatus, type DelegationResponse, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import {
  MsgBeginRedelegate,
  MsgCancelUnbondingDelegation,
  MsgCreateValidator,
  MsgDelegate,
  MsgEditValidator,
  MsgUndelegate,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { StakingQuery } from "../../modules/staking/service";
import { ACCOUNT_PREFIX, VALIDATOR_OPERATOR_PREFIX } from "../../types/address";
import { BASE_DENOM } from "../../types/coins";
import { DEC_ONE, formatDec, parseDec } from "../../types/dec";
import { parseCoinArg } from "../amount";
import { UsageError } from "../args";
import type { Command, CommandContext, FlagSpec, ModuleCli } from "../command";
import { queryNode, withNode } from "../connect";
import { QUERY_FLAGS, TX_FLAGS, homeDir } from "../flags";
import { openKeyring } from "../keys-context";
import { formatCoinHuman, keyValues, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { checkAddressArg } from "../validate";

export const FROM: FlagSpec = { name: "from", value: "KEY", description: "key (name or address) of the keyring that signs" };
export const POS_TX_FLAGS: readonly FlagSpec[] = [FROM, ...TX_FLAGS];

/** A soavaloper1... argument; a soa1... operator account is converted (same bytes). */
export function validatorArg(text: string, what = "validator"): string {
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(text, 90);
  } catch {
    throw new UsageError(`invalid ${what} "${text}": expected a ${VALIDATOR_OPERATOR_PREFIX}1... address`);
  }
  if (decoded.prefix === ACCOUNT_PREFIX) return toBech32(VALIDATOR_OPERATOR_PREFIX, decoded.data);
  if (decoded.prefix !== VALIDATOR_OPERATOR_PREFIX) throw new UsageError(`invalid ${what} "${text}": prefix "${decoded.prefix}", expected "${VALIDATOR_OPERATOR_PREFIX}"`);
  return text;
}

export function operatorOf(account: string): string {
  return toBech32(VALIDATOR_OPERATOR_PREFIX, fromBech32(account, 90).data);
}

/** A usoa amount argument (1500000usoa or 1.5SOA). */
export function bondAmountArg(text: string, what = "amount"): { denom: string; amount: string } {
  let c;
  try {
    c = parseCoinArg(text, what);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (c.denom !== BASE_DENOM) throw new UsageError(`${what} must be in ${BASE_DENOM} or SOA, got ${c.denom}`);
  return { denom: c.denom, amount: c.amount.toString() };
}

/** A decimal rate such as 0.1, as the protobuf Dec string (integer x 10^18). */
function rateArg(text: string, what: string): string {
  let d: bigint;
  try {
    d = parseDec(text, what);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (d < 0n || d > DEC_ONE) throw new UsageError(`${what} must be between 0 and 1, got ${text}`);
  return d.toString();
}

export const decText = (protoDec: string) => formatDec(BigInt(protoDec || "0")).replace(/\.?0+$/, "") || "0";

export function statusText(s: BondStatus): string {
  return s === BondStatus.BOND_STATUS_BONDED ? "bonded" : s === BondStatus.BOND_STATUS_UNBONDING ? "unbonding" : "unbonded";
}


function validatorJson(v: Validator) {
  return {
    operator_address: v.operatorAddress,
    moniker: v.description.moniker,
    status: statusText(v.status),
    jailed: v.jailed,
    tokens: v.tokens,
    delegator_shares: decText(v.delegatorShares),
    commission_rate: decText(v.commission.commissionRates.rate),
    commission_max_rate: decText(v.commission.commissionRates.maxRate),
    commission_max_change_rate: decText(v.commission.commissionRates.maxChangeRate),
    min_self_delegation: v.minSelfDelegation,
  };
}

const DESCRIPTION_FLAGS: readonly FlagSpec[] = [
  { name: "moniker", value: "NAME", description: "validator name" },
  { name: "identity", value: "ID", description: "identity signature (e.g. Keybase)" },
  { name: "website", value: "URL", description: "website" },
  { name: "security-contact", value: "EMAIL", description: "security contact" },
  { name: "details", value: "TEXT", description: "description" },
];

const createValidator: Command = {
  name: "create-validator",
  summary: "create a validator operated by the --from key, self-delegating AMOUNT",
  usage: "AMOUNT",
  nargs: [1, 1],
  flags: [
    ...POS_TX_FLAGS,
    ...DESCRIPTION_FLAGS,
    { name: "pubkey", value: "BASE64", description: "ed25519 consensus public key", default: "<home>/config/priv_validator_key.json" },
    { name: "commission-rate", value: "R", description: "initial commission rate", default: "0.1" },
    { name: "commission-max-rate", value: "R", description: "maximum commission rate, forever", default: "0.2" },
    { name: "commission-max-change-rate", value: "R", description: "maximum commission change per day, forever", default: "0.01" },
    { name: "min-self-delegation", value: "N", description: "minimum self-delegation in usoa (below it the validator is jailed)", default: "1" },
  ],
  async run(ctx) {
    txOptions(ctx);
    const value = bondAmountArg(ctx.args[0]);
    let key: Uint8Array;
    const pk = ctx.flag("pubkey");
    if (pk !== undefined) {
      key = new Uint8Array(Buffer.from(pk, "base64"));
    } else {
      const file = path.join(homeDir(ctx), "config", "priv_validator_key.json");
      if (!fs.existsSync(file)) throw new UsageError(`no --pubkey and no ${file}: give the consensus key of the validator's node`);
      key = new Uint8Array(Buffer.from(JSON.parse(fs.readFileSync(file, "utf8")).pub_key.value, "base64"));
    }
    if (key.length !== 32) throw new UsageError("the consensus public key must be 32 bytes (ed25519)");
    const minSelf = ctx.flag("min-self-delegation") ?? "1";
    if (!/^[0-9]{1,78}$/.test(minSelf) || BigInt(minSelf) === 0n) throw new UsageError(`--min-self-delegation must be a positive integer (usoa), got "${minSelf}"`);
    const commission = {
      rate: rateArg(ctx.flag("commission-rate") ?? "0.1", "--commission-rate"),
      maxRate: rateArg(ctx.flag("commission-max-rate") ?? "0.2", "--commission-max-rate"),
      maxChangeRate: rateArg(ctx.flag("commission-max-change-rate") ?? "0.01", "--commission-max-change-rate"),
    };
    const description = {
      moniker: ctx.flag("moniker") ?? "validator",
      identity: ctx.flag("identity") ?? "",
      website: ctx.flag("website") ?? "",
      securityContact: ctx.flag("security-contact") ?? "",
      details: ctx.flag("details") ?? "",
    };
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [
        {
          typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
          value: MsgCreateValidator.fromPartial({
            description,
            commission,
            minSelfDelegation: minSelf,
            delegatorAddress: "",
            validatorAddress: operatorOf(sender),
            pubkey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: Ed25519PubKey.encode({ key }).finish() },
            value,
          }),
        },
      ],
      summary: [
        ["moniker", description.moniker],
        ["self-delegation", formatCoinHuman(value)],
        ["commission", `${decText(commission.rate)} (max ${decText(commission.maxRate)}, max change ${decText(commission.maxChangeRate)}/day)`],
        ["consensus key", Buffer.from(key).toString("base64")],
      ],
    });
  },
};

const editValidator: Command = {
  name: "edit-validator",
  summary: "change the description, commission rate or min self-delegation of the --from key's validator",
  flags: [
    ...POS_TX_FLAGS,
    ...DESCRIPTION_FLAGS,
    { name: "commission-rate", value: "R", description: "new commission rate (at most once per 24 h, by at most the max change rate)" },
    { name: "min-self-delegation", value: "N", description: "new (higher) minimum self-delegation in usoa" },
  ],
  async run(ctx) {
    txOptions(ctx);
    const keep = (name: string) => ctx.flag(name) ?? "[do-not-modify]";
    const rate = ctx.flag("commission-rate");
    const minSelf = ctx.flag("min-self-delegation");
    if (minSelf !== undefined && (!/^[0-9]{1,78}$/.test(minSelf) || BigInt(minSelf) === 0n)) throw new UsageError(`--min-self-delegation must be a positive integer (usoa)`);
    const msg = {
      description: { moniker: keep("moniker"), identity: keep("identity"), website: keep("website"), securityContact: keep("security-contact"), details: keep("details") },
      commissionRate: rate === undefined ? "" : rateArg(rate, "--commission-rate"),
      minSelfDelegation: minSelf ?? "",
    };
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgEditValidator", value: MsgEditValidator.fromPartial({ ...msg, validatorAddress: operatorOf(sender) }) }],
      summary: [
        ...(rate !== undefined ? [["commission rate", rate] as const] : []),
        ...(minSelf !== undefined ? [["min self-delegation", `${minSelf}usoa`] as const] : []),
        ...DESCRIPTION_FLAGS.filter((f) => ctx.flag(f.name) !== undefined).map((f) => [f.name, ctx.flag(f.name)!] as const),
      ],
    });
  },
};

function stakeCommand(name: string, summary: string, typeUrl: string): Command {
  return {
    name,
    summary,
    usage: "VALIDATOR AMOUNT",
    nargs: [2, 2],
    flags: POS_TX_FLAGS,
    async run(ctx) {
      txOptions(ctx);
      const validator = validatorArg(ctx.args[0]);
      const amount = bondAmountArg(ctx.args[1]);
      const codec = typeUrl.endsWith("MsgDelegate") ? MsgDelegate : MsgUndelegate;
      return signAndBroadcast(ctx, {
        from: fromArg(ctx),
        msgs: (sender) => [{ typeUrl, value: codec.fromPartial({ delegatorAddress: sender, validatorAddress: validator, amount }) }],
        summary: [
          ["validator", validator],
          ["amount", formatCoinHuman(amount)],
        ],
      });
    },
  };
}

const redelegate: Command = {
  name: "redelegate",
  summary: "move stake from one validator to another at once",
  usage: "SRC_VALIDATOR DST_VALIDATOR AMOUNT",
  nargs: [3, 3],
  flags: POS_TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const src = validatorArg(ctx.args[0], "source validator");
    const dst = validatorArg(ctx.args[1], "destination validator");
    const amount = bondAmountArg(ctx.args[2]);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate", value: MsgBeginRedelegate.fromPartial({ delegatorAddress: sender, validatorSrcAddress: src, validatorDstAddress: dst, amount }) }],
      summary: [
        ["from validator", src],
        ["to validator", dst],
        ["amount", formatCoinHuman(amount)],
      ],
    });
  },
};

const cancelUnbond: Command = {
  name: "cancel-unbond",
  summary: "bond again (part of) an unbonding that has not completed",
  usage: "VALIDATOR AMOUNT CREATION_HEIGHT",
  nargs: [3, 3],
  flags: POS_TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const validator = validatorArg(ctx.args[0]);
    const amount = bondAmountArg(ctx.args[1]);
    if (!/^[0-9]{1,19}$/.test(ctx.args[2]) || BigInt(ctx.args[2]) === 0n) throw new UsageError(`CREATION_HEIGHT must be a positive integer, got "${ctx.args[2]}"`);
    const creationHeight = BigInt(ctx.args[2]);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [
        { typeUrl: "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation", value: MsgCancelUnbondingDelegation.fromPartial({ delegatorAddress: sender, validatorAddress: validator, amount, creationHeight }) },
      ],
      summary: [
        ["validator", validator],
        ["amount", formatCoinHuman(amount)],
        ["unbonding started at height", String(creationHeight)],
      ],
    });
  },
};

// ---- queries --------------------------------------------------------------------------------------------

const validators: Command = {
  name: "validators",
  summary: "every validator (or those of one status), by tokens",
  flags: [...QUERY_FLAGS, { name: "status", value: "bonded|unbonding|unbonded", description: "only validators of this status" }],
  async run(ctx) {
    const s = ctx.flag("status");
    const statuses: Record<string, string> = { bonded: "BOND_STATUS_BONDED", unbonding: "BOND_STATUS_UNBONDING", unbonded: "BOND_STATUS_UNBONDED" };
    if (s !== undefined && !statuses[s]) throw new UsageError(`--status must be bonded, unbonding or unbonded, got "${s}"`);
    const all = await withNode(ctx, async (node) => {
      const out: Validator[] = [];
      let key: Uint8Array = new Uint8Array();
      do {
        const r = await node.query(StakingQuery.Validators, { status: s ? statuses[s] : "", pagination: { key, offset: 0n, limit: 200n, countTotal: false, reverse: false } });
        out.push(...r.validators);
        key = r.pagination?.nextKey ?? new Uint8Array();
      } while (key.length > 0);
      return out;
    });
    all.sort((a, b) => (BigInt(b.tokens) > BigInt(a.tokens) ? 1 : BigInt(b.tokens) < BigInt(a.tokens) ? -1 : 0));
    const rows = all.map((v) => [v.operatorAddress, v.description.moniker, statusText(v.status) + (v.jailed ? " (jailed)" : ""), formatCoinHuman({ denom: BASE_DENOM, amount: v.tokens }), decText(v.commission.commissionRates.rate)]);
    ctx.print(all.length === 0 ? "no validators\n" : table(rows, ["OPERATOR", "MONIKER", "STATUS", "TOKENS", "COMMISSION"]), { validators: all.map(validatorJson) });
  },
};

const validator: Command = {
  name: "validator",
  summary: "one validator",
  usage: "VALIDATOR",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const addr = validatorArg(ctx.args[0]);
    const v = await queryNode(ctx, StakingQuery.Validator, { validatorAddr: addr });
    const j = validatorJson(v.validator);
    ctx.print(keyValues(Object.entries(j).map(([k, val]) => [k.replace(/_/g, " "), String(val)])), j);
  },
};

const delegation: Command = {
  name: "delegation",
  summary: "a delegator's delegation to one validator",
  usage: "DELEGATOR VALIDATOR",
  nargs: [2, 2],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const del = checkAddressArg(ctx.args[0], "delegator");
    const val = validatorArg(ctx.args[1]);
    const r = await queryNode(ctx, StakingQuery.Delegation, { delegatorAddr: del, validatorAddr: val });
    const d = r.delegationResponse!;
    const j = { delegator: del, validator: val, shares: decText(d.delegation.shares), balance: d.balance };
    ctx.print(keyValues([["delegator", del], ["validator", val], ["shares", j.shares], ["balance", formatCoinHuman(d.balance)]]), j);
  },
};

function delegationsTable(list: readonly DelegationResponse[], key: "validatorAddress" | "delegatorAddress") {
  return list.map((d) => [d.delegation[key], formatCoinHuman(d.balance)]);
}

const delegations: Command = {
  name: "delegations",
  summary: "every delegation of a delegator",
  usage: "DELEGATOR",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const del = checkAddressArg(ctx.args[0], "delegator");
    const r = await queryNode(ctx, StakingQuery.DelegatorDelegations, { delegatorAddr: del });
    const json = r.delegationResponses.map((d) => ({ validator: d.delegation.validatorAddress, shares: decText(d.delegation.shares), balance: d.balance }));
    ctx.print(json.length === 0 ? `${del} has no delegations\n` : table(delegationsTable(r.delegationResponses, "validatorAddress"), ["VALIDATOR", "BALANCE"]), { delegations: json });
  },
};

const delegationsTo: Command = {
  name: "delegations-to",
  summary: "every delegation to a validator",
  usage: "VALIDATOR",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const val = validatorArg(ctx.args[0]);
    const r = await queryNode(ctx, StakingQuery.ValidatorDelegations, { validatorAddr: val });
    const json = r.delegationResponses.map((d) => ({ delegator: d.delegation.delegatorAddress, shares: decText(d.delegation.shares), balance: d.balance }));
    ctx.print(table(delegationsTable(r.delegationResponses, "delegatorAddress"), ["DELEGATOR", "BALANCE"]), { delegations: json });
  },
};

const unbondingDelegations: Command = {
  name: "unbonding-delegations",
  summary: "a delegator's unbonding stake and when it is paid back",
  usage: "DELEGATOR",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const del = checkAddressArg(ctx.args[0], "delegator");
    const r = await queryNode(ctx, StakingQuery.DelegatorUnbondingDelegations, { delegatorAddr: del });
    const entries = r.unbondingResponses.flatMap((u) =>
      u.entries.map((e) => ({
        validator: u.validatorAddress,
        creation_height: String(e.creationHeight),
        completion_time: new Date(Number(e.completionTime.seconds) * 1000).toISOString(),
        initial_balance: e.initialBalance,
        balance: e.balance,
      })),
    );
    ctx.print(
      entries.length === 0 ? `${del} has nothing unbonding\n` : table(entries.map((e) => [e.validator, e.creation_height, e.completion_time, formatCoinHuman({ denom: BASE_DENOM, amount: e.balance })]), ["VALIDATOR", "HEIGHT", "COMPLETES", "BALANCE"]),
      { unbonding: entries },
    );
  },
};

const redelegations: Command = {
  name: "redelegations",
  summary: "a delegator's redelegations that have not completed",
  usage: "DELEGATOR",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const del = checkAddressArg(ctx.args[0], "delegator");
    const r = await queryNode(ctx, StakingQuery.Redelegations, { delegatorAddr: del, srcValidatorAddr: "", dstValidatorAddr: "" });
    const entries = r.redelegationResponses.flatMap((red) =>
      red.entries.map((e) => ({
        source: red.redelegation.validatorSrcAddress,
        destination: red.redelegation.validatorDstAddress,
        creation_height: String(e.redelegationEntry.creationHeight),
        completion_time: new Date(Number(e.redelegationEntry.completionTime.seconds) * 1000).toISOString(),
        balance: e.balance,
      })),
    );
    ctx.print(entries.length === 0 ? `${del} has no redelegations\n` : table(entries.map((e) => [e.source, e.destination, e.completion_time, e.balance]), ["FROM", "TO", "COMPLETES", "BALANCE"]), { redelegations: entries });
  },
};

const pool: Command = {
  name: "pool",
  summary: "bonded and not bonded tokens",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const r = await queryNode(ctx, StakingQuery.Pool, {});
    const j = { bonded_tokens: r.pool.bondedTokens, not_bonded_tokens: r.pool.notBondedTokens };
    ctx.print(keyValues([["bonded", formatCoinHuman({ denom: BASE_DENOM, amount: j.bonded_tokens })], ["not bonded", formatCoinHuman({ denom: BASE_DENOM, amount: j.not_bonded_tokens })]]), j);
  },
};

const params: Command = {
  name: "params",
  summary: "staking parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, StakingQuery.Params, {})).params;
    const j = {
      unbonding_time: `${p.unbondingTime.seconds}s`,
      max_validators: String(p.maxValidators),
      max_entries: String(p.maxEntries),
      historical_entries: String(p.historicalEntries),
      bond_denom: p.bondDenom,
      min_commission_rate: decText(p.minCommissionRate),
    };
    ctx.print(keyValues(Object.entries(j).map(([k, v]) => [k.replace(/_/g, " "), v])), j);
  },
};

export const stakingCli: ModuleCli = {
  name: "staking",
  summary: "validators, delegations, unbonding and redelegation",
  tx: [
    createValidator,
    editValidator,
    stakeCommand("delegate", "bond tokens to a validator", "/cosmos.staking.v1beta1.MsgDelegate"),
    stakeCommand("unbond", "unbond tokens from a validator (paid back after the unbonding time)", "/cosmos.staking.v1beta1.MsgUndelegate"),
    redelegate,
    cancelUnbond,
  ],
  query: [validators, validator, delegation, delegations, delegationsTo, unbondingDelegations, redelegations, pool, params],
  // Every staking message is in CosmJS's default registry.
};

/** The key address of the --from key (commands that must query before building their messages). */
export function fromAddress(ctx: CommandContext): string {
  return openKeyring(ctx).get(fromArg(ctx)).address;
}
