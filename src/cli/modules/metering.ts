import * as fs from "node:fs";
import { BLOCKAI_TYPES, BlockaiMsgs, privateKeyFromMnemonic, signedVoucherFromJson, signedVoucherToJson, signVoucher, verifyVoucher } from "../../client";
import { BASE_DENOM } from "../../types/coins";
import { Escrow, EscrowStatus, UsageRecord } from "../../gen/blockai/metering/v1/metering";
import { EpochsQuery } from "../../modules/epochs/service";
import { MeteringQuery } from "../../modules/metering/service";
import { UsageError } from "../args";
import type { Command, CommandContext, ModuleCli } from "../command";
import { fetchStatus, queryNode, withNode } from "../connect";
import { CHAIN_ID, HOME, KEYRING_BACKEND, NODE, OUTPUT, QUERY_FLAGS, TX_FLAGS, nodeUrl } from "../flags";
import { openKeyring } from "../keys-context";
import { formatCoinHuman, keyValues, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { checkAddressArg } from "../validate";
import { u64Arg, usoaArg } from "./registry";

function escrowStatusText(s: EscrowStatus): string {
  return (EscrowStatus[s] ?? String(s)).replace("ESCROW_STATUS_", "").toLowerCase();
}

function escrowJson(e: Escrow) {
  return {
    id: String(e.id),
    consumer: e.consumer,
    model_id: String(e.modelId),
    deposit: e.deposit?.amount ?? "0",
    claimed: e.claimed?.amount ?? "0",
    claimed_units: String(e.claimedUnits),
    expiry_height: String(e.expiryHeight),
    status: escrowStatusText(e.status),
    created_height: String(e.createdHeight),
    grace_end_height: String(e.graceEndHeight),
    refunded: e.refunded?.amount ?? "0",
    closed_height: String(e.closedHeight),
  };
}

function usageJson(u: UsageRecord) {
  return {
    model_id: String(u.modelId),
    epoch: String(u.epoch),
    units: String(u.units),
    amount_paid: u.amountPaid?.amount ?? "0",
    protocol_fees: u.protocolFees?.amount ?? "0",
    payers: String(u.payers),
    payments: String(u.payments),
  };
}

/** Reads a signed voucher (JSON) from a file, or from stdin with "-". */
function readVoucher(file: string) {
  let text: string;
  try {
    text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the voucher from ${file}: ${(e as Error).message}`);
  }
  try {
    return signedVoucherFromJson(JSON.parse(text));
  } catch (e) {
    throw new UsageError(`${file} is not a signed voucher: ${(e as Error).message}`);
  }
}

const openEscrow: Command = {
  name: "open-escrow",
  summary: "fund an escrow for an active model",
  usage: "FROM_KEY MODEL_ID DEPOSIT",
  nargs: [3, 3],
  flags: [
    ...TX_FLAGS,
    { name: "expiry-height", value: "H", description: "last height at which the escrow is live" },
    { name: "duration", value: "BLOCKS", description: "expiry = latest height + BLOCKS (instead of --expiry-height)", default: "100000" },
    { name: "provider", value: "ADDR", description: "bind the escrow to this owner or operator of the model (only it may claim; gateways require it when the model has operators)" },
  ],
  async run(ctx) {
    txOptions(ctx);
    const provider = ctx.flag("provider") ?? "";
    const modelId = u64Arg(ctx.args[1], "MODEL_ID");
    const deposit = usoaArg(ctx.args[2], "DEPOSIT");
    const expiryFlag = ctx.flag("expiry-height");
    if (expiryFlag !== undefined && ctx.flag("duration") !== undefined) throw new UsageError("give --expiry-height or --duration, not both");
    let expiry = expiryFlag === undefined ? undefined : u64Arg(expiryFlag, "--expiry-height");
    if (expiry === undefined) {
      const duration = u64Arg(ctx.flag("duration") ?? "100000", "--duration");
      const status = await fetchStatus(nodeUrl(ctx));
      expiry = BigInt(status.latest_block_height) + duration;
    }
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (consumer) => [BlockaiMsgs.openEscrow(consumer, modelId, deposit, expiry!, provider)],
      summary: [
        ["model", String(modelId)],
        ["deposit", formatCoinHuman({ denom: BASE_DENOM, amount: deposit })],
        ["expiry height", String(expiry)],
        ...(provider === "" ? [] : ([["provider", provider]] as Array<[string, string]>)),
      ],
    });
  },
};

const topUp: Command = {
  name: "top-up-escrow",
  summary: "add funds to an open escrow (and optionally extend it)",
  usage: "FROM_KEY ESCROW_ID AMOUNT",
  nargs: [3, 3],
  flags: [...TX_FLAGS, { name: "new-expiry-height", value: "H", description: "extend the escrow to this height" }],
  async run(ctx) {
    txOptions(ctx);
    const escrowId = u64Arg(ctx.args[1], "ESCROW_ID");
    const amount = usoaArg(ctx.args[2], "AMOUNT", true);
    const newExpiry = ctx.flag("new-expiry-height") === undefined ? 0n : u64Arg(ctx.flag("new-expiry-height")!, "--new-expiry-height");
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (consumer) => [BlockaiMsgs.topUpEscrow(consumer, escrowId, amount, newExpiry)],
      summary: [["escrow", String(escrowId)], ["amount", formatCoinHuman({ denom: BASE_DENOM, amount })], ...(newExpiry ? [["new expiry height", String(newExpiry)] as const] : [])],
    });
  },
};

const claim: Command = {
  name: "claim-usage",
  summary: "redeem a consumer's signed voucher (model owner or operator)",
  usage: "FROM_KEY VOUCHER_FILE",
  nargs: [2, 2],
  flags: TX_FLAGS,
  help: "VOUCHER_FILE: a signed voucher as written by `blockai voucher sign` (JSON), or - for stdin.",
  async run(ctx) {
    txOptions(ctx);
    const signed = readVoucher(ctx.args[1]);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (provider) => [BlockaiMsgs.claimUsage(provider, signed)],
      summary: [
        ["escrow", String(signed.voucher.escrowId)],
        ["cumulative units", String(signed.voucher.cumulativeUnits)],
        ["cumulative amount", formatCoinHuman({ denom: BASE_DENOM, amount: signed.voucher.cumulativeAmount })],
      ],
    });
  },
};

const close: Command = {
  name: "close-escrow",
  summary: "close an escrow: the provider at any time, the consumer after expiry (then a grace period)",
  usage: "FROM_KEY ESCROW_ID",
  nargs: [2, 2],
  flags: TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const escrowId = u64Arg(ctx.args[1], "ESCROW_ID");
    return signAndBroadcast(ctx, { from: fromArg(ctx, ctx.args[0]), msgs: (sender) => [BlockaiMsgs.closeEscrow(sender, escrowId)], summary: [["escrow", String(escrowId)]] });
  },
};

const pay: Command = {
  name: "pay-for-usage",
  summary: "pay a model directly for some units of usage (no escrow)",
  usage: "FROM_KEY MODEL_ID UNITS AMOUNT",
  nargs: [4, 4],
  flags: TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    const modelId = u64Arg(ctx.args[1], "MODEL_ID");
    const units = u64Arg(ctx.args[2], "UNITS");
    const amount = usoaArg(ctx.args[3], "AMOUNT");
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, ctx.args[0]),
      msgs: (consumer) => [BlockaiMsgs.payForUsage(consumer, modelId, units, amount)],
      summary: [["model", String(modelId)], ["units", String(units)], ["amount", formatCoinHuman({ denom: BASE_DENOM, amount })]],
    });
  },
};

const escrow: Command = {
  name: "escrow",
  summary: "an escrow by id",
  usage: "ESCROW_ID",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const e = escrowJson((await queryNode(ctx, MeteringQuery.Escrow, { escrowId: u64Arg(ctx.args[0], "ESCROW_ID") })).escrow!);
    ctx.print(keyValues(Object.entries(e).map(([k, v]) => [k.replace(/_/g, " "), v])), e);
  },
};

const PAGE_FLAGS = [
  { name: "limit", value: "N", description: "page size", default: "100" },
  { name: "page-key", value: "HEX", description: "next_key of the previous page" },
];

function pageReq(ctx: CommandContext) {
  const key = ctx.flag("page-key") ?? "";
  if (!/^([0-9a-fA-F]{2})*$/.test(key)) throw new UsageError("--page-key must be hex");
  return { key: Buffer.from(key, "hex"), offset: 0n, limit: u64Arg(ctx.flag("limit") ?? "100", "--limit"), countTotal: false, reverse: false };
}

function printEscrows(ctx: CommandContext, list: Escrow[], nextKey: Uint8Array | undefined) {
  const rows = list.map(escrowJson);
  const next = Buffer.from(nextKey ?? new Uint8Array()).toString("hex");
  const text =
    (rows.length === 0 ? "no escrows\n" : table(rows.map((e) => [e.id, e.model_id, e.consumer, e.status, e.deposit, e.claimed, e.expiry_height]), ["ID", "MODEL", "CONSUMER", "STATUS", "DEPOSIT", "CLAIMED", "EXPIRY"])) +
    (next ? `next page: --page-key ${next}\n` : "");
  ctx.print(text, { escrows: rows, next_key: next });
}

const byConsumer: Command = {
  name: "escrows-by-consumer",
  summary: "escrows funded by an address",
  usage: "ADDRESS",
  nargs: [1, 1],
  flags: [...QUERY_FLAGS, ...PAGE_FLAGS],
  async run(ctx) {
    const consumer = checkAddressArg(ctx.args[0], "consumer address");
    const r = await queryNode(ctx, MeteringQuery.EscrowsByConsumer, { consumer, pagination: pageReq(ctx) });
    printEscrows(ctx, r.escrows, r.pagination?.nextKey);
  },
};

const byModel: Command = {
  name: "escrows-by-model",
  summary: "escrows of a model",
  usage: "MODEL_ID",
  nargs: [1, 1],
  flags: [...QUERY_FLAGS, ...PAGE_FLAGS],
  async run(ctx) {
    const modelId = u64Arg(ctx.args[0], "MODEL_ID");
    const r = await queryNode(ctx, MeteringQuery.EscrowsByModel, { modelId, pagination: pageReq(ctx) });
    printEscrows(ctx, r.escrows, r.pagination?.nextKey);
  },
};

const usage: Command = {
  name: "model-usage",
  summary: "a model's usage in an epoch: units, amount paid, protocol fees, distinct payers",
  usage: "MODEL_ID",
  nargs: [1, 1],
  flags: [...QUERY_FLAGS, { name: "epoch", value: "N", description: "epoch number", default: "the current epoch" }],
  async run(ctx) {
    const modelId = u64Arg(ctx.args[0], "MODEL_ID");
    const u = await withNode(ctx, async (node) => {
      const epochFlag = ctx.flag("epoch");
      const epoch =
        epochFlag !== undefined
          ? u64Arg(epochFlag, "--epoch")
          : (await node.query(EpochsQuery.CurrentEpoch)).epoch!.number;
      return (await node.query(MeteringQuery.ModelUsage, { modelId, epoch })).usage!;
    });
    const j = usageJson(u);
    ctx.print(keyValues(Object.entries(j).map(([k, v]) => [k.replace(/_/g, " "), v])), j);
  },
};

const params: Command = {
  name: "params",
  summary: "metering parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, MeteringQuery.Params)).params!;
    const json = {
      protocol_fee_bps: String(p.protocolFeeBps),
      claim_grace: String(p.claimGrace),
      max_escrow_duration: String(p.maxEscrowDuration),
      closed_escrow_retention: String(p.closedEscrowRetention),
      prune_per_block: String(p.prunePerBlock),
    };
    ctx.print(
      keyValues([
        ["protocol fee", `${json.protocol_fee_bps} bps`],
        ["claim grace", `${json.claim_grace} blocks`],
        ["max escrow duration", `${json.max_escrow_duration} blocks`],
        ["closed escrow retention", `${json.closed_escrow_retention} blocks`],
        ["prune per block", json.prune_per_block],
      ]),
      json,
    );
  },
};

const protocolFees: Command = {
  name: "protocol-fees",
  summary: "protocol fees pending in metering_fees and swept to the community pool",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const r = await queryNode(ctx, MeteringQuery.ProtocolFees);
    const json = { pending: r.pending?.amount ?? "0", swept: r.swept?.amount ?? "0" };
    ctx.print(keyValues([["pending", formatCoinHuman({ denom: BASE_DENOM, amount: json.pending })], ["swept", formatCoinHuman({ denom: BASE_DENOM, amount: json.swept })]]), json);
  },
};

// ---- blockai voucher sign | verify ------------------------------------------------------------

const sign: Command = {
  name: "sign",
  summary: "sign a cumulative voucher with a keyring key (the escrow's consumer); prints JSON",
  usage: "KEY",
  nargs: [1, 1],
  flags: [
    HOME,
    KEYRING_BACKEND,
    { name: CHAIN_ID.name, value: "ID", description: "chain ID the voucher is for (required)" },
    { name: "escrow-id", value: "ID", description: "escrow the voucher draws on (required)" },
    { name: "units", value: "N", description: "cumulative units used so far (required)" },
    { name: "amount", value: "AMOUNT", description: "cumulative amount owed so far, e.g. 1500usoa (required)" },
    { name: "out", value: "FILE", description: "write the voucher to FILE instead of stdout" },
  ],
  async run(ctx) {
    const need = (name: string) => {
      const v = ctx.flag(name);
      if (v === undefined) throw new UsageError(`"${ctx.path}" needs --${name}`);
      return v;
    };
    const chainId = need("chain-id");
    const escrowId = u64Arg(need("escrow-id"), "--escrow-id");
    const units = u64Arg(need("units"), "--units");
    const amount = usoaArg(need("amount"), "--amount", true);
    const keyring = openKeyring(ctx);
    const key = await keyring.get(ctx.args[0]);
    const privateKey = await privateKeyFromMnemonic(await keyring.mnemonic(key.name));
    const json = signedVoucherToJson(signVoucher({ chainId, escrowId, cumulativeUnits: units, cumulativeAmount: amount }, privateKey));
    const text = JSON.stringify(json) + "\n";
    const out = ctx.flag("out");
    if (out !== undefined) {
      fs.writeFileSync(out, text);
      ctx.io.stderr.write(`voucher written to ${out}\n`);
    } else ctx.io.stdout.write(text);
  },
};

const verify: Command = {
  name: "verify",
  summary: "check a signed voucher: offline with --pubkey, or against the escrow on chain with --node",
  usage: "VOUCHER_FILE",
  nargs: [1, 1],
  flags: [
    NODE,
    OUTPUT,
    { name: "pubkey", value: "HEX", description: "the consumer's compressed public key (33 bytes hex): offline signature check only" },
    { name: "model", value: "ID", description: "the model you serve: the escrow must pay for it (required with --node)" },
    { name: "accepted", value: "AMOUNT", description: "highest cumulative amount already accepted but not yet claimed", default: "the escrow's claimed amount" },
    { name: "accepted-units", value: "N", description: "units of the voucher accepted with --accepted", default: "the escrow's claimed units" },
  ],
  help: "Exit status 0 if the voucher is valid, 1 if not (the reason is printed).",
  async run(ctx) {
    const signed = readVoucher(ctx.args[0]);
    const pubHex = ctx.flag("pubkey");
    let result: { ok: boolean; reason?: string; increment?: bigint };
    if (pubHex !== undefined) {
      if (!/^[0-9a-fA-F]{66}$/.test(pubHex)) throw new UsageError("--pubkey must be 66 hex characters (a compressed secp256k1 key)");
      const ok = verifyVoucher(signed.voucher, signed.signature, Buffer.from(pubHex, "hex"));
      result = ok ? { ok } : { ok, reason: "signature does not verify with this public key" };
    } else {
      const modelFlag = ctx.flag("model");
      if (modelFlag === undefined || !/^[1-9][0-9]{0,19}$/.test(modelFlag)) {
        throw new UsageError("--model ID is required to check a voucher against the chain: the escrow must pay for the model you serve");
      }
      const servedModel = BigInt(modelFlag);
      const unitsFlag = ctx.flag("accepted-units");
      if (unitsFlag !== undefined && !/^[0-9]{1,20}$/.test(unitsFlag)) throw new UsageError("--accepted-units must be a whole number");
      const acceptedFlag = ctx.flag("accepted");
      // Without --accepted the escrow's claimed amount and units are the baseline (checkVoucher's default).
      const acceptedUnclaimed = acceptedFlag === undefined ? undefined : { amount: usoaArg(acceptedFlag, "--accepted", true), units: unitsFlag === undefined ? 0n : BigInt(unitsFlag) };
      result = await withNode(ctx, (node) => node.client.checkVoucher(signed, servedModel, acceptedUnclaimed));
    }
    const json = { valid: result.ok, reason: result.reason ?? "", increment: result.increment === undefined ? "" : result.increment.toString() };
    ctx.print(result.ok ? `valid${result.increment !== undefined ? `: adds ${result.increment}usoa` : ""}\n` : `invalid: ${result.reason}\n`, json);
    return result.ok ? 0 : 1;
  },
};

/** `blockai voucher sign|verify`: off-chain vouchers for metered model usage. */
export const voucherCommand: Command = {
  name: "voucher",
  summary: "sign and check metering vouchers (off chain)",
  subcommands: [sign, verify],
};

export const meteringCli: ModuleCli = {
  name: "metering",
  summary: "pay for model usage: escrows, voucher claims, direct payments; usage records",
  tx: [openEscrow, topUp, claim, close, pay],
  query: [escrow, byConsumer, byModel, usage, params, protocolFees],
  types: BLOCKAI_TYPES.filter(([url]) => url.startsWith("/blockai.metering.")),
};
