import fc from "fast-check";
import { TallyOption, TallyValidator, TallyVote, tally } from "../../src/modules/gov/tally";

/*
 * The tally against a reference written from the SDK's spec (x/gov README, "Tally"): bonded stake
 * votes; a validator votes with the stake of the delegators that did not vote themselves; a
 * delegator's own vote counts its stake at each bonded validator it delegates to. Arithmetic is
 * the SDK's LegacyDec (18 decimals, quotients and products rounded half to even), redone here.
 */
const ONE = 10n ** 18n;

/** n / d rounded half to even (d > 0, n >= 0). */
function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (2n * r < d) return q;
  if (2n * r > d) return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}
const mul = (a: bigint, b: bigint) => divRound(a * b, ONE);
const quo = (a: bigint, b: bigint) => divRound(a * ONE, b);

interface RefParams {
  quorum: bigint;
  threshold: bigint;
  vetoThreshold: bigint;
  burnVoteQuorum: boolean;
  burnVoteVeto: boolean;
}

function reference(validators: TallyValidator[], votes: TallyVote[], totalBonded: bigint, p: RefParams) {
  const sums = new Map<TallyOption, bigint>([
    [TallyOption.Yes, 0n],
    [TallyOption.Abstain, 0n],
    [TallyOption.No, 0n],
    [TallyOption.NoWithVeto, 0n],
  ]);
  let voted = 0n;
  const credit = (power: bigint, options: TallyVote["options"]) => {
    for (const o of options) sums.set(o.option, sums.get(o.option)! + mul(power, o.weight));
    voted += power;
  };
  for (const v of validators) {
    if (v.delegatorShares === 0n) continue;
    // Shares of v held by delegators who voted, each counted for its own vote.
    let overridden = 0n;
    for (const vote of votes) {
      for (const d of vote.delegations) {
        if (d.validator !== v.operator) continue;
        overridden += d.shares;
        credit(quo(d.shares * v.bondedTokens, v.delegatorShares), vote.options);
      }
    }
    const own = votes.find((x) => x.voter === v.operator);
    if (own && own.options.length > 0) credit(quo((v.delegatorShares - overridden) * v.bondedTokens, v.delegatorShares), own.options);
  }
  const yes = sums.get(TallyOption.Yes)!;
  const abstain = sums.get(TallyOption.Abstain)!;
  const veto = sums.get(TallyOption.NoWithVeto)!;
  let passes = false;
  let burn = false;
  if (totalBonded === 0n) {
    // nothing bonded: fails
  } else if (quo(voted, totalBonded * ONE) < p.quorum) burn = p.burnVoteQuorum;
  else if (voted - abstain === 0n) {
    // everyone abstained
  } else if (quo(veto, voted) > p.vetoThreshold) burn = p.burnVoteVeto;
  else passes = quo(yes, voted - abstain) > p.threshold;
  return { passes, burn, yes: yes / ONE, abstain: abstain / ONE, no: sums.get(TallyOption.No)! / ONE, veto: veto / ONE };
}

const params: RefParams = { quorum: 334n * 10n ** 15n, threshold: ONE / 2n, vetoThreshold: 334n * 10n ** 15n, burnVoteQuorum: false, burnVoteVeto: true };

/** Weights for k options summing to exactly 1 (the message server refuses anything else). */
const weightsArb = (k: number) =>
  fc.array(fc.bigInt({ min: 1n, max: ONE }), { minLength: k - 1, maxLength: k - 1 }).map((cuts) => {
    const points = [...new Set(cuts.map((c) => c % ONE).filter((c) => c > 0n))].sort((a, b) => (a < b ? -1 : 1));
    const bounds = [0n, ...points, ONE];
    return bounds.slice(1).map((b, i) => b - bounds[i]);
  });

const optionsArb = fc.integer({ min: 1, max: 4 }).chain((k) =>
  fc.tuple(fc.shuffledSubarray([1, 2, 3, 4], { minLength: k, maxLength: k }), weightsArb(k)).map(([opts, weights]) =>
    weights.map((w, i) => ({ option: opts[i] as TallyOption, weight: w })),
  ),
);

const scenarioArb = fc
  .record({
    validators: fc.array(
      fc.record({
        tokens: fc.bigInt({ min: 0n, max: 10n ** 15n }),
        // Exchange rate shares/tokens: 1 (no slash) or above (after slashes).
        rate: fc.constantFrom(ONE, (ONE * 3n) / 2n, ONE * 2n, (ONE * 10n) / 7n),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    delegators: fc.integer({ min: 0, max: 8 }),
    unbonded: fc.boolean(),
    extraBonded: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    burnVoteQuorum: fc.boolean(),
    burnVoteVeto: fc.boolean(),
    quorum: fc.constantFrom(0n, params.quorum, ONE / 2n, ONE),
    seed: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.bigInt({ min: 1n, max: 10n ** 30n })), { maxLength: 30 }),
    voteSeeds: fc.array(fc.tuple(fc.nat(), optionsArb), { maxLength: 16 }),
  })
  .map((s) => {
    const validators: TallyValidator[] = s.validators.map((v, i) => ({ operator: `val${i}`, bondedTokens: v.tokens, delegatorShares: (v.tokens * v.rate) }));
    const voters = [...validators.map((v) => v.operator), ...Array.from({ length: s.delegators }, (_, i) => `del${i}`)];
    // An unbonded validator's delegations are ignored by the tally.
    const targets = [...validators.map((v) => v.operator), ...(s.unbonded ? ["unbonded"] : [])];
    const delegations = new Map<string, Map<string, bigint>>();
    for (const [a, b, shares] of s.seed) {
      const voter = voters[a % voters.length];
      const target = targets[b % targets.length];
      const v = validators.find((x) => x.operator === target);
      // A delegator holds at most the validator's outstanding shares.
      const cap = v ? v.delegatorShares / 2n : shares;
      const m = delegations.get(voter) ?? new Map<string, bigint>();
      m.set(target, cap === 0n ? 0n : shares % (cap + 1n));
      delegations.set(voter, m);
    }
    // Delegations to a validator sum to at most its shares.
    for (const v of validators) {
      let sum = 0n;
      for (const m of delegations.values()) {
        const sh = m.get(v.operator) ?? 0n;
        if (sum + sh > v.delegatorShares) m.set(v.operator, 0n);
        else sum += sh;
      }
    }
    const votes: TallyVote[] = [];
    const seen = new Set<string>();
    for (const [i, options] of s.voteSeeds) {
      const voter = voters[i % voters.length];
      if (seen.has(voter)) continue;
      seen.add(voter);
      votes.push({ voter, options, delegations: [...(delegations.get(voter) ?? new Map()).entries()].map(([validator, shares]) => ({ validator, shares })) });
    }
    const totalBonded = validators.reduce((a, v) => a + v.bondedTokens, 0n) + s.extraBonded;
    return { validators, votes, totalBonded, params: { ...params, quorum: s.quorum, burnVoteQuorum: s.burnVoteQuorum, burnVoteVeto: s.burnVoteVeto } };
  });

describe("gov tally", () => {
  test("matches the reference written from the SDK's spec (random validators, delegations, votes, weighted votes, overrides)", () => {
    fc.assert(
      fc.property(scenarioArb, ({ validators, votes, totalBonded, params: p }) => {
        const out = tally(validators, votes, totalBonded, p);
        const ref = reference(validators, votes, totalBonded, p);
        expect({ passes: out.passes, burn: out.burnDeposits, ...out.result }).toEqual({
          passes: ref.passes,
          burn: ref.burn,
          yes: ref.yes,
          abstain: ref.abstain,
          no: ref.no,
          noWithVeto: ref.veto,
        });
        // Order of votes and validators does not matter (sums are exact).
        const reversed = tally([...validators].reverse(), [...votes].reverse(), totalBonded, p);
        expect(reversed.result).toEqual(out.result);
        expect(reversed.passes).toBe(out.passes);
      }),
      { numRuns: 400 },
    );
  });

  const v = (operator: string, tokens: bigint): TallyValidator => ({ operator, bondedTokens: tokens, delegatorShares: tokens * ONE });
  const yes = [{ option: TallyOption.Yes, weight: ONE }];
  const no = [{ option: TallyOption.No, weight: ONE }];

  test("a delegator who votes overrides its validator for its own stake only", () => {
    // val0: 100 self + 60 delegated by del0; val0 votes yes, del0 votes no.
    const out = tally([v("val0", 160n)], [
      { voter: "val0", options: yes, delegations: [{ validator: "val0", shares: 100n * ONE }] },
      { voter: "del0", options: no, delegations: [{ validator: "val0", shares: 60n * ONE }] },
    ], 160n, params);
    expect(out.result).toEqual({ yes: 100n, abstain: 0n, no: 60n, noWithVeto: 0n });
    expect(out.passes).toBe(true);
  });

  test("delegators who do not vote inherit their validator's vote", () => {
    // val0 holds 100: 60 self-bonded and 40 from del0, who does not vote; val1 (300) does not vote.
    const out = tally([v("val0", 100n), v("val1", 300n)], [{ voter: "val0", options: no, delegations: [{ validator: "val0", shares: 60n * ONE }] }], 400n, { ...params, quorum: ONE / 5n });
    expect(out.result).toEqual({ yes: 0n, abstain: 0n, no: 100n, noWithVeto: 0n });
    expect(out.totalVotingPower).toBe(100n * ONE);
    expect(out.passes).toBe(false);
  });

  test("below quorum fails, burning only if burn_vote_quorum", () => {
    const vals = [v("val0", 100n), v("val1", 300n)];
    const votes = [{ voter: "val0", options: yes, delegations: [] }];
    expect(tally(vals, votes, 400n, params)).toMatchObject({ passes: false, burnDeposits: false });
    expect(tally(vals, votes, 400n, { ...params, burnVoteQuorum: true })).toMatchObject({ passes: false, burnDeposits: true });
  });

  test("more than 33.4% NoWithVeto fails and burns (burn_vote_veto)", () => {
    const vals = [v("val0", 334n), v("val1", 666n)];
    const veto = [{ option: TallyOption.NoWithVeto, weight: ONE }];
    const exactly = tally(vals, [{ voter: "val0", options: veto, delegations: [] }, { voter: "val1", options: yes, delegations: [] }], 1000n, params);
    expect(exactly).toMatchObject({ passes: true, burnDeposits: false }); // 33.4% is not more than 33.4%
    const more = tally([v("val0", 335n), v("val1", 665n)], [{ voter: "val0", options: veto, delegations: [] }, { voter: "val1", options: yes, delegations: [] }], 1000n, params);
    expect(more).toMatchObject({ passes: false, burnDeposits: true });
  });

  test("all abstain fails without burning; exactly half yes fails", () => {
    const abstain = [{ option: TallyOption.Abstain, weight: ONE }];
    expect(tally([v("a", 10n)], [{ voter: "a", options: abstain, delegations: [] }], 10n, params)).toMatchObject({ passes: false, burnDeposits: false });
    const half = [{ option: TallyOption.Yes, weight: ONE / 2n }, { option: TallyOption.No, weight: ONE / 2n }];
    expect(tally([v("a", 10n)], [{ voter: "a", options: half, delegations: [] }], 10n, params).passes).toBe(false);
  });

  test("no bonded stake: fails", () => {
    expect(tally([], [], 0n, params)).toMatchObject({ passes: false, burnDeposits: false });
  });
});
