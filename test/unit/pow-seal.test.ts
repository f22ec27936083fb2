import * as fc from "fast-check";
import { createHash } from "node:crypto";
import {
  MAX_TARGET,
  bytesToBigInt,
  computeSeal,
  computeSealIncremental,
  parseTargetHex,
  sealMeetsTarget,
  sealPrefix,
  sealPreimage,
  targetForExpectedHashes,
  targetToBytes,
  targetToHex,
  workForTarget,
} from "../../src/modules/pow/seal";

const vector = {
  chainId: "blockai-test",
  anchorHeight: 42n,
  anchorHash: Buffer.alloc(32, 0x11),
  miner: Buffer.alloc(20, 0x22),
  modelId: 7n,
  workDigest: Buffer.alloc(32, 0x33),
};

describe("pow seal: the documented byte layout", () => {
  test("known-answer vector (also checked with an independent Python implementation; in docs/pow.md)", () => {
    expect(sealPrefix(vector).toString("hex")).toBe(
      "626c6f636b61692f706f772f7631" + // "blockai/pow/v1"
        "0c" + Buffer.from("blockai-test").toString("hex") +
        "000000000000002a" + // anchor height 42
        "11".repeat(32) + // block hash
        "14" + "22".repeat(20) + // len 20 + miner address
        "0000000000000007" + // model id 7
        "33".repeat(32), // work digest
    );
    expect(computeSeal(vector, 0x0102030405060708n).toString("hex")).toBe("9e163e4273f7ad241b104975d8ad2ecd7bdb3857fd127e36eb4a21005115c7a3");
  });

  test("seal = SHA-256(SHA-256(prefix || u64 BE nonce)), nonce last; one-shot and incremental hashing agree", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 20, maxLength: 32 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (chainId, anchorHeight, anchorHash, miner, modelId, nonce) => {
          fc.pre(Buffer.byteLength(chainId) <= 255);
          const f = { chainId, anchorHeight, anchorHash, miner, modelId, workDigest: anchorHash };
          const pre = sealPreimage(sealPrefix(f), nonce);
          expect(pre.readBigUInt64BE(pre.length - 8)).toBe(nonce);
          const manual = createHash("sha256").update(createHash("sha256").update(pre).digest()).digest();
          expect(computeSeal(f, nonce)).toEqual(manual);
          expect(computeSealIncremental(f, nonce)).toEqual(manual);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("every field is bound: changing any one changes the seal; the length prefixes keep fields apart", () => {
    const base = computeSeal(vector, 1n).toString("hex");
    const variants = [
      { ...vector, chainId: "blockai-tesu" },
      { ...vector, anchorHeight: 43n },
      { ...vector, anchorHash: Buffer.alloc(32, 0x12) },
      { ...vector, miner: Buffer.alloc(20, 0x23) },
      { ...vector, miner: Buffer.alloc(32, 0x22) },
      { ...vector, modelId: 8n },
      { ...vector, workDigest: Buffer.alloc(32, 0x34) },
    ];
    for (const v of variants) expect(computeSeal(v, 1n).toString("hex")).not.toBe(base);
    expect(computeSeal(vector, 2n).toString("hex")).not.toBe(base);
    // "ab" + miner vs "a" + ... cannot collide: the chain id carries its length.
    expect(sealPrefix({ ...vector, chainId: "ab" }).subarray(14, 17)).toEqual(Buffer.from([2, 0x61, 0x62]));
  });

  test("malformed fields are refused", () => {
    expect(() => sealPrefix({ ...vector, chainId: "" })).toThrow(/chain id/);
    expect(() => sealPrefix({ ...vector, chainId: "x".repeat(256) })).toThrow(/chain id/);
    expect(() => sealPrefix({ ...vector, anchorHash: Buffer.alloc(31) })).toThrow(/anchor hash/);
    expect(() => sealPrefix({ ...vector, workDigest: Buffer.alloc(33) })).toThrow(/work digest/);
    expect(() => sealPrefix({ ...vector, modelId: 1n << 64n })).toThrow(/model id/);
    expect(() => sealPreimage(sealPrefix(vector), -1n)).toThrow(/nonce/);
  });
});

describe("pow targets and work", () => {
  test("a seal meets the target when, as a big-endian integer, it is <= target", () => {
    const seal = Buffer.from("00000000000000ff" + "00".repeat(24), "hex");
    const v = bytesToBigInt(seal);
    expect(sealMeetsTarget(seal, v)).toBe(true);
    expect(sealMeetsTarget(seal, v - 1n)).toBe(false);
    expect(sealMeetsTarget(Buffer.alloc(32, 0xff), MAX_TARGET)).toBe(true);
  });

  test("work = floor(2^256 / (target + 1)); the inverse helper; hex round trip", () => {
    expect(workForTarget(MAX_TARGET)).toBe(1n);
    expect(workForTarget((1n << 248n) - 1n)).toBe(256n);
    expect(workForTarget(1n)).toBe(1n << 255n);
    expect(targetForExpectedHashes(1n << 20n)).toBe((1n << 236n) - 1n);
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_TARGET }), (t) => {
        expect(parseTargetHex(targetToHex(t), "t")).toBe(t);
        expect(bytesToBigInt(targetToBytes(t))).toBe(t);
        const w = workForTarget(t);
        expect(w * (t + 1n) <= 1n << 256n && (w + 1n) * (t + 1n) > 1n << 256n).toBe(true);
      }),
    );
    expect(() => parseTargetHex("0x" + "0".repeat(62), "params.min_target")).toThrow(/params.min_target: expected exactly 64/);
  });
});
