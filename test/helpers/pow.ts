/** Helpers for the pow tests: models through the registry, certificates mined in-process. */
import type { Any } from "cosmjs-types/google/protobuf/any";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { MsgRegisterModel, MsgRegisterModelResponse, MsgSetModelStatus } from "../../src/gen/blockai/registry/v1/tx";
import { ModelStatus } from "../../src/gen/blockai/registry/v1/registry";
import { MsgSubmitWork } from "../../src/gen/blockai/pow/v1/tx";
import { MSG_SUBMIT_WORK_TYPE_URL, bytesToBigInt, doubleSha256, sealPrefix, type SealFields } from "../../src/modules/pow";
import type { Driver } from "./driver";
import { signTx, TestKey } from "./keys";

export const MIN_BOND = 10_000_000n;

export function registerModelMsg(owner: string, operators: string[] = [], name = "model"): Any {
  return {
    typeUrl: "/blockai.registry.v1.MsgRegisterModel",
    value: MsgRegisterModel.encode(
      MsgRegisterModel.fromPartial({
        owner,
        operators,
        name,
        version: "1.0",
        task: "text-generation",
        description: "",
        artifactDigest: Buffer.alloc(32, 7),
        artifactUri: "",
        endpoint: "",
        pricePerUnit: { denom: "usoa", amount: "0" },
        unit: "call",
        bond: { denom: "usoa", amount: MIN_BOND.toString() },
        supersedes: 0n,
      }),
    ).finish(),
  };
}

export function setModelStatusMsg(sender: string, modelId: bigint, status: ModelStatus): Any {
  return {
    typeUrl: "/blockai.registry.v1.MsgSetModelStatus",
    value: MsgSetModelStatus.encode({ sender, modelId, status }).finish(),
  };
}

export function submitWorkMsg(m: MsgSubmitWork): Any {
  return { typeUrl: MSG_SUBMIT_WORK_TYPE_URL, value: MsgSubmitWork.encode(m).finish() };
}

/** Signs a tx with the key's current account (or 0/0 for an account the chain does not know). */
export function signAs(d: Driver, key: TestKey, msgs: Any[], over: Partial<Parameters<typeof signTx>[0]> = {}): Uint8Array {
  const acc = d.account(key.address);
  return signTx({
    key,
    msgs,
    accountNumber: acc?.accountNumber ?? 0n,
    sequence: acc?.sequence ?? 0n,
    chainId: d.chainId,
    ...over,
  });
}

/** A feeless certificate tx (fee amount empty). */
export function signCert(d: Driver, key: TestKey, msg: MsgSubmitWork, over: Partial<Parameters<typeof signTx>[0]> = {}): Uint8Array {
  return signAs(d, key, [submitWorkMsg(msg)], { fee: [], gas: 300_000n, ...over });
}

/** Registers a model owned by `owner` in one block; returns its id. */
export async function registerModel(d: Driver, owner: TestKey, operators: string[] = []): Promise<bigint> {
  const { results } = await d.block([signAs(d, owner, [registerModelMsg(owner.address, operators)])]);
  if (results[0].code !== 0) throw new Error(`register model failed: ${results[0].codespace}/${results[0].code} ${results[0].log}`);
  const data = TxMsgData.decode(results[0].data);
  return MsgRegisterModelResponse.decode(data.msgResponses[0].value).modelId;
}

/** Searches nonces from `start` until the seal is <= target (or > target when `above`). */
export function findNonce(fields: SealFields, target: bigint, opts: { start?: bigint; above?: boolean; limit?: number } = {}): { nonce: bigint; seal: Buffer } {
  const prefix = sealPrefix(fields);
  const buf = Buffer.alloc(prefix.length + 8);
  prefix.copy(buf);
  let nonce = opts.start ?? 0n;
  for (let i = 0; i < (opts.limit ?? 50_000_000); i++, nonce++) {
    buf.writeBigUInt64BE(nonce, prefix.length);
    const seal = doubleSha256(buf);
    const ok = bytesToBigInt(seal) <= target;
    if (ok !== (opts.above ?? false)) return { nonce, seal };
  }
  throw new Error("no nonce found within the limit");
}

/** The hash the Driver puts in FinalizeBlock at `height`. */
export function driverBlockHash(height: number): Uint8Array {
  return new Uint8Array(32).fill(height & 0xff);
}
