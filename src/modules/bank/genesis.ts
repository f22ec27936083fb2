import { decodeAddress, encodeAddress } from "../../types/address";
import { Coin, addCoins, coinsFromProto, coinsToProto } from "../../types/coins";
import { arr, bool, obj, optional, str } from "../../types/genesis-json";
import type { Context } from "../../framework/module";
import type { BankKeeper } from "./keeper";
import { DEFAULT_BANK_PARAMS } from "./params";

function coinsFromJson(value: unknown, where: string): Coin[] {
  return coinsFromProto(
    arr(value ?? [], where).map((c, i) => {
      const o = obj(c, `${where}[${i}]`);
      return { denom: str(o.denom, `${where}[${i}].denom`), amount: str(o.amount, `${where}[${i}].amount`) };
    }),
  );
}

export function defaultBankGenesis() {
  return { params: { send_enabled: [], default_send_enabled: DEFAULT_BANK_PARAMS.defaultSendEnabled }, balances: [], supply: [], denom_metadata: [] };
}

export function initBankGenesis(keeper: BankKeeper, ctx: Context, genesis: unknown): void {
  const g = obj(genesis ?? {}, "bank");
  const params = optional(g.params, (p) => obj(p, "bank.params"));
  keeper.setSendEnabled(
    ctx.store,
    params?.default_send_enabled === undefined ? DEFAULT_BANK_PARAMS.defaultSendEnabled : bool(params.default_send_enabled, "bank.params.default_send_enabled"),
  );
  const seen = new Set<string>();
  const totals: Coin[][] = [];
  arr(g.balances ?? [], "bank.balances").forEach((b, i) => {
    const o = obj(b, `bank.balances[${i}]`);
    const address = decodeAddress(str(o.address, `bank.balances[${i}].address`));
    const id = Buffer.from(address).toString("hex");
    if (seen.has(id)) throw new Error(`bank.balances: duplicate entry for ${o.address}`);
    seen.add(id);
    const coins = coinsFromJson(o.coins, `bank.balances[${i}].coins`);
    keeper.importBalance(ctx.store, address, coins);
    totals.push(coins);
  });
  const sum = addCoins(...totals);
  const declared = coinsFromJson(g.supply, "bank.supply");
  if (declared.length > 0) {
    const same = declared.length === sum.length && declared.every((c, i) => c.denom === sum[i].denom && c.amount === sum[i].amount);
    if (!same) throw new Error(`bank.supply does not equal the sum of bank.balances`);
  }
  keeper.importSupply(ctx.store, sum);
}

export function exportBankGenesis(keeper: BankKeeper, ctx: Context) {
  return {
    params: { send_enabled: [], default_send_enabled: keeper.isSendEnabled(ctx.store) },
    balances: keeper.allBalances(ctx.store).map((b) => ({ address: encodeAddress(b.address), coins: coinsToProto(b.coins) })),
    supply: coinsToProto(keeper.getTotalSupply(ctx.store)),
    denom_metadata: [],
  };
}
