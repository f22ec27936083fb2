import type { GeneratedType, Registry } from "@cosmjs/proto-signing";
import { Args, UsageError, boolFlag, flag } from "./args";
import { OutputFormat, toJson } from "./output";
import type { Prompter } from "./prompt";

export interface FlagSpec {
  readonly name: string;
  /** Placeholder of the value, e.g. "DIR"; absent for boolean flags. */
  readonly value?: string;
  readonly description: string;
  readonly default?: string;
}

/** Where a command reads and writes: injectable so commands can be run in-process by tests. */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly prompter: Prompter;
  readonly env: NodeJS.ProcessEnv;
}

export interface CommandContext {
  /** The command's own positional arguments (the words after its name). */
  readonly args: readonly string[];
  readonly flags: Args["flags"];
  readonly io: Io;
  /** "blockai tx bank send", for messages. */
  readonly path: string;
  flag(name: string): string | undefined;
  bool(name: string): boolean;
  readonly output: OutputFormat;
  /** Every module's message types: what CosmJS signs and `query tx` decodes. */
  readonly registry: Registry;
  /** Writes `text` in text mode, or `json` (already shaped for scripts) in json mode. */
  print(text: string, json: unknown): void;
}

export interface Command {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  /** Positional arguments as shown in usage, e.g. "FROM_KEY TO_ADDRESS AMOUNT". */
  readonly usage?: string;
  /** Number of positional arguments accepted: [min, max]. Defaults to [0, 0]. */
  readonly nargs?: readonly [number, number];
  readonly flags?: readonly FlagSpec[];
  /** Longer help text shown by --help. */
  readonly help?: string;
  readonly subcommands?: readonly Command[];
  /** Returns the exit status (0 when undefined); long-running commands return "running". */
  run?(ctx: CommandContext): Promise<number | void | "running">;
}

/**
 * What a module adds to the CLI: `blockai tx <name> ...` and `blockai query <name> ...`
 * subcommands, and the protobuf types of its messages (so CosmJS can sign them and `query tx`
 * can decode them). See docs/cli.md, "Adding a module's commands".
 */
export interface ModuleCli {
  readonly name: string;
  readonly summary: string;
  readonly tx?: readonly Command[];
  readonly query?: readonly Command[];
  readonly types?: ReadonlyArray<readonly [string, GeneratedType]>;
}

export const HELP_FLAG: FlagSpec = { name: "help", description: "show help for this command" };

export function allBooleanFlags(root: Command): Set<string> {
  const out = new Set<string>([HELP_FLAG.name]);
  const visit = (c: Command) => {
    for (const f of c.flags ?? []) if (f.value === undefined) out.add(f.name);
    for (const s of c.subcommands ?? []) visit(s);
  };
  visit(root);
  return out;
}

export function allFlags(root: Command): Set<string> {
  const out = new Set<string>([HELP_FLAG.name]);
  const visit = (c: Command) => {
    for (const f of c.flags ?? []) out.add(f.name);
    for (const s of c.subcommands ?? []) visit(s);
  };
  visit(root);
  return out;
}

/** Walks the positional words down the command tree. */
export function resolve(root: Command, positional: readonly string[]): { chain: Command[]; rest: string[] } {
  const chain = [root];
  let i = 0;
  for (; i < positional.length; i++) {
    const current = chain[chain.length - 1];
    const sub = current.subcommands?.find((s) => s.name === positional[i] || s.aliases?.includes(positional[i]));
    if (!sub) break;
    chain.push(sub);
  }
  return { chain, rest: positional.slice(i) };
}

export function commandPath(chain: readonly Command[]): string {
  return chain.map((c) => c.name).join(" ");
}

/**
 * A word left over after a group of commands (one that only has subcommands) names no command.
 * Checked before help too: `blockai nosuchcmd --help` must fail, not print the root's help.
 */
export function checkCommandWords(chain: readonly Command[], rest: readonly string[]): void {
  const command = chain[chain.length - 1];
  if (command.subcommands && !command.run && rest.length > 0) {
    const names = command.subcommands.map((s) => s.name).join(", ");
    throw new UsageError(`unknown command "${rest[0]}" for "${commandPath(chain)}" (expected one of: ${names})`);
  }
}

/** Checks the arguments against the spec: unknown flags and wrong argument counts are usage errors. */
export function checkInvocation(chain: readonly Command[], rest: readonly string[], args: Args): void {
  const command = chain[chain.length - 1];
  const path = commandPath(chain);
  checkCommandWords(chain, rest);
  if (command.subcommands && !command.run) {
    const names = command.subcommands.map((s) => s.name).join(", ");
    throw new UsageError(`"${path}" needs a subcommand: one of ${names} (see "${path} --help")`);
  }
  const allowed = new Set([HELP_FLAG.name, ...(command.flags ?? []).map((f) => f.name)]);
  for (const name of args.flags.keys()) {
    if (!allowed.has(name)) throw new UsageError(`unknown flag --${name} for "${path}" (see "${path} --help")`);
  }
  const [min, max] = command.nargs ?? [0, 0];
  const usage = `usage: ${path}${command.usage ? " " + command.usage : ""}`;
  if (rest.length < min) throw new UsageError(`"${path}" needs ${min === max ? min : `at least ${min}`} argument${min === 1 ? "" : "s"}, got ${rest.length} (${usage})`);
  if (rest.length > max) throw new UsageError(`"${path}" takes ${max === 0 ? "no" : `at most ${max}`} argument${max === 1 ? "" : "s"}, got ${rest.length}: ${rest.slice(max).join(" ")} (${usage})`);
}

export function makeContext(chain: readonly Command[], rest: string[], args: Args, io: Io, makeRegistry: () => Registry): CommandContext {
  const output = (flag(args, "output") ?? "text") as OutputFormat;
  if (output !== "text" && output !== "json") throw new UsageError(`--output must be "text" or "json", got "${output}"`);
  let registry: Registry | undefined;
  return {
    args: rest,
    flags: args.flags,
    io,
    path: commandPath(chain),
    flag: (name) => flag(args, name),
    bool: (name) => boolFlag(args, name),
    output,
    // Built on first use: it loads CosmJS's whole client, which most commands never need.
    get registry() {
      return (registry ??= makeRegistry());
    },
    print(text, json) {
      io.stdout.write(output === "json" ? toJson(json) : text);
    },
  };
}

/** Help text generated from the spec. */
export function helpText(chain: readonly Command[]): string {
  const command = chain[chain.length - 1];
  const path = commandPath(chain);
  const lines: string[] = [`${command.summary}`, ""];
  if (command.help) lines.push(command.help.trimEnd(), "");
  lines.push("Usage:");
  if (command.run) lines.push(`  ${path}${command.usage ? " " + command.usage : ""}${command.flags?.length ? " [flags]" : ""}`);
  if (command.subcommands) lines.push(`  ${path} COMMAND`);
  if (command.subcommands?.length) {
    lines.push("", "Commands:");
    const w = Math.max(...command.subcommands.map((s) => (s.name + (s.usage ? " " + s.usage : "")).length));
    for (const s of command.subcommands) lines.push(`  ${(s.name + (s.usage ? " " + s.usage : "")).padEnd(w)}  ${s.summary}`);
  }
  // A flag listed twice (a module adding one that a shared group already has) is shown once.
  const seen = new Set<string>();
  const flags = [...(command.flags ?? []), HELP_FLAG].filter((f) => !seen.has(f.name) && !!seen.add(f.name));
  lines.push("", "Flags:");
  const label = (f: FlagSpec) => `--${f.name}${f.value ? " " + f.value : ""}`;
  const w = Math.max(...flags.map((f) => label(f).length));
  for (const f of flags) lines.push(`  ${label(f).padEnd(w)}  ${f.description}${f.default !== undefined ? ` (default ${f.default})` : ""}`);
  if (command.subcommands) lines.push("", `Run "${path} COMMAND --help" for a command's flags.`);
  return lines.join("\n") + "\n";
}
