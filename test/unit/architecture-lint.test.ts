// The layer lint (`make lint`, .dependency-cruiser.cjs) run on a small fixture tree in a temporary
// directory: every rule of ARCHITECTURE.md gets an import it must refuse and imports it must let
// through. The fixture never touches src/, so this test is safe next to tsc or other tests; whether
// the real tree passes is `make lint` itself (part of `make test`).
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, resolve } from "path";

const REPO = resolve(__dirname, "../..");
const CONFIG = join(REPO, ".dependency-cruiser.cjs");
const DEPCRUISE = join(REPO, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

const imp = (...paths: string[]): string =>
  paths.map((p, i) => `import * as m${i} from "${p}";\nexport const u${i} = m${i};\n`).join("") + "export const x = 1;\n";

// A tree that follows every rule, including the imports the table allows across layers.
const ALLOWED: Record<string, string> = {
  "src/types/b.ts": "export const b = 1;\n",
  "src/types/a.ts": imp("./b"),
  "src/gen/cosmos/c.ts": "export const c = 1;\n",
  "src/gen/blockai/g.ts": imp("../cosmos/c"),
  "src/proto/p.ts": imp("./q"),
  "src/proto/q.ts": "export const q = 1;\n",
  "src/abci/server.ts": imp("../types/a", "../gen/blockai/g", "../proto/p"),
  "src/store/s.ts": imp("../types/a", "../gen/blockai/g", "../proto/p"),
  "src/framework/f.ts": imp("../store/s", "../types/a", "../gen/blockai/g"),
  "src/modules/bank/keeper.ts": imp("../../framework/f", "../../store/s", "../../types/a", "./keys"),
  "src/modules/bank/index.ts": 'export * from "./keeper";\n',
  "src/modules/bank/keys.ts": imp("../../types/a", "../../gen/blockai/g"),
  "src/modules/bank/service.ts": imp("../../gen/blockai/g", "../../types/b"),
  "src/modules/bank/amino.ts": imp("../../gen/blockai/g", "../../types/b"),
  "src/modules/staking/expected-keepers.ts": 'import type { x } from "../bank/index";\nexport type X = typeof x;\n',
  "src/modules/staking/keeper.ts": imp("../bank", "../bank/index", "./expected-keepers"),
  "src/app/modules.ts": imp("../modules/bank", "../modules/staking/index", "../framework/f", "../abci/server"),
  "src/modules/staking/index.ts": 'export * from "./keeper";\n',
  "src/node/paths.ts": imp("../app/modules"),
  "src/grpc/server.ts": imp("../node/paths", "../app/modules", "../store/s"),
  "src/miner/engine.ts": imp("../app/modules", "../node/paths"),
  "src/client/index.ts": imp("../modules/bank/keys", "../modules/bank/service", "../modules/bank/amino", "../types/a", "../gen/blockai/g", "./v"),
  "src/client/v.ts": imp("../proto/p"),
  "src/cli/main.ts": imp("../client", "../node/paths", "../grpc/server", "../modules/bank/keeper"),
  "localnet/localnet.ts": imp("../src/cli/main", "../src/client/index", "../src/modules/bank/keeper"),
  "test/helper.ts": "export const t = 1;\n",
  "dashboard/src/main.ts": imp("../../src/client/index", "./chain"),
  "dashboard/src/chain.ts": imp("../../src/client"),
};

// Each probe breaks one rule (some break two: those are listed too). [rule, from, to]
const PROBES: Array<{ file: string; body: string; expect: Array<[string, string]> }> = [
  { file: "src/types/zz.ts", body: imp("../gen/blockai/g"), expect: [["leaf-types", "src/gen/blockai/g.ts"]] },
  { file: "src/gen/blockai/zz.ts", body: imp("../../proto/p"), expect: [["leaf-gen", "src/proto/p.ts"]] },
  { file: "src/proto/zz.ts", body: imp("../types/b"), expect: [["leaf-proto", "src/types/b.ts"]] },
  {
    file: "src/store/zz-lint-probe.ts",
    body: imp("../client/index"),
    expect: [["layer1-abci-store", "src/client/index.ts"], ["client-for-applications", "src/client/index.ts"]],
  },
  // require() and a type-only import count as much as an import statement.
  { file: "src/store/zz-require.ts", body: 'export const f = require("../framework/f");\n', expect: [["layer1-abci-store", "src/framework/f.ts"]] },
  { file: "src/abci/zz.ts", body: imp("../store/s"), expect: [["layer1-abci-store", "src/store/s.ts"]] },
  { file: "src/framework/zz.ts", body: 'export * from "../modules/bank";\n', expect: [["layer2-framework", "src/modules/bank/index.ts"]] },
  { file: "src/modules/bank/zz-lint-probe.ts", body: imp("../staking/keeper"), expect: [["module-face", "src/modules/staking/keeper.ts"]] },
  {
    file: "src/modules/bank/zz-type.ts",
    body: 'import type { x } from "../staking/keeper";\nexport type T = typeof x;\n',
    expect: [["module-face", "src/modules/staking/keeper.ts"]],
  },
  { file: "src/modules/bank/zz-app.ts", body: imp("../../app/modules"), expect: [["layer3-modules", "src/app/modules.ts"]] },
  // keys.ts, service.ts and amino.ts are browser-safe: not even their own module's keeper or the framework.
  {
    file: "src/modules/staking/keys.ts",
    body: imp("../../framework/f", "../bank/index"),
    expect: [["module-browser-safe-files", "src/framework/f.ts"], ["module-browser-safe-files", "src/modules/bank/index.ts"]],
  },
  { file: "src/modules/staking/service.ts", body: imp("./keeper"), expect: [["module-browser-safe-files", "src/modules/staking/keeper.ts"]] },
  { file: "src/modules/staking/amino.ts", body: imp("./keeper"), expect: [["module-browser-safe-files", "src/modules/staking/keeper.ts"]] },
  { file: "src/app/zz.ts", body: imp("../node/paths"), expect: [["layer4-app", "src/node/paths.ts"]] },
  {
    file: "src/grpc/zz.ts",
    body: imp("../cli/main"),
    expect: [["layer5-servers", "src/cli/main.ts"], ["cli-is-top", "src/cli/main.ts"]],
  },
  {
    file: "src/miner/zz.ts",
    body: imp("../client"),
    expect: [["layer5-servers", "src/client/index.ts"], ["client-for-applications", "src/client/index.ts"]],
  },
  { file: "src/client/zz.ts", body: imp("../modules/bank/keeper"), expect: [["layer5-client", "src/modules/bank/keeper.ts"]] },
  { file: "src/client/zz2.ts", body: imp("../framework/f"), expect: [["layer5-client", "src/framework/f.ts"]] },
  {
    file: "src/node/zz.ts",
    body: imp("../../test/helper"),
    expect: [["layer5-servers", "test/helper.ts"], ["src-not-tests-or-scripts", "test/helper.ts"]],
  },
  { file: "dashboard/src/zz.ts", body: imp("../../src/node/paths"), expect: [["dashboard-reads-client", "src/node/paths.ts"]] },
  { file: "src/cli/zz-dash.ts", body: imp("../../dashboard/src/chain"), expect: [["src-not-tests-or-scripts", "dashboard/src/chain.ts"]] },
  // A cycle is reported once, from the file the cruise reaches first.
  { file: "src/cli/c1.ts", body: imp("./c2"), expect: [["no-circular", "src/cli/c2.ts"]] },
  { file: "src/cli/c2.ts", body: imp("./c1"), expect: [] },
  { file: "src/types/zz-missing.ts", body: imp("./missing"), expect: [["not-to-unresolvable", "./missing"]] },
];

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), body);
  }
  writeFileSync(
    join(root, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "commonjs", moduleResolution: "node10", strict: true }, include: ["src", "localnet", "dashboard", "test"] }),
  );
}

function lint(root: string, outputType: "json" | "err"): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, "src", "localnet", "dashboard", "--config", CONFIG, "--output-type", outputType], {
    cwd: root,
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("architecture lint (.dependency-cruiser.cjs)", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "blockai-lint-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test("refuses every probe with the rule it breaks, and nothing the table allows", () => {
    const files = { ...ALLOWED };
    for (const p of PROBES) files[p.file] = p.body;
    writeTree(root, files);

    const r = lint(root, "json");
    const violations = (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
    const got = violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
    const want = PROBES.flatMap((p) => p.expect.map(([rule, to]) => `${rule}: ${p.file} -> ${to}`)).sort();
    expect(got).toEqual(want);
  });

  // The output make lint prints: the allowed tree adds nothing, the one probe fails the run.
  test("a failure names the rule and the import and fails the run", () => {
    writeTree(root, { ...ALLOWED, "src/modules/bank/zz-lint-probe.ts": imp("../staking/keeper") });
    const r = lint(root, "err");
    expect(r.status).not.toBe(0);
    const errors = r.stdout.split("\n").filter((l) => /^\s*error /.test(l));
    expect(errors.map((l) => l.trim())).toEqual(["error module-face: src/modules/bank/zz-lint-probe.ts → src/modules/staking/keeper.ts"]);
  });
});
