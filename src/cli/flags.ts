import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "./args";
import type { CommandContext, FlagSpec } from "./command";

export const DEFAULT_NODE = "http://127.0.0.1:26657";

export const HOME: FlagSpec = { name: "home", value: "DIR", description: "node and keyring directory", default: "$BLOCKAI_HOME or ~/.blockai" };
export const OUTPUT: FlagSpec = { name: "output", value: "text|json", description: "output format (json: stable, snake_case, amounts as strings)", default: "text" };
export const NODE: FlagSpec = { name: "node", value: "URL", description: "CometBFT RPC endpoint of a node", default: DEFAULT_NODE };
export const CHAIN_ID: FlagSpec = { name: "chain-id", value: "ID", description: "expected chain ID; checked against the node before anything is signed" };
export const KEYRING_BACKEND: FlagSpec = {
  name: "keyring-backend",
  value: "file|test",
  description: "file: password-encrypted keys in <home>/keyring-file; test: unencrypted keys in <home>/keyring-test (local test networks only)",
  default: "file",
};
/** The flags of the long-running commands (mine, scorer, gateway, consume): a key, a node, output. */
export const SERVICE_FLAGS: readonly FlagSpec[] = [HOME, KEYRING_BACKEND, NODE, CHAIN_ID, OUTPUT];

/** --chain-id, when given, must be the chain the node at `url` runs: checked before anything is signed. */
export function checkChainId(ctx: CommandContext, url: string, chainId: string): void {
  const expected = ctx.flag(CHAIN_ID.name);
  if (expected !== undefined && expected !== chainId) throw new Error(`chain ID mismatch: --chain-id is "${expected}" but the node at ${url} runs "${chainId}"`);
}

export const YES: FlagSpec = { name: "yes", description: "do not ask for confirmation" };

/** Flags of every command that signs and broadcasts a transaction. */
export const TX_FLAGS: readonly FlagSpec[] = [
  { name: "from", value: "KEY", description: "signing key (name or address in the keyring)" },
  HOME,
  KEYRING_BACKEND,
  NODE,
  CHAIN_ID,
  { name: "fees", value: "COINS", description: "fee to pay, e.g. 5000usoa (instead of --gas-prices)" },
  { name: "gas", value: "auto|N", description: "gas limit; auto = simulate and multiply by --gas-adjustment", default: "auto" },
  { name: "gas-adjustment", value: "X", description: "multiplier of the simulated gas", default: "1.4" },
  { name: "gas-prices", value: "PRICE", description: "fee per unit of gas, e.g. 0.025usoa", default: "0.025usoa" },
  { name: "memo", value: "TEXT", description: "memo of the transaction" },
  {
    name: "sign-mode",
    value: "direct|amino-json",
    description: "SIGN_MODE_DIRECT, or SIGN_MODE_LEGACY_AMINO_JSON (what Ledger signs; docs/signing.md)",
    default: "direct",
  },
  { name: "broadcast-mode", value: "commit|sync", description: "commit: wait until the tx is in a block; sync: return after the mempool check", default: "commit" },
  YES,
  OUTPUT,
];

/** Flags of commands that read from a node. */
export const QUERY_FLAGS: readonly FlagSpec[] = [NODE, { name: "height", value: "N", description: "query the state at this height (0 = latest)", default: "0" }, OUTPUT];

export function homeDir(ctx: CommandContext): string {
  const home = ctx.flag("home") ?? ctx.io.env.BLOCKAI_HOME ?? path.join(os.homedir(), ".blockai");
  if (home === "") throw new UsageError("--home must not be empty");
  return path.resolve(home);
}

export function nodeUrl(ctx: CommandContext): string {
  const raw = ctx.flag("node") ?? ctx.io.env.BLOCKAI_NODE ?? DEFAULT_NODE;
  // CometBFT writes its RPC address as tcp://host:port; accept it as the Cosmos SDK does.
  const url = raw.replace(/^tcp:\/\//, "http://");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--node "${raw}" is not a URL (expected e.g. ${DEFAULT_NODE})`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError(`--node "${raw}" must be an http(s):// or tcp:// URL`);
  return url.replace(/\/$/, "");
}

export function heightFlag(ctx: CommandContext): number {
  const raw = ctx.flag("height") ?? "0";
  if (!/^[0-9]{1,15}$/.test(raw)) throw new UsageError(`--height must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}
