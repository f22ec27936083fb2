import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { verifySecp256k1 } from "../../src/framework/crypto";
import {
  checkVoucher,
  signVoucher,
  verifyVoucher,
  voucherDigest,
  voucherFromProto,
  voucherPublicKey,
  voucherSignBytes,
  voucherToProto,
  VOUCHER_DOMAIN_TAG,
  type Voucher,
} from "../../src/types/voucher";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
// Test-only key: SHA-256("blockai voucher test key").
const PRIV = sha256(new TextEncoder().encode("blockai voucher test key"));
const PUB = voucherPublicKey(PRIV);
const OTHER = sha256(new TextEncoder().encode("someone else"));
const N = secp256k1.Point.CURVE().n;

const V: Voucher = { chainId: "blockai-1", escrowId: 7n, cumulativeUnits: 1000n, cumulativeAmount: 123_456_789n };

describe("voucher encoding (protocol v1): exact bytes", () => {
  test("layout: tag || u8 len || chain_id || u64 escrow || u64 units || u128 amount, big-endian", () => {
    const bytes = voucherSignBytes(V);
    expect(bytes.length).toBe(51 + 9);
    expect(hex(bytes)).toBe(
      Buffer.from(VOUCHER_DOMAIN_TAG).toString("hex") + // 18 bytes "blockai/voucher/v1"
        "09" + // len("blockai-1")
        Buffer.from("blockai-1").toString("hex") +
        "0000000000000007" + // escrow_id
        "00000000000003e8" + // cumulative_units = 1000
        "000000000000000000000000075bcd15", // cumulative_amount = 123456789
    );
    expect(hex(bytes.subarray(0, 18))).toBe("626c6f636b61692f766f75636865722f7631");
  });

  test("published test vector: digest and deterministic (RFC 6979) low-S signature", () => {
    // Anyone implementing the protocol can check their encoder and signer against these values.
    expect(hex(PRIV)).toBe(hex(sha256(new TextEncoder().encode("blockai voucher test key"))));
    expect(hex(PUB)).toBe("03604484e219daae3870b51365a925d3699fc08b7b5603a68a61fd5e7d3335591a");
    expect(hex(voucherDigest(V))).toBe(hex(sha256(voucherSignBytes(V))));
    const { signature } = signVoucher(V, PRIV);
    expect(signature.length).toBe(64);
    expect(hex(signature)).toBe(hex(signVoucher(V, PRIV).signature)); // deterministic
    expect(hex(voucherDigest(V))).toBe("a13adc8b35972b67f8842319d12a2bbfbb80743075b518f937bcfd6b5de1b7f3");
    expect(hex(signature)).toBe(
      "d877f75047c6e1160cedf5b5f7a13e5995e91da6fb07b8a2996b6d21b00eeec4" + "454f928d8975b9d0e29c1268c244fc0f63ab7a158b6f22e89eb137eaba580508",
    );
  });

  test("extremes: u64 max, u128 max, 255-byte chain id; out of range is refused", () => {
    const max: Voucher = { chainId: "c".repeat(255), escrowId: (1n << 64n) - 1n, cumulativeUnits: (1n << 64n) - 1n, cumulativeAmount: (1n << 128n) - 1n };
    const b = voucherSignBytes(max);
    expect(b.length).toBe(51 + 255);
    expect(b[18]).toBe(255);
    expect(hex(b.subarray(b.length - 32))).toBe("ff".repeat(32));
    expect(() => voucherSignBytes({ ...V, chainId: "" })).toThrow(/chain_id/);
    expect(() => voucherSignBytes({ ...V, chainId: "c".repeat(256) })).toThrow(/chain_id/);
    expect(() => voucherSignBytes({ ...V, escrowId: 0n })).toThrow(/escrow_id/);
    expect(() => voucherSignBytes({ ...V, escrowId: 1n << 64n })).toThrow(/escrow_id/);
    expect(() => voucherSignBytes({ ...V, cumulativeUnits: -1n })).toThrow(/units/);
    expect(() => voucherSignBytes({ ...V, cumulativeAmount: 1n << 128n })).toThrow(/amount/);
  });

  test("the encoding is injective: distinct vouchers never share sign bytes (property)", () => {
    const arb = fc.record({
      chainId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => new TextEncoder().encode(s).length <= 255),
      escrowId: fc.bigInt(1n, (1n << 64n) - 1n),
      cumulativeUnits: fc.bigInt(0n, (1n << 64n) - 1n),
      cumulativeAmount: fc.bigInt(0n, (1n << 128n) - 1n),
    });
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const same = a.chainId === b.chainId && a.escrowId === b.escrowId && a.cumulativeUnits === b.cumulativeUnits && a.cumulativeAmount === b.cumulativeAmount;
        return same === (hex(voucherSignBytes(a)) === hex(voucherSignBytes(b)));
      }),
    );
  });

  test("domain separation: voucher sign bytes start with 'b' (0x62), a Cosmos SignDoc with 0x0a", () => {
    expect(voucherSignBytes(V)[0]).toBe(0x62);
  });
});

describe("signVoucher / verifyVoucher", () => {
  test("valid signatures verify with @noble (client) and with the chain's OpenSSL verifier", () => {
    fc.assert(
      fc.property(fc.bigInt(1n, (1n << 64n) - 1n), fc.bigInt(0n, (1n << 64n) - 1n), fc.bigInt(0n, (1n << 128n) - 1n), (escrowId, units, amount) => {
        const v = { chainId: "blockai-test", escrowId, cumulativeUnits: units, cumulativeAmount: amount };
        const { signature } = signVoucher(v, PRIV);
        return verifyVoucher(v, signature, PUB) && verifySecp256k1(PUB, voucherSignBytes(v), signature);
      }),
      { numRuns: 50 },
    );
  });

  test("any change to the voucher, the key or the signature fails; high-S is refused by both verifiers", () => {
    const { signature } = signVoucher(V, PRIV);
    expect(verifyVoucher({ ...V, cumulativeAmount: V.cumulativeAmount + 1n }, signature, PUB)).toBe(false);
    expect(verifyVoucher({ ...V, cumulativeUnits: V.cumulativeUnits + 1n }, signature, PUB)).toBe(false);
    expect(verifyVoucher({ ...V, escrowId: 8n }, signature, PUB)).toBe(false);
    expect(verifyVoucher({ ...V, chainId: "blockai-2" }, signature, PUB)).toBe(false);
    expect(verifyVoucher(V, signature, voucherPublicKey(OTHER))).toBe(false);
    const flipped = Uint8Array.from(signature);
    flipped[10] ^= 1;
    expect(verifyVoucher(V, flipped, PUB)).toBe(false);
    const s = BigInt("0x" + hex(signature.subarray(32)));
    const high = Uint8Array.from(signature);
    high.set(Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"), 32);
    expect(verifyVoucher(V, high, PUB)).toBe(false);
    expect(verifySecp256k1(PUB, voucherSignBytes(V), high)).toBe(false);
    expect(verifyVoucher(V, signature.subarray(1), PUB)).toBe(false);
    expect(verifyVoucher(V, signature, PUB.subarray(1))).toBe(false);
    expect(verifyVoucher({ ...V, escrowId: 0n }, signature, PUB)).toBe(false);
  });

  test("checkVoucher: what a provider checks before serving a call", () => {
    const escrow = { chainId: "blockai-1", escrowId: 7n, modelId: 3n, consumerPublicKey: PUB, deposit: 200_000_000n, accepted: 100n, acceptedUnits: 10n };
    expect(checkVoucher(signVoucher(V, PRIV), escrow, 3n)).toEqual({ ok: true, increment: V.cumulativeAmount - 100n });
    const reason = (v: Partial<Voucher>, e: Partial<typeof escrow> = {}, key = PRIV, served = 3n) => {
      const r = checkVoucher(signVoucher({ ...V, ...v }, key), { ...escrow, ...e }, served);
      return r.ok ? "ok" : r.reason;
    };
    expect(reason({ chainId: "x" })).toMatch(/chain/);
    expect(reason({ escrowId: 8n })).toMatch(/escrow 8/);
    // An escrow for another model (the consumer's own, say) never pays this provider.
    expect(reason({}, { modelId: 4n })).toBe("escrow 7 pays for model 4, not model 3");
    expect(reason({}, {}, PRIV, 9n)).toBe("escrow 7 pays for model 3, not model 9");
    expect(reason({}, {}, OTHER)).toMatch(/signature/);
    expect(reason({ cumulativeAmount: 100n })).toMatch(/not above/);
    expect(reason({ cumulativeUnits: 9n })).toMatch(/units/);
    expect(reason({}, { deposit: 1000n })).toMatch(/exceeds the deposit/);
  });

  test("protobuf form round-trips; non-decimal amounts are refused", () => {
    expect(voucherFromProto(voucherToProto(V))).toEqual(V);
    expect(() => voucherFromProto({ ...voucherToProto(V), cumulativeAmount: "1e9" })).toThrow(/decimal/);
  });
});
