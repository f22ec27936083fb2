import { MsgMultiSend, MsgMultiSendResponse, MsgSend, MsgSendResponse } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryParamsResponse,
  QuerySpendableBalancesRequest,
  QuerySpendableBalancesResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
  QueryDenomMetadataRequest,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { decodeAddress, encodeAddress } from "../../types/address";
import { Coin, addCoins, coinsFromProto, coinsToProto, isValidDenom } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import { arr, bool, obj, str, optional } from "../../types/genesis-json";
import type { Context, Module, MsgHandler, QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { PrefixStore } from "../../store/kv";
import { balancesPrefix } from "./keys";
import { BANK_STORE_PREFIX, BankErrors, BankKeeper } from "./keeper";

function nonEmptyCoins(coins: ReadonlyArray<{ denom: string; amount: string }>, what: string): Coin[] {
  const parsed = coinsFromProto(coins);
  if (parsed.length === 0) throw SdkErrors.InvalidCoins.wrap(`${what}: no coins`);
  return parsed;
}

function msgSendHandler(keeper: BankKeeper): MsgHandler<MsgSend> {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    codec: MsgSend,
    signers: (msg) => [msg.fromAddress],
    validateBasic(msg) {
      decodeAddress(msg.fromAddress, "sender address");
      decodeAddress(msg.toAddress, "recipient address");
      nonEmptyCoins(msg.amount, "amount");
    },
    execute(ctx, msg) {
      if (!keeper.isSendEnabled(ctx.store)) throw BankErrors.SendDisabled.wrap();
      const from = decodeAddress(msg.fromAddress);
      const to = decodeAddress(msg.toAddress);
      if (keeper.isBlocked(to)) throw SdkErrors.Unauthorized.wrap(`${msg.toAddress} is not allowed to receive funds`);
      keeper.send(ctx.store, ctx.events, from, to, coinsFromProto(msg.amount));
      return { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: MsgSendResponse.encode({}).finish() };
    },
  };
}

function msgMultiSendHandler(keeper: BankKeeper): MsgHandler<MsgMultiSend> {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
    codec: MsgMultiSend,
    signers: (msg) => msg.inputs.map((i) => i.address),
    validateBasic(msg) {
      if (msg.inputs.length === 0) throw BankErrors.NoInputs.wrap();
      if (msg.inputs.length > 1) throw BankErrors.MultipleSenders.wrap();
      if (msg.outputs.length === 0) throw BankErrors.NoOutputs.wrap();
      const ins = msg.inputs.map((i) => {
        decodeAddress(i.address, "input address");
        return nonEmptyCoins(i.coins, "input coins");
      });
      const outs = msg.outputs.map((o) => {
        decodeAddress(o.address, "output address");
        return nonEmptyCoins(o.coins, "output coins");
      });
      const a = addCoins(...ins);
      const b = addCoins(...outs);
      if (a.length !== b.length || a.some((c, i) => c.denom !== b[i].denom || c.amount !== b[i].amount)) {
        throw BankErrors.InputOutputMismatch.wrap();
      }
    },
    execute(ctx, msg) {
      if (!keeper.isSendEnabled(ctx.store)) throw BankErrors.SendDisabled.wrap();
      const input = msg.inputs[0];
      const from = decodeAddress(input.address);
      for (const o of msg.outputs) {
        const to = decodeAddress(o.address);
        if (keeper.isBlocked(to)) throw SdkErrors.Unauthorized.wrap(`${o.address} is not allowed to receive funds`);
      }
      for (const o of msg.outputs) keeper.send(ctx.store, ctx.events, from, decodeAddress(o.address), coinsFromProto(o.coins));
      return { typeUrl: "/cosmos.bank.v1beta1.MsgMultiSendResponse", value: MsgMultiSendResponse.encode({}).finish() };
    },
  };
}

function coinsFromJson(value: unknown, where: string): Coin[] {
  return coinsFromProto(
    arr(value ?? [], where).map((c, i) => {
      const o = obj(c, `${where}[${i}]`);
      return { denom: str(o.denom, `${where}[${i}].denom`), amount: str(o.amount, `${where}[${i}].amount`) };
    }),
  );
}

export function createBankModule(keeper: BankKeeper): Module {
  const q = (path: string, handle: QueryHandler["handle"]): QueryHandler => ({ path: `/cosmos.bank.v1beta1.Query/${path}`, handle });
  const pagedBalances = (ctxStore: import("../../store/kv").KVStore, address: Uint8Array, req: QueryAllBalancesRequest | QuerySpendableBalancesRequest) => {
    const store = new PrefixStore(new PrefixStore(ctxStore, BANK_STORE_PREFIX), balancesPrefix(address));
    return paginate(store, new Uint8Array(), undefined, req.pagination, (k, v) => ({
      denom: new TextDecoder().decode(k),
      amount: new TextDecoder().decode(v),
    }));
  };
  return {
    name: "bank",
    msgs: [msgSendHandler(keeper), msgMultiSendHandler(keeper)],
    queries: [
      q("Balance", (ctx, data) => {
        const req = QueryBalanceRequest.decode(data);
        const address = decodeAddress(req.address);
        if (!isValidDenom(req.denom)) throw SdkErrors.InvalidCoins.wrap(`invalid denom "${req.denom}"`);
        const amount = keeper.getBalance(ctx.store, address, req.denom);
        return QueryBalanceResponse.encode({ balance: { denom: req.denom, amount: amount.toString() } }).finish();
      }),
      q("AllBalances", (ctx, data) => {
        const req = QueryAllBalancesRequest.decode(data);
        const { items, pagination } = pagedBalances(ctx.store, decodeAddress(req.address), req);
        return QueryAllBalancesResponse.encode({ balances: items, pagination }).finish();
      }),
      q("SpendableBalances", (ctx, data) => {
        // Nothing is locked inside an account in BLOCKAI (bonded and escrowed coins live in
        // module accounts), so spendable = balance.
        const req = QuerySpendableBalancesRequest.decode(data);
        const { items, pagination } = pagedBalances(ctx.store, decodeAddress(req.address), req);
        return QuerySpendableBalancesResponse.encode({ balances: items, pagination }).finish();
      }),
      q("TotalSupply", (ctx, data) => {
        const req = QueryTotalSupplyRequest.decode(data);
        const store = new PrefixStore(ctx.store, BANK_STORE_PREFIX);
        const { items, pagination } = paginate(store, Uint8Array.of(0x01), Uint8Array.of(0x02), req.pagination, (k, v) => ({
          denom: new TextDecoder().decode(k.subarray(1)),
          amount: new TextDecoder().decode(v),
        }));
        return QueryTotalSupplyResponse.encode({ supply: items, pagination }).finish();
      }),
      q("SupplyOf", (ctx, data) => {
        const req = QuerySupplyOfRequest.decode(data);
        if (!isValidDenom(req.denom)) throw SdkErrors.InvalidCoins.wrap(`invalid denom "${req.denom}"`);
        return QuerySupplyOfResponse.encode({ amount: { denom: req.denom, amount: keeper.getSupply(ctx.store, req.denom).toString() } }).finish();
      }),
      q("Params", (ctx) =>
        QueryParamsResponse.encode({ params: { sendEnabled: [], defaultSendEnabled: keeper.isSendEnabled(ctx.store) } }).finish(),
      ),
      q("DenomMetadata", (_ctx, data) => {
        const req = QueryDenomMetadataRequest.decode(data);
        throw SdkErrors.NotFound.wrap(`client metadata for denom ${req.denom}`);
      }),
    ],
    defaultGenesis: () => ({ params: { send_enabled: [], default_send_enabled: true }, balances: [], supply: [], denom_metadata: [] }),
    initGenesis(ctx: Context, genesis: unknown) {
      const g = obj(genesis ?? {}, "bank");
      const params = optional(g.params, (p) => obj(p, "bank.params"));
      keeper.setSendEnabled(ctx.store, params?.default_send_enabled === undefined ? true : bool(params.default_send_enabled, "bank.params.default_send_enabled"));
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
    },
    exportGenesis(ctx: Context) {
      return {
        params: { send_enabled: [], default_send_enabled: keeper.isSendEnabled(ctx.store) },
        balances: keeper.allBalances(ctx.store).map((b) => ({ address: encodeAddress(b.address), coins: coinsToProto(b.coins) })),
        supply: coinsToProto(keeper.getTotalSupply(ctx.store)),
        denom_metadata: [],
      };
    },
    invariants: (store) => keeper.checkSupplyInvariant(store),
  };
}

