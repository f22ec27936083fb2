import { decodeTxRaw } from "@cosmjs/proto-signing";
import type { Command } from "../command";
import { fetchStatus, withNode } from "../connect";
import { NODE, OUTPUT, nodeUrl } from "../flags";
import { formatCoinsHuman, indent, keyValues, snakeCaseKeys } from "../output";

const status: Command = {
  name: "status",
  summary: "the node's chain, height, app hash and sync state",
  flags: [NODE, OUTPUT],
  async run(ctx) {
    const s = await fetchStatus(nodeUrl(ctx));
    ctx.print(
      keyValues([
        ["chain id", s.chain_id],
        ["moniker", s.moniker],
        ["node id", s.node_id],
        ["cometbft", s.cometbft_version],
        ["latest height", s.latest_block_height],
        ["latest block time", s.latest_block_time],
        ["latest app hash", s.latest_app_hash],
        ["catching up", s.catching_up ? "yes" : "no"],
        ["validator", s.voting_power !== "0" ? `${s.validator_address} (voting power ${s.voting_power})` : "no"],
      ]),
      s,
    );
  },
};

/** A decoded message as Cosmos JSON ("@type" and snake_case fields); undecodable types stay base64. */
function messageJson(ctx: Parameters<NonNullable<Command["run"]>>[0], any: { typeUrl: string; value: Uint8Array }): Record<string, unknown> {
  try {
    const decoded = ctx.registry.decode(any) as Record<string, unknown>;
    return { "@type": any.typeUrl, ...(snakeCaseKeys(decoded) as Record<string, unknown>) };
  } catch {
    return { "@type": any.typeUrl, value: Buffer.from(any.value).toString("base64") };
  }
}

function fieldText(v: unknown): string {
  if (Array.isArray(v) && v.every((c) => typeof c === "object" && c !== null && "denom" in c && "amount" in c)) return formatCoinsHuman(v as Array<{ denom: string; amount: string }>);
  if (typeof v === "object" && v !== null) return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  return String(v);
}

const queryTx: Command = {
  name: "tx",
  summary: "a committed transaction by hash: result, fee, messages and events",
  usage: "HASH",
  nargs: [1, 1],
  flags: [NODE, OUTPUT],
  async run(ctx) {
    const hash = ctx.args[0].replace(/^0x/i, "").toUpperCase();
    if (!/^[0-9A-F]{64}$/.test(hash)) throw new Error(`invalid tx hash "${ctx.args[0]}": expected 64 hexadecimal characters`);
    const res = await withNode(ctx, async (node) => {
      try {
        return await node.client.comet.tx({ hash: Buffer.from(hash, "hex") });
      } catch (e) {
        if (/not found/i.test((e as Error).message)) throw new Error(`tx ${hash} not found on ${node.url} (not committed, or not indexed by this node)`);
        throw e;
      }
    });
    const tx = decodeTxRaw(res.tx);
    const fee = tx.authInfo.fee;
    const messages = tx.body.messages.map((m) => messageJson(ctx, m));
    const json = {
      txhash: hash,
      height: String(res.height),
      index: res.index,
      code: res.result.code,
      codespace: res.result.codespace ?? "",
      raw_log: res.result.log ?? "",
      gas_wanted: res.result.gasWanted.toString(),
      gas_used: res.result.gasUsed.toString(),
      fee: { amount: fee?.amount ?? [], gas_limit: (fee?.gasLimit ?? 0n).toString() },
      memo: tx.body.memo,
      messages,
      events: res.result.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })) })),
    };
    const ok = json.code === 0;
    let text = keyValues([
      ["txhash", hash],
      ["height", json.height],
      ["status", ok ? "success (code 0)" : `failed: code ${json.codespace}/${json.code}: ${json.raw_log}`],
      ["gas", `used ${json.gas_used} of ${json.gas_wanted}`],
      ["fee", formatCoinsHuman(json.fee.amount)],
      ...(json.memo ? [["memo", json.memo] as const] : []),
    ]);
    messages.forEach((m, i) => {
      text += `\nmessage ${i + 1}: ${m["@type"]}\n`;
      text += indent(keyValues(Object.entries(m).filter(([k]) => k !== "@type").map(([k, v]) => [k, fieldText(v)] as const)));
    });
    ctx.print(text, json);
  },
};

export const statusCommand = status;
export const queryTxCommand = queryTx;
