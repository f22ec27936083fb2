#!/usr/bin/env node
import { parseArgs, requireFlag, boolFlag, flag, UsageError } from "./args";
import { startNode } from "./start";

const USAGE = `blockai: the BLOCKAI node and client

Usage:
  blockai start --home DIR [--with-comet] [--abci ADDRESS]   run the ABCI application (and CometBFT)
`;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(["with-comet", "help"]));
  const [command] = args.positional;
  if (!command || boolFlag(args, "help")) {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  switch (command) {
    case "start":
      await startNode({ home: requireFlag(args, "home"), withComet: boolFlag(args, "with-comet"), abciAddress: flag(args, "abci") });
      return -1; // keeps running
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`Error: ${message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
