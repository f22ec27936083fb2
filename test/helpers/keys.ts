import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { toBech32 } from "@cosmjs/encoding";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";

const N = secp256k1.Point.CURVE().n;

/** A deterministic test key (never use outside tests). */
export class TestKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly address: string;
  readonly addressBytes: Uint8Array;

  constructor(seed: number | string) {
    this.privateKey = sha256(new TextEncoder().encode(`blockai-test-key-${seed}`));
    this.publicKey = secp256k1.getPublicKey(this.privateKey, true);
    this.addressBytes = ripemd160(sha256(this.publicKey));
    this.address = toBech32("soa", this.addressBytes);
  }

  /** 64-byte r||s over SHA-256(message), low-S unless highS (then the malleated twin). */
  sign(message: Uint8Array, highS = false): Uint8Array {
    const sig = secp256k1.sign(message, this.privateKey, { lowS: true, prehash: true });
    if (!highS) return sig;
    const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
    const highSValue = N - s;
    const out = new Uint8Array(sig);
    out.set(Buffer.from(highSValue.toString(16).padStart(64, "0"), "hex"), 32);
    return out;
  }

  pubKeyAny(): Any {
    return { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: this.publicKey }).finish() };
  }
}

export interface SignOptions {
  key: TestKey;
  msgs: Any[];
  accountNumber: bigint;
  sequence: bigint;
  chainId: string;
  fee?: Array<{ denom: string; amount: string }>;
  gas?: bigint;
  memo?: string;
  timeoutHeight?: bigint;
  highS?: boolean;
  /** Replace the signature with these bytes. */
  signature?: Uint8Array;
  signMode?: SignMode;
}

/** Builds and signs a TxRaw exactly as CosmJS's signDirect does. */
export function signTx(o: SignOptions): Uint8Array {
  const bodyBytes = TxBody.encode(
    TxBody.fromPartial({ messages: o.msgs, memo: o.memo ?? "", timeoutHeight: o.timeoutHeight ?? 0n }),
  ).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [{ publicKey: o.key.pubKeyAny(), modeInfo: { single: { mode: o.signMode ?? SignMode.SIGN_MODE_DIRECT } }, sequence: o.sequence }],
      fee: { amount: o.fee ?? [{ denom: "usoa", amount: "5000" }], gasLimit: o.gas ?? 200_000n },
    }),
  ).finish();
  const signDoc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: o.chainId, accountNumber: o.accountNumber }).finish();
  const signature = o.signature ?? o.key.sign(signDoc, o.highS);
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signature] }).finish();
}

export function msgSend(from: string, to: string, amount: bigint, denom = "usoa"): Any {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount: amount.toString() }] }).finish(),
  };
}
