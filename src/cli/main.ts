#!/usr/bin/env node
/** The `blockai` command (bin/blockai.js loads this file). The commands themselves are in run.ts. */
import { UsageError } from "./args";
import type { Io } from "./command";
import { PromptInterrupted, StdioPrompter } from "./prompt";
import { run } from "./run";
// Txs with a gas limit of 2^31 .. 2^32 - 1 are encoded correctly (cosmjs-types alone would not).
import "../proto/varint64-fix";

/** Exits once stdout and stderr are flushed (pipes are asynchronous on some platforms). */
function exit(code: number): void {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

// `blockai export | head`: a reader that goes away is not an error worth a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => process.exit(e.code === "EPIPE" ? 0 : 1));

const io: Io = { stdout: process.stdout, stderr: process.stderr, prompter: new StdioPrompter(), env: process.env };
run(process.argv.slice(2), io).then(
  (code) => {
    if (code !== "running") exit(code);
  },
  (err: unknown) => {
    if (err instanceof PromptInterrupted) return exit(130);
    const message = err instanceof Error ? err.message : String(err);
    // One line, whatever the cause: scripts grep it, people read it. BLOCKAI_DEBUG=1 adds the stack.
    process.stderr.write(`Error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    if (process.env.BLOCKAI_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
    exit(err instanceof UsageError ? 2 : 1);
  },
);
