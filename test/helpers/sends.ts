import { DirectSecp256k1HdWallet, encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createHash } from "node:crypto";
import type { TestAccount } from "../../src/node/network";
import { rpc } from "../../src/node/rpc";

export interface SignedTx {
  bytes: Uint8Array;
  hash: string;
}

export async function accountOf(node: string, address: string): Promise<{ accountNumber: bigint; sequence: bigint }> {
  const data = Buffer.from(QueryAccountRequest.encode({ address }).finish()).toString("hex");
  const r = await rpc(node, "abci_query", { path: '"/cosmos.auth.v1beta1.Query/Account"', data: `0x${data}` });
  if (r.response.code !== 0) throw new Error(`account ${address}: ${r.response.log}`);
  const any = QueryAccountResponse.decode(Buffer.from(r.response.value, "base64")).account!;
  const acc = BaseAccount.decode(any.value);
  return { accountNumber: acc.accountNumber, sequence: acc.sequence };
}

const wallets = new Map<string, Promise<DirectSecp256k1HdWallet>>();
function walletOf(mnemonic: string): Promise<DirectSecp256k1HdWallet> {
  let w = wallets.get(mnemonic);
  if (!w) wallets.set(mnemonic, (w = DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "soa" })));
  return w;
}

/** One tx of `msgs` signed offline at `sequence`; `fee` "" signs a feeless tx (an empty fee amount, e.g. PoW certificates). */
export async function signMsgs(chainId: string, from: TestAccount, account: { accountNumber: bigint; sequence: bigint }, msgs: Any[], gas = 300_000, fee = "10000"): Promise<SignedTx> {
  const wallet = await walletOf(from.mnemonic);
  const [{ pubkey }] = await wallet.getAccounts();
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: msgs })).finish();
  const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: Number(account.sequence) }], fee === "" ? [] : [{ denom: "usoa", amount: fee }], gas, undefined, undefined);
  const { signature } = await wallet.signDirect(from.address, makeSignDoc(bodyBytes, authInfoBytes, chainId, Number(account.accountNumber)));
  const bytes = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [Buffer.from(signature.signature, "base64")] }).finish();
  return { bytes, hash: createHash("sha256").update(bytes).digest("hex").toUpperCase() };
}

export function sendMsg(from: string, to: string, amount: bigint): Any {
  return { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom: "usoa", amount: amount.toString() }] }).finish() };
}

/** `count` MsgSends with consecutive sequences, broadcast in order; returns their hashes. */
export async function broadcastSends(chainId: string, node: string, from: TestAccount, to: string, count: number): Promise<string[]> {
  const acc = await accountOf(node, from.address);
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const tx = await signMsgs(chainId, from, { ...acc, sequence: acc.sequence + BigInt(i) }, [sendMsg(from.address, to, BigInt(1 + i))]);
    const r = await rpc(node, "broadcast_tx_sync", { tx: `0x${Buffer.from(tx.bytes).toString("hex")}` });
    if (r.code !== 0) throw new Error(`CheckTx refused a tx on ${node}: code ${r.code} ${r.log}`);
    hashes.push(tx.hash);
  }
  return hashes;
}
