import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { MsgHandler } from "../../src/framework/module";
import { DecodedTxCache, MsgRouter } from "../../src/app/tx";

const SEND = "/cosmos.bank.v1beta1.MsgSend";
const router: MsgRouter = new Map<string, MsgHandler<unknown>>([
  [
    SEND,
    {
      typeUrl: SEND,
      codec: MsgSend as unknown as MsgHandler<unknown>["codec"],
      signers: (m) => [(m as MsgSend).fromAddress],
      validateBasic: () => undefined,
      execute: () => ({ typeUrl: "", value: new Uint8Array() }) as unknown as ReturnType<MsgHandler["execute"]>,
    },
  ],
]);

/** A tx of about `memoBytes` + 100 bytes, distinct per `id`. */
function txBytes(id: number, memoBytes = 0): Uint8Array {
  const msg = MsgSend.encode({ fromAddress: `soa1sender${id}`, toAddress: "soa1recipient", amount: [{ denom: "usoa", amount: "1" }] }).finish();
  const body = TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl: SEND, value: msg }], memo: "m".repeat(memoBytes) })).finish();
  const authInfo = AuthInfo.encode(AuthInfo.fromPartial({ fee: { amount: [], gasLimit: 1n } })).finish();
  return TxRaw.encode({ bodyBytes: body, authInfoBytes: authInfo, signatures: [new Uint8Array(64)] }).finish();
}

describe("DecodedTxCache", () => {
  test("the same bytes decode once, equal bytes in another array included", () => {
    const cache = new DecodedTxCache();
    const first = cache.decode(txBytes(1), router);
    expect(cache.decode(Uint8Array.from(txBytes(1)), router)).toBe(first);
    expect(cache.decode(txBytes(2), router)).not.toBe(first);
  });

  test("is bounded in count: the oldest goes first", () => {
    const cache = new DecodedTxCache(3);
    const decoded = [1, 2, 3].map((id) => cache.decode(txBytes(id), router));
    cache.decode(txBytes(4), router); // evicts 1
    expect(cache.decode(txBytes(2), router)).toBe(decoded[1]);
    expect(cache.decode(txBytes(3), router)).toBe(decoded[2]);
    expect(cache.decode(txBytes(1), router)).not.toBe(decoded[0]);
  });

  test("is bounded in bytes: large txs push out older ones however few there are", () => {
    const cache = new DecodedTxCache(20_000, 10_000);
    const small = cache.decode(txBytes(1), router);
    const big = [2, 3, 4].map((id) => cache.decode(txBytes(id, 4_000), router)); // ~12 KB in all
    expect(cache.decode(txBytes(4, 4_000), router)).toBe(big[2]);
    expect(cache.decode(txBytes(1), router)).not.toBe(small);
    expect(cache.decode(txBytes(2, 4_000), router)).not.toBe(big[0]);
  });

  test("a tx larger than the byte bound is still decoded (and then kept alone)", () => {
    const cache = new DecodedTxCache(20_000, 1_000);
    const huge = cache.decode(txBytes(1, 5_000), router);
    expect(huge.body.memo.length).toBe(5_000);
    expect(cache.decode(txBytes(1, 5_000), router)).toBe(huge);
  });
});
