import fc from "fast-check";
import { Driver } from "../helpers/driver";
import { msgSend, signTx } from "../helpers/keys";

/**
 * 10,000+ malformed byte strings and mutated valid transactions through CheckTx and FinalizeBlock:
 * the app must answer each with a non-zero code (never throw), and no balance may move.
 */
describe("fuzzing transactions", () => {
  let d: Driver;
  beforeAll(async () => {
    d = await Driver.create({ accounts: 2 });
    await d.block();
  });
  afterAll(async () => d.close());

  const totals = () => d.keys.map((k) => d.balance(k.address));

  test("5,000 arbitrary byte strings are refused without a crash, in CheckTx and in blocks", async () => {
    const before = totals();
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 64, maxLength: 2048 }),
        // Protobuf-looking prefixes get past the first byte of the decoder.
        fc.tuple(fc.constantFrom(0x0a, 0x12, 0x1a), fc.uint8Array({ maxLength: 300 })).map(([t, rest]) => Uint8Array.of(t, ...rest)),
      ),
      { numRuns: 5000, seed: 42 },
    );
    let block: Uint8Array[] = [];
    for (const tx of samples) {
      const res = d.checkTx(tx);
      expect(res.code).not.toBe(0);
      expect(res.codespace).toBe("sdk");
      block.push(tx);
      if (block.length === 1000) {
        const { results } = await d.block(block);
        expect(results.every((r) => r.code !== 0)).toBe(true);
        block = [];
      }
    }
    expect(totals()).toEqual(before);
  });

  test("5,000 mutations of valid signed txs are refused (unless unchanged), and nothing moves", async () => {
    const [alice, bob] = d.keys;
    const acc = d.account(alice.address)!;
    const valid = signTx({
      key: alice,
      msgs: [msgSend(alice.address, bob.address, 12345n)],
      accountNumber: acc.accountNumber,
      sequence: acc.sequence,
      chainId: d.chainId,
      memo: "fuzz",
    });
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant("truncate" as const), pos: fc.nat() }),
      fc.record({ kind: fc.constant("insert" as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant("delete" as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant("set" as const), pos: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    );
    type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
    const apply = (tx: Uint8Array, m: Mutation): Uint8Array => {
      const b = Array.from(tx);
      if (b.length === 0) return Uint8Array.from(m.kind === "insert" ? m.bytes : []);
      const p = m.pos % (b.length + 1);
      switch (m.kind) {
        case "flip":
          b[p % b.length] ^= 1 << m.bit;
          break;
        case "truncate":
          b.length = p % b.length;
          break;
        case "insert":
          b.splice(p, 0, ...m.bytes);
          break;
        case "delete":
          b.splice(p % b.length, m.len);
          break;
        case "set":
          b[p % b.length] = m.value;
          break;
      }
      return Uint8Array.from(b);
    };
    const before = totals();
    const seqBefore = acc.sequence;
    const mutated = fc
      .sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), { numRuns: 5000, seed: 7 })
      .map((ms) => ms.reduce(apply, valid));
    let accepted = 0;
    let block: Uint8Array[] = [];
    for (const tx of mutated) {
      const unchanged = Buffer.from(tx).equals(Buffer.from(valid));
      const res = d.checkTx(tx);
      if (unchanged) {
        accepted++;
        continue;
      }
      expect(res.code).not.toBe(0);
      block.push(tx);
      if (block.length === 1000) {
        const { results } = await d.block(block);
        expect(results.every((r) => r.code !== 0)).toBe(true);
        block = [];
      }
    }
    if (block.length > 0) await d.block(block);
    expect(totals()).toEqual(before);
    expect(d.account(alice.address)!.sequence).toBe(seqBefore);
    expect(accepted).toBeLessThan(50);
  });
});
