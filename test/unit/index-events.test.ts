import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Event, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { EventManager } from "../../src/framework/events";
import { indexEventsSet, indexFinalizeBlockEvents, markEventsToIndex } from "../../src/app/index-events";
import { appConfigPath, DEFAULT_APP_CONFIG, readAppConfig } from "../../src/node/config";

/** Events as a tx result carries them: ante events, then a message's events with msg_index. */
function txEvents(): Event[] {
  const em = new EventManager();
  em.emit("tx", { fee: "5000usoa", fee_payer: "soa1alice" });
  em.emit("tx", { acc_seq: "soa1alice/0" });
  em.emit("tx", { signature: "c2ln" });
  const before = em.events.length;
  em.emit("message", { action: "/cosmos.bank.v1beta1.MsgSend", sender: "soa1alice", module: "bank" });
  em.emit("transfer", { recipient: "soa1bob", sender: "soa1alice", amount: "1000usoa" });
  // As src/app/tx.ts does after each message.
  for (const ev of em.events.slice(before)) ev.attributes.push({ key: "msg_index", value: "0", index: true });
  return em.events;
}

const indexedKeys = (events: Event[]) => events.flatMap((e) => e.attributes.filter((a) => a.index).map((a) => `${e.type}.${a.key}`));
const allKeys = (events: Event[]) => events.flatMap((e) => e.attributes.map((a) => `${e.type}.${a.key}`));

describe("index_events (SDK MarkEventsToIndex)", () => {
  test("an empty or absent list indexes every attribute", () => {
    expect(indexEventsSet(undefined)).toBeUndefined();
    expect(indexEventsSet([])).toBeUndefined();
    const events = txEvents();
    expect(indexedKeys(markEventsToIndex(events, undefined))).toEqual(allKeys(events));
    expect(indexedKeys(markEventsToIndex(events, new Set()))).toEqual(allKeys(events));
  });

  test("a list indexes exactly the listed attributes, msg_index included; values and order are kept", () => {
    const events = txEvents();
    const set = indexEventsSet(["message.sender", "transfer.recipient", "tx.acc_seq", "message.msg_index", "nothing.here"]);
    const marked = markEventsToIndex(events, set);
    expect(indexedKeys(marked)).toEqual(["tx.acc_seq", "message.sender", "message.msg_index", "transfer.recipient"]);
    // Every attribute is still there (CometBFT stores them), only the flags differ.
    expect(marked.map((e) => ({ type: e.type, attributes: e.attributes.map(({ key, value }) => ({ key, value })) }))).toEqual(
      events.map((e) => ({ type: e.type, attributes: e.attributes.map(({ key, value }) => ({ key, value })) })),
    );
    // The input is not modified.
    expect(events.every((e) => e.attributes.every((a) => a.index))).toBe(true);
    const transfer = marked.find((e) => e.type === "transfer")!;
    expect(transfer.attributes.find((a) => a.key === "msg_index")).toEqual({ key: "msg_index", value: "0", index: false });
  });

  test("FinalizeBlock: block events and every tx result are marked", () => {
    const block = new EventManager();
    block.emit("commission", { amount: "1usoa", validator: "soavaloper1x" });
    const res: ResponseFinalizeBlock = {
      events: block.events,
      txResults: [txEvents(), txEvents()].map((events) => ({ code: 0, data: new Uint8Array(), log: "", info: "", gasWanted: 1n, gasUsed: 1n, events, codespace: "" })),
      validatorUpdates: [],
      consensusParamUpdates: undefined,
      appHash: new Uint8Array(32),
    };
    const out = indexFinalizeBlockEvents(indexEventsSet(["commission.validator", "transfer.msg_index"]), res);
    expect(indexedKeys(out.events)).toEqual(["commission.validator"]);
    for (const r of out.txResults) expect(indexedKeys(r.events)).toEqual(["transfer.msg_index"]);
  });

  test.each([
    ["message", '"message"'],
    [".sender", '".sender"'],
    ["message.", '"message."'],
    ["", '""'],
    [".", '"."'],
  ])("the entry %j is refused with a message naming it", (entry, shown) => {
    expect(() => indexEventsSet(["message.sender", entry])).toThrow(`index_events: invalid entry ${shown}: expected "{eventType}.{attributeKey}", e.g. "message.sender"`);
  });

  test("non-string entries and a non-list are refused", () => {
    expect(() => indexEventsSet([42])).toThrow("index_events: invalid entry 42: not a string");
    expect(() => indexEventsSet("message.sender")).toThrow('index_events must be a list of "{eventType}.{attributeKey}" strings');
    // A key may itself contain dots: the SDK matches "type.key" as one string.
    expect(indexEventsSet(["wasm.contract.address"])).toEqual(new Set(["wasm.contract.address"]));
  });

  describe("config/app.json", () => {
    let home: string;
    beforeEach(() => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-index-events-"));
      fs.mkdirSync(path.join(home, "config"));
    });
    afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

    test("defaults to [] (index everything) and reads a valid list", () => {
      expect(DEFAULT_APP_CONFIG.index_events).toEqual([]);
      fs.writeFileSync(appConfigPath(home), JSON.stringify({ grpc_address: "" }));
      expect(readAppConfig(home).index_events).toEqual([]);
      fs.writeFileSync(appConfigPath(home), JSON.stringify({ index_events: ["message.sender", "tx.acc_seq"] }));
      expect(readAppConfig(home).index_events).toEqual(["message.sender", "tx.acc_seq"]);
    });

    test("an invalid entry is a startup error naming the entry and app.json", () => {
      fs.writeFileSync(appConfigPath(home), JSON.stringify({ index_events: ["message.sender", "sender"] }));
      expect(() => readAppConfig(home)).toThrow(`${appConfigPath(home)}: index_events: invalid entry "sender": expected "{eventType}.{attributeKey}"`);
    });
  });
});
