import type { Event } from "cosmjs-types/tendermint/abci/types";

/**
 * Collects ABCI events. Every attribute is marked index=true, as the Cosmos SDK does by default,
 * so CometBFT's kv indexer answers tx_search queries such as message.sender='soa1...'.
 */
export class EventManager {
  readonly events: Event[] = [];

  /**
   * False when what is emitted is dropped: hot paths test it before building attribute strings
   * (bech32 addresses, coin lists), which would otherwise be made only to be thrown away.
   */
  get recording(): boolean {
    return true;
  }

  emit(type: string, attributes: Record<string, string>): void {
    // Object.keys gives the same order as Object.entries; a plain loop avoids the pair arrays.
    const keys = Object.keys(attributes);
    const list: Array<{ key: string; value: string; index: boolean }> = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      list.push({ key, value: attributes[key], index: true });
    }
    this.events.push({ type, attributes: list });
  }

  append(events: readonly Event[]): void {
    this.events.push(...events);
  }
}

/**
 * Drops what is emitted: for CheckTx and RECHECK, whose answers carry no events (as the SDK's:
 * CometBFT's broadcast answers show none), so building and encoding them would be wasted work on
 * the thread that also executes blocks.
 */
export class DiscardingEventManager extends EventManager {
  override get recording(): boolean {
    return false;
  }
  override emit(): void {}
  override append(): void {}
}
