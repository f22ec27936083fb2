import * as path from "node:path";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import { BlockaiApp } from "../../src/app/app";
import { parseDecCoins } from "../../src/types/coins";
import { createLogger } from "../../src/app/logger";
import { Driver } from "../helpers/driver";
import { msgSend } from "../helpers/keys";

const indexed = (events: Event[]) => events.flatMap((e) => e.attributes.filter((a) => a.index).map((a) => `${e.type}.${a.key}`));
const notIndexed = (events: Event[]) => events.flatMap((e) => e.attributes.filter((a) => !a.index).map((a) => `${e.type}.${a.key}`));

describe("index_events in real ABCI answers (in-process driver)", () => {
  let d: Driver;
  afterEach(async () => d?.close());

  test("FinalizeBlock (tx results with msg_index, block events) indexes only the listed attributes", async () => {
    d = await Driver.create({ accounts: 2, validators: 1 });
    const [alice, bob] = d.keys;
    await d.block();
    // Reopen the app on the same state with index_events set, as `blockai start` does from app.json.
    await d.app.close();
    d.app = await BlockaiApp.open({
      dataDir: path.join(d.dir, "state"),
      minGasPrices: parseDecCoins("0.025usoa"),
      logger: createLogger("none"),
      indexEvents: ["message.sender", "transfer.recipient", "tx.acc_seq", "transfer.msg_index", "commission.validator"],
    });

    const tx = d.sign(alice, [msgSend(alice.address, bob.address, 1000n)]);
    const check = d.checkTx(tx);
    expect(check.code).toBe(0);
    // A passing CheckTx answers without events, as the SDK's.
    expect(check.events).toEqual([]);

    const { results } = await d.block([tx]);
    const events = results[0].events;
    expect(results[0].code).toBe(0);
    // Every attribute is still returned (CometBFT stores it); only the listed ones are indexed.
    expect(new Set(indexed(events))).toEqual(new Set(["tx.acc_seq", "message.sender", "transfer.recipient", "transfer.msg_index"]));
    expect(notIndexed(events)).toEqual(
      expect.arrayContaining(["tx.fee", "tx.fee_payer", "tx.signature", "message.action", "message.module", "message.msg_index", "transfer.sender", "transfer.amount", "coin_spent.spender", "coin_received.receiver"]),
    );
    // The fee's transfer has no msg_index; the message's has.
    const transfer = events.find((e) => e.type === "transfer" && e.attributes.some((a) => a.key === "msg_index"))!;
    expect(transfer.attributes).toEqual([
      { key: "recipient", value: bob.address, index: true },
      { key: "sender", value: alice.address, index: false },
      { key: "amount", value: "1000usoa", index: false },
      { key: "msg_index", value: "0", index: true },
    ]);

    // The next block distributes the fee: its block-level events are marked too.
    const { response } = await d.block();
    expect(response.events.map((e) => e.type)).toEqual(expect.arrayContaining(["commission", "rewards"]));
    // (the fee collector's transfer to distribution is a block event too)
    expect(new Set(indexed(response.events))).toEqual(new Set(["commission.validator", "transfer.recipient", "message.sender"]));
    expect(notIndexed(response.events)).toEqual(expect.arrayContaining(["commission.amount", "rewards.amount", "rewards.validator"]));
  });
});
