/** Parsed command line: positional words and --flags (`--k v`, `--k=v`, or boolean `--k`). */
export interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], booleanFlags: ReadonlySet<string>): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) flags.set(name, a.slice(eq + 1));
      else if (booleanFlags.has(name)) flags.set(name, true);
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) throw new UsageError(`flag --${name} needs a value`);
        flags.set(name, next);
        i++;
      }
    } else {
      positional.push(a);
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
  if (v === undefined) throw new UsageError(`missing required flag --${name}`);
  return v;
}

export function boolFlag(args: Args, name: string): boolean {
  return args.flags.get(name) === true || args.flags.get(name) === "true";
}
