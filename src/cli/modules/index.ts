import type { ModuleCli } from "../command";
import { authCli } from "./auth";
import { bankCli } from "./bank";
import { distributionCli } from "./distribution";
import { epochsCli } from "./epochs";
import { govCli } from "./gov";
import { meteringCli } from "./metering";
import { mintCli } from "./mint";
import { powCli } from "./pow";
import { registryCli } from "./registry";
import { scoringCli } from "./scoring";
import { rewardsCli } from "./rewards";
import { slashingCli } from "./slashing";
import { stakingCli } from "./staking";

/**
 * Every module's CLI contribution, in the order `blockai tx --help` and `blockai query --help`
 * list them. A new module adds its file next to these and one entry here (docs/cli.md).
 */
export const MODULE_CLIS: readonly ModuleCli[] = [authCli, bankCli, stakingCli, slashingCli, distributionCli, govCli, epochsCli, powCli, registryCli, meteringCli, scoringCli, mintCli, rewardsCli];
