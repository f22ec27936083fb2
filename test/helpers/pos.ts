/** Message builders and query helpers for the proof-of-stake tests (staking, slashing, distribution). */
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  MsgFundCommunityPool,
  MsgSetWithdrawAddress,
  MsgWithdrawDelegatorReward,
  MsgWithdrawValidatorCommission,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import {
  MsgBeginRedelegate,
  MsgCancelUnbondingDelegation,
  MsgCreateValidator,
  MsgDelegate,
  MsgEditValidator,
  MsgUndelegate,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import type { Driver } from "./driver";

export const DEC = 10n ** 18n;
/** A decimal as the protobuf Dec string (integer x 10^18), e.g. dec("0.1") = "100000000000000000". */
export function dec(text: string): string {
  const [w, f = ""] = text.split(".");
  return (BigInt(w) * DEC + BigInt(f.padEnd(18, "0"))).toString();
}

const any = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value });
const coin = (amount: bigint | string, denom = "usoa") => ({ denom, amount: amount.toString() });

export interface CreateValidatorOptions {
  rate?: string;
  maxRate?: string;
  maxChangeRate?: string;
  minSelfDelegation?: string;
  moniker?: string;
  pubKey?: Uint8Array;
  pubKeyTypeUrl?: string;
  denom?: string;
}

export function msgCreateValidator(valoper: string, consPubKey: Uint8Array, amount: bigint, o: CreateValidatorOptions = {}): Any {
  return any(
    "/cosmos.staking.v1beta1.MsgCreateValidator",
    MsgCreateValidator.encode({
      description: { moniker: o.moniker ?? "new-validator", identity: "", website: "", securityContact: "", details: "" },
      commission: { rate: dec(o.rate ?? "0.1"), maxRate: dec(o.maxRate ?? "0.2"), maxChangeRate: dec(o.maxChangeRate ?? "0.01") },
      minSelfDelegation: o.minSelfDelegation ?? "1",
      delegatorAddress: "",
      validatorAddress: valoper,
      pubkey: { typeUrl: o.pubKeyTypeUrl ?? "/cosmos.crypto.ed25519.PubKey", value: Ed25519PubKey.encode({ key: o.pubKey ?? consPubKey }).finish() },
      value: coin(amount, o.denom),
    }).finish(),
  );
}

export function msgEditValidator(valoper: string, o: { rate?: string; minSelfDelegation?: string; moniker?: string } = {}): Any {
  return any(
    "/cosmos.staking.v1beta1.MsgEditValidator",
    MsgEditValidator.encode({
      description: { moniker: o.moniker ?? "[do-not-modify]", identity: "[do-not-modify]", website: "[do-not-modify]", securityContact: "[do-not-modify]", details: "[do-not-modify]" },
      validatorAddress: valoper,
      commissionRate: o.rate === undefined ? "" : dec(o.rate),
      minSelfDelegation: o.minSelfDelegation ?? "",
    }).finish(),
  );
}

export function msgDelegate(delegator: string, valoper: string, amount: bigint | string, denom = "usoa"): Any {
  return any("/cosmos.staking.v1beta1.MsgDelegate", MsgDelegate.encode({ delegatorAddress: delegator, validatorAddress: valoper, amount: coin(amount, denom) }).finish());
}

export function msgUndelegate(delegator: string, valoper: string, amount: bigint | string, denom = "usoa"): Any {
  return any("/cosmos.staking.v1beta1.MsgUndelegate", MsgUndelegate.encode({ delegatorAddress: delegator, validatorAddress: valoper, amount: coin(amount, denom) }).finish());
}

export function msgRedelegate(delegator: string, src: string, dst: string, amount: bigint | string): Any {
  return any(
    "/cosmos.staking.v1beta1.MsgBeginRedelegate",
    MsgBeginRedelegate.encode({ delegatorAddress: delegator, validatorSrcAddress: src, validatorDstAddress: dst, amount: coin(amount) }).finish(),
  );
}

export function msgCancelUnbonding(delegator: string, valoper: string, amount: bigint, creationHeight: bigint): Any {
  return any(
    "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
    MsgCancelUnbondingDelegation.encode({ delegatorAddress: delegator, validatorAddress: valoper, amount: coin(amount), creationHeight }).finish(),
  );
}

export function msgWithdrawReward(delegator: string, valoper: string): Any {
  return any("/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", MsgWithdrawDelegatorReward.encode({ delegatorAddress: delegator, validatorAddress: valoper }).finish());
}

export function msgWithdrawCommission(valoper: string): Any {
  return any("/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", MsgWithdrawValidatorCommission.encode({ validatorAddress: valoper }).finish());
}

export function msgSetWithdrawAddress(delegator: string, withdraw: string): Any {
  return any("/cosmos.distribution.v1beta1.MsgSetWithdrawAddress", MsgSetWithdrawAddress.encode({ delegatorAddress: delegator, withdrawAddress: withdraw }).finish());
}

export function msgFundCommunityPool(depositor: string, amount: bigint): Any {
  return any("/cosmos.distribution.v1beta1.MsgFundCommunityPool", MsgFundCommunityPool.encode({ depositor, amount: [coin(amount)] }).finish());
}

export function msgUnjail(valoper: string): Any {
  return any("/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail.encode({ validatorAddr: valoper }).finish());
}

/** ABCI query through the app (as CosmJS's QueryClient does), decoding the response. */
export function query<Req, Res>(
  d: Driver,
  path: string,
  reqCodec: { encode(m: Req): { finish(): Uint8Array } },
  req: Req,
  resCodec: { decode(b: Uint8Array): Res },
  height = 0,
): Res {
  const r = d.app.query({ path, data: reqCodec.encode(req).finish(), height: BigInt(height), prove: false });
  if (r.code !== 0) throw Object.assign(new Error(`${path}: ${r.codespace}/${r.code} ${r.log}`), { code: r.code, codespace: r.codespace });
  return resCodec.decode(r.value);
}

export function expectCode(r: ExecTxResult, codespace: string, code: number): void {
  if (r.codespace !== codespace || r.code !== code) {
    throw new Error(`expected ${codespace}/${code}, got ${r.codespace || "ok"}/${r.code}: ${r.log}`);
  }
}

export function expectOk(r: ExecTxResult): void {
  if (r.code !== 0) throw new Error(`tx failed: ${r.codespace}/${r.code} ${r.log}`);
}

/** Value of an event attribute in a tx/block result (first match). */
export function eventAttr(events: ReadonlyArray<{ type: string; attributes: ReadonlyArray<{ key: string; value: string }> }>, type: string, key: string): string | undefined {
  for (const e of events) if (e.type === type) for (const a of e.attributes) if (a.key === key) return a.value;
  return undefined;
}
