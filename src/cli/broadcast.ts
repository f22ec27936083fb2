/**
 * Sending a transaction: what it is (TxRequest), how (TxOptions), and the signing, broadcast and
 * wait. Reading these from the command line is txflow.ts's part; this file imports nothing of it.
 */
import { sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { BroadcastTxError, SigningStargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { AuthQuery } from "../modules/auth/service";
import { Coin, parseDecCoins, requiredFee } from "../types/coins";
import { mulCeil } from "./amount";
import type { CommandContext } from "./command";
import { type NodeConnection, withNode } from "./connect";
import { openKeyring } from "./keys-context";
import { KeyInfo } from "./keyring";
import { Progress, formatCoinsHuman, indent, keyValues } from "./output";
import { confirm } from "./prompt";
import { KeyringAminoSigner, KeyringSigner } from "./signer";
import { createBlockaiAminoTypes } from "../client";

export interface TxOptions {
  gas: "auto" | bigint;
  adjustment: { numerator: bigint; decimals: number };
  fees?: Coin[];
  gasPrice: ReturnType<typeof parseDecCoins>[number];
  memo: string;
  yes: boolean;
  mode: "commit" | "sync";
  /** direct: SIGN_MODE_DIRECT; amino-json: SIGN_MODE_LEGACY_AMINO_JSON. */
  signMode: "direct" | "amino-json";
}

export interface TxRequest {
  /** Key name or address of the signer (in the keyring). */
  from: string;
  /** The messages, given the signer's address. */
  msgs: (sender: string) => EncodeObject[];
  /** Lines of the confirmation summary, e.g. [["to", "soa1..."], ["amount", "1.5 SOA (...)"]]. */
  summary: ReadonlyArray<readonly [string, string]>;
}

const COMMIT_TIMEOUT_MS = 60_000;
const POLL_MS = 250;

/** CosmJS's "Query failed with (5): msg" as "msg (code 5)". */
function queryFailure(e: unknown): string {
  const m = /^Query failed with \((\d+)\): (.*)$/s.exec((e as Error).message);
  return m ? `${m[2]} (code ${m[1]})` : (e as Error).message;
}

/**
 * Builds, signs and broadcasts a tx with unmodified CosmJS, then waits for it to be committed.
 * Every check that can fail without the chain's help (flags, key, node, chain ID, simulation,
 * confirmation, password) happens before the single broadcast.
 */
export async function broadcast(ctx: CommandContext, req: TxRequest, opts: TxOptions): Promise<number> {
  const keyring = openKeyring(ctx);
  const key = keyring.get(req.from);
  const msgs = req.msgs(key.address);
  return withNode(ctx, async (node) => {
    // CosmJS signs in amino JSON when the signer has no signDirect.
    const signer = opts.signMode === "amino-json" ? new KeyringAminoSigner(keyring, key) : new KeyringSigner(keyring, key);
    const client = SigningStargateClient.createWithSigner(node.client.comet, signer, { registry: ctx.registry, aminoTypes: createBlockaiAminoTypes() });
    if ((await node.client.queryOptional(AuthQuery.Account, { address: key.address }, { codespace: "sdk", code: 22 })) === undefined) {
      throw new Error(`account ${key.address} (key "${key.name}") does not exist on chain ${node.chainId}: it has never received funds`);
    }
    let gas: bigint;
    let gasNote = "";
    if (opts.gas === "auto") {
      let used: number;
      try {
        used = await client.simulate(key.address, msgs, opts.memo);
      } catch (e) {
        throw new Error(`simulation failed: ${queryFailure(e)}; nothing was broadcast`);
      }
      gas = mulCeil(BigInt(used), opts.adjustment);
      gasNote = ` (simulated ${used} x ${ctx.flag("gas-adjustment") ?? "1.4"})`;
    } else {
      gas = opts.gas;
    }
    const fee = opts.fees ?? [{ denom: opts.gasPrice.denom, amount: requiredFee(opts.gasPrice, gas) }];
    if (!opts.yes) await askConfirmation(ctx, node, key, req, gas, gasNote, fee, opts.memo);

    const txRaw = await client.sign(key.address, msgs, { amount: fee.map((c) => ({ denom: c.denom, amount: c.amount.toString() })), gas: gas.toString() }, opts.memo);
    const bytes = TxRaw.encode(txRaw).finish();
    const hash = toHex(sha256(bytes)).toUpperCase();
    try {
      await client.broadcastTxSync(bytes);
    } catch (e) {
      if (e instanceof BroadcastTxError) throw new Error(`the node refused the transaction: ${e.log ?? ""} (code ${e.codespace}/${e.code}); nothing was committed`);
      throw e;
    }
    if (opts.mode === "sync") {
      ctx.print(keyValues([["txhash", hash], ["status", "accepted into the mempool (not yet committed)"]]), { txhash: hash, code: 0, height: "0" });
      return 0;
    }
    return waitAndPrint(ctx, node, hash, fee, gas);
  });
}

async function askConfirmation(ctx: CommandContext, node: NodeConnection, key: KeyInfo, req: TxRequest, gas: bigint, gasNote: string, fee: Coin[], memo: string): Promise<void> {
  const lines: Array<readonly [string, string]> = [
    ["chain", `${node.chainId} (node ${node.url})`],
    ["from", `${key.name} (${key.address})`],
    ...req.summary,
    ...(memo ? [["memo", memo] as const] : []),
    ["gas", `${gas}${gasNote}`],
    ["fee", formatCoinsHuman(fee)],
  ];
  ctx.io.stderr.write("Transaction to sign:\n" + indent(keyValues(lines)));
  if (!(await confirm(ctx.io.prompter, "Sign and broadcast this transaction?"))) {
    throw new Error("transaction not confirmed; nothing was broadcast (use --yes to skip the question)");
  }
}

async function waitAndPrint(ctx: CommandContext, node: NodeConnection, hash: string, fee: Coin[], gasLimit: bigint): Promise<number> {
  const progress = new Progress(ctx.io.stderr);
  const deadline = Date.now() + COMMIT_TIMEOUT_MS;
  let found: Awaited<ReturnType<typeof node.client.comet.tx>> | undefined;
  for (;;) {
    progress.update(`waiting for tx ${hash.slice(0, 12)}... to be committed ({s})`);
    try {
      found = await node.client.comet.tx({ hash: Buffer.from(hash, "hex") });
      break;
    } catch (e) {
      // "tx (HASH) not found" until it is in a block; anything else (node gone) is reported.
      if (!/not found/i.test((e as Error).message)) {
        progress.done();
        throw new Error(`the tx ${hash} was broadcast, but waiting for it failed: ${(e as Error).message}`);
      }
    }
    if (Date.now() > deadline) {
      progress.done();
      throw new Error(`the tx ${hash} was broadcast but is not committed after ${COMMIT_TIMEOUT_MS / 1000} s; check later with "blockai query tx ${hash}"`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  progress.done();
  const r = found.result;
  const ok = r.code === 0;
  ctx.print(
    keyValues([
      ["txhash", hash],
      ["height", String(found.height)],
      ["status", ok ? "success (code 0)" : `failed: code ${r.codespace}/${r.code}: ${r.log ?? ""}`],
      ["gas", `used ${r.gasUsed} of ${r.gasWanted}`],
      ["fee", formatCoinsHuman(fee)],
    ]),
    {
      txhash: hash,
      height: String(found.height),
      code: r.code,
      codespace: r.codespace,
      raw_log: r.log ?? "",
      gas_wanted: String(r.gasWanted),
      gas_used: String(r.gasUsed),
      fee: { amount: fee.map((c) => ({ denom: c.denom, amount: c.amount.toString() })), gas_limit: gasLimit.toString() },
    },
  );
  if (!ok) throw new Error(`the tx ${hash} failed in block ${found.height}: ${r.log ?? ""} (code ${r.codespace}/${r.code})`);
  return 0;
}
