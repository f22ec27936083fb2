import { Registry } from "@cosmjs/proto-signing";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../node/paths";
import type { Command, ModuleCli } from "./command";
import { chainInfoCommand } from "./commands/chain-info";
import { queryTxCommand, statusCommand } from "./commands/client";
import { genesisCommand } from "./commands/genesis";
import { keysCommand } from "./commands/keys";
import { nodeCommands } from "./commands/node";
import { mineCommand } from "./mine";
import { weightsCommand } from "./weights";
import { scorerCommand } from "./scorer";
import { consumeCommand, gatewayCommand } from "./gateway";
import { MODULE_CLIS } from "./modules";
import { voucherCommand } from "./modules/metering";

const version: Command = {
  name: "version",
  summary: "print the version",
  async run(ctx) {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")) as { version: string };
    ctx.io.stdout.write(`blockai ${pkg.version}\n`);
  },
};

/** The whole command tree; `tx` and `query` are assembled from the modules' contributions. */
export function buildRoot(modules: readonly ModuleCli[] = MODULE_CLIS): Command {
  const txModules = modules.filter((m) => m.tx?.length).map((m): Command => ({ name: m.name, summary: m.summary, subcommands: m.tx }));
  const queryModules = modules.filter((m) => m.query?.length).map((m): Command => ({ name: m.name, summary: m.summary, subcommands: m.query }));
  return {
    name: "blockai",
    summary: "blockai: the BLOCKAI node, keyring and client",
    subcommands: [
      ...nodeCommands,
      genesisCommand,
      keysCommand,
      { name: "tx", summary: "sign and broadcast transactions", subcommands: txModules },
      { name: "query", aliases: ["q"], summary: "query the chain through a node", subcommands: [...queryModules, queryTxCommand] },
      statusCommand,
      chainInfoCommand,
      mineCommand,
      weightsCommand,
      scorerCommand,
      gatewayCommand,
      consumeCommand,
      voucherCommand,
      version,
    ],
  };
}

/** CosmJS's default types (bank, staking, ...) plus every module's own. */
export function buildRegistry(modules: readonly ModuleCli[] = MODULE_CLIS): Registry {
  // Loaded here, not at the top: @cosmjs/stargate is slow to load and most commands never sign.
  const { defaultRegistryTypes } = require("@cosmjs/stargate") as typeof import("@cosmjs/stargate");
  const registry = new Registry(defaultRegistryTypes);
  for (const m of modules) for (const [url, type] of m.types ?? []) registry.register(url, type);
  return registry;
}
