import fc from "fast-check";
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Any } from "cosmjs-types/google/protobuf/any";
import { encodeAddress } from "../../src/types/address";
import { AuthKeeper } from "../../src/modules/auth";
import { Account, BASE_ACCOUNT_TYPE_URL, MODULE_ACCOUNT_TYPE_URL, SECP256K1_PUBKEY_TYPE_URL, encodeAccountBytes } from "../../src/modules/auth/codec";
import type { KVStore } from "../../src/store/kv";

/*
 * The auth keeper reads and writes account records with a hand-written codec (a hot path: every
 * tx reads and writes its signer's account). The records are consensus state, so the codec must
 * give exactly the bytes cosmjs-types gives, and read back exactly what it reads, or fall back.
 */
function referenceEncode(account: Account): Uint8Array {
  const base = BaseAccount.fromPartial({
    address: encodeAddress(account.address),
    pubKey: account.pubKey ? { typeUrl: SECP256K1_PUBKEY_TYPE_URL, value: PubKey.encode({ key: account.pubKey }).finish() } : undefined,
    accountNumber: account.accountNumber,
    sequence: account.sequence,
  });
  const any =
    account.moduleName !== undefined
      ? { typeUrl: MODULE_ACCOUNT_TYPE_URL, value: ModuleAccount.encode({ baseAccount: base, name: account.moduleName, permissions: [] }).finish() }
      : { typeUrl: BASE_ACCOUNT_TYPE_URL, value: BaseAccount.encode(base).finish() };
  return Any.encode(any).finish();
}

function referenceDecode(address: Uint8Array, raw: Uint8Array): Account {
  const any = Any.decode(raw);
  const moduleAccount = any.typeUrl === MODULE_ACCOUNT_TYPE_URL ? ModuleAccount.decode(any.value) : undefined;
  const base = moduleAccount ? moduleAccount.baseAccount! : BaseAccount.decode(any.value);
  return { address, pubKey: base.pubKey ? PubKey.decode(base.pubKey.value).key : undefined, accountNumber: base.accountNumber, sequence: base.sequence, moduleName: moduleAccount?.name };
}

const u64 = fc.oneof(fc.constantFrom(0n, 1n, 127n, 128n, (1n << 53n) + 1n, (1n << 63n) - 1n, (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const account: fc.Arbitrary<Account> = fc.record({
  address: fc.oneof(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.uint8Array({ minLength: 32, maxLength: 32 })),
  pubKey: fc.option(fc.oneof(fc.uint8Array({ minLength: 33, maxLength: 33 }), fc.uint8Array({ maxLength: 80 })), { nil: undefined }),
  accountNumber: u64,
  sequence: u64,
  moduleName: fc.option(fc.oneof(fc.constantFrom("fee_collector", "bonded_tokens_pool", ""), fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 10 })), { nil: undefined }),
});

const norm = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `n${x}` : x instanceof Uint8Array ? `u${Buffer.from(x).toString("hex")}` : x === undefined ? "<undefined>" : x));
const outcome = (f: () => unknown) => {
  try {
    return norm(f());
  } catch (e) {
    return `throws ${(e as Error).constructor.name}`;
  }
};
const storeOf = (raw: Uint8Array) => ({ get: () => raw }) as unknown as KVStore;

describe("auth account codec", () => {
  const keeper = new AuthKeeper();

  test("encodes every account exactly as cosmjs-types does", () => {
    fc.assert(fc.property(account, (a) => expect(Buffer.from(encodeAccountBytes(a)).toString("hex")).toBe(Buffer.from(referenceEncode(a)).toString("hex"))), { numRuns: 3000 });
  });

  test("decodes every record, and every corrupted or truncated record, exactly as cosmjs-types does", () => {
    const corrupted = fc.tuple(account, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.nat()).map(([a, flips, cut]) => {
      const raw = Uint8Array.from(referenceEncode(a));
      for (const [at, value] of flips) raw[at % raw.length] = value;
      return { address: a.address, raw: cut % 4 === 0 ? raw.subarray(0, cut % (raw.length + 1)) : raw };
    });
    fc.assert(
      fc.property(corrupted, ({ address, raw }) => {
        expect(outcome(() => keeper.getAccount(storeOf(raw), address))).toBe(outcome(() => referenceDecode(address, raw)));
      }),
      { numRuns: 5000 },
    );
  });
});
