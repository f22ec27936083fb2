/**
 * Questions on the terminal: lines (mnemonics, confirmations) and secrets (passwords, without
 * echo). Questions go to stderr so stdout stays clean for `--output json` and scripts. When stdin
 * is not a terminal, answers are read one line at a time from it (so `echo y | blockai ...` works).
 */
export interface Prompter {
  /** One line of input (trimmed of the line ending); undefined at end of input. */
  line(question: string): Promise<string | undefined>;
  /** Like line, but typed characters are not echoed on a terminal. */
  secret(question: string): Promise<string | undefined>;
  readonly interactive: boolean;
}

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** Ctrl-C while a password is being typed in raw mode: the terminal sends it as a byte, not SIGINT. */
export class PromptInterrupted extends Error {
  constructor() {
    super("interrupted");
  }
}

export class StdioPrompter implements Prompter {
  private buffer = "";
  private ended = false;
  private attached = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly input: Input = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stderr,
  ) {}

  get interactive(): boolean {
    return this.input.isTTY === true;
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.input.setEncoding("utf8");
    this.input.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.wake?.();
    });
    this.input.on("end", () => {
      this.ended = true;
      this.wake?.();
    });
    this.input.on("error", () => {
      this.ended = true;
      this.wake?.();
    });
  }

  private async waitForInput(): Promise<void> {
    this.input.resume();
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
  }

  async line(question: string): Promise<string | undefined> {
    // Piped answers need no question (and scripts' stderr stays clean).
    if (this.interactive) this.output.write(question);
    this.attach();
    try {
      for (;;) {
        const nl = this.buffer.indexOf("\n");
        if (nl >= 0) {
          const text = this.buffer.slice(0, nl).replace(/\r$/, "");
          this.buffer = this.buffer.slice(nl + 1);
          return text;
        }
        if (this.ended) {
          if (this.buffer === "") return undefined;
          const text = this.buffer;
          this.buffer = "";
          return text;
        }
        await this.waitForInput();
      }
    } finally {
      // A paused stdin does not keep the process alive once we are done asking.
      this.input.pause();
    }
  }

  async secret(question: string): Promise<string | undefined> {
    if (!this.interactive || !this.input.setRawMode) return this.line(question);
    // Echo off before the question appears: whatever is typed after it must never be shown.
    this.input.setRawMode(true);
    this.attach();
    this.output.write(question);
    let typed = "";
    try {
      for (;;) {
        while (this.buffer.length > 0) {
          const ch = this.buffer[0];
          this.buffer = this.buffer.slice(1);
          if (ch === "\r" || ch === "\n") return typed;
          if (ch === "\u0003") throw new PromptInterrupted();
          if (ch === "\u0004") {
            if (typed === "") return undefined;
            return typed;
          }
          if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
          else if (ch >= " ") typed += ch;
        }
        if (this.ended) return typed === "" ? undefined : typed;
        await this.waitForInput();
      }
    } finally {
      this.input.setRawMode(false);
      this.input.pause();
      this.output.write("\n");
    }
  }
}

/** Scripted answers, for tests. */
export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(
    private readonly answers: string[],
    readonly interactive = false,
  ) {}
  async line(question: string): Promise<string | undefined> {
    this.asked.push(question);
    return this.answers.shift();
  }
  secret(question: string): Promise<string | undefined> {
    return this.line(question);
  }
}

/** y/yes (any case) confirms; anything else, including end of input, declines. */
export async function confirm(prompter: Prompter, question: string): Promise<boolean> {
  const answer = await prompter.line(`${question} [y/N]: `);
  return answer !== undefined && /^(y|yes)$/i.test(answer.trim());
}
