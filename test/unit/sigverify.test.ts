import fc from "fast-check";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { secp256k1Backend, verifySecp256k1, verifySecp256k1OpenSsl, wellFormed } from "../../src/framework/crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appConfigPath, readAppConfig } from "../../src/node/config";
import { SignaturePool, VERIFY_THREAD_NICE } from "../../src/app/sigverify";
import { Driver } from "../helpers/driver";
import { msgSend, signTx, TestKey } from "../helpers/keys";
import * as cryptoModule from "../../src/framework/crypto";

/** Two chains from the same genesis, one verifying on the main thread, one with a pool of 2, one block in. */
async function withTwoApps(fn: (serial: Driver, parallel: Driver) => Promise<void>): Promise<void> {
  const serial = await Driver.create({ accounts: 4 });
  const parallel = await Driver.create({ accounts: 4, verifyThreads: 2 });
  try {
    await serial.block();
    await parallel.block();
    await fn(serial, parallel);
  } finally {
    await serial.close();
    await parallel.close();
  }
}

describe("parallel signature verification", () => {
  test("the worker pool agrees with verifySecp256k1 on valid, high-S and corrupted signatures", async () => {
    const pool = new SignaturePool(2);
    try {
      const keys = [new TestKey("a"), new TestKey("b")];
      const items = fc.sample(
        fc.record({ k: fc.integer({ min: 0, max: 1 }), msg: fc.uint8Array({ maxLength: 200 }), kind: fc.constantFrom("ok", "highS", "flip", "wrongKey", "badKey", "rIsN", "sZero") }),
        { numRuns: 300, seed: 3 },
      ).map(({ k, msg, kind }) => {
        const key = keys[k];
        let signature = key.sign(msg, kind === "highS");
        if (kind === "flip") signature = Uint8Array.from(signature, (b, i) => (i === 10 ? b ^ 4 : b));
        if (kind === "rIsN") signature = Uint8Array.from([...Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex"), ...signature.subarray(32)]);
        if (kind === "sZero") signature = Uint8Array.from([...signature.subarray(0, 32), ...new Uint8Array(32)]);
        const pubkey = kind === "wrongKey" ? keys[1 - k].publicKey : kind === "badKey" ? Uint8Array.of(5, ...key.publicKey.subarray(1)) : key.publicKey;
        return { pubkey, message: msg, signature };
      });
      const parallel = await pool.verify(items);
      const serial = items.map((i) => verifySecp256k1(i.pubkey, i.message, i.signature));
      expect(parallel).toEqual(serial);
      expect(serial.filter(Boolean).length).toBeGreaterThan(30);
      expect(serial.filter((x) => !x).length).toBeGreaterThan(100);
    } finally {
      await pool.close();
    }
  });

  test("the verification threads run at VERIFY_THREAD_NICE, the main thread keeps its priority (Linux)", async () => {
    const niceOf = (tid: string) => {
      const stat = fs.readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    };
    // A thread may exit between listing and reading: skip it.
    const niceOfThreads = () =>
      fs.readdirSync(`/proc/${process.pid}/task`).flatMap((tid) => {
        try {
          return [niceOf(tid)];
        } catch {
          return [];
        }
      });
    const mainNice = niceOf(String(process.pid));
    const workerNice = Math.max(mainNice, VERIFY_THREAD_NICE);
    const before = niceOfThreads();
    const pool = new SignaturePool(2);
    try {
      // Each worker sets its priority when it starts; a batch answered means both have started.
      const key = new TestKey("a");
      await pool.verify([0, 1, 2, 3].map((i) => ({ pubkey: key.publicKey, message: Uint8Array.of(i), signature: key.sign(Uint8Array.of(i)) })));
      const after = niceOfThreads();
      if (workerNice > mainNice) expect(after.filter((n) => n === workerNice).length - before.filter((n) => n === workerNice).length).toBe(2);
      expect(niceOf(String(process.pid))).toBe(mainNice);
      expect(os.getPriority()).toBe(mainNice);
      expect(VERIFY_THREAD_NICE).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  test("app.json verify_threads_nice: defaults to VERIFY_THREAD_NICE, 0 to 19 accepted, anything else a startup error; a pool takes its value", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-verify-nice-"));
    try {
      fs.mkdirSync(path.join(home, "config"));
      fs.writeFileSync(appConfigPath(home), JSON.stringify({}));
      expect(readAppConfig(home).verify_threads_nice).toBe(VERIFY_THREAD_NICE);
      for (const ok of [0, 19]) {
        fs.writeFileSync(appConfigPath(home), JSON.stringify({ verify_threads_nice: ok }));
        expect(readAppConfig(home).verify_threads_nice).toBe(ok);
      }
      for (const bad of [-1, 20, 1.5, "10"]) {
        fs.writeFileSync(appConfigPath(home), JSON.stringify({ verify_threads_nice: bad }));
        expect(() => readAppConfig(home)).toThrow(`${appConfigPath(home)}: verify_threads_nice must be a whole number from 0 to 19, got ${JSON.stringify(bad)}`);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
    const pool = new SignaturePool(1, 0);
    try {
      expect(pool.nice).toBe(0);
    } finally {
      await pool.close();
    }
  });

  test("the r and s range checks equal their BigInt definition (0 < r < n, 0 < s <= n/2), at the boundaries too", () => {
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const edges = [0n, 1n, N / 2n - 1n, N / 2n, N / 2n + 1n, N - 1n, N, N + 1n, (1n << 256n) - 1n];
    const scalar = fc.oneof(fc.constantFrom(...edges), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }));
    const bytes32 = (x: bigint) => Buffer.from(x.toString(16).padStart(64, "0"), "hex");
    const pubkey = new TestKey("a").publicKey;
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        const expected = r > 0n && r < N && s > 0n && s <= N / 2n;
        expect(wellFormed(pubkey, Uint8Array.from([...bytes32(r), ...bytes32(s)]))).toBe(expected);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  test("libsecp256k1 and OpenSSL give the same verdict on valid, high-S, out-of-range, corrupted and off-curve input", () => {
    // Where the prebuilt addon loads (linux-x64 CI), both backends are really compared.
    expect(secp256k1Backend()).toBe("libsecp256k1");
    const keys = [new TestKey("a"), new TestKey("b")];
    const N = Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex");
    // An x coordinate with no point on the curve (x^3 + 7 is not a square mod p for x = 5).
    const offCurve = Uint8Array.of(2, ...new Uint8Array(31), 5);
    const kinds = ["ok", "highS", "flip", "wrongKey", "badPrefix", "offCurve", "rIsN", "sZero", "short"] as const;
    const items = fc.sample(fc.record({ k: fc.integer({ min: 0, max: 1 }), msg: fc.uint8Array({ maxLength: 200 }), kind: fc.constantFrom(...kinds) }), { numRuns: 400, seed: 7 }).map(
      ({ k, msg, kind }) => {
        const key = keys[k];
        let signature = key.sign(msg, kind === "highS");
        if (kind === "flip") signature = Uint8Array.from(signature, (b, i) => (i === 40 ? b ^ 1 : b));
        if (kind === "rIsN") signature = Uint8Array.from([...N, ...signature.subarray(32)]);
        if (kind === "sZero") signature = Uint8Array.from([...signature.subarray(0, 32), ...new Uint8Array(32)]);
        if (kind === "short") signature = signature.subarray(0, 63);
        const pubkey =
          kind === "wrongKey" ? keys[1 - k].publicKey : kind === "badPrefix" ? Uint8Array.of(4, ...key.publicKey.subarray(1)) : kind === "offCurve" ? offCurve : key.publicKey;
        return { kind, pubkey, message: msg, signature };
      },
    );
    for (const i of items) {
      const fast = verifySecp256k1(i.pubkey, i.message, i.signature);
      expect([i.kind, fast]).toEqual([i.kind, verifySecp256k1OpenSsl(i.pubkey, i.message, i.signature)]);
      expect([i.kind, fast]).toEqual([i.kind, i.kind === "ok"]);
    }
  });

  test("each signature is verified once for the same bytes: CheckTx, RECHECK and the block reuse the verdict; another chain id is a new question", async () => {
    const driver = await Driver.create({ accounts: 2 });
    const spy = jest.spyOn(cryptoModule, "verifySecp256k1");
    try {
      await driver.block();
      const [a, b] = driver.keys;
      const good = signTx({ key: a, msgs: [msgSend(a.address, b.address, 5n)], accountNumber: 0n, sequence: 0n, chainId: driver.chainId });
      const wrongChain = signTx({ key: b, msgs: [msgSend(b.address, a.address, 5n)], accountNumber: 1n, sequence: 0n, chainId: "other-chain" });
      spy.mockClear();
      expect(driver.checkTx(good).code).toBe(0);
      expect(driver.checkTx(wrongChain).code).toBe(4);
      expect(spy).toHaveBeenCalledTimes(2);
      await driver.block(); // commit resets the check state; the mempool's txs are rechecked
      expect(driver.checkTx(good, true).code).toBe(0); // recheck: no verification at all
      expect(driver.checkTx(wrongChain).code).toBe(4); // the refusal is remembered too
      const { results } = await driver.block([good, wrongChain]);
      expect(results.map((r) => r.code)).toEqual([0, 4]);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
      await driver.close();
    }
  });

  test("an app with verification threads gives exactly the results of one without (CheckTx batches and blocks)", () =>
    withTwoApps(async (serial, parallel) => {
      const txs: Uint8Array[] = [];
      serial.keys.forEach((key, k) => {
        for (let seq = 0n; seq < 5n; seq++) {
          const bad = seq === 3n && k === 1;
          txs.push(signTx({ key, msgs: [msgSend(key.address, serial.keys[(k + 1) % 4].address, 10n + seq)], accountNumber: BigInt(k), sequence: seq, chainId: bad ? "wrong" : serial.chainId, highS: seq === 4n && k === 2 }));
        }
      });
      const requests = txs.map((tx) => ({ tx, type: CheckTxType.NEW }));
      parallel.app.prefetch(requests.map((checkTx) => ({ checkTx })));
      const viaPool = await Promise.all(requests.map((r) => parallel.app.checkTx(r)));
      const direct = txs.map((tx) => serial.checkTx(tx));
      expect(viaPool.map((r) => [r.code, r.log])).toEqual(direct.map((r) => [r.code, r.log]));
      expect(direct.filter((r) => r.code !== 0).length).toBeGreaterThan(0);
      // Blocks: the pooled app verifies the block's signatures ahead of execution.
      const a = await serial.block(txs);
      const b = await parallel.block(txs);
      expect(b.results.map((r) => r.code)).toEqual(a.results.map((r) => r.code));
      expect(Buffer.from(parallel.app.lastAppHash)).toEqual(Buffer.from(serial.app.lastAppHash));
    }));
  test("a block of unseen signatures executes while the pool verifies it in chunks, with exactly the results of one without", () =>
    withTwoApps(async (serial, parallel) => {
      // 600 txs, interleaved by account, none seen by CheckTx: the pool gets chunks of 32, 64,
      // 128, 256 and the rest; failures sit in the first chunk, a middle one and the last.
      const txs: Uint8Array[] = [];
      for (let seq = 0n; seq < 150n; seq++) {
        serial.keys.forEach((key, k) => {
          const wrongChain = k === 1 && seq === 40n;
          const corrupt = k === 3 && seq === 2n;
          const highS = k === 2 && seq === 149n;
          txs.push(signTx({
            key, msgs: [msgSend(key.address, serial.keys[(k + 1) % 4].address, 1n + seq)], accountNumber: BigInt(k), sequence: seq,
            chainId: wrongChain ? "wrong" : serial.chainId, highS, signature: corrupt ? new Uint8Array(64).fill(7) : undefined,
          }));
        });
      }
      const a = await serial.block(txs);
      const b = await parallel.block(txs);
      expect(b.results.map((r) => [r.code, r.log])).toEqual(a.results.map((r) => [r.code, r.log]));
      expect(a.results.filter((r) => r.code === 0).length).toBeGreaterThan(300);
      expect(a.results.filter((r) => r.code !== 0).length).toBeGreaterThan(0);
      expect(Buffer.from(parallel.app.lastAppHash)).toEqual(Buffer.from(serial.app.lastAppHash));
    }));
});
