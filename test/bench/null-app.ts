/**
 * A zero-cost ABCI application that answers like BLOCKAI does for a MsgSend, for the end-to-end
 * bench: its throughput is the most any application that emits the SDK's MsgSend events can
 * reach through CometBFT's socket client on this machine (the `ceiling` line of `make bench`).
 *
 * It executes nothing. CheckTx accepts every tx with BLOCKAI's gas figures and, as BLOCKAI's,
 * no events. FinalizeBlock gives every tx the result BLOCKAI gave a real MsgSend (captured from
 * BLOCKAI's block_results by the bench and passed in a template file): the same events, data
 * and gas, so CometBFT stores, publishes and indexes as much per tx. Attribute values that are
 * unique per tx on BLOCKAI (tx.acc_seq, tx.signature) are made unique here too, from the tx's
 * hash and at the same length, so the tx index grows alike.
 *
 *   node dist/test/bench/null-app.js <listen address> <template.json>
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { Event, ExecTxResult, ResponseCheckTx, ResponseFinalizeBlock, ResponseInfo, type RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { AbciServer } from "../../src/abci";

/** The parts of CometBFT's block_results JSON (v0.38) the template is made from. */
export interface ResultTemplate {
  tx: { code: number; data: string | null; log: string; gas_wanted: string; gas_used: string; codespace: string; events: JsonEvent[] };
  blockEvents: JsonEvent[];
}

interface JsonEvent {
  type: string;
  attributes: Array<{ key: string; value: string; index: boolean }>;
}

/** Attributes whose values are unique per tx on BLOCKAI (`type.key`). */
const UNIQUE_PER_TX = new Set(["tx.acc_seq", "tx.signature"]);

function toEvent(e: JsonEvent, unique?: string): Event {
  return Event.fromPartial({
    type: e.type,
    attributes: e.attributes.map((a) => ({
      key: a.key,
      value: unique !== undefined && UNIQUE_PER_TX.has(`${e.type}.${a.key}`) ? unique.repeat(Math.ceil(a.value.length / unique.length)).slice(0, a.value.length) : a.value,
      index: a.index,
    })),
  });
}

export function nullApp(template: ResultTemplate) {
  const t = template.tx;
  const gasWanted = BigInt(t.gas_wanted);
  const gasUsed = BigInt(t.gas_used);
  const data = Buffer.from(t.data ?? "", "base64");
  const checkTx = ResponseCheckTx.fromPartial({ code: 0, gasWanted, gasUsed });
  const blockEvents = template.blockEvents.map((e) => toEvent(e));
  let height = 0n;
  let appHash = new Uint8Array(32);
  return {
    info: () => ResponseInfo.fromPartial({ lastBlockHeight: height, lastBlockAppHash: appHash }),
    checkTx: () => checkTx,
    finalizeBlock: (req: RequestFinalizeBlock) => {
      height = req.height;
      // Changes every block, as a real app hash does; costs nothing next to the txs.
      appHash = createHash("sha256").update(appHash).update(req.hash).digest();
      return ResponseFinalizeBlock.fromPartial({
        events: blockEvents,
        txResults: req.txs.map((tx) => {
          const unique = createHash("sha256").update(tx).digest("base64");
          return ExecTxResult.fromPartial({ code: t.code, data, log: t.log, gasWanted, gasUsed, codespace: t.codespace, events: t.events.map((e) => toEvent(e, unique)) });
        }),
        appHash,
      });
    },
    commit: () => ({ retainHeight: 0n }),
  };
}

if (require.main === module) {
  const [address, templateFile] = process.argv.slice(2);
  if (!address || !templateFile) {
    console.error("usage: null-app <listen address> <template.json>");
    process.exit(2);
  }
  const template = JSON.parse(fs.readFileSync(templateFile, "utf8")) as ResultTemplate;
  const server = new AbciServer(nullApp(template));
  // Exit normally when stopped, so that --cpu-prof and the like write their output.
  process.on("SIGTERM", () => process.exit(0));
  server.listen(address).catch((e) => {
    console.error(`null-app: ${(e as Error).message}`);
    process.exit(1);
  });
}
