import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { BankQuery } from "../../modules/bank/service";
import { parseCoinsArg } from "../amount";
import type { Command, ModuleCli } from "../command";
import { withNode } from "../connect";
import { QUERY_FLAGS, TX_FLAGS, heightFlag } from "../flags";
import { formatCoinsHuman, formatCoinHuman, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { checkAddressArg } from "../validate";

const send: Command = {
  name: "send",
  summary: "send coins from a key of the keyring to an address",
  usage: "FROM_KEY TO_ADDRESS AMOUNT",
  nargs: [3, 3],
  flags: TX_FLAGS,
  help: "AMOUNT: 1500000usoa, 1.5SOA (exactly 1500000usoa), or comma-separated coins (1SOA,10foo).",
  async run(ctx) {
    const [from, to, amountText] = ctx.args;
    txOptions(ctx); // flag mistakes first: they are usage errors, whatever the arguments
    checkAddressArg(to, "recipient address");
    const amount = parseCoinsArg(amountText);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx, from),
      msgs: (sender) => [
        {
          typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: MsgSend.fromPartial({ fromAddress: sender, toAddress: to, amount: amount.map((c) => ({ denom: c.denom, amount: c.amount.toString() })) }),
        },
      ],
      summary: [
        ["to", to],
        ["amount", formatCoinsHuman(amount)],
      ],
    });
  },
};

const balances: Command = {
  name: "balances",
  summary: "balances of an address",
  usage: "ADDRESS",
  nargs: [1, 1],
  flags: [...QUERY_FLAGS, { name: "denom", value: "DENOM", description: "only this denomination (shown even when 0)" }],
  async run(ctx) {
    const address = checkAddressArg(ctx.args[0]);
    const denom = ctx.flag("denom");
    const height = heightFlag(ctx);
    const { coins, at } = await withNode(ctx, async (node) => {
      if (denom !== undefined) {
        const r = await node.client.queryAt(BankQuery.Balance, { address, denom }, { height });
        return { coins: [r.response.balance ?? { denom, amount: "0" }], at: r.height };
      }
      // Every page: an account may hold more denominations than one page.
      const all: Array<{ denom: string; amount: string }> = [];
      let key: Uint8Array = new Uint8Array();
      let at = height;
      do {
        const r = await node.client.queryAt(BankQuery.AllBalances, { address, pagination: { key, limit: 100n } }, { height: at });
        at = r.height;
        const res = r.response;
        all.push(...res.balances);
        key = res.pagination?.nextKey ?? new Uint8Array();
      } while (key.length > 0);
      return { coins: all, at };
    });
    const text = coins.length === 0 ? `${address} has no balance (height ${at})\n` : table(coins.map((c) => [c.denom, formatCoinHuman(c)]), ["DENOM", "AMOUNT"]);
    ctx.print(text, { address, height: String(at), balances: coins.map((c) => ({ denom: c.denom, amount: c.amount })) });
  },
};

export const bankCli: ModuleCli = {
  name: "bank",
  summary: "send coins and read balances",
  tx: [send],
  query: [balances],
  // MsgSend and MsgMultiSend are in CosmJS's default registry already.
};
