import { boolFlag, parseArgs } from "./args";
import { Io, allBooleanFlags, allFlags, checkCommandWords, checkInvocation, helpText, makeContext, resolve } from "./command";
import { buildRegistry, buildRoot } from "./root";

/**
 * Runs one command line. Returns the exit status, or "running" for commands that keep the process
 * alive (start). Throws for errors; `main` turns them into one "Error: ..." line.
 */
export async function run(argv: readonly string[], io: Io): Promise<number | "running"> {
  const root = buildRoot();
  let words = [...argv];
  // "blockai help tx bank" = "blockai tx bank --help"
  const helpWord = words[0] === "help";
  if (helpWord) words = words.slice(1);
  const args = parseArgs(words, allBooleanFlags(root), allFlags(root));
  const { chain, rest } = resolve(root, args.positional);
  if (helpWord || boolFlag(args, "help") || (chain.length === 1 && rest.length === 0)) {
    checkCommandWords(chain, rest);
    io.stdout.write(helpText(chain));
    return 0;
  }
  checkInvocation(chain, rest, args);
  const ctx = makeContext(chain, rest, args, io, () => buildRegistry());
  const result = await chain[chain.length - 1].run!(ctx);
  return result ?? 0;
}
