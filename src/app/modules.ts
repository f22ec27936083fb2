import { AuthKeeper, createAuthModule, defaultAuthGenesis } from "../modules/auth";
import { BankKeeper, createBankModule, defaultBankGenesis } from "../modules/bank";
import { DISTRIBUTION_MODULE, DistributionKeeper, createDistributionModule, defaultDistributionGenesis } from "../modules/distribution";
import { SlashingKeeper, createSlashingModule, defaultSlashingGenesis } from "../modules/slashing";
import { BONDED_POOL, NOT_BONDED_POOL, StakingKeeper, createStakingModule, defaultStakingGenesis } from "../modules/staking";
import { EpochsKeeper, createEpochsModule, defaultEpochsGenesis } from "../modules/epochs";
import { METERING_ESCROW_ACCOUNT, METERING_FEES_ACCOUNT, MeteringKeeper, createMeteringModule, defaultMeteringGenesis } from "../modules/metering";
import { PowKeeper, createPowModule, defaultPowGenesis } from "../modules/pow";
import { REGISTRY_BOND_ACCOUNT, RegistryKeeper, createRegistryModule, defaultRegistryGenesis } from "../modules/registry";
import { GOV_MODULE, GovKeeper, createGovModule, defaultGovGenesis } from "../modules/gov";
import { UpgradeHandler, UpgradeKeeper, createUpgradeModule, defaultUpgradeGenesis } from "../modules/upgrade";
import { ModelStatus } from "../gen/blockai/registry/v1/registry";
import { ScoringKeeper, createScoringModule, defaultScoringGenesis, modelScoresReader } from "../modules/scoring";
import { MintKeeper, createMintModule, defaultMintGenesis } from "../modules/mint";
import { REWARDS_MODULE, RewardsKeeper, createRewardsModule, defaultRewardsGenesis } from "../modules/rewards";
import type { Module, MsgHandler } from "../framework/module";
import { UPGRADE_HANDLERS } from "./upgrades";
import { FEE_COLLECTOR } from "./tx";

/**
 * The module manager: builds every keeper, wires them through their small interfaces, registers
 * every hook, and lists the modules in the order their genesis and block hooks run.
 */
export function createModules(options: { upgradeHandlers?: ReadonlyMap<string, UpgradeHandler> } = {}) {
  const auth = new AuthKeeper();
  const bank = new BankKeeper(auth);
  bank.blockModuleAccount(FEE_COLLECTOR);
  const epochs = new EpochsKeeper();
  // Proof of stake: distribution and slashing see staking only through their expected-keepers
  // interfaces, which the staking keeper provides. Staking calls them back through its hooks,
  // registered here and run in this order: distribution first (it closes F1 periods and pays
  // rewards before a stake changes), then slashing (signing infos); slashing answers staking's
  // tombstone check.
  const staking = new StakingKeeper(bank);
  const distribution = new DistributionKeeper(bank, staking);
  const slashing = new SlashingKeeper(staking);
  staking.addHooks(distribution);
  staking.addHooks(slashing);
  staking.setTombstoneCheck((store, cons) => slashing.isTombstoned(store, cons));
  for (const name of [BONDED_POOL, NOT_BONDED_POOL, DISTRIBUTION_MODULE]) bank.blockModuleAccount(name);
  const registry = new RegistryKeeper(bank);
  const metering = new MeteringKeeper(bank, auth, registry, epochs);
  // Protocol fees go to the community pool at each epoch's end (until a rewards module takes them).
  metering.setProtocolFeeSink(distribution);
  const pow = new PowKeeper(epochs, registry);
  // Scoring: validators' scores of the ACTIVE models; its power snapshot runs at each epoch's end.
  const scoring = new ScoringKeeper(staking, {
    modelStatus: (root, id) => {
      const model = registry.getModel(root, id);
      return model === undefined ? "unknown" : model.status === ModelStatus.MODEL_STATUS_ACTIVE ? "active" : "inactive";
    },
  }, epochs);
  for (const name of [REGISTRY_BOND_ACCOUNT, METERING_ESCROW_ACCOUNT, METERING_FEES_ACCOUNT]) bank.blockModuleAccount(name);
  // Emission and rewards (docs/rewards.md): mint creates each block's reward in the rewards
  // account; rewards sends the stakers' share to the fee collector (distribution pays it next, in
  // the same begin block) and the community share to the pool, and accrues the rest for the epoch.
  const mint = new MintKeeper(bank, REWARDS_MODULE);
  const rewards = new RewardsKeeper(bank, distribution, staking, pow, metering, registry);
  // Scores of epoch e are final only once e+1's reveal window has closed, so the epoch that ends
  // pays performance and agreement by the latest final consensus: that of the epoch before it.
  const scores = modelScoresReader(scoring);
  rewards.setModelPerformance({
    scoredModels: (root, epoch) => (epoch > 0n ? scores.epochScores(root, epoch - 1n).map((s) => ({ modelId: s.modelId, scorePpm: BigInt(s.scorePpm) })) : []),
    agreementPpm: (root, epoch, operator) => (epoch > 0n ? BigInt(scores.agreement(root, epoch - 1n, operator) ?? 0) : 0n),
  });
  mint.addHooks(rewards);
  // Pruning (docs/pruning.md): pow's tallies and metering's usage records of an epoch are read by
  // rewards until the epoch's claim window closes, so they are pruned only below its oldest open
  // epoch; scoring's records of epoch e are read when e+1 ends, so one epoch earlier still.
  pow.setClaimWindow(rewards);
  metering.setClaimWindow(rewards);
  scoring.setClaimWindow(rewards);
  bank.blockModuleAccount(REWARDS_MODULE);
  // Epoch-end hooks run in this order, at the end of an epoch's last block (after every module's
  // end block): metering sweeps fees and reports usage, pow retargets, scoring snapshots the power
  // of the validators that committed scores, then rewards allocates the epoch on final tallies.
  epochs.onEpochEnd("metering", (ctx, epoch) => metering.endEpoch(ctx, epoch));
  epochs.onEpochEnd("pow", (ctx, epoch) => pow.onEpochEnd(ctx, epoch));
  epochs.onEpochEnd("scoring", (ctx, epoch) => scoring.onEpochEnd(ctx, epoch));
  epochs.onEpochEnd("rewards", (ctx, epoch) => rewards.endEpoch(ctx, epoch));
  // Gov holds deposits in its module account (blocked for sends) and runs the messages of passed
  // proposals as that account, through the app's router (set once every module is listed).
  const gov = new GovKeeper(bank, auth, staking, distribution);
  bank.blockModuleAccount(GOV_MODULE);
  // The binary's upgrade handlers (src/app/upgrades.ts), and any a test adds.
  const upgrade = new UpgradeKeeper(new Map([...UPGRADE_HANDLERS, ...(options.upgradeHandlers ?? [])]));
  // Order matters: genesis is loaded in this order and end-block hooks run in this order. Upgrade
  // plans are checked first in each block, before any module's work (the SDK's PreBlocker). The
  // epoch clock runs after the other modules so that their block work is done before an epoch
  // closes; only gov comes after it.
  const modules: Module[] = [
    createUpgradeModule(upgrade),
    createAuthModule(auth),
    createBankModule(bank),
    // Begin block: mint (and rewards through its hook) before distribution, which then pays the
    // stakers' share with the fees.
    createMintModule(mint),
    createRewardsModule(rewards, registry, epochs, (a) => bank.isBlocked(a)),
    // Begin block: distribution pays the previous block's fees (before any slash), then slashing
    // handles liveness and evidence; end block: staking returns the validator set updates.
    createDistributionModule(distribution, staking, auth, (a) => bank.isBlocked(a)),
    createSlashingModule(slashing),
    createStakingModule(staking, auth),
    createRegistryModule(registry), createMeteringModule(metering), createPowModule(pow, epochs),
    // Before the epoch clock: a reveal window ending in an epoch's last block is closed first.
    createScoringModule(scoring, staking),
    createEpochsModule(epochs),
    // Last: a passed proposal's parameter change takes effect from the next block in every module.
    createGovModule(gov)];
  gov.setRouter(new Map(modules.flatMap((m) => (m.msgs ?? []).map((h): [string, MsgHandler<unknown>] => [h.typeUrl, h]))));
  return { keepers: { auth, bank, epochs, staking, distribution, slashing, registry, metering, pow, scoring, mint, rewards, gov, upgrade }, modules };
}

export type Keepers = ReturnType<typeof createModules>["keepers"];

/**
 * The default genesis app_state, each module's section from its default-genesis function, in the
 * module order above, without building a keeper (node homes, `blockai init`, tests).
 */
export function defaultAppGenesis(): Record<string, unknown> {
  return {
    upgrade: defaultUpgradeGenesis(),
    auth: defaultAuthGenesis(),
    bank: defaultBankGenesis(),
    mint: defaultMintGenesis(),
    rewards: defaultRewardsGenesis(),
    distribution: defaultDistributionGenesis(),
    slashing: defaultSlashingGenesis(),
    staking: defaultStakingGenesis(),
    registry: defaultRegistryGenesis(),
    metering: defaultMeteringGenesis(),
    pow: defaultPowGenesis(),
    scoring: defaultScoringGenesis(),
    epochs: defaultEpochsGenesis(),
    gov: defaultGovGenesis(),
  };
}
