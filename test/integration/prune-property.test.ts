import fc from "fast-check";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { BlockaiMsgs, createBlockaiRegistry, EscrowStatus } from "../../src/client";
import { MsgOpenEscrowResponse } from "../../src/gen/blockai/metering/v1/tx";
import { signDigestNative, useNativeSigning } from "../helpers/native-sign";
import { voucherDigest } from "../../src/types/voucher";
import { Driver } from "../helpers/driver";
import { registerModel } from "../helpers/pow";

jest.setTimeout(300_000);

const registry = createBlockaiRegistry();
const RETENTION = 3n;

type Op =
  | { kind: "open"; deposit: bigint }
  | { kind: "claim"; amount: bigint }
  | { kind: "providerClose" }
  | { kind: "pay"; amount: bigint }
  | { kind: "wait"; blocks: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("open" as const), deposit: fc.bigInt({ min: 1n, max: 10_000n }) }),
  fc.record({ kind: fc.constant("claim" as const), amount: fc.bigInt({ min: 1n, max: 10_000n }) }),
  fc.record({ kind: fc.constant("providerClose" as const) }),
  fc.record({ kind: fc.constant("pay" as const), amount: fc.bigInt({ min: 1n, max: 100_000n }) }),
  fc.record({ kind: fc.constant("wait" as const), blocks: fc.integer({ min: 1, max: 12 }) }),
);

/**
 * Pruning as a property (every invariant, the fee accounting with pruned usage records included,
 * is checked by the driver after every block): for any sequence of opens, claims, closes and
 * payments and any prune_per_block, an open or closing escrow is never pruned, and every closed
 * one is gone once its retention has passed and the backlog had the blocks to drain.
 */
test("escrows: never pruned while open, always pruned after the retention, whatever prune_per_block", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 9 }), async (ops, budget) => {
      const d = await Driver.create({
        accounts: 2,
        appState: (s) => {
          s.registry = { params: { min_model_bond: { denom: "usoa", amount: "1000" }, bond_return_delay: "5", max_operators: 5 } };
          s.metering = { params: { protocol_fee_bps: 200, claim_grace: "2", max_escrow_duration: "1000", closed_escrow_retention: RETENTION.toString(), prune_per_block: String(budget) } };
          s.epochs = { params: { epoch_length: "5" } };
          s.rewards.params = { ...s.rewards.params, claim_epochs: "1", expired_epoch_retention: "0" };
        },
      });
      try {
        for (const k of d.keys) useNativeSigning(k);
        await d.block();
        const [owner, consumer] = d.keys;
        const modelId = await registerModel(d, owner);
        const opened: bigint[] = [];
        const send = async (key: typeof owner, msg: Parameters<typeof registry.encodeAsAny>[0]) => (await d.exec(key, [registry.encodeAsAny(msg)], { fee: [{ denom: "usoa", amount: "25000" }] }));
        for (const o of ops) {
          const last = opened[opened.length - 1];
          if (o.kind === "open") {
            const r = await send(consumer, BlockaiMsgs.openEscrow(consumer.address, modelId, o.deposit, BigInt(d.height) + 200n));
            if (r.code === 0) opened.push(MsgOpenEscrowResponse.decode(TxMsgData.decode(r.data).msgResponses[0].value).escrowId);
          } else if (o.kind === "claim" && last !== undefined) {
            const voucher = { chainId: d.chainId, escrowId: last, cumulativeUnits: o.amount, cumulativeAmount: o.amount };
            await send(owner, BlockaiMsgs.claimUsage(owner.address, { voucher, signature: signDigestNative(voucherDigest(voucher), consumer.privateKey) }));
          } else if (o.kind === "providerClose" && last !== undefined) {
            await send(owner, BlockaiMsgs.closeEscrow(owner.address, last));
          } else if (o.kind === "pay") {
            await send(consumer, BlockaiMsgs.payForUsage(consumer.address, modelId, 1n, o.amount));
          } else if (o.kind === "wait") {
            await d.blocks(o.blocks);
          }
          // Never pruned while open or closing; gone once CLOSED for long enough (a backlog
          // drains at one escrow a block at least).
          for (const id of opened) {
            const e = d.app.keepers.metering.getEscrow(d.store, id);
            if (e === undefined) continue;
            expect(e.status === EscrowStatus.ESCROW_STATUS_CLOSED && e.closedHeight + RETENTION + BigInt(opened.length) < BigInt(d.height)).toBe(false);
          }
        }
        const closedBefore = BigInt(d.height);
        await d.blocks(Number(RETENTION) + opened.length + 1);
        for (const id of opened) {
          const e = d.app.keepers.metering.getEscrow(d.store, id);
          if (e) expect(e.status === EscrowStatus.ESCROW_STATUS_CLOSED && e.closedHeight <= closedBefore).toBe(false);
        }
      } finally {
        await d.close();
      }
    }),
    { numRuns: 25, seed: 1919 },
  );
});
