import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import type { Io } from "../../src/cli/command";
import { statusLine } from "../../src/cli/mine";
import { ScriptedPrompter } from "../../src/cli/prompt";
import { run } from "../../src/cli/run";

function capture(): { io: Io; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    prompter: new ScriptedPrompter([]),
    env: {},
  };
  return { io, out: () => out, err: () => err };
}

describe("`blockai mine` and `blockai query pow` command line", () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-mine-cli-"))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("help lists the mine command and the pow queries", async () => {
    const c = capture();
    expect(await run(["mine", "--help"], c.io)).toBe(0);
    expect(c.out()).toMatch(/--model ID/);
    expect(c.out()).toMatch(/--work-digest-file FILE/);
    expect(c.out()).toMatch(/--threads N\s+worker threads \(default 1\)/);
    const q = capture();
    expect(await run(["query", "pow", "--help"], q.io)).toBe(0);
    for (const name of ["params", "target", "miner-work", "model-work", "epoch-work", "anchor"]) expect(q.out()).toContain(name);
  });

  test.each([
    [[], /needs --model ID/],
    [["--model", "x"], /--model must be an unsigned integer/],
    [["--model", "1"], /exactly one of --from KEY or --mnemonic-file FILE/],
    [["--model", "1", "--from", "a", "--mnemonic-file", "b"], /exactly one of --from KEY or --mnemonic-file FILE/],
    [["--model", "1", "--mnemonic-file", "/nonexistent/file"], /--mnemonic-file: cannot read/],
    [["--model", "1", "--threads", "0", "--mnemonic-file", "f"], /--threads must be a positive integer/],
    [["--model", "1", "--work-digest", "abcd", "--mnemonic-file", "f"], /--work-digest must be 32 bytes as 64 hex digits/],
    [["--model", "1", "--work-digest", "00".repeat(32), "--work-digest-file", "f", "--mnemonic-file", "f"], /not both/],
    [["--model", "1", "--gas", "0", "--mnemonic-file", "f"], /--gas must be positive/],
  ])("usage errors before anything touches the network: %p", async (argv, message) => {
    await expect(run(["mine", ...argv], capture().io)).rejects.toThrow(message);
  });

  test("--work-digest-file is the SHA-256 of the file; an unreachable node is reported", async () => {
    const { workDigestFrom } = await import("../../src/cli/mine");
    const file = path.join(dir, "work.bin");
    fs.writeFileSync(file, "some AI work");
    const ctx = { flag: (n: string) => (n === "work-digest-file" ? file : undefined) } as never;
    expect(workDigestFrom(ctx).toString("hex")).toBe(createHash("sha256").update("some AI work").digest("hex"));
    const mnemonic = path.join(dir, "m.txt");
    fs.writeFileSync(mnemonic, "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title\n");
    await expect(run(["mine", "--model", "1", "--mnemonic-file", mnemonic, "--node", "http://127.0.0.1:1"], capture().io)).rejects.toThrow();
  });

  test("the live status line shows height, anchor, hashrate, accepted, rejected and the target", () => {
    const line = statusLine({
      height: 120,
      anchorHeight: 118,
      target: (1n << 242n) - 1n,
      epoch: 6n,
      hashrate: 1_234_567,
      hashes: 10n,
      found: 9,
      accepted: 7,
      rejected: 1,
      stale: 1,
      queued: 0,
      pending: 1,
    });
    expect(line).toBe("height 120 | anchor 118 | 1.23 MH/s | accepted 7 | rejected 1 | stale 1 | pending 1 | target 0003fffff..(3 zero digits)");
  });
});
