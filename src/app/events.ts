import type { Event } from "cosmjs-types/tendermint/abci/types";

/**
 * Collects ABCI events. Every attribute is marked index=true, as the Cosmos SDK does by default,
 * so CometBFT's kv indexer answers tx_search queries such as message.sender='soa1...'.
 */
export class EventManager {
  readonly events: Event[] = [];

  emit(type: string, attributes: Record<string, string>): void {
    this.events.push({
      type,
      attributes: Object.entries(attributes).map(([key, value]) => ({ key, value, index: true })),
    });
  }

  append(events: readonly Event[]): void {
    this.events.push(...events);
  }
}
