import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root (where package.json is), found from this file in src/ or dist/src/. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "Makefile"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the BLOCKAI repository root above ${__dirname}`);
    dir = parent;
  }
}

/** The CometBFT binary: $COMETBFT, else the one `make install` put in ./bin. */
export function cometbftBinary(): string {
  const fromEnv = process.env.COMETBFT;
  if (fromEnv) return fromEnv;
  const local = path.join(repoRoot(), "bin", "cometbft");
  if (!fs.existsSync(local)) throw new Error(`CometBFT not found at ${local}: run 'make install' (or set COMETBFT=/path/to/cometbft)`);
  return local;
}

/** The entry point of the `blockai` command, for spawning app processes. */
export function blockaiEntry(): string {
  return path.join(repoRoot(), "dist", "src", "cli", "main.js");
}
