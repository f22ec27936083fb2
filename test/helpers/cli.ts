/**
 * The `blockai` command run in process (`run`, as bin/blockai does), its output captured: for the
 * CLI's end-to-end tests against real networks.
 */
import { UsageError } from "../../src/cli/args";
import type { Io } from "../../src/cli/command";
import { ScriptedPrompter } from "../../src/cli/prompt";
import { run } from "../../src/cli/run";

/** An Io whose stdout and stderr are strings; prompts are answered from `answers` in order. */
export function captureIo(answers: string[] = []): { io: Io; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    prompter: new ScriptedPrompter(answers),
    env: {},
  };
  return { io, out: () => out, err: () => err };
}

export interface CliResult {
  code: number | "running";
  out: string;
  err: string;
}

/** As bin/blockai does: a usage error exits 2, any other error 1, with the message on stderr. */
export async function cli(args: string[], answers: string[] = []): Promise<CliResult> {
  const c = captureIo(answers);
  try {
    const code = await run(args, c.io);
    return { code, out: c.out(), err: c.err() };
  } catch (e) {
    return { code: e instanceof UsageError ? 2 : 1, out: c.out(), err: c.err() + (e as Error).message };
  }
}

/** Runs with --output json; throws with the command's output unless it exits 0; undefined when it prints nothing. */
export async function cliJson(args: string[], answers: string[] = []): Promise<any> {
  const r = await cli([...args, "--output", "json"], answers);
  if (r.code !== 0) throw new Error(`blockai ${args.join(" ")} exited ${r.code}: ${r.err}${r.out}`);
  return r.out.trim() === "" ? undefined : JSON.parse(r.out);
}
