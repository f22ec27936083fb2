/** Parsed command line: positional words and --flags (`--k v`, `--k=v`, or boolean `--k`). */
export interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Bad command-line usage (unknown command or flag, missing argument): exit status 2. */
export class UsageError extends Error {}

/** Single-letter spellings of common long flags (`-y` = `--yes`). */
export const SHORT_FLAGS: ReadonlyMap<string, string> = new Map([
  ["h", "help"],
  ["y", "yes"],
  ["o", "output"],
  ["a", "address"],
]);

/**
 * `booleanFlags` never take a value, so `--yes soa1...` keeps `soa1...` positional. A word
 * starting with one dash that is not a known short flag stays positional: "-5usoa" must reach the
 * amount parser, which explains that amounts cannot be negative.
 */
export function parseArgs(argv: readonly string[], booleanFlags: ReadonlySet<string>, knownFlags?: ReadonlySet<string>): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      if (name === "") throw new UsageError(`malformed flag "${a}"`);
    } else if (/^-[a-zA-Z]$/.test(a)) {
      name = SHORT_FLAGS.get(a.slice(1));
      if (!name) throw new UsageError(`unknown flag ${a}`);
    }
    if (name === undefined) {
      positional.push(a);
      continue;
    }
    // Unknown before anything else: "--bogus --home x" must not read as --bogus="--home".
    if (knownFlags && !knownFlags.has(name)) throw new UsageError(`unknown flag --${name}`);
    if (flags.has(name)) throw new UsageError(`flag --${name} given twice`);
    if (inline !== undefined) flags.set(name, inline);
    else if (booleanFlags.has(name)) flags.set(name, true);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`flag --${name} needs a value`);
      flags.set(name, next);
      i++;
    }
  }
  return { positional, flags };
}

export function flag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`flag --${name} needs a value`);
  return v;
}

export function requireFlag(args: Args, name: string): string {
  const v = flag(args, name);
  if (v === undefined || v === "") throw new UsageError(`missing required flag --${name}`);
  return v;
}

export function boolFlag(args: Args, name: string): boolean {
  const v = args.flags.get(name);
  if (v === undefined || v === true || v === "true") return v !== undefined;
  if (v === "false") return false;
  throw new UsageError(`flag --${name} takes no value (or =true/=false), got "${v}"`);
}
