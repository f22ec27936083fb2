import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { UsageError, parseArgs } from "../../src/cli/args";
import type { Io } from "../../src/cli/command";
import { ScriptedPrompter, StdioPrompter } from "../../src/cli/prompt";
import { buildRoot } from "../../src/cli/root";
import { run } from "../../src/cli/run";

const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";

function capture(answers: string[] = [], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const prompter = new ScriptedPrompter(answers);
  const io: Io = {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    prompter,
    env,
  };
  return { io, prompter, out: () => out, err: () => err };
}

describe("argument parsing", () => {
  test("long, --k=v, boolean and short flags; a negative amount stays positional", () => {
    const a = parseArgs(["send", "--yes", "a", "-o", "json", "--fees=5usoa", "-5usoa"], new Set(["yes"]));
    expect(a.positional).toEqual(["send", "a", "-5usoa"]);
    expect(a.flags).toEqual(new Map<string, string | true>([["yes", true], ["output", "json"], ["fees", "5usoa"]]));
  });
  test.each([
    [["--node"], /--node needs a value/],
    [["--x", "1", "--x", "2"], /given twice/],
    [["-z"], /unknown flag -z/],
  ])("%p is a usage error", (argv, message) => {
    expect(() => parseArgs(argv, new Set())).toThrow(UsageError);
    expect(() => parseArgs(argv, new Set())).toThrow(message);
  });
});

describe("commands run in-process", () => {
  let home: string;
  beforeEach(() => (home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-cli-unit-"))));
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  test("help lists every module's tx and query commands (the registry is generated)", async () => {
    const root = buildRoot();
    const tx = root.subcommands!.find((c) => c.name === "tx")!;
    const query = root.subcommands!.find((c) => c.name === "query")!;
    expect(tx.subcommands!.map((c) => c.name)).toContain("bank");
    expect(query.subcommands!.map((c) => c.name)).toEqual(expect.arrayContaining(["auth", "bank", "epochs", "tx"]));
    const c = capture();
    expect(await run(["query", "--help"], c.io)).toBe(0);
    expect(c.out()).toMatch(/bank\s+send coins and read balances/);
    const h = capture();
    expect(await run(["help", "tx", "bank", "send"], h.io)).toBe(0);
    expect(h.out()).toMatch(/--gas-adjustment X\s+multiplier of the simulated gas \(default 1.4\)/);
  });

  test.each([
    [["frobnicate"], /unknown command "frobnicate" for "blockai"/],
    [["tx"], /"blockai tx" needs a subcommand: one of bank/],
    [["tx", "bank", "send", "a", "b"], /needs 3 arguments, got 2/],
    [["tx", "bank", "send", "a", "b", "c", "d"], /takes at most 3 arguments/],
    [["keys", "list", "--bogus"], /unknown flag --bogus/],
    [["keys", "list", "--chain-id", "x"], /unknown flag --chain-id for "blockai keys list"/],
    [["keys", "list", "--output", "xml"], /--output must be "text" or "json"/],
    [["tx", "bank", "send", "a", "soa1x", "1usoa", "--fees", "1usoa", "--gas-prices", "0.1usoa"], /--fees or --gas-prices, not both/],
    [["tx", "bank", "send", "a", "soa1x", "1usoa", "--gas", "lots"], /--gas must be "auto" or a positive integer/],
    [["init", "x"], /missing required flag --chain-id/],
  ])("usage error: %p", async (argv, message) => {
    const c = capture();
    const p = run([...argv, "--home", home], c.io);
    await expect(p).rejects.toThrow(UsageError);
    await expect(run([...argv, "--home", home], capture().io)).rejects.toThrow(message);
  });

  test.each([
    [["nosuchcmd", "--help"], /unknown command "nosuchcmd" for "blockai" \(expected one of: /],
    [["tx", "nosuchmodule", "--help"], /unknown command "nosuchmodule" for "blockai tx" \(expected one of: bank/],
    [["query", "bank", "nosuch", "-h"], /unknown command "nosuch" for "blockai query bank"/],
    [["help", "keys", "nosuch"], /unknown command "nosuch" for "blockai keys"/],
  ])("an unknown command is a usage error whatever the flags: %p", async (argv, message) => {
    const c = capture();
    const p = run(argv, c.io);
    await expect(p).rejects.toThrow(UsageError);
    await expect(p).rejects.toThrow(message);
    expect(c.out()).toBe("");
  });

  test.each([[["--help"]], [["help"]], [[]], [["tx", "--help"]], [["q", "bank", "-h"]], [["tx", "bank", "send", "a", "--help"]]])("help of an existing command: %p prints it, exit 0", async (argv) => {
    const c = capture();
    expect(await run(argv, c.io)).toBe(0);
    expect(c.out()).toMatch(/\nUsage:\n/);
  });

  test("keys: add (mnemonic shown once), import from stdin, list, show --address, export after confirmation, delete", async () => {
    const add = capture();
    await run(["keys", "add", "val", "--keyring-backend", "test", "--home", home, "--output", "json"], add.io);
    const created = JSON.parse(add.out());
    expect(created.mnemonic.split(" ")).toHaveLength(24);
    expect(created.address).toMatch(/^soa1/);

    const imp = capture([MNEMONIC]);
    await run(["keys", "import", "bob", "--keyring-backend", "test", "--home", home], imp.io);
    expect(imp.out()).toMatch(/name\s+bob\naddress\s+soa1/);
    expect(imp.out()).not.toContain("legal winner");

    const list = capture();
    await run(["keys", "list", "--keyring-backend", "test", "--home", home], list.io);
    expect(list.out()).toMatch(/^NAME\s+ADDRESS\nbob\s+soa1\S+\nval\s+soa1\S+\n$/);

    const show = capture();
    await run(["keys", "show", "val", "-a", "--keyring-backend", "test", "--home", home], show.io);
    expect(show.out()).toBe(created.address + "\n");

    const declined = capture(["n"]);
    await expect(run(["keys", "export", "bob", "--keyring-backend", "test", "--home", home], declined.io)).rejects.toThrow(/not confirmed; nothing was printed/);
    expect(declined.out()).toBe("");
    const exp = capture(["y"]);
    await run(["keys", "export", "bob", "--keyring-backend", "test", "--home", home], exp.io);
    expect(exp.out()).toBe(MNEMONIC + "\n");

    await run(["keys", "delete", "bob", "--yes", "--keyring-backend", "test", "--home", home], capture().io);
    await expect(run(["keys", "show", "bob", "--keyring-backend", "test", "--home", home], capture().io)).rejects.toThrow(/key "bob" not found in the test keyring/);
  });

  test("file keyring: password from the environment; a missing one is a clear error", async () => {
    const env = { BLOCKAI_KEYRING_PASSWORD: "a long password" };
    await run(["keys", "import", "alice", "--home", home], capture([MNEMONIC], env).io);
    const exp = capture([], env);
    await run(["keys", "export", "alice", "--yes", "--home", home], exp.io);
    expect(exp.out()).toBe(MNEMONIC + "\n");
    // No env, no terminal answer: refused, not hung.
    await expect(run(["keys", "export", "alice", "--yes", "--home", home], capture([]).io)).rejects.toThrow(/no keyring password given: set BLOCKAI_KEYRING_PASSWORD/);
    await expect(run(["keys", "export", "alice", "--yes", "--home", home], capture([], { BLOCKAI_KEYRING_PASSWORD: "wrong one" }).io)).rejects.toThrow(/wrong keyring password/);
  });

  test("StdioPrompter reads piped answers line by line and reports end of input", async () => {
    const input = new PassThrough();
    const p = new StdioPrompter(input, new PassThrough());
    input.end("first line\r\nsecond\nlast");
    expect(await p.line("q1")).toBe("first line");
    expect(await p.line("q2")).toBe("second");
    expect(await p.secret("q3")).toBe("last");
    expect(await p.line("q4")).toBeUndefined();
  });
});
