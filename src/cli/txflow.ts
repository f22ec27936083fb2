import { parseDecCoins } from "../types/coins";
import { parseCoinsArg, parseDecimal } from "./amount";
import { UsageError } from "./args";
// Types only: broadcast.ts itself (and CosmJS's signing client with it) is loaded on first use.
import type { TxOptions, TxRequest } from "./broadcast";
import type { CommandContext } from "./command";

export type { TxOptions, TxRequest };

export const DEFAULT_GAS_PRICE = "0.025usoa";

/** Reads and checks every tx flag before anything touches the network or the keyring. */
export function txOptions(ctx: CommandContext): TxOptions {
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  };
  const gasRaw = ctx.flag("gas") ?? "auto";
  let gas: "auto" | bigint;
  if (gasRaw === "auto") gas = "auto";
  else if (/^[0-9]{1,18}$/.test(gasRaw) && BigInt(gasRaw) > 0n) gas = BigInt(gasRaw);
  else throw new UsageError(`--gas must be "auto" or a positive integer, got "${gasRaw}"`);
  const adjustment = wrap(() => parseDecimal(ctx.flag("gas-adjustment") ?? "1.4", "--gas-adjustment"));
  const feesRaw = ctx.flag("fees");
  const pricesRaw = ctx.flag("gas-prices");
  if (feesRaw !== undefined && pricesRaw !== undefined) throw new UsageError("give --fees or --gas-prices, not both");
  const fees = feesRaw === undefined ? undefined : wrap(() => parseCoinsArg(feesRaw, "--fees"));
  const prices = wrap(() => parseDecCoins(pricesRaw ?? DEFAULT_GAS_PRICE));
  if (prices.length !== 1) throw new UsageError(`--gas-prices must be one price such as ${DEFAULT_GAS_PRICE}, got "${pricesRaw}"`);
  const mode = ctx.flag("broadcast-mode") ?? "commit";
  if (mode !== "commit" && mode !== "sync") throw new UsageError(`--broadcast-mode must be "commit" or "sync", got "${mode}"`);
  const memo = ctx.flag("memo") ?? "";
  const signMode = ctx.flag("sign-mode") ?? "direct";
  if (signMode !== "direct" && signMode !== "amino-json") throw new UsageError(`--sign-mode must be "direct" or "amino-json", got "${signMode}"`);
  return { gas, adjustment, fees, gasPrice: prices[0], memo, yes: ctx.bool("yes"), mode, signMode };
}

/** The signing key of a tx command: the positional FROM (if the command has one) or --from. */
export function fromArg(ctx: CommandContext, positional?: string): string {
  const flagged = ctx.flag("from");
  if (positional !== undefined && flagged !== undefined && flagged !== positional) {
    throw new UsageError(`--from "${flagged}" contradicts the sender "${positional}"`);
  }
  const from = positional ?? flagged;
  if (!from) throw new UsageError(`"${ctx.path}" needs --from KEY`);
  return from;
}

/**
 * Builds, signs and broadcasts a tx (see broadcast.ts). CosmJS's client is loaded only here, so
 * commands that never sign start faster.
 */
export async function signAndBroadcast(ctx: CommandContext, req: TxRequest): Promise<number> {
  const opts = txOptions(ctx);
  const { broadcast } = await import("./broadcast");
  return broadcast(ctx, req, opts);
}
