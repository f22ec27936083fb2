import type { Any } from "cosmjs-types/google/protobuf/any";
import { ModelStatus } from "../../src/gen/blockai/registry/v1/registry";
import {
  QueryCommitmentRequest,
  QueryCommitmentResponse,
  QueryEpochScoresRequest,
  QueryEpochScoresResponse,
  QueryModelScoreRequest,
  QueryModelScoreResponse,
  QueryScorerRequest,
  QueryScorerResponse,
  QueryValidatorAgreementRequest,
  QueryValidatorAgreementResponse,
} from "../../src/gen/blockai/scoring/v1/query";
import { EpochStatus } from "../../src/gen/blockai/scoring/v1/scoring";
import { VALIDATOR_OPERATOR_PREFIX, encodeAddress } from "../../src/types/address";
import type { Score } from "../../src/modules/scoring";
import { Driver, TestValidator } from "../helpers/driver";
import { TestKey } from "../helpers/keys";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { eventAttr, expectOk, msgCreateValidator, msgUndelegate, query } from "../helpers/pos";
import { registerModel, registerModelMsg, setModelStatusMsg, signAs } from "../helpers/pow";
import { commitMsg, commitmentFor, currentEpoch, revealMsg, saltOf, setScorerMsg, untilEpoch } from "../helpers/scoring";

jest.setTimeout(120_000);

const EPOCH_LENGTH = 20n;
const WINDOW = 15n;
const MAX_SCORES = 3;
const Q = "/blockai.scoring.v1.Query/";

async function newDriver(o: { validators?: number; maxValidators?: number; selfDelegation?: (i: number) => bigint } = {}): Promise<Driver> {
  return Driver.create({
    accounts: 3,
    validators: o.validators ?? 4,
    selfDelegation: o.selfDelegation,
    params: o.maxValidators ? { staking: { max_validators: o.maxValidators } } : undefined,
    appState: (s) => {
      s.epochs = { params: { epoch_length: EPOCH_LENGTH.toString() } };
      s.scoring = { params: { reveal_window: WINDOW.toString(), max_scores_per_reveal: String(MAX_SCORES), min_reveal_stake_fraction_ppm: "500000" } };
    },
  });
}

describe("scoring: commit-reveal and consensus through the ABCI pipeline (in-process driver)", () => {
  let d: Driver;
  let scorer: TestKey;
  let owner: TestKey;
  let outsider: TestKey;
  let modelA: bigint;
  let modelB: bigint;
  let paused: bigint;
  let v: TestValidator[];

  const keeper = () => d.app.keepers.scoring;
  /** Everything the module stores, to show a refused tx stored nothing. */
  const snapshot = () =>
    JSON.stringify(
      // What transactions write (epoch results change at block ends).
      { c: keeper().allCommitments(d.store), r: keeper().allReveals(d.store), s: keeper().allScorers(d.store) },
      (_k, x) => (typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString("hex") : x),
    );

  /** Refused with scoring/`code` by CheckTx and again inside a block; nothing stored. */
  const expectRefused = async (key: TestKey, msgs: Any[], code: number, codespace = "scoring") => {
    const before = snapshot();
    const check = d.checkTx(signAs(d, key, msgs, { fee: [{ denom: "usoa", amount: "25000" }], gas: 1_000_000n }));
    expect({ codespace: check.codespace, code: check.code }).toEqual({ codespace, code });
    const result = await d.exec(key, msgs);
    expect({ codespace: result.codespace, code: result.code }).toEqual({ codespace, code });
    expect(result.log.length).toBeGreaterThan(0);
    expect(snapshot()).toEqual(before);
    return result.log;
  };

  const commit = async (key: TestKey, val: TestValidator, epoch: bigint, scores: Score[], label = "a") => {
    const r = await d.exec(key, [commitMsg(key.address, epoch, commitmentFor(d, epoch, val.operator.addressBytes, saltOf(label), scores))]);
    expectOk(r);
    return r;
  };
  const reveal = (key: TestKey, epoch: bigint, scores: Score[], label = "a") => revealMsg(key.address, epoch, saltOf(label), scores);

  beforeEach(async () => {
    d = await newDriver();
    v = d.validators;
    [scorer, owner, outsider] = d.keys;
    await d.block();
    modelA = await registerModel(d, owner);
    modelB = await registerModel(d, owner);
    paused = await registerModel(d, owner);
    expectOk(await d.exec(owner, [setModelStatusMsg(owner.address, paused, ModelStatus.MODEL_STATUS_PAUSED)]));
    // Each test starts at an epoch's first block, so its commits all fall in one epoch.
    await untilEpoch(d, 1n);
  });
  afterEach(async () => d.close());

  test("a full epoch: commits, reveals in the window, consensus = lower weighted median, agreements, missed reveal scores 0", async () => {
    expectOk(await d.exec(v[0].operator, [setScorerMsg(v[0].valoper, scorer.address)]));
    expect(query(d, Q + "Scorer", QueryScorerRequest, { validator: v[0].valoper }, QueryScorerResponse).scorer).toBe(scorer.address);
    const e = currentEpoch(d).number;
    const s0 = [{ modelId: modelA, scorePpm: 900_000 }, { modelId: modelB, scorePpm: 400_000 }];
    const s1 = [{ modelId: modelA, scorePpm: 800_000 }, { modelId: modelB, scorePpm: 500_000 }];
    const s2 = [{ modelId: modelA, scorePpm: 100_000 }];
    const r0 = await commit(scorer, v[0], e, s0, "v0");
    expect(eventAttr(r0.events, "scoring_commit", "validator")).toBe(v[0].valoper);
    await commit(v[1].operator, v[1], e, s1, "v1");
    await commit(v[2].operator, v[2], e, s2, "v2");
    await commit(v[3].operator, v[3], e, [{ modelId: modelA, scorePpm: 0 }], "v3");
    const c = query(d, Q + "Commitment", QueryCommitmentRequest, { validator: v[1].valoper, epoch: e }, QueryCommitmentResponse).commitment!;
    expect({ power: c.power, revealed: c.revealed }).toEqual({ power: 0n, revealed: false });

    await untilEpoch(d, e + 1n);
    const result = keeper().getEpochResult(d.store, e)!;
    expect(result.status).toBe(EpochStatus.EPOCH_STATUS_REVEALING);
    expect(result.revealEndHeight - result.revealStartHeight + 1n).toBe(WINDOW);
    expect(result.committedPower).toBe(400n);
    expect(keeper().getCommitment(d.store, e, v[1].operator.addressBytes)!.power).toBe(100n);

    const { results } = await d.block([
      signAs(d, scorer, [reveal(scorer, e, s0, "v0")], { fee: [{ denom: "usoa", amount: "25000" }], gas: 1_000_000n }),
      signAs(d, v[1].operator, [reveal(v[1].operator, e, s1, "v1")], { fee: [{ denom: "usoa", amount: "25000" }], gas: 1_000_000n }),
      signAs(d, v[2].operator, [reveal(v[2].operator, e, s2, "v2")], { fee: [{ denom: "usoa", amount: "25000" }], gas: 1_000_000n }),
    ]);
    for (const r of results) expectOk(r);
    expect(eventAttr(results[0].events, "scoring_reveal", "scores")).toBe("2");
    // Not before the window's last block.
    expect(keeper().getEpochResult(d.store, e)!.status).toBe(EpochStatus.EPOCH_STATUS_REVEALING);
    const end = Number(result.revealEndHeight);
    while (d.height < end - 1) await d.block();
    const { response } = await d.block();
    expect(d.height).toBe(end);
    expect(eventAttr(response.events, "scoring_consensus", "models")).toBe("2");
    expect(eventAttr(response.events, "scoring_consensus", "revealed_power")).toBe("300");
    expect(eventAttr(response.events, "scoring_missed_reveal", "validator")).toBe(v[3].valoper);

    // A: 100k, 800k, 900k -> 800k; B: 0 (v2 omitted it), 400k, 500k -> 400k.
    const score = (modelId: bigint) => query(d, Q + "ModelScore", QueryModelScoreRequest, { modelId, epoch: e }, QueryModelScoreResponse).score!.scorePpm;
    expect([score(modelA), score(modelB), score(paused)]).toEqual([800_000, 400_000, 0]);
    const page = query(d, Q + "EpochScores", QueryEpochScoresRequest, { epoch: e, pagination: { key: new Uint8Array(), offset: 0n, limit: 1n, countTotal: true, reverse: false } }, QueryEpochScoresResponse);
    expect(page.result!.status).toBe(EpochStatus.EPOCH_STATUS_CONSENSUS);
    expect(page.scores.map((s) => s.modelId)).toEqual([modelA]);
    expect(page.pagination!.total).toBe(2n);
    const agreement = (val: TestValidator) =>
      query(d, Q + "ValidatorAgreement", QueryValidatorAgreementRequest, { validator: val.valoper, epoch: e }, QueryValidatorAgreementResponse).agreement!;
    // Mean |deviation| over the 2 models: v0 (100k + 0)/2, v1 (0 + 100k)/2, v2 (700k + 400k)/2.
    expect(v.map((x) => agreement(x).agreementPpm)).toEqual([950_000, 950_000, 450_000, 0]);
    expect(agreement(v[3]).revealed).toBe(false);
    // Reveals are dropped once counted; results stay.
    expect(keeper().allReveals(d.store)).toEqual([]);
    expect(d.app.checkInvariants()).toEqual([]);
  });

  test("too little stake revealed: no consensus for the epoch, with an event", async () => {
    const e = currentEpoch(d).number;
    await commit(v[0].operator, v[0], e, [{ modelId: modelA, scorePpm: 1 }]);
    await commit(v[1].operator, v[1], e, [{ modelId: modelA, scorePpm: 1 }]);
    await untilEpoch(d, e + 1n);
    expectOk(await d.exec(v[0].operator, [reveal(v[0].operator, e, [{ modelId: modelA, scorePpm: 1 }])]));
    let events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }> = [];
    for (let i = 0; i < Number(WINDOW); i++) events = events.concat((await d.block()).response.events);
    expect(eventAttr(events, "scoring_no_consensus", "revealed_power")).toBe("100");
    expect(keeper().getEpochResult(d.store, e)!.status).toBe(EpochStatus.EPOCH_STATUS_NO_QUORUM);
    expect(keeper().consensusScore(d.store, e, modelA)).toBeUndefined();
    const r = d.app.query({ path: Q + "ModelScore", data: QueryModelScoreRequest.encode({ modelId: modelA, epoch: e }).finish(), height: 0n, prove: false });
    expect({ codespace: r.codespace, code: r.code }).toEqual({ codespace: "sdk", code: 38 });
  });

  test("a new commitment replaces the old one until the epoch ends", async () => {
    const e = currentEpoch(d).number;
    await commit(v[0].operator, v[0], e, [{ modelId: modelA, scorePpm: 1 }], "first");
    await commit(v[0].operator, v[0], e, [{ modelId: modelA, scorePpm: 2 }], "second");
    await untilEpoch(d, e + 1n);
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, [{ modelId: modelA, scorePpm: 1 }], "first")], 15);
    expectOk(await d.exec(v[0].operator, [reveal(v[0].operator, e, [{ modelId: modelA, scorePpm: 2 }], "second")]));
  });

  test("refused reveals, each with its own code, storing nothing", async () => {
    const e = currentEpoch(d).number;
    const good = [{ modelId: modelA, scorePpm: 500_000 }, { modelId: modelB, scorePpm: 600_000 }];
    await commit(v[0].operator, v[0], e, good);
    // Refused by the model check, which runs after the commitment matched: committed as sent.
    const unknown = [{ modelId: modelA, scorePpm: 1 }, { modelId: 99n, scorePpm: 1 }];
    const zero = [{ modelId: 0n, scorePpm: 1 }];
    const notActive = [{ modelId: modelA, scorePpm: 1 }, { modelId: paused, scorePpm: 1 }];
    await commit(v[1].operator, v[1], e, unknown);
    await commit(v[2].operator, v[2], e, zero);
    await commit(v[3].operator, v[3], e, notActive);
    // Before the epoch has ended.
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, good)], 12);
    // Commitments for another epoch than the current one.
    await expectRefused(v[1].operator, [commitMsg(v[1].operator.address, e + 1n, new Uint8Array(32))], 11);
    // Stateless: commitment and salt lengths.
    await expectRefused(v[1].operator, [commitMsg(v[1].operator.address, e, new Uint8Array(31))], 2);
    await expectRefused(v[0].operator, [revealMsg(v[0].operator.address, e, new Uint8Array(16), good)], 3);
    // Unauthorised signer: an account that is neither a scorer key nor an operator.
    await expectRefused(outsider, [commitMsg(outsider.address, e, new Uint8Array(32))], 8);

    await untilEpoch(d, e + 1n);
    await expectRefused(v[0].operator, [commitMsg(v[0].operator.address, e, new Uint8Array(32))], 11);
    await expectRefused(outsider, [reveal(outsider, e, good)], 8);
    // The scores themselves: duplicates, order, count, range.
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, [{ modelId: modelA, scorePpm: 1 }, { modelId: modelA, scorePpm: 2 }])], 4);
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, [{ modelId: modelB, scorePpm: 1 }, { modelId: modelA, scorePpm: 2 }])], 5);
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, [1n, 2n, 3n, 4n].map((modelId) => ({ modelId, scorePpm: 1 })))], 6);
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, [{ modelId: modelA, scorePpm: 1_000_001 }])], 7);
    // Models: unknown (and id 0, which no model has), not ACTIVE.
    await expectRefused(v[1].operator, [reveal(v[1].operator, e, unknown)], 17);
    await expectRefused(v[2].operator, [reveal(v[2].operator, e, zero)], 17);
    await expectRefused(v[3].operator, [reveal(v[3].operator, e, notActive)], 18);
    // Not matching the commitment: other scores, other salt.
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, [{ modelId: modelA, scorePpm: 500_001 }, good[1]])], 15);
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, good, "other-salt")], 15);
    // Reveal without a commitment (epoch e + 1 not committed by anyone; nor e by validator 0 there).
    await untilEpoch(d, e + 2n);
    await expectRefused(v[0].operator, [reveal(v[0].operator, e + 1n, good)], 14);
    // After the window of epoch e (it was closed with the epoch's consensus).
    expect(keeper().getEpochResult(d.store, e)!.status).not.toBe(EpochStatus.EPOCH_STATUS_REVEALING);
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, good)], 13);
  });

  test("revealing twice is refused", async () => {
    const e = currentEpoch(d).number;
    const good = [{ modelId: modelA, scorePpm: 500_000 }];
    await commit(v[0].operator, v[0], e, good);
    await untilEpoch(d, e + 1n);
    expectOk(await d.exec(v[0].operator, [reveal(v[0].operator, e, good)]));
    await expectRefused(v[0].operator, [reveal(v[0].operator, e, good)], 16);
  });

  test("scorer keys: only the named key signs for a validator; a key serves one validator; non-validators are refused", async () => {
    expectOk(await d.exec(v[0].operator, [setScorerMsg(v[0].valoper, scorer.address)]));
    const e = currentEpoch(d).number;
    // With a scorer set, the operator no longer signs scores itself.
    await expectRefused(v[0].operator, [commitMsg(v[0].operator.address, e, new Uint8Array(32))], 8);
    // Another validator cannot take the same scorer key, nor name another validator's operator.
    await expectRefused(v[1].operator, [setScorerMsg(v[1].valoper, scorer.address)], 19);
    await expectRefused(v[1].operator, [setScorerMsg(v[1].valoper, v[2].operator.address)], 19);
    // An account that is no validator cannot name a scorer.
    await expectRefused(outsider, [setScorerMsg(encodeAddress(outsider.addressBytes, VALIDATOR_OPERATOR_PREFIX), owner.address)], 9);
    // Only the operator signs MsgSetScorer: anyone else is refused by the signature check.
    const wrongSigner = await d.exec(outsider, [setScorerMsg(v[1].valoper, outsider.address)]);
    expect(wrongSigner.code).not.toBe(0);
    // Clearing the scorer gives the operator its signature back and frees the key.
    expectOk(await d.exec(v[0].operator, [setScorerMsg(v[0].valoper, "")]));
    expect(keeper().allScorers(d.store)).toEqual([]);
    await commit(v[0].operator, v[0], e, []);
    expectOk(await d.exec(v[1].operator, [setScorerMsg(v[1].valoper, scorer.address)]));
    await commit(scorer, v[1], e, []);
    expect(keeper().getCommitment(d.store, e, v[1].operator.addressBytes)).toBeDefined();
  });

  test("a validator that leaves the bonded set before the epoch ends cannot reveal", async () => {
    const e = currentEpoch(d).number;
    const scores = [{ modelId: modelA, scorePpm: 1 }];
    await commit(v[3].operator, v[3], e, scores);
    expectOk(await d.exec(v[3].operator, [msgUndelegate(v[3].operator.address, v[3].valoper, 100_000_000n)]));
    await untilEpoch(d, e + 1n);
    expect(keeper().getCommitment(d.store, e, v[3].operator.addressBytes)!.power).toBe(0n);
    await expectRefused(v[3].operator, [reveal(v[3].operator, e, scores)], 10);
  });
});

describe("scoring: bonded set", () => {
  test("a validator outside the bonded set cannot commit", async () => {
    const d = await newDriver({ maxValidators: 4 });
    try {
      await d.block();
      const key = d.keys[2];
      const valoper = encodeAddress(key.addressBytes, VALIDATOR_OPERATOR_PREFIX);
      expectOk(await d.exec(key, [msgCreateValidator(valoper, ed25519.getPublicKey(sha256(new TextEncoder().encode("scoring-unbonded"))), 50_000_000n)]));
      expect(d.app.keepers.staking.getValidator(d.store, key.addressBytes)).toBeDefined();
      expect(d.app.keepers.staking.getLastValidatorPower(d.store, key.addressBytes)).toBeUndefined();
      const r = await d.exec(key, [commitMsg(key.address, currentEpoch(d).number, new Uint8Array(32))]);
      expect({ codespace: r.codespace, code: r.code }).toEqual({ codespace: "scoring", code: 10 });
      expect(d.app.keepers.scoring.allCommitments(d.store)).toEqual([]);
    } finally {
      await d.close();
    }
  });

  test("genesis: export then import gives the same state; bad fields are named", async () => {
    const d = await newDriver();
    try {
      await d.block();
      const e = currentEpoch(d).number;
      const r = await d.exec(d.validators[0].operator, [commitMsg(d.validators[0].operator.address, e, new Uint8Array(32).fill(1))]);
      expectOk(r);
      await untilEpoch(d, e + 1n);
      const exported = d.app.exportGenesis().scoring as Record<string, unknown>;
      expect((exported.commitments as unknown[]).length).toBe(1);
      expect((exported.epoch_results as unknown[]).length).toBe(1);
      const again = await Driver.create({ validators: 4, appState: (s) => (s.scoring = exported) });
      try {
        await again.block();
        expect(again.app.exportGenesis().scoring).toEqual(exported);
      } finally {
        await again.close();
      }
      for (const [edit, message] of [
        [(s: any) => (s.params.reveal_window = "0"), /scoring\.params\.reveal_window/],
        [(s: any) => (s.params.extra = "1"), /scoring\.params\.extra: unknown parameter/],
        [(s: any) => (s.commitments = [{ epoch: "0", validator: "soa1xyz", commitment: "00", height: "1" }]), /scoring\.commitments\[0\]\.commitment/],
        [(s: any) => (s.scorers = [{ validator: d.validators[0].valoper, scorer: "nope" }]), /scoring\.scorers\[0\]\.scorer/],
      ] as const) {
        const section = JSON.parse(JSON.stringify(defaultSection()));
        edit(section);
        await expect(
          Driver.create({ validators: 1, appState: (s) => (s.scoring = section) }),
        ).rejects.toThrow(message);
      }
    } finally {
      await d.close();
    }
  });
});

function defaultSection() {
  return { params: { reveal_window: "3", max_scores_per_reveal: "3", min_reveal_stake_fraction_ppm: "500000" }, scorers: [] };
}

describe("scoring: determinism", () => {
  test("two nodes fed the same blocks (commits, reveals, consensus) compute the same app hash at every height", async () => {
    const a = await newDriver();
    const b = await newDriver();
    try {
      const both = async (txs: (d: Driver) => Uint8Array[]) => {
        const ra = await a.block(txs(a));
        const rb = await b.block(txs(b));
        expect(Buffer.from(rb.response.appHash).toString("hex")).toBe(Buffer.from(ra.response.appHash).toString("hex"));
        return ra;
      };
      await both(() => []);
      const owner = a.keys[1];
      for (let i = 0; i < 3; i++) await both((d) => [signAs(d, owner, [registerModelMsg(owner.address)])]);
      const scores = (i: number): Score[] => [1n, 2n, 3n].map((modelId) => ({ modelId, scorePpm: (i * 277_001 + Number(modelId) * 123_457) % 1_000_001 }));
      const e = currentEpoch(a).number;
      await both((d) => d.validators.map((val, i) => signAs(d, val.operator, [commitMsg(val.operator.address, e, commitmentFor(d, e, val.operator.addressBytes, saltOf(`${i}`), scores(i)))])));
      while (currentEpoch(a).number === e) await both(() => []);
      await both((d) => d.validators.slice(0, 3).map((val, i) => signAs(d, val.operator, [revealMsg(val.operator.address, e, saltOf(`${i}`), scores(i))])));
      for (let i = 0; i < Number(WINDOW); i++) await both(() => []);
      expect(a.app.keepers.scoring.getEpochResult(a.store, e)!.status).toBe(EpochStatus.EPOCH_STATUS_CONSENSUS);
      expect(a.app.keepers.scoring.epochScores(a.store, e).length).toBe(3);
    } finally {
      await a.close();
      await b.close();
    }
  });
  test("a reveal window longer than the next epoch is cut to that epoch: its consensus is final before rewards pays by it", async () => {
    const long = await Driver.create({
      validators: 1,
      appState: (s) => {
        s.epochs = { params: { epoch_length: EPOCH_LENGTH.toString() } };
        s.scoring = { params: { reveal_window: (EPOCH_LENGTH * 3n).toString(), max_scores_per_reveal: "3", min_reveal_stake_fraction_ppm: "500000" } };
      },
    });
    try {
      await long.block();
      const e = currentEpoch(long).number;
      await untilEpoch(long, e + 1n);
      const next = currentEpoch(long);
      const result = long.app.keepers.scoring.getEpochResult(long.store, e)!;
      expect(result.revealStartHeight).toBe(next.startHeight);
      expect(result.revealEndHeight).toBe(next.endHeight);
    } finally {
      await long.close();
    }
  });
});
