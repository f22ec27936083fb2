/**
 * The ADR-036 signature kind of vouchers (docs/models.md, "Signature kinds"): the sign doc is
 * byte for byte what CosmJS (and so Keplr's signArbitrary) builds for MsgSignData, it verifies
 * only as its own kind, and the gateway and the consumer library accept it.
 */
import { makeSignDoc, serializeSignDoc } from "@cosmjs/amino";
import { toBase64 } from "@cosmjs/encoding";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  addressOfPublicKey,
  adr036SignBytes,
  checkVoucher,
  signedVoucherFromJson,
  signedVoucherToJson,
  signVoucher,
  signVoucherAdr036,
  verifyVoucher,
  voucherPublicKey,
  voucherSignBytes,
  type Voucher,
} from "../../src/client";
import { verifySecp256k1 } from "../../src/framework/crypto";

const key = sha256(new TextEncoder().encode("blockai voucher test key"));
const pub = voucherPublicKey(key);
const v: Voucher = { chainId: "blockai-1", escrowId: 7n, cumulativeUnits: 1000n, cumulativeAmount: 123456789n };

describe("voucher signature kind adr036", () => {
  test("the sign doc is CosmJS's amino serialization of MsgSignData{signer, data = voucher sign bytes}", () => {
    const signer = addressOfPublicKey(pub);
    expect(signer).toMatch(/^soa1/);
    const doc = makeSignDoc([{ type: "sign/MsgSignData", value: { signer, data: toBase64(voucherSignBytes(v)) } }], { gas: "0", amount: [] }, "", "", 0, 0);
    expect(Buffer.from(adr036SignBytes(v, signer)).toString()).toBe(Buffer.from(serializeSignDoc(doc)).toString());
    expect(adr036SignBytes(v, signer)[0]).toBe(0x7b); // "{": neither 0x62 (raw voucher) nor 0x0a (SignDoc)
  });

  test("an adr036 signature verifies only as adr036, a raw one only as raw (client and chain verifiers)", () => {
    const a = signVoucherAdr036(v, key);
    const r = signVoucher(v, key);
    expect(a.kind).toBe("adr036");
    expect(verifyVoucher(v, a.signature, pub, "adr036")).toBe(true);
    expect(verifyVoucher(v, a.signature, pub, "raw")).toBe(false);
    expect(verifyVoucher(v, r.signature, pub, "adr036")).toBe(false);
    expect(verifySecp256k1(pub, adr036SignBytes(v, addressOfPublicKey(pub)), a.signature)).toBe(true);
    expect(verifySecp256k1(pub, voucherSignBytes(v), a.signature)).toBe(false);
    // A changed amount fails.
    expect(verifyVoucher({ ...v, cumulativeAmount: 1n }, a.signature, pub, "adr036")).toBe(false);
  });

  test("wire JSON carries signature_kind; checkVoucher honours it", () => {
    const a = signVoucherAdr036(v, key);
    const json = signedVoucherToJson(a);
    expect(json.signature_kind).toBe("adr036");
    expect(signedVoucherToJson(signVoucher(v, key)).signature_kind).toBeUndefined();
    const back = signedVoucherFromJson(JSON.parse(JSON.stringify(json)));
    expect(back.kind).toBe("adr036");
    expect(() => signedVoucherFromJson({ ...json, signature_kind: "eip191" })).toThrow(/signature_kind/);
    const view = { chainId: "blockai-1", escrowId: 7n, modelId: 1n, consumerPublicKey: pub, deposit: 10n ** 12n, accepted: 0n };
    expect(checkVoucher(back, view, 1n)).toEqual({ ok: true, increment: 123456789n });
    expect(checkVoucher({ ...back, kind: undefined }, view, 1n)).toMatchObject({ ok: false });
  });
});
