/**
 * Property test: random sequences of open, top-up, claim, close, direct payment, model status
 * changes and block/epoch advances, checked against a reference model of the rules. After every
 * block the Driver checks every module invariant (bank supply = balances; escrow account = sum of
 * open escrows' remaining deposits; registry account = bonds held; fee account = recorded fees).
 * The test also checks that no usoa is created or destroyed, that no escrow pays more than its
 * deposit, that claims plus refunds equal deposits, and every account's exact balance.
 */
import fc from "fast-check";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { encodeAddress, moduleAddress } from "../../src/types/address";
import { BlockaiMsgs, createBlockaiRegistry, EscrowStatus, ModelStatus, signVoucher } from "../../src/client";
import { MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import { METERING_ESCROW_ACCOUNT } from "../../src/modules/metering";
import { Driver } from "../helpers/driver";
import { signTx, TestKey } from "../helpers/keys";

jest.setTimeout(300_000);

const registry = createBlockaiRegistry();
const FEE = 10_000n;
const FEE_BPS = 300n;
/** A non-zero payment pays at least 1 usoa of protocol fee. */
const atLeastOne = (fee: bigint) => (fee < 1n ? 1n : fee);
const GRACE = 3n;
const MAX_DURATION = 40n;
const BOND = 1_000n;
const ESCROW_ACCOUNT = encodeAddress(moduleAddress(METERING_ESCROW_ACCOUNT));

type Who = 0 | 1; // consumers: keys[2], keys[3]
type Op =
  | { t: "open"; who: Who; deposit: bigint; expiryIn: bigint }
  | { t: "topup"; e: number; asOther: boolean; amount: bigint; extend: bigint }
  | { t: "claim"; e: number; by: "owner" | "operator" | "stranger"; dAmount: bigint; dUnits: bigint; atGraceEnd: bigint | null }
  | { t: "close"; e: number; by: "consumer" | "provider" | "stranger"; atExpiry: bigint | null }
  | { t: "pay"; who: Who; amount: bigint; units: bigint }
  | { t: "status"; to: "pause" | "resume" | "retire" }
  | { t: "advance"; blocks: number }
  /** Advances so that the next block's height is an escrow's expiry or grace end, +-1 (boundaries). */
  | { t: "advanceTo"; e: number; which: "expiry" | "grace"; delta: bigint };

const who = fc.constantFrom<Who>(0, 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant("open" as const), who, deposit: fc.bigInt(1n, 50_000n), expiryIn: fc.bigInt(-2n, MAX_DURATION + 3n) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("topup" as const), e: fc.nat(), asOther: fc.boolean(), amount: fc.bigInt(1n, 20_000n), extend: fc.bigInt(0n, 30n) }) },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant("claim" as const),
      e: fc.nat(),
      by: fc.constantFrom("owner" as const, "operator" as const, "operator" as const, "stranger" as const),
      dAmount: fc.oneof(fc.bigInt(-100n, 100n), fc.bigInt(1n, 8_000n), fc.bigInt(0n, 60_000n)),
      dUnits: fc.bigInt(-2n, 50n),
      // first advance to the escrow's grace end +-1, when it is closing (boundary of the grace period)
      atGraceEnd: fc.option(fc.bigInt(-1n, 1n), { freq: 3 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({
      t: fc.constant("close" as const),
      e: fc.nat(),
      by: fc.constantFrom("consumer" as const, "provider" as const, "stranger" as const),
      // first advance to the escrow's expiry +-1 (boundary of the consumer's right to close)
      atExpiry: fc.option(fc.bigInt(-1n, 1n), { freq: 2 }),
    }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("pay" as const), who, amount: fc.bigInt(1n, 30_000n), units: fc.bigInt(0n, 100n) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("status" as const), to: fc.constantFrom("pause" as const, "resume" as const, "resume" as const, "retire" as const) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("advance" as const), blocks: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("advanceTo" as const), e: fc.nat(), which: fc.constantFrom("expiry" as const, "grace" as const), delta: fc.bigInt(-1n, 1n) }) },
);

interface ModelEscrow {
  id: bigint;
  consumer: Who;
  deposit: bigint;
  claimed: bigint;
  claimedUnits: bigint;
  expiry: bigint;
  status: EscrowStatus;
  graceEnd: bigint;
  refunded: bigint;
}

async function runSequence(ops: Op[], badSigs: boolean[]): Promise<void> {
  const d = await Driver.create({
    accounts: 5,
    appState: (s) => {
      s.registry = { params: { min_model_bond: { denom: "usoa", amount: BOND.toString() }, bond_return_delay: "2", max_operators: 3 } };
      s.metering = { params: { protocol_fee_bps: Number(FEE_BPS), claim_grace: GRACE.toString(), max_escrow_duration: MAX_DURATION.toString() } };
      s.epochs = { params: { epoch_length: "7" } };
      // No emission: the model checks account for fees and payments only.
      s.mint.params.initial_block_reward = "0";
    },
  });
  try {
    const [owner, operator, c0, c1, stranger] = d.keys;
    const consumers = [c0, c1];
    const store = () => d.app.committedStore()!;
    const expected = new Map<string, bigint>(d.keys.map((k) => [k.address, 10n ** 12n]));
    const spend = (k: TestKey, amount: bigint) => expected.set(k.address, expected.get(k.address)! - amount);
    const escrows: ModelEscrow[] = [];
    let modelStatus = ModelStatus.MODEL_STATUS_ACTIVE;
    let bondReturnAt: bigint | undefined;
    let totalFees = 0n;

    const send = async (key: TestKey, msg: EncodeObject) => {
      const acc = d.account(key.address)!;
      const tx = signTx({ key, msgs: [registry.encodeAsAny(msg)], accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId, fee: [{ denom: "usoa", amount: FEE.toString() }], gas: 400_000n });
      const { results } = await d.block([tx]);
      spend(key, FEE);
      return results[0];
    };
    /** End-of-block effects in the reference model (after the txs of block `h`). */
    const endBlock = (h: bigint) => {
      for (const e of escrows) {
        if (e.status === EscrowStatus.ESCROW_STATUS_CLOSING && e.graceEnd <= h) {
          e.status = EscrowStatus.ESCROW_STATUS_CLOSED;
          e.refunded = e.deposit - e.claimed;
          spend(consumers[e.consumer], -e.refunded);
        }
      }
      if (bondReturnAt !== undefined && bondReturnAt <= h) {
        spend(owner, -BOND);
        bondReturnAt = undefined;
      }
    };
    const expectOutcome = (r: { code: number; codespace: string; log: string }, ok: boolean, what: string) => {
      if ((r.code === 0) !== ok) throw new Error(`${what}: expected ${ok ? "success" : "failure"}, got ${r.codespace}/${r.code} ${r.log}`);
    };

    await d.block();
    const supply0 = d.app.keepers.bank.getSupply(store(), "usoa");
    expect(supply0).toBe(5n * 10n ** 12n);
    {
      const r = await send(owner, BlockaiMsgs.registerModel(owner.address, { name: "m", version: "1", task: "t", artifactDigest: new Uint8Array(32).fill(9), pricePerUnit: 1n, unit: "call", bond: BOND, operators: [operator.address] }));
      expectOutcome(r, true, "register");
      spend(owner, BOND);
      endBlock(BigInt(d.height));
    }
    const modelId = 1n;

    const advanceUntil = async (target: bigint) => {
      while (BigInt(d.height + 1) < target) {
        await d.block();
        endBlock(BigInt(d.height));
      }
    };
    for (const [i, op] of ops.entries()) {
      if (escrows.length > 0 && op.t === "close" && op.atExpiry !== null) await advanceUntil(escrows[op.e % escrows.length].expiry + op.atExpiry);
      if (escrows.length > 0 && op.t === "claim" && op.atGraceEnd !== null) {
        const e = escrows[op.e % escrows.length];
        if (e.status === EscrowStatus.ESCROW_STATUS_CLOSING) await advanceUntil(e.graceEnd + op.atGraceEnd);
      }
      const h = BigInt(d.height + 1); // the height the op's block runs at
      const active = modelStatus === ModelStatus.MODEL_STATUS_ACTIVE;
      switch (op.t) {
        case "open": {
          const k = consumers[op.who];
          const expiry = h + op.expiryIn;
          const ok = active && op.expiryIn >= 1n && op.expiryIn <= MAX_DURATION;
          const r = await send(k, BlockaiMsgs.openEscrow(k.address, modelId, op.deposit, expiry < 1n ? 1n : expiry));
          expectOutcome(r, ok && expiry >= 1n, `open ${JSON.stringify({ ...op, deposit: String(op.deposit), expiryIn: String(op.expiryIn) })}`);
          if (r.code === 0) {
            const id = MsgOpenEscrowResponse.decode(TxMsgData.decode(r.data).msgResponses[0].value).escrowId;
            expect(id).toBe(BigInt(escrows.length + 1));
            escrows.push({ id, consumer: op.who, deposit: op.deposit, claimed: 0n, claimedUnits: 0n, expiry, status: EscrowStatus.ESCROW_STATUS_OPEN, graceEnd: 0n, refunded: 0n });
            spend(k, op.deposit);
          }
          break;
        }
        case "topup": {
          if (escrows.length === 0) break;
          const e = escrows[op.e % escrows.length];
          const k = op.asOther ? consumers[1 - e.consumer] : consumers[e.consumer];
          const newExpiry = op.extend === 0n ? 0n : e.expiry + op.extend;
          const ok =
            !op.asOther && e.status === EscrowStatus.ESCROW_STATUS_OPEN && active && (newExpiry === 0n || (newExpiry > h && newExpiry - h <= MAX_DURATION));
          const r = await send(k, BlockaiMsgs.topUpEscrow(k.address, e.id, op.amount, newExpiry));
          expectOutcome(r, ok, `topup ${e.id}`);
          if (ok) {
            e.deposit += op.amount;
            if (newExpiry !== 0n) e.expiry = newExpiry;
            spend(k, op.amount);
          }
          break;
        }
        case "claim": {
          if (escrows.length === 0) break;
          const e = escrows[op.e % escrows.length];
          const signer = op.by === "owner" ? owner : op.by === "operator" ? operator : stranger;
          let amount = e.claimed + op.dAmount;
          if (amount < 0n) amount = 0n;
          let units = e.claimedUnits + op.dUnits;
          if (units < 0n) units = 0n;
          const bad = badSigs[i % badSigs.length];
          const voucherKey = bad ? stranger : consumers[e.consumer];
          const signed = signVoucher({ chainId: d.chainId, escrowId: e.id, cumulativeUnits: units, cumulativeAmount: amount }, voucherKey.privateKey);
          const ok = e.status !== EscrowStatus.ESCROW_STATUS_CLOSED && op.by !== "stranger" && !bad && amount > e.claimed && units >= e.claimedUnits && amount <= e.deposit;
          const r = await send(signer, BlockaiMsgs.claimUsage(signer.address, signed));
          expectOutcome(r, ok, `claim on escrow ${e.id} (${e.claimed}/${e.deposit}) of ${amount}`);
          if (ok) {
            const paid = amount - e.claimed;
            // On the cumulative amount, less what the earlier claims paid, and at least 1 usoa.
            const fee = atLeastOne((amount * FEE_BPS) / 10_000n - (e.claimed * FEE_BPS) / 10_000n);
            spend(owner, -(paid - fee));
            totalFees += fee;
            e.claimed = amount;
            e.claimedUnits = units;
          }
          break;
        }
        case "close": {
          if (escrows.length === 0) break;
          const e = escrows[op.e % escrows.length];
          const signer = op.by === "consumer" ? consumers[e.consumer] : op.by === "provider" ? operator : stranger;
          let ok: boolean;
          if (e.status === EscrowStatus.ESCROW_STATUS_CLOSED || op.by === "stranger") ok = false;
          else if (op.by === "provider") ok = true;
          else ok = e.status === EscrowStatus.ESCROW_STATUS_OPEN && h > e.expiry;
          const r = await send(signer, BlockaiMsgs.closeEscrow(signer.address, e.id));
          expectOutcome(r, ok, `close ${e.id} by ${op.by}`);
          if (ok && op.by === "provider") {
            e.status = EscrowStatus.ESCROW_STATUS_CLOSED;
            e.refunded = e.deposit - e.claimed;
            spend(consumers[e.consumer], -e.refunded);
          } else if (ok) {
            e.status = EscrowStatus.ESCROW_STATUS_CLOSING;
            e.graceEnd = h + GRACE;
          }
          break;
        }
        case "pay": {
          const k = consumers[op.who];
          const r = await send(k, BlockaiMsgs.payForUsage(k.address, modelId, op.units, op.amount));
          expectOutcome(r, active, "pay");
          if (active) {
            const fee = atLeastOne((op.amount * FEE_BPS) / 10_000n);
            spend(k, op.amount);
            spend(owner, -(op.amount - fee));
            totalFees += fee;
          }
          break;
        }
        case "status": {
          const target = { pause: ModelStatus.MODEL_STATUS_PAUSED, resume: ModelStatus.MODEL_STATUS_ACTIVE, retire: ModelStatus.MODEL_STATUS_RETIRED }[op.to];
          const signer = op.to === "retire" ? owner : operator;
          const ok =
            modelStatus !== ModelStatus.MODEL_STATUS_RETIRED &&
            (op.to === "retire" || (op.to === "pause" ? modelStatus === ModelStatus.MODEL_STATUS_ACTIVE : modelStatus === ModelStatus.MODEL_STATUS_PAUSED));
          const r = await send(signer, BlockaiMsgs.setModelStatus(signer.address, modelId, target));
          expectOutcome(r, ok, `status ${op.to}`);
          if (ok) {
            modelStatus = target;
            if (op.to === "retire") bondReturnAt = h + 2n;
          }
          break;
        }
        case "advanceTo": {
          if (escrows.length === 0) continue;
          const e = escrows[op.e % escrows.length];
          await advanceUntil((op.which === "expiry" ? e.expiry : e.graceEnd) + op.delta);
          continue;
        }
        case "advance":
          for (let b = 0; b < op.blocks; b++) {
            await d.block();
            endBlock(BigInt(d.height));
          }
          continue;
      }
      if (BigInt(d.height) === h) endBlock(h);
      else if (BigInt(d.height) < h) {
        // the op was skipped (no escrow yet): still advance one block to keep time moving
        await d.block();
        endBlock(BigInt(d.height));
      }

      // The chain agrees with the reference model, escrow by escrow.
      for (const e of escrows) {
        const c = d.app.keepers.metering.getEscrow(store(), e.id)!;
        expect({ id: c.id, deposit: BigInt(c.deposit!.amount), claimed: BigInt(c.claimed!.amount), units: c.claimedUnits, status: c.status, refunded: BigInt(c.refunded!.amount) }).toEqual({
          id: e.id,
          deposit: e.deposit,
          claimed: e.claimed,
          units: e.claimedUnits,
          status: e.status,
          refunded: e.refunded,
        });
        expect(BigInt(c.claimed!.amount)).toBeLessThanOrEqual(BigInt(c.deposit!.amount));
      }
    }

    // No usoa created or destroyed; exact balances of every account.
    expect(d.app.keepers.bank.getSupply(store(), "usoa")).toBe(supply0);
    for (const k of d.keys) expect([k.address, d.balance(k.address)]).toEqual([k.address, expected.get(k.address)]);
    // Claims + refunds + what is still escrowed = deposits; closed escrows paid out exactly their deposit.
    const sum = (f: (e: ModelEscrow) => bigint) => escrows.reduce((a, e) => a + f(e), 0n);
    expect(sum((e) => e.claimed) + sum((e) => e.refunded) + d.balance(ESCROW_ACCOUNT)).toBe(sum((e) => e.deposit));
    for (const e of escrows.filter((x) => x.status === EscrowStatus.ESCROW_STATUS_CLOSED)) expect(e.claimed + e.refunded).toBe(e.deposit);
    // Protocol fees: what the reference model computed = pending (in metering_fees) + swept (community pool).
    const pending = d.app.keepers.metering.getFeesPending(store());
    expect(d.app.keepers.metering.feeAccountBalance(store())).toBe(pending);
    expect(pending + d.app.keepers.metering.getFeesSwept(store())).toBe(totalFees);
    expect(d.app.checkInvariants()).toEqual([]);
  } finally {
    await d.close();
  }
}

describe("metering property: random sequences keep every usoa accounted for", () => {
  test("open / top-up / claim / close / pay / status / advance (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 60, size: "max" }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }).map((a) => a.map((b, i) => b && i % 3 === 0)) /* which claims carry a bad signature */, runSequence),
      { numRuns: 30, seed: 20240607 },
    );
  });
});
