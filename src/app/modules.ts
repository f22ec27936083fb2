import { AuthKeeper } from "../modules/auth/keeper";
import { createAuthModule } from "../modules/auth/module";
import { BankKeeper } from "../modules/bank/keeper";
import { createBankModule } from "../modules/bank/module";
import { DISTRIBUTION_MODULE, DistributionKeeper } from "../modules/distribution/keeper";
import { createDistributionModule } from "../modules/distribution/module";
import { SlashingKeeper } from "../modules/slashing/keeper";
import { createSlashingModule } from "../modules/slashing/module";
import { StakingKeeper } from "../modules/staking/keeper";
import { createStakingModule } from "../modules/staking/module";
import { BONDED_POOL, NOT_BONDED_POOL } from "../modules/staking/types";
import { EpochsKeeper } from "../modules/epochs/keeper";
import { createEpochsModule } from "../modules/epochs/module";
import { METERING_ESCROW_ACCOUNT, METERING_FEES_ACCOUNT, MeteringKeeper } from "../modules/metering/keeper";
import { createMeteringModule } from "../modules/metering/module";
import { PowKeeper } from "../modules/pow/keeper";
import { createPowModule } from "../modules/pow/module";
import { REGISTRY_BOND_ACCOUNT, RegistryKeeper } from "../modules/registry/keeper";
import { createRegistryModule } from "../modules/registry/module";
import { MintKeeper, createMintModule } from "../modules/mint";
import { NO_SCORES, REWARDS_MODULE, RewardsKeeper, createRewardsModule } from "../modules/rewards";
import type { Module } from "../framework/module";
import { FEE_COLLECTOR } from "./tx";

/**
 * The module manager: builds every keeper, wires them through their small interfaces, and lists
 * the modules in the order their genesis and block hooks run.
 */
export function createModules() {
  const auth = new AuthKeeper();
  const bank = new BankKeeper(auth);
  bank.blockModuleAccount(FEE_COLLECTOR);
  const epochs = new EpochsKeeper();
  // Proof of stake: staking calls distribution (F1 periods, rewards) and slashing (signing infos)
  // through its hooks; slashing answers staking's tombstone check.
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
  // Registers its retarget as an epoch-end hook.
  const pow = new PowKeeper(epochs, registry);
  for (const name of [REGISTRY_BOND_ACCOUNT, METERING_ESCROW_ACCOUNT, METERING_FEES_ACCOUNT]) bank.blockModuleAccount(name);
  // Emission and rewards (docs/rewards.md): mint creates each block's reward in the rewards
  // account; rewards sends the stakers' share to the fee collector (distribution pays it next, in
  // the same begin block) and the community share to the pool, and accrues the rest for the epoch.
  const mint = new MintKeeper(bank, REWARDS_MODULE);
  const rewards = new RewardsKeeper(bank, distribution, staking, pow, metering, registry);
  // No scoring module yet: no consensus scores, no agreement.
  rewards.setModelPerformance(NO_SCORES);
  mint.addHooks(rewards);
  // Registered after pow's and metering's hooks, so the epoch's work and usage tallies are final.
  epochs.onEpochEnd("rewards", (ctx, epoch) => rewards.endEpoch(ctx, epoch));
  bank.blockModuleAccount(REWARDS_MODULE);
  // Order matters: genesis is loaded in this order and end-block hooks run in this order. The
  // epoch clock runs last so that every module's block work is done before an epoch closes.
  const modules: Module[] = [
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
    createRegistryModule(registry), createMeteringModule(metering), createPowModule(pow, epochs), createEpochsModule(epochs)];
  return { keepers: { auth, bank, epochs, staking, distribution, slashing, registry, metering, pow, mint, rewards }, modules };
}

export type Keepers = ReturnType<typeof createModules>["keepers"];
