import { DEFAULT_DISTRIBUTION_PARAMS, validateDistributionParams } from "../../src/modules/distribution";
import { DEFAULT_SLASHING_PARAMS, validateSlashingParams } from "../../src/modules/slashing";
import { DEFAULT_STAKING_PARAMS, validateStakingParams } from "../../src/modules/staking";

const DEC_ONE = 10n ** 18n;

// The validation genesis applies is a function of its own, for a future MsgUpdateParams: each
// rule refuses exactly the bad field and names it.
describe("PoS parameter validation", () => {
  test("the defaults are valid", () => {
    expect(() => validateStakingParams(DEFAULT_STAKING_PARAMS)).not.toThrow();
    expect(() => validateDistributionParams(DEFAULT_DISTRIBUTION_PARAMS)).not.toThrow();
    expect(() => validateSlashingParams(DEFAULT_SLASHING_PARAMS)).not.toThrow();
  });

  test.each([
    [{ maxValidators: 0 }, "staking.params.max_validators must be at least 1"],
    [{ maxEntries: 0 }, "staking.params.max_entries must be at least 1"],
    [{ unbondingTimeNs: 0n }, "staking.params.unbonding_time must be positive"],
    [{ bondDenom: "1bad" }, 'staking.params.bond_denom: invalid denom "1bad"'],
    [{ minCommissionRate: DEC_ONE + 1n }, "staking.params.min_commission_rate must be between 0 and 1"],
    [{ minCommissionRate: -1n }, "staking.params.min_commission_rate must be between 0 and 1"],
  ])("staking refuses %p", (change, message) => {
    expect(() => validateStakingParams({ ...DEFAULT_STAKING_PARAMS, ...change })).toThrow(message);
  });

  test.each([
    [{ communityTax: DEC_ONE + 1n }, "distribution.params.community_tax must be between 0 and 1"],
    [{ communityTax: -1n }, "distribution.params.community_tax must be between 0 and 1"],
    [{ baseProposerReward: 1n }, "deprecated and must be 0"],
    [{ bonusProposerReward: 1n }, "deprecated and must be 0"],
  ])("distribution refuses %p", (change, message) => {
    expect(() => validateDistributionParams({ ...DEFAULT_DISTRIBUTION_PARAMS, ...change })).toThrow(message);
  });

  test.each([
    [{ signedBlocksWindow: 0n }, "slashing.params.signed_blocks_window must be positive"],
    [{ downtimeJailDurationNs: 0n }, "slashing.params.downtime_jail_duration must be positive"],
    [{ minSignedPerWindow: DEC_ONE + 1n }, "slashing.params.min_signed_per_window must be between 0 and 1"],
    [{ slashFractionDoubleSign: -1n }, "slashing.params.slash_fraction_double_sign must be between 0 and 1"],
    [{ slashFractionDowntime: DEC_ONE + 1n }, "slashing.params.slash_fraction_downtime must be between 0 and 1"],
  ])("slashing refuses %p", (change, message) => {
    expect(() => validateSlashingParams({ ...DEFAULT_SLASHING_PARAMS, ...change })).toThrow(message);
  });

  test("the field path is the caller's (a MsgUpdateParams names its own)", () => {
    expect(() => validateStakingParams({ ...DEFAULT_STAKING_PARAMS, maxEntries: 0 }, "params")).toThrow(/^params\.max_entries must be at least 1$/);
  });
});
