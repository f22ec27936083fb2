import { encodeAddress, moduleAddress } from "../../types/address";
import { Coin, formatCoins } from "../../types/coins";
import { SdkErrors } from "../../types/errors";
import type { EventManager } from "../../framework/events";
import { KVStore, PrefixStore, prefixEnd } from "../../store/kv";
import { BankAttributes as A, BankEvents } from "./events";
import type { BankAccountKeeper } from "./expected-keepers";
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { BALANCE_PREFIX, BANK_STORE_PREFIX, DENOM_METADATA_PREFIX, SEND_ENABLED_KEY, SUPPLY_PREFIX, balanceStateKey, balancesPrefix, denomMetadataKey, supplyKey } from "./keys";

/** SEND_ENABLED_KEY as a full state key (the bank prefix included): read once per transfer. */
const SEND_ENABLED_STATE_KEY = Uint8Array.of(...BANK_STORE_PREFIX, ...SEND_ENABLED_KEY);

const dec = new TextDecoder();

/** The bytes of an amount's decimal string (ASCII: digits and "-"), as enc.encode would give them. */
function amountBytes(amount: bigint): Uint8Array {
  const text = amount.toString();
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

/** One char per byte: a set key for an address, without a Buffer copy. */
function addressId(address: Uint8Array): string {
  if (latin1Slice !== undefined) return latin1Slice.call(address, 0, address.byteLength);
  return Buffer.from(address.buffer, address.byteOffset, address.byteLength).toString("latin1");
}

function readAmount(raw: Uint8Array | undefined): bigint {
  if (!raw) return 0n;
  // Up to 15 decimal digits is exact in a double: the same value as BigInt(decoded text).
  if (raw.length <= 15) {
    let value = 0;
    let i = 0;
    for (; i < raw.length; i++) {
      const c = raw[i] - 0x30;
      if (c < 0 || c > 9) break;
      value = value * 10 + c;
    }
    if (i === raw.length) return BigInt(value);
  }
  return BigInt(dec.decode(raw));
}

/**
 * Balances and supply. Amounts are stored as decimal strings (as the SDK stores Int), per
 * (address, denom), so a transfer touches exactly the keys of the coins it moves.
 */
export class BankKeeper {
  /** Module accounts that may not receive coins through MsgSend (the SDK's blocked addresses). */
  private readonly blocked = new Set<string>();

  constructor(private readonly accounts: BankAccountKeeper) {}

  blockModuleAccount(name: string): void {
    this.blocked.add(addressId(moduleAddress(name)));
  }

  isBlocked(address: Uint8Array): boolean {
    return this.blocked.has(addressId(address));
  }

  private store(root: KVStore): KVStore {
    return new PrefixStore(root, BANK_STORE_PREFIX);
  }

  getBalance(root: KVStore, address: Uint8Array, denom: string): bigint {
    // The full key on the root: what PrefixStore(root, BANK_STORE_PREFIX) would pass on.
    return readAmount(root.get(balanceStateKey(address, denom)));
  }

  getAllBalances(root: KVStore, address: Uint8Array): Coin[] {
    const prefix = balancesPrefix(address);
    return this.store(root)
      .range(prefix, prefixEnd(prefix))
      .map(([k, v]) => ({ denom: dec.decode(k.subarray(prefix.length)), amount: readAmount(v) }));
  }

  /** Lists balances in key order (address, then denom): for genesis export and invariants. */
  allBalances(root: KVStore): Array<{ address: Uint8Array; coins: Coin[] }> {
    const out: Array<{ address: Uint8Array; coins: Coin[] }> = [];
    for (const [k, v] of this.store(root).range(Uint8Array.of(BALANCE_PREFIX), Uint8Array.of(BALANCE_PREFIX + 1))) {
      const len = k[1];
      const address = k.subarray(2, 2 + len);
      const coin = { denom: dec.decode(k.subarray(2 + len)), amount: readAmount(v) };
      const last = out[out.length - 1];
      if (last && Buffer.from(last.address).equals(Buffer.from(address))) last.coins.push(coin);
      else out.push({ address, coins: [coin] });
    }
    return out;
  }

  getSupply(root: KVStore, denom: string): bigint {
    return readAmount(this.store(root).get(supplyKey(denom)));
  }

  getTotalSupply(root: KVStore): Coin[] {
    return this.store(root)
      .range(Uint8Array.of(SUPPLY_PREFIX), Uint8Array.of(SUPPLY_PREFIX + 1))
      .map(([k, v]) => ({ denom: dec.decode(k.subarray(1)), amount: readAmount(v) }));
  }

  isSendEnabled(root: KVStore): boolean {
    const raw = root.get(SEND_ENABLED_STATE_KEY);
    return raw === undefined || raw[0] === 1;
  }

  setSendEnabled(root: KVStore, enabled: boolean): void {
    this.store(root).set(SEND_ENABLED_KEY, Uint8Array.of(enabled ? 1 : 0));
  }

  getDenomMetadata(root: KVStore, denom: string): Metadata | undefined {
    const raw = this.store(root).get(denomMetadataKey(denom));
    return raw === undefined ? undefined : Metadata.decode(raw);
  }

  setDenomMetadata(root: KVStore, metadata: Metadata): void {
    this.store(root).set(denomMetadataKey(metadata.base), Metadata.encode(metadata).finish());
  }

  allDenomMetadata(root: KVStore): Metadata[] {
    return this.store(root)
      .range(Uint8Array.of(DENOM_METADATA_PREFIX), Uint8Array.of(DENOM_METADATA_PREFIX + 1))
      .map(([, v]) => Metadata.decode(v));
  }

  private setBalance(root: KVStore, address: Uint8Array, denom: string, amount: bigint): void {
    const key = balanceStateKey(address, denom);
    // Zero balances are deleted so the state (and the app hash) has no empty entries.
    if (amount === 0n) root.delete(key);
    else root.set(key, amountBytes(amount));
  }

  private setSupply(root: KVStore, denom: string, amount: bigint): void {
    if (amount === 0n) this.store(root).delete(supplyKey(denom));
    else this.store(root).set(supplyKey(denom), amountBytes(amount));
  }

  /** Removes coins from an account; all or nothing. */
  subCoins(root: KVStore, events: EventManager | undefined, address: Uint8Array, coins: readonly Coin[]): void {
    for (const c of coins) {
      const balance = this.getBalance(root, address, c.denom);
      if (balance < c.amount) {
        throw SdkErrors.InsufficientFunds.wrap(`spendable balance ${balance}${c.denom} is smaller than ${c.amount}${c.denom}`);
      }
    }
    for (const c of coins) this.setBalance(root, address, c.denom, this.getBalance(root, address, c.denom) - c.amount);
    if (coins.length > 0 && events?.recording) events.emit(BankEvents.CoinSpent, { [A.Spender]: encodeAddress(address), [A.Amount]: formatCoins(coins) });
  }

  addCoins(root: KVStore, events: EventManager | undefined, address: Uint8Array, coins: readonly Coin[]): void {
    for (const c of coins) this.setBalance(root, address, c.denom, this.getBalance(root, address, c.denom) + c.amount);
    if (coins.length > 0 && events?.recording) events.emit(BankEvents.CoinReceived, { [A.Receiver]: encodeAddress(address), [A.Amount]: formatCoins(coins) });
  }

  /** Moves coins between accounts, creating the recipient's account on first receipt. */
  send(root: KVStore, events: EventManager | undefined, from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void {
    this.subCoins(root, events, from, coins);
    this.accounts.ensureAccount(root, to);
    this.addCoins(root, events, to, coins);
    if (!events?.recording) return;
    const sender = encodeAddress(from);
    events.emit(BankEvents.Transfer, { [A.Recipient]: encodeAddress(to), [A.Sender]: sender, [A.Amount]: formatCoins(coins) });
    events.emit(BankEvents.Message, { [A.Sender]: sender });
  }

  sendToModule(root: KVStore, events: EventManager | undefined, from: Uint8Array, module: string, coins: readonly Coin[]): void {
    this.accounts.ensureModuleAccount(root, module);
    this.send(root, events, from, moduleAddress(module), coins);
  }

  sendFromModule(root: KVStore, events: EventManager | undefined, module: string, to: Uint8Array, coins: readonly Coin[]): void {
    this.send(root, events, moduleAddress(module), to, coins);
  }

  /** Creates coins in a module account (genesis, emission); supply grows by the same amount. */
  mint(root: KVStore, events: EventManager | undefined, module: string, coins: readonly Coin[]): void {
    const acc = this.accounts.ensureModuleAccount(root, module);
    this.addCoins(root, events, acc.address, coins);
    for (const c of coins) this.setSupply(root, c.denom, this.getSupply(root, c.denom) + c.amount);
    if (coins.length > 0) events?.emit(BankEvents.Coinbase, { [A.Minter]: encodeAddress(acc.address), [A.Amount]: formatCoins(coins) });
  }

  burn(root: KVStore, events: EventManager | undefined, module: string, coins: readonly Coin[]): void {
    const address = moduleAddress(module);
    this.subCoins(root, events, address, coins);
    for (const c of coins) this.setSupply(root, c.denom, this.getSupply(root, c.denom) - c.amount);
    if (coins.length > 0) events?.emit(BankEvents.Burn, { [A.Burner]: encodeAddress(address), [A.Amount]: formatCoins(coins) });
  }

  /** Genesis import of a balance: supply is set separately and checked against the sum. */
  importBalance(root: KVStore, address: Uint8Array, coins: readonly Coin[]): void {
    this.accounts.ensureAccount(root, address);
    for (const c of coins) this.setBalance(root, address, c.denom, this.getBalance(root, address, c.denom) + c.amount);
  }

  importSupply(root: KVStore, coins: readonly Coin[]): void {
    for (const c of coins) this.setSupply(root, c.denom, c.amount);
  }

  /** total supply = sum of all balances, per denom. Returns the broken denominations. */
  checkSupplyInvariant(root: KVStore): string[] {
    const sums = new Map<string, bigint>();
    for (const { coins } of this.allBalances(root)) for (const c of coins) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + c.amount);
    const problems: string[] = [];
    const supply = new Map(this.getTotalSupply(root).map((c) => [c.denom, c.amount]));
    for (const denom of new Set([...sums.keys(), ...supply.keys()])) {
      const s = supply.get(denom) ?? 0n;
      const b = sums.get(denom) ?? 0n;
      if (s !== b) problems.push(`bank: supply of ${denom} is ${s} but balances sum to ${b}`);
    }
    return problems;
  }
}
