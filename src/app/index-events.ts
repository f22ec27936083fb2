import type { Event, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";

/**
 * The Cosmos SDK's `index-events` (app.toml; `index_events` in config/app.json): which event
 * attributes CometBFT's kv tx indexer indexes, as "{eventType}.{attributeKey}" strings such as
 * "message.sender". With no list every attribute is indexed (EventManager marks them all
 * index=true); with a list, only the listed ones are, and the others are still returned (CometBFT
 * stores them with the tx result) with index=false. Same rule as the SDK's sdk.MarkEventsToIndex.
 */

/** Why `entry` is not a valid index_events entry ("type.key", both parts non-empty), or undefined. */
export function invalidIndexEvent(entry: unknown): string | undefined {
  if (typeof entry !== "string") return "not a string";
  const dot = entry.indexOf(".");
  if (dot <= 0 || dot === entry.length - 1) return 'expected "{eventType}.{attributeKey}", e.g. "message.sender"';
  return undefined;
}

/**
 * The set of "type.key" strings to index, or undefined when every attribute is indexed (an empty
 * or absent list). Throws on an invalid list, naming the bad entry.
 */
export function indexEventsSet(list: unknown): ReadonlySet<string> | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) {
    throw new Error(`index_events must be a list of "{eventType}.{attributeKey}" strings (e.g. ["message.sender"]), not ${JSON.stringify(list)}`);
  }
  for (const entry of list) {
    const why = invalidIndexEvent(entry);
    if (why !== undefined) throw new Error(`index_events: invalid entry ${String(JSON.stringify(entry))}: ${why}`);
  }
  return list.length === 0 ? undefined : new Set(list as string[]);
}

/**
 * New events with index=true exactly on the attributes whose "type.key" is in `indexed` (all of
 * them when `indexed` is undefined or empty, as the SDK). The input is not modified; order is kept.
 */
export function markEventsToIndex(events: readonly Event[], indexed: ReadonlySet<string> | undefined): Event[] {
  const all = indexed === undefined || indexed.size === 0;
  const out = new Array<Event>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const attributes = new Array<Event["attributes"][number]>(e.attributes.length);
    for (let j = 0; j < e.attributes.length; j++) {
      const a = e.attributes[j];
      attributes[j] = { key: a.key, value: a.value, index: all || indexed.has(`${e.type}.${a.key}`) };
    }
    out[i] = { type: e.type, attributes };
  }
  return out;
}

/**
 * FinalizeBlock's answer with the block-level events and every tx result's events marked
 * (msg_index included); returned as is (no work) when every attribute is indexed.
 */
export function indexFinalizeBlockEvents(indexed: ReadonlySet<string> | undefined, res: ResponseFinalizeBlock): ResponseFinalizeBlock {
  if (indexed === undefined || indexed.size === 0) return res;
  res.events = markEventsToIndex(res.events, indexed);
  for (const r of res.txResults) r.events = markEventsToIndex(r.events, indexed);
  return res;
}
