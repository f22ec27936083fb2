import { decodeAddress, encodeAddress } from "../../types/address";
import type { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { BASE_DENOM, Coin, DISPLAY_DENOM, DISPLAY_EXPONENT, addCoins, coinsFromProto, coinsToProto, isValidDenom } from "../../types/coins";
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

/** SOA as wallets and explorers show it (the SDK's Metadata JSON): 1 SOA = 10^6 usoa. */
export const SOA_METADATA_JSON = {
  description: "SOA, the staking and fee token of BLOCKAI",
  denom_units: [
    { denom: BASE_DENOM, exponent: 0, aliases: ["microsoa"] },
    { denom: DISPLAY_DENOM, exponent: DISPLAY_EXPONENT, aliases: [] },
  ],
  base: BASE_DENOM,
  display: DISPLAY_DENOM,
  name: DISPLAY_DENOM,
  symbol: DISPLAY_DENOM,
  uri: "",
  uri_hash: "",
};

export function defaultBankGenesis() {
  return { params: { send_enabled: [], default_send_enabled: DEFAULT_BANK_PARAMS.defaultSendEnabled }, balances: [], supply: [], denom_metadata: [SOA_METADATA_JSON] };
}

/** A genesis denom_metadata entry, validated as the SDK's Metadata.Validate does. */
export function denomMetadataFromJson(value: unknown, where: string): Metadata {
  const o = obj(value, where);
  const text = (v: unknown, field: string) => (v === undefined ? "" : str(v, `${where}.${field}`));
  const base = str(o.base, `${where}.base`);
  const display = str(o.display, `${where}.display`);
  if (!isValidDenom(base)) throw new Error(`${where}.base: invalid denom "${base}"`);
  if (!isValidDenom(display)) throw new Error(`${where}.display: invalid denom "${display}"`);
  const units = arr(o.denom_units, `${where}.denom_units`).map((u, i) => {
    const uo = obj(u, `${where}.denom_units[${i}]`);
    const denom = str(uo.denom, `${where}.denom_units[${i}].denom`);
    if (!isValidDenom(denom)) throw new Error(`${where}.denom_units[${i}].denom: invalid denom "${denom}"`);
    const exponent = uo.exponent ?? 0;
    if (typeof exponent !== "number" || !Number.isInteger(exponent) || exponent < 0 || exponent > 36) throw new Error(`${where}.denom_units[${i}].exponent: expected an integer 0..36`);
    const aliases = arr(uo.aliases ?? [], `${where}.denom_units[${i}].aliases`).map((a, j) => str(a, `${where}.denom_units[${i}].aliases[${j}]`));
    return { denom, exponent, aliases };
  });
  if (units.length === 0 || units[0].denom !== base || units[0].exponent !== 0) throw new Error(`${where}.denom_units: the first unit must be the base denom "${base}" with exponent 0`);
  const seen = new Set<string>();
  for (let i = 0; i < units.length; i++) {
    for (const name of [units[i].denom, ...units[i].aliases]) {
      if (seen.has(name)) throw new Error(`${where}.denom_units[${i}]: duplicate denom or alias "${name}"`);
      seen.add(name);
    }
    if (i > 0 && units[i].exponent <= units[i - 1].exponent) throw new Error(`${where}.denom_units: exponents must increase (unit ${i})`);
  }
  if (!units.some((u) => u.denom === display)) throw new Error(`${where}.display: "${display}" is not one of denom_units`);
  return {
    description: text(o.description, "description"),
    denomUnits: units,
    base,
    display,
    name: text(o.name, "name"),
    symbol: text(o.symbol, "symbol"),
    uri: text(o.uri, "uri"),
    uriHash: text(o.uri_hash, "uri_hash"),
  };
}

export function denomMetadataToJson(m: Metadata) {
  return {
    description: m.description,
    denom_units: m.denomUnits.map((u) => ({ denom: u.denom, exponent: u.exponent, aliases: u.aliases })),
    base: m.base,
    display: m.display,
    name: m.name,
    symbol: m.symbol,
    uri: m.uri,
    uri_hash: m.uriHash,
  };
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
  const bases = new Set<string>();
  arr(g.denom_metadata ?? [], "bank.denom_metadata").forEach((m, i) => {
    const metadata = denomMetadataFromJson(m, `bank.denom_metadata[${i}]`);
    if (bases.has(metadata.base)) throw new Error(`bank.denom_metadata: duplicate entry for ${metadata.base}`);
    bases.add(metadata.base);
    keeper.setDenomMetadata(ctx.store, metadata);
  });
}

export function exportBankGenesis(keeper: BankKeeper, ctx: Context) {
  return {
    params: { send_enabled: [], default_send_enabled: keeper.isSendEnabled(ctx.store) },
    balances: keeper.allBalances(ctx.store).map((b) => ({ address: encodeAddress(b.address), coins: coinsToProto(b.coins) })),
    supply: coinsToProto(keeper.getTotalSupply(ctx.store)),
    denom_metadata: keeper.allDenomMetadata(ctx.store).map(denomMetadataToJson),
  };
}
