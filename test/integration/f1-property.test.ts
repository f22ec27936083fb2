/**
 * F1 fee distribution, property-tested at the keeper level with the real modules (hooks wired as
 * in production) on an in-memory store: random sequences of delegate, undelegate, redelegate,
 * slash, fee deposits (through the begin-block allocation and through allocateToValidator),
 * withdrawals and time jumps. An independent model splits every allocation among the validator's
 * delegators by their share of its stake at that moment (exact rationals, 10^-36 precision).
 *
 * Checked after the sequence and a final withdrawal of everything:
 * - every delegator's total withdrawn reward (the balance of its own withdraw address) equals its
 *   stake-time-weighted share to within 1 usoa per withdrawal (F1 truncates, so never more);
 * - nothing is created or lost: deposited = paid out + community pool + outstanding (exactly);
 * - every module invariant (pools = tracked tokens, distribution account = outstanding +
 *   community pool, supply decomposition, reference counts) holds after every operation.
 */
import fc from "fast-check";
import BTree from "sorted-btree";
import { MsgDelegate, MsgUndelegate, MsgBeginRedelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgSetWithdrawAddress, MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { moduleAddress } from "../../src/types/address";
import { ChainError } from "../../src/types/errors";
import { EventManager } from "../../src/framework/events";
import { GasMeter } from "../../src/framework/gas";
import type { Context, Module, MsgHandler } from "../../src/framework/module";
import { createModules } from "../../src/app/modules";
import { FEE_COLLECTOR } from "../../src/framework/accounts";
import { StoreBranch } from "../../src/store/branch";
import { DISTRIBUTION_MODULE, amountOfDec } from "../../src/modules/distribution";
import { DEC_ONE, decTruncateInt, formatDec } from "../../src/types/dec";
import { BondStatus, accAddr, consAddressOf, hex, tokensFromShares } from "../../src/modules/staking";
import { addGenesisValidator } from "../../src/node/genesis-validators";
import { defaultAppState, Genesis } from "../../src/node/home";
import { applyParams } from "../../src/node/network";
import { TestValidator } from "../helpers/driver";
import { TestKey } from "../helpers/keys";
import { dec } from "../helpers/pos";

jest.setTimeout(600_000);

const SOA = 1_000_000n;
const SCALE = 10n ** 36n; // model precision
const REWARDS_MODULE = "test_rewards";

type Op =
  | { kind: "delegate"; d: number; v: number; amount: bigint }
  | { kind: "undelegate"; d: number; v: number; part: number }
  | { kind: "redelegate"; d: number; src: number; dst: number; part: number }
  | { kind: "slash"; v: number; fraction: bigint; back: number }
  | { kind: "fees"; amount: bigint }
  | { kind: "allocate"; v: number; amount: bigint }
  | { kind: "withdraw"; d: number; v: number }
  | { kind: "commission"; v: number }
  | { kind: "block"; seconds: bigint };

/** The real modules on an in-memory store, driven block by block without ABCI. */
class Harness {
  readonly m = createModules();
  readonly store = new StoreBranch(new BTree());
  readonly router = new Map<string, MsgHandler<unknown>>();
  height = 0;
  timeNs = 1_700_000_000n * 1_000_000_000n;
  readonly validators: TestValidator[];
  readonly delegators: TestKey[];

  constructor(nValidators: number, nDelegators: number, rates: string[]) {
    for (const mod of this.m.modules) for (const h of mod.msgs ?? []) this.router.set(h.typeUrl, h as MsgHandler<unknown>);
    this.validators = Array.from({ length: nValidators }, (_, i) => new TestValidator(i));
    this.delegators = Array.from({ length: nDelegators }, (_, i) => new TestKey(`f1-delegator-${i}`));
    const appState = defaultAppState() as Record<string, any>;
    appState.bank.balances = this.delegators.map((k) => ({ address: k.address, coins: [{ denom: "usoa", amount: String(10n ** 15n) }] }));
    // No emission: the model pays fees only (emission reaches validators through the same path).
    appState.mint.params.initial_block_reward = "0";
    const genesis: Genesis = { genesis_time: "2023-11-14T22:13:20Z", chain_id: "f1", initial_height: "1", consensus_params: {}, validators: [], app_hash: "", app_state: appState };
    applyParams(genesis, { staking: { unbonding_time: "20s" } });
    this.validators.forEach((v, i) => {
      appState.bank.balances.push({ address: v.operator.address, coins: [{ denom: "usoa", amount: String(10n ** 15n) }] });
      addGenesisValidator(genesis, {
        moniker: `v${i}`,
        consensusAddress: hex(v.consAddress).toUpperCase(),
        consensusPubKey: { type: "tendermint/PubKeyEd25519", value: Buffer.from(v.consPubKey).toString("base64") },
        operatorAddress: v.operator.address,
        selfDelegation: 200n * SOA + BigInt(i) * 37n * SOA,
      });
      const rate = rates[i % rates.length];
      appState.staking.validators[i].commission.commission_rates = { rate, max_rate: "1", max_change_rate: "0.01" };
    });
    const ctx = this.ctx(this.store, new EventManager());
    for (const mod of this.m.modules) mod.initGenesis?.(ctx, appState[mod.name] ?? mod.defaultGenesis?.());
    // Block 1 (nothing to allocate yet: the SDK allocates from height 2 on).
    this.nextBlock(1n);
  }

  ctx(store: StoreBranch, events: EventManager): Context {
    return { store, gasMeter: new GasMeter(undefined), events, block: { height: this.height, timeNs: this.timeNs, chainId: "f1", proposerAddress: new Uint8Array(), hash: new Uint8Array() }, mode: "deliver" };
  }

  /** Runs a message like a tx (validateBasic, execute) on a branch; kept only if it succeeds. */
  msg(typeUrl: string, msg: unknown): { ok: boolean; events: EventManager; error?: ChainError } {
    const handler = this.router.get(typeUrl)!;
    const branch = this.store.branch();
    const events = new EventManager();
    try {
      handler.validateBasic(msg);
      handler.execute(this.ctx(branch, events), msg);
    } catch (e) {
      if (e instanceof ChainError) return { ok: false, events, error: e };
      throw e;
    }
    branch.write();
    return { ok: true, events };
  }

  /** Keeper-level work inside the current block, atomically. */
  run<T>(f: (ctx: Context) => T): { ok: boolean; value?: T; events: EventManager } {
    const branch = this.store.branch();
    const events = new EventManager();
    try {
      const value = f(this.ctx(branch, events));
      branch.write();
      return { ok: true, value, events };
    } catch (e) {
      if (e instanceof ChainError) return { ok: false, events };
      throw e;
    }
  }

  /** End block of the current block, then the begin block of the next (votes: the bonded set, all signed). */
  nextBlock(seconds: bigint, beforeBegin?: () => void): EventManager {
    const events = new EventManager();
    for (const mod of this.m.modules) mod.endBlock?.(this.ctx(this.store, events));
    this.height++;
    this.timeNs += seconds * 1_000_000_000n;
    const votes = this.m.keepers.staking.lastValidatorPowers(this.store).map(({ op, power }) => {
      const v = this.m.keepers.staking.getValidator(this.store, op)!;
      return { validator: { address: consAddressOf(v.consPubKey), power }, blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT };
    });
    beforeBegin?.();
    const info = { height: this.height, timeNs: this.timeNs, chainId: "f1", proposerAddress: new Uint8Array(), hash: new Uint8Array(), decidedLastCommit: { round: 0, votes }, misbehavior: [] };
    for (const mod of this.m.modules) mod.beginBlock?.(this.ctx(this.store, events), info);
    return events;
  }

  invariants(): string[] {
    return this.m.modules.flatMap((mod: Module) => mod.invariants?.(this.store) ?? []);
  }

  balance(address: Uint8Array): bigint {
    return this.m.keepers.bank.getBalance(this.store, address, "usoa");
  }
}

/** Exact model of what each delegator is owed (x SCALE). */
class Model {
  owed = new Map<string, bigint>();
  withdrawals = new Map<string, number>();
  deposited = 0n;

  credit(who: string, scaled: bigint): void {
    this.owed.set(who, (this.owed.get(who) ?? 0n) + scaled);
  }

  countWithdrawals(events: EventManager, kind = "withdraw_rewards", key = "delegator"): void {
    for (const e of events.events) {
      if (e.type !== kind) continue;
      const who = e.attributes.find((a) => a.key === key)?.value;
      if (who) this.withdrawals.set(who, (this.withdrawals.get(who) ?? 0) + 1);
    }
  }
}

function opArb(nv: number, nd: number): fc.Arbitrary<Op> {
  const d = fc.integer({ min: 0, max: nd - 1 });
  const v = fc.integer({ min: 0, max: nv - 1 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("delegate" as const), d, v, amount: fc.bigInt({ min: 100n * SOA, max: 2000n * SOA }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("undelegate" as const), d, v, part: fc.constantFrom(1, 2, 4) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("redelegate" as const), d, src: v, dst: v, part: fc.constantFrom(1, 2, 3) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("slash" as const), v, fraction: fc.constantFrom(DEC_ONE / 100n, DEC_ONE / 20n, DEC_ONE / 10n, (DEC_ONE * 3n) / 10n), back: fc.integer({ min: 0, max: 4 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("fees" as const), amount: fc.bigInt({ min: 1n, max: 100_000n }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("allocate" as const), v, amount: fc.bigInt({ min: 1n, max: 100_000n }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), d, v }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("commission" as const), v }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("block" as const), seconds: fc.constantFrom(1n, 1n, 5n, 25n) }) },
  );
}

function runScenario(ops: Op[], rates: string[]): void {
  const nv = 3;
  const nd = 4;
  const h = new Harness(nv, nd, rates);
  const { staking, distribution, bank } = h.m.keepers;
  const model = new Model();
  const addr = (k: TestKey) => k.address;
  // Every delegator and operator withdraws to an address of its own that receives nothing else.
  const withdrawTo = new Map<string, TestKey>();
  for (const k of [...h.delegators, ...h.validators.map((v) => v.operator)]) {
    const w = new TestKey(`f1-withdraw-${k.address}`);
    withdrawTo.set(k.address, w);
    expect(h.msg("/cosmos.distribution.v1beta1.MsgSetWithdrawAddress", MsgSetWithdrawAddress.fromPartial({ delegatorAddress: k.address, withdrawAddress: w.address })).ok).toBe(true);
  }
  const rateOf = (op: Uint8Array) => staking.getValidator(h.store, op)!.commission.rate;

  /** The model's share of an allocation of `scaled` (x SCALE) to validator `op`, at the current shares. */
  const modelAllocate = (op: Uint8Array, scaled: bigint) => {
    const v = staking.getValidator(h.store, op);
    if (!v) return;
    const commission = (scaled * rateOf(op)) / DEC_ONE;
    model.credit(addr(h.validators.find((x) => Buffer.from(x.operator.addressBytes).equals(Buffer.from(op)))!.operator), commission);
    const shared = scaled - commission;
    if (v.tokens === 0n || v.delegatorShares === 0n) return; // nobody to pay: community pool
    for (const dlg of staking.validatorDelegations(h.store, op)) model.credit(accAddr(dlg.delegator), (shared * dlg.shares) / v.delegatorShares);
  };

  const check = (where: string) => {
    const broken = h.invariants();
    if (broken.length > 0) throw new Error(`${where}: ${broken.join("; ")}`);
  };

  for (const [i, op] of ops.entries()) {
    const where = `op ${i} ${JSON.stringify(op, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`;
    switch (op.kind) {
      case "delegate": {
        const r = h.msg("/cosmos.staking.v1beta1.MsgDelegate", MsgDelegate.fromPartial({ delegatorAddress: addr(h.delegators[op.d]), validatorAddress: h.validators[op.v].valoper, amount: { denom: "usoa", amount: op.amount.toString() } }));
        model.countWithdrawals(r.events);
        break;
      }
      case "undelegate":
      case "redelegate": {
        const del = h.delegators[op.d];
        const src = h.validators[op.kind === "undelegate" ? op.v : op.src];
        const val = staking.getValidator(h.store, src.operator.addressBytes);
        const dl = staking.getDelegation(h.store, del.addressBytes, src.operator.addressBytes);
        if (!val || !dl) break;
        const worth = decTruncateInt(tokensFromShares(val, dl.shares));
        const amount = op.part === 1 ? worth : worth / BigInt(op.part);
        if (amount === 0n) break;
        const r =
          op.kind === "undelegate"
            ? h.msg("/cosmos.staking.v1beta1.MsgUndelegate", MsgUndelegate.fromPartial({ delegatorAddress: del.address, validatorAddress: src.valoper, amount: { denom: "usoa", amount: amount.toString() } }))
            : h.msg(
                "/cosmos.staking.v1beta1.MsgBeginRedelegate",
                MsgBeginRedelegate.fromPartial({ delegatorAddress: del.address, validatorSrcAddress: src.valoper, validatorDstAddress: h.validators[op.dst].valoper, amount: { denom: "usoa", amount: amount.toString() } }),
              );
        model.countWithdrawals(r.events);
        break;
      }
      case "slash": {
        const v = staking.getValidator(h.store, h.validators[op.v].operator.addressBytes);
        if (!v || v.status === BondStatus.BOND_STATUS_UNBONDED) break;
        const power = v.tokens / SOA;
        const infraction = BigInt(Math.max(0, h.height - op.back));
        const r = h.run((ctx) => staking.slash(ctx, h.validators[op.v].consAddress, infraction, power, op.fraction));
        model.countWithdrawals(r.events);
        break;
      }
      case "fees": {
        h.run((ctx) => bank.mint(ctx.store, ctx.events, FEE_COLLECTOR, [{ denom: "usoa", amount: op.amount }]));
        break;
      }
      case "allocate": {
        const op2 = h.validators[op.v].operator.addressBytes;
        h.run((ctx) => bank.mint(ctx.store, ctx.events, REWARDS_MODULE, [{ denom: "usoa", amount: op.amount }]));
        const r = h.run((ctx) => distribution.allocateToValidator(ctx, REWARDS_MODULE, op2, [{ denom: "usoa", amount: op.amount }]));
        if (r.ok) {
          model.deposited += op.amount;
          modelAllocate(op2, op.amount * SCALE);
        } else {
          // Validator gone: the tokens stay with the caller's module; hand them to the community pool.
          h.run((ctx) => distribution.fundCommunityPool(ctx, REWARDS_MODULE, [{ denom: "usoa", amount: op.amount }]));
          model.deposited += op.amount;
        }
        break;
      }
      case "withdraw": {
        const r = h.msg("/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", MsgWithdrawDelegatorReward.fromPartial({ delegatorAddress: addr(h.delegators[op.d]), validatorAddress: h.validators[op.v].valoper }));
        model.countWithdrawals(r.events);
        break;
      }
      case "commission": {
        const r = h.msg("/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", MsgWithdrawValidatorCommission.fromPartial({ validatorAddress: h.validators[op.v].valoper }));
        if (r.ok) model.withdrawals.set(addr(h.validators[op.v].operator), (model.withdrawals.get(addr(h.validators[op.v].operator)) ?? 0) + 1);
        break;
      }
      case "block": {
        const events = h.nextBlock(op.seconds, () => {
          // Model the begin-block allocation: the fee collector's balance, less community tax,
          // split by the power of the validators that signed.
          const fees = bank.getBalance(h.store, moduleAddress(FEE_COLLECTOR), "usoa");
          if (fees === 0n) return;
          model.deposited += fees;
          const powers = staking.lastValidatorPowers(h.store);
          let total = 0n;
          for (const p of powers) total += p.power;
          if (total === 0n) return;
          const tax = distribution.getParams(h.store).communityTax;
          for (const p of powers) modelAllocate(p.op, (fees * SCALE * (DEC_ONE - tax) * p.power) / (DEC_ONE * total));
        });
        model.countWithdrawals(events);
        break;
      }
    }
    check(where);
  }

  // Final: one more block (allocates pending fees), then withdraw every delegation and commission.
  h.nextBlock(1n, () => {
    const fees = bank.getBalance(h.store, moduleAddress(FEE_COLLECTOR), "usoa");
    if (fees === 0n) return;
    model.deposited += fees;
    const powers = staking.lastValidatorPowers(h.store);
    let total = 0n;
    for (const p of powers) total += p.power;
    const tax = distribution.getParams(h.store).communityTax;
    if (total > 0n) for (const p of powers) modelAllocate(p.op, (fees * SCALE * (DEC_ONE - tax) * p.power) / (DEC_ONE * total));
  });
  for (const dlg of staking.allDelegations(h.store)) {
    const r = h.run((ctx) => distribution.withdrawRewards(ctx, dlg.delegator, dlg.validator));
    expect(r.ok).toBe(true);
    model.countWithdrawals(r.events);
  }
  for (const v of h.validators) {
    if (!staking.getValidator(h.store, v.operator.addressBytes)) continue;
    const r = h.run((ctx) => distribution.withdrawValidatorCommission(ctx, v.operator.addressBytes));
    if (r.ok) model.withdrawals.set(v.operator.address, (model.withdrawals.get(v.operator.address) ?? 0) + 1);
  }
  check("final withdrawal");

  // 1. Every delegator (and operator: rewards + commission) got its share, within 1 usoa per withdrawal.
  let paid = 0n;
  for (const k of [...h.delegators, ...h.validators.map((v) => v.operator)]) {
    const got = h.balance(withdrawTo.get(k.address)!.addressBytes);
    paid += got;
    const owed = model.owed.get(k.address) ?? 0n;
    const n = BigInt(model.withdrawals.get(k.address) ?? 0) + 2n; // + validator removal payouts, rounding of the last digit
    const gotScaled = got * SCALE;
    if (gotScaled > owed + SCALE / 1_000_000n) {
      throw new Error(`${k.address} was paid ${got} but is owed only ${formatScaled(owed)} (more than allocated)`);
    }
    if (owed - gotScaled > n * SCALE) {
      throw new Error(`${k.address} was paid ${got}, owed ${formatScaled(owed)}: short by more than 1 usoa per withdrawal (${n})`);
    }
  }
  // 2. Nothing created or lost: deposits = paid + community pool + outstanding, exactly.
  const pool = amountOfDec(distribution.getCommunityPool(h.store), "usoa");
  let outstanding = 0n;
  for (const o of distribution.allOutstanding(h.store)) outstanding += amountOfDec(o.rewards, "usoa");
  expect(paid * DEC_ONE + pool + outstanding).toBe(model.deposited * DEC_ONE);
  expect(bank.getBalance(h.store, moduleAddress(DISTRIBUTION_MODULE), "usoa") * DEC_ONE).toBe(pool + outstanding);
  expect(bank.getBalance(h.store, moduleAddress(FEE_COLLECTOR), "usoa")).toBe(0n);
}

function formatScaled(x: bigint): string {
  return formatDec(x / 10n ** 18n);
}

describe("F1 fee distribution (property)", () => {
  test("random delegate / undelegate / redelegate / slash / fees / withdraw sequences: everyone gets its stake-time-weighted share, nothing is created or lost", () => {
    const runs = Number(process.env.F1_RUNS ?? 60);
    fc.assert(
      fc.property(
        fc.array(opArb(3, 4), { minLength: 10, maxLength: 60 }),
        fc.array(fc.constantFrom("0", "0.05", "0.1", "0.5", "1"), { minLength: 3, maxLength: 3 }),
        (ops, rates) => {
          runScenario(ops, rates);
        },
      ),
      { numRuns: runs },
    );
  });

  test("a hand-written scenario: two delegators, a fee, a slash in between, exact amounts", () => {
    // Deterministic companion of the property: numbers that can be checked by hand.
    const h = new Harness(1, 2, ["0.1"]);
    const { staking, distribution, bank } = h.m.keepers;
    const [v] = h.validators;
    const [a, b] = h.delegators;
    const delegate = (k: TestKey, amount: bigint) =>
      expect(h.msg("/cosmos.staking.v1beta1.MsgDelegate", MsgDelegate.fromPartial({ delegatorAddress: k.address, validatorAddress: v.valoper, amount: { denom: "usoa", amount: amount.toString() } })).ok).toBe(true);
    h.nextBlock(1n);
    delegate(a, 200n * SOA); // validator: 200 (self) + 200 (a)
    h.nextBlock(1n);
    const allocate = (amount: bigint) => {
      h.run((ctx) => bank.mint(ctx.store, ctx.events, REWARDS_MODULE, [{ denom: "usoa", amount }]));
      expect(h.run((ctx) => distribution.allocateToValidator(ctx, REWARDS_MODULE, v.operator.addressBytes, [{ denom: "usoa", amount }])).ok).toBe(true);
    };
    allocate(1_000_000n); // commission 100_000; 900_000 shared 50/50
    h.nextBlock(1n);
    delegate(b, 400n * SOA); // now self 200, a 200, b 400
    h.nextBlock(1n);
    expect(h.run((ctx) => staking.slash(ctx, v.consAddress, BigInt(h.height), 800n, DEC_ONE / 10n)).ok).toBe(true); // -10%: 720 left
    allocate(2_000_000n); // commission 200_000; 1_800_000: self/a 450_000 each, b 900_000
    h.nextBlock(1n);
    const withdraw = (k: TestKey) => {
      const r = h.run((ctx) => distribution.withdrawRewards(ctx, k.addressBytes, v.operator.addressBytes));
      return r.value![0]?.amount ?? 0n;
    };
    expect(withdraw(a)).toBe(450_000n + 450_000n);
    expect(withdraw(b)).toBe(900_000n); // 360 SOA of 720 after the 10% slash
    expect(withdraw(v.operator)).toBe(900_000n);
    const r = h.run((ctx) => distribution.withdrawValidatorCommission(ctx, v.operator.addressBytes));
    expect(r.value).toEqual([{ denom: "usoa", amount: 300_000n }]);
    expect(h.invariants()).toEqual([]);
    // The slash was recorded as an F1 slash event of 10%.
    expect(distribution.allSlashEvents(h.store).map((e) => e.fraction)).toEqual([DEC_ONE / 10n]);
    expect(dec("0.1")).toBe((DEC_ONE / 10n).toString());
  });
});
