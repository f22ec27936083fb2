import { BinaryReader } from "cosmjs-types/binary";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import { StoreBranch } from "../store/branch";
import { type KVStore, keyToString } from "../store/kv";
import { equalBytes } from "../types/bytes";
import { decodeAddress } from "../types/address";
import { BASE_DENOM, Coin, DecCoin, amountOf, coinsFromProto, formatCoins, formatDecCoin, requiredFee } from "../types/coins";
import { ChainError, SdkErrors, toChainError } from "../types/errors";
import { DiscardingEventManager, EventManager } from "../framework/events";
import { GasKVStore, GasMeter, OutOfGasError } from "../framework/gas";
import type { BlockInfo, Context, ExecMode, MsgHandler } from "../framework/module";
import { type Account, type AuthParams, SECP256K1_PUBKEY_TYPE_URL } from "../modules/auth";
import { secp256k1Address, verifySecp256k1 } from "../framework/crypto";
import type { SignatureItem } from "./sigverify";
import { aminoSignBytes, toAminoMsg, type AminoMsg, type AminoResolver } from "../types/amino";

export { FEE_COLLECTOR } from "../framework/accounts";
import { FEE_COLLECTOR } from "../framework/accounts";
/** Gas limits above this cannot be represented by the SDK (int64) and are refused. */
const MAX_GAS_WANTED = (1n << 63n) - 1n;
/** Largest feeless tx: a certificate tx is about 400 bytes, 2 KiB leaves room for a full memo. */
export const MAX_FEELESS_TX_BYTES = 2048;
/**
 * CosmJS simulates with an empty signature and an empty fee, so the real tx is larger than the
 * simulated one: charge the size gas of a 64-byte signature plus a typical fee per signer.
 */
const SIMULATE_EXTRA_BYTES_PER_SIGNER = 64n + 40n;

export interface DecodedMsg {
  readonly typeUrl: string;
  readonly handler: MsgHandler<unknown>;
  readonly msg: unknown;
}

export interface DecodedTx {
  readonly raw: TxRaw;
  readonly body: TxBody;
  readonly authInfo: AuthInfo;
  readonly msgs: DecodedMsg[];
  /** Required signers, in order: every message's signers, deduplicated, then the fee payer. */
  readonly signers: string[];
  readonly fee: Coin[];
  readonly gasLimit: bigint;
  /**
   * Signature checks done for these exact bytes, by signer index, account number and chain id
   * (the only inputs of the sign bytes besides the tx itself) and key: CheckTx, the worker pool
   * and the block all fill and read it, so no signature is verified twice.
   */
  readonly signatureChecks: Map<string, SignatureCheck>;
  /**
   * The messages in amino JSON, built on the first LEGACY_AMINO_JSON signature check (one for all
   * signers), or why they have none.
   */
  aminoMsgs?: AminoMsg[] | ChainError;
}

/**
 * Signature checks of this process, for the metrics (src/app/metrics.ts): observation only,
 * never read by consensus code. `answeredFromCache`: the verdict was already on the decoded tx
 * (CheckTx's, or the verification threads'); `verifiedInline`: verified on the main thread.
 */
export const signatureStats = { answeredFromCache: 0, verifiedInline: 0 };

/** One signer's sign bytes for one (account number, chain id), and the verdict once known. */
export interface SignatureCheck {
  readonly pubkey: Uint8Array;
  readonly signBytes: Uint8Array;
  verdict?: boolean;
}

export interface TxResult {
  code: number;
  codespace: string;
  log: string;
  gasWanted: bigint;
  gasUsed: bigint;
  events: Event[];
  data: Uint8Array;
  msgResponses: Any[];
}

export type MsgRouter = ReadonlyMap<string, MsgHandler<unknown>>;

/**
 * A reader over `bytes` itself: BinaryReader's constructor copies its input, and decoding a tx
 * would copy the same bytes three times over. Decoded byte fields are then views of `bytes`, which
 * is fine for tx bytes: nothing writes to them once received.
 */
function readerOver(bytes: Uint8Array): BinaryReader {
  const reader = new BinaryReader();
  reader.buf = bytes;
  reader.len = bytes.length;
  return reader;
}

/** Decodes a TxRaw and its messages. Anything malformed is sdk/2 (tx parse error). */
export function decodeTx(bytes: Uint8Array, router: MsgRouter): DecodedTx {
  let raw: TxRaw;
  let body: TxBody;
  let authInfo: AuthInfo;
  try {
    raw = TxRaw.decode(readerOver(bytes));
    // Only the canonical encoding is accepted: otherwise one signed tx would have many hashes.
    if (!equalBytes(TxRaw.encode(raw).finish(), bytes)) throw new Error("non-canonical TxRaw encoding");
    body = TxBody.decode(readerOver(raw.bodyBytes));
    authInfo = AuthInfo.decode(readerOver(raw.authInfoBytes));
  } catch (e) {
    throw SdkErrors.TxDecode.wrap((e as Error).message);
  }
  if (body.extensionOptions.length > 0 || body.nonCriticalExtensionOptions.length > 0) {
    throw SdkErrors.UnknownExtensionOptions.wrap("extension options are not supported");
  }
  const msgs: DecodedMsg[] = body.messages.map((any) => {
    const handler = router.get(any.typeUrl);
    if (!handler) throw SdkErrors.TxDecode.wrap(`unable to resolve type URL ${any.typeUrl}`);
    let msg: unknown;
    try {
      msg = handler.codec.decode(any.value);
    } catch (e) {
      throw SdkErrors.TxDecode.wrap(`${any.typeUrl}: ${(e as Error).message}`);
    }
    return { typeUrl: any.typeUrl, handler, msg };
  });
  const signers: string[] = [];
  for (const m of msgs) for (const s of m.handler.signers(m.msg)) if (!signers.includes(s)) signers.push(s);
  const fee = authInfo.fee;
  if (fee?.granter) throw SdkErrors.NotSupported.wrap("fee grants are not supported");
  if (fee?.payer && !signers.includes(fee.payer)) signers.push(fee.payer);
  let feeCoins: Coin[];
  try {
    feeCoins = coinsFromProto(fee?.amount ?? []);
  } catch (e) {
    throw SdkErrors.InsufficientFee.wrap(`invalid fee: ${(e as Error).message}`);
  }
  return { raw, body, authInfo, msgs, signers, fee: feeCoins, gasLimit: fee?.gasLimit ?? 0n, signatureChecks: new Map() };
}

/**
 * The check of signer `index` of `tx` with `pubkey` for this account number and chain. The
 * signer's sign mode and sequence are part of the tx, so they need not be part of the key.
 * Throws a ChainError when the tx cannot be signed in the signer's mode (amino JSON only).
 */
function signatureCheck(tx: DecodedTx, index: number, pubkey: Uint8Array, accountNumber: bigint, chainId: string, amino: AminoResolver | undefined): SignatureCheck {
  const key = `${index}/${accountNumber}/${chainId}`;
  let check = tx.signatureChecks.get(key);
  // The key is fixed by the signer's address (checked against it), so a different key here is
  // a different question: answered afresh rather than from another key's verdict.
  if (!check || !equalBytes(check.pubkey, pubkey)) {
    const signBytes =
      tx.authInfo.signerInfos[index]?.modeInfo?.single?.mode === SignMode.SIGN_MODE_LEGACY_AMINO_JSON
        ? aminoSignBytesOf(tx, index, accountNumber, chainId, amino)
        : SignDoc.encode({ bodyBytes: tx.raw.bodyBytes, authInfoBytes: tx.raw.authInfoBytes, chainId, accountNumber }).finish();
    check = { pubkey, signBytes };
    tx.signatureChecks.set(key, check);
  }
  return check;
}

/**
 * The StdSignDoc bytes signer `index` signed in LEGACY_AMINO_JSON. The amino doc does not cover
 * the body and auth info bytes themselves, only what they decode to; so an amino-signed tx must
 * be in the one canonical encoding of its content, else the same signature would fit many txs
 * (many hashes for one signed tx, and bytes such as unknown fields no signer ever saw).
 */
function aminoSignBytesOf(tx: DecodedTx, index: number, accountNumber: bigint, chainId: string, amino: AminoResolver | undefined): Uint8Array {
  if (tx.aminoMsgs === undefined) tx.aminoMsgs = aminoMsgsOf(tx, amino);
  if (tx.aminoMsgs instanceof ChainError) throw tx.aminoMsgs;
  const fee = tx.authInfo.fee;
  return aminoSignBytes({
    chainId,
    accountNumber,
    sequence: tx.authInfo.signerInfos[index].sequence,
    fee: { amount: fee?.amount ?? [], gas: (fee?.gasLimit ?? 0n).toString(), payer: fee?.payer, granter: fee?.granter },
    memo: tx.body.memo,
    msgs: tx.aminoMsgs,
    timeoutHeight: tx.body.timeoutHeight,
  });
}

function aminoMsgsOf(tx: DecodedTx, amino: AminoResolver | undefined): AminoMsg[] | ChainError {
  if (!equalBytes(TxBody.encode(tx.body).finish(), tx.raw.bodyBytes) || !equalBytes(AuthInfo.encode(tx.authInfo).finish(), tx.raw.authInfoBytes)) {
    return SdkErrors.TxDecode.wrap("a SIGN_MODE_LEGACY_AMINO_JSON tx must be in canonical protobuf encoding");
  }
  const msgs: AminoMsg[] = [];
  for (const [i, m] of tx.msgs.entries()) {
    if (!equalBytes(m.handler.codec.encode(m.msg).finish(), tx.body.messages[i].value)) {
      return SdkErrors.TxDecode.wrap(`a SIGN_MODE_LEGACY_AMINO_JSON tx must be in canonical protobuf encoding (message ${i}, ${m.typeUrl})`);
    }
    const type = amino?.(m.typeUrl);
    if (!type) return SdkErrors.NotSupported.wrap(`${m.typeUrl} has no amino JSON encoding; sign it with SIGN_MODE_DIRECT`);
    try {
      msgs.push(toAminoMsg(type, m.msg, amino!));
    } catch (e) {
      return SdkErrors.NotSupported.wrap(`message ${i} (${m.typeUrl}) has no amino JSON encoding: ${(e as Error).message}; sign it with SIGN_MODE_DIRECT`);
    }
  }
  return msgs;
}

/** Refuses sign modes other than single-signer DIRECT and LEGACY_AMINO_JSON, naming the mode. */
function checkSignMode(info: { modeInfo?: { single?: { mode: SignMode }; multi?: unknown } }, signer: string): void {
  const single = info.modeInfo?.single;
  if (!single) throw SdkErrors.NotSupported.wrap(`signer ${signer}: only single-signer sign modes are supported (no multisig)`);
  if (single.mode === SignMode.SIGN_MODE_DIRECT || single.mode === SignMode.SIGN_MODE_LEGACY_AMINO_JSON) return;
  if (single.mode === SignMode.SIGN_MODE_TEXTUAL) {
    throw SdkErrors.NotSupported.wrap(`signer ${signer}: SIGN_MODE_TEXTUAL is not supported; sign with SIGN_MODE_DIRECT or SIGN_MODE_LEGACY_AMINO_JSON`);
  }
  throw SdkErrors.NotSupported.wrap(`signer ${signer}: sign mode ${single.mode} is not supported; sign with SIGN_MODE_DIRECT or SIGN_MODE_LEGACY_AMINO_JSON`);
}

/** What the ante handler needs of auth: params, and the signers' and fee payer's accounts. */
export interface AnteAccountKeeper {
  getParams(root: KVStore): AuthParams;
  getAccount(root: KVStore, address: Uint8Array): Account | undefined;
  hasAccount(root: KVStore, address: Uint8Array): boolean;
  setAccount(root: KVStore, account: Account): void;
  ensureAccount(root: KVStore, address: Uint8Array): Account;
}

/** What the ante handler needs of the bank: the fee, paid into the fee collector. */
export interface AnteBankKeeper {
  getBalance(root: KVStore, address: Uint8Array, denom: string): bigint;
  sendToModule(root: KVStore, events: EventManager | undefined, from: Uint8Array, module: string, coins: readonly Coin[]): void;
}

export interface TxPipelineDeps {
  readonly auth: AnteAccountKeeper;
  readonly bank: AnteBankKeeper;
  readonly router: MsgRouter;
  /** Node-local minimum gas prices, enforced in CheckTx only (like the SDK's min-gas-prices). */
  readonly minGasPrices: readonly DecCoin[];
  /** Largest accepted tx in bytes (the block size limit: a larger tx can never be included). */
  readonly maxTxBytes: number;
  /** Block gas limit from the consensus params (-1 = none). */
  readonly maxBlockGas: bigint;
  /** Txs already decoded on this node (CheckTx, RECHECK and the block see the same bytes). */
  readonly decoded?: DecodedTxCache;
  /** Amino JSON encodings by type URL, for SIGN_MODE_LEGACY_AMINO_JSON (without it: DIRECT only). */
  readonly amino?: AminoResolver;
}

/**
 * Decoded txs by their exact bytes. Decoding is a pure function of the bytes, so a tx decoded
 * for CheckTx is not decoded again for each RECHECK nor for its block. Bounded in count and in
 * tx bytes (a decoded tx holds on to its bytes, and txs may be up to a block in size): oldest
 * first out.
 */
export class DecodedTxCache {
  private readonly entries = new Map<string, DecodedTx>();
  private bytes = 0;
  constructor(
    private readonly limit = 20_000,
    private readonly byteLimit = 64 * 1024 * 1024,
  ) {}

  /** The decoded tx, from the cache or decoded now (and remembered); throws as decodeTx. */
  decode(bytes: Uint8Array, router: MsgRouter): DecodedTx {
    const key = keyToString(bytes);
    let tx = this.entries.get(key);
    if (!tx) {
      tx = decodeTx(bytes, router);
      while (this.entries.size > 0 && (this.entries.size >= this.limit || this.bytes + key.length > this.byteLimit)) {
        const oldest = this.entries.keys().next().value as string;
        this.entries.delete(oldest);
        this.bytes -= oldest.length;
      }
      this.entries.set(key, tx);
      this.bytes += key.length;
    }
    return tx;
  }
}

/** `bytes` decoded, through the node's cache when it has one. */
function decodeOnce(deps: TxPipelineDeps, bytes: Uint8Array): DecodedTx {
  return deps.decoded ? deps.decoded.decode(bytes, deps.router) : decodeTx(bytes, deps.router);
}

/** Module names by message type URL; only routed type URLs get here, so it stays small. */
const moduleNames = new Map<string, string>();

/** Messages of `tx` whose handler is feeless (work-carrying); a tx of only those pays no fee. */
function workMessageCount(tx: DecodedTx): number {
  let n = 0;
  for (const m of tx.msgs) if (m.handler.feeless === true) n++;
  return n;
}

function moduleNameOf(typeUrl: string): string {
  let name = moduleNames.get(typeUrl);
  if (name === undefined) {
    const parts = typeUrl.replace(/^\//, "").split(".");
    name = parts.length >= 2 ? parts[1] : parts[0];
    moduleNames.set(typeUrl, name);
  }
  return name;
}

/** Runs one transaction on `state`: ante checks, fee, signatures, then its messages atomically. */
export function runTx(deps: TxPipelineDeps, state: StoreBranch, block: BlockInfo, mode: ExecMode, txBytes: Uint8Array): TxResult {
  const meter = new GasMeter(undefined);
  let gasWanted = 0n;
  // CheckTx and RECHECK answer without events, as the SDK's (it adds the ante events to a tx's
  // result only in a block and in simulation): CometBFT looks at the code alone, and building,
  // encoding and decoding some 13 attributes per tx was a cost on both sides.
  const anteEvents = mode === "check" || mode === "recheck" ? new DiscardingEventManager() : new EventManager();
  const result = (err: ChainError, events: Event[]): TxResult => ({
    code: err.code,
    codespace: err.codespace,
    log: err.message,
    gasWanted,
    gasUsed: meter.consumed,
    events,
    data: new Uint8Array(),
    msgResponses: [],
  });

  let tx: DecodedTx;
  let anteState: StoreBranch;
  let txMeter: GasMeter;
  try {
    if (txBytes.length > deps.maxTxBytes) {
      throw SdkErrors.TxTooLarge.wrap(`tx size ${txBytes.length} bytes exceeds the limit of ${deps.maxTxBytes}`);
    }
    tx = decodeOnce(deps, txBytes);
    gasWanted = tx.gasLimit;
    validateBasic(tx, mode);
    txMeter = new GasMeter(mode === "simulate" || mode === "genesis" ? undefined : tx.gasLimit);
    anteState = state.branch();
    runAnte(deps, anteState, block, mode, tx, txBytes, txMeter, anteEvents);
  } catch (e) {
    const err = e instanceof OutOfGasError ? e.toChainError() : toChainError(e);
    return result(err, []);
  }

  // RECHECK (after each block, for every tx still in the mempool) runs only the ante handler, as
  // the SDK does: the signature was verified by CheckTx, and the sequence and the fee are what a
  // block can have changed. It runs on a single thread with the block, so it must stay cheap.
  // Work-carrying (feeless) txs are the exception: their messages record what bounds the mempool
  // (a PoW seal as used, the block's certificate count) in the check state, which each commit
  // starts afresh; without that a pending certificate could be admitted again, for free.
  if (mode === "recheck" && workMessageCount(tx) !== tx.msgs.length) {
    anteState.write();
    return { code: 0, codespace: "", log: "", gasWanted: tx.gasLimit, gasUsed: txMeter.consumed, events: [], data: new Uint8Array(), msgResponses: [] };
  }

  // Messages run on a branch of the post-ante state: a failing message reverts every message.
  // In a block the fee and the sequence increment stay (the ante handler charged them). CheckTx
  // also runs the messages (the SDK runs only the ante handler there) so a tx that is bound to
  // fail, e.g. for lack of funds, is refused before it reaches a block and costs its sender a fee.
  const inBlock = mode === "deliver" || mode === "simulate" || mode === "genesis";
  if (inBlock) anteState.write();
  const msgState = (inBlock ? state : anteState).branch();
  const msgEvents = mode === "check" || mode === "recheck" ? new DiscardingEventManager() : new EventManager();
  const msgResponses: Any[] = [];
  try {
    const ctx: Context = { store: new GasKVStore(msgState, txMeter), gasMeter: txMeter, events: msgEvents, block, mode };
    tx.msgs.forEach((m, index) => {
      const before = msgEvents.events.length;
      const signer = m.handler.signers(m.msg)[0] ?? "";
      if (msgEvents.recording) msgEvents.emit("message", { action: m.typeUrl, sender: signer, module: moduleNameOf(m.typeUrl) });
      msgResponses.push(m.handler.execute(ctx, m.msg));
      for (const ev of msgEvents.events.slice(before)) ev.attributes.push({ key: "msg_index", value: String(index), index: true });
    });
  } catch (e) {
    const err = e instanceof OutOfGasError ? e.toChainError() : toChainError(e);
    gasWanted = tx.gasLimit;
    return { ...result(err, anteEvents.events), gasUsed: txMeter.consumed };
  }
  msgState.write();
  if (!inBlock) anteState.write();
  return {
    code: 0,
    codespace: "",
    log: "",
    gasWanted: tx.gasLimit,
    gasUsed: txMeter.consumed,
    events: [...anteEvents.events, ...msgEvents.events],
    data: TxMsgData.encode({ data: [], msgResponses }).finish(),
    msgResponses,
  };
}

/** Stateless checks (SDK ValidateBasic + the stateless ante decorators). */
function validateBasic(tx: DecodedTx, mode: ExecMode): void {
  if (tx.msgs.length === 0) throw SdkErrors.InvalidRequest.wrap("must contain at least one message");
  if (tx.raw.signatures.length === 0) throw SdkErrors.NoSignatures.wrap();
  if (tx.raw.signatures.length !== tx.signers.length) {
    throw SdkErrors.Unauthorized.wrap(`wrong number of signers; expected ${tx.signers.length}, got ${tx.raw.signatures.length}`);
  }
  if (tx.authInfo.signerInfos.length !== tx.signers.length) {
    throw SdkErrors.Unauthorized.wrap(`wrong number of signer infos; expected ${tx.signers.length}, got ${tx.authInfo.signerInfos.length}`);
  }
  if (tx.gasLimit > MAX_GAS_WANTED) throw SdkErrors.InvalidGasLimit.wrap(`gas limit ${tx.gasLimit} is too large`);
  // Checked before any gas is charged so the answer says what is wrong, not "out of gas".
  if (mode !== "simulate" && mode !== "genesis" && tx.gasLimit === 0n) throw SdkErrors.InvalidGasLimit.wrap("must provide positive gas");
  if (mode !== "recheck") for (const m of tx.msgs) m.handler.validateBasic(m.msg);
}

function runAnte(
  deps: TxPipelineDeps,
  state: StoreBranch,
  block: BlockInfo,
  mode: ExecMode,
  tx: DecodedTx,
  txBytes: Uint8Array,
  meter: GasMeter,
  events: EventManager,
): void {
  const simulate = mode === "simulate";
  const store = new GasKVStore(state, meter);
  const params = deps.auth.getParams(state);

  if (deps.maxBlockGas >= 0n && tx.gasLimit > deps.maxBlockGas) {
    throw SdkErrors.InvalidGasLimit.wrap(`tx gas limit ${tx.gasLimit} exceeds block max gas ${deps.maxBlockGas}`);
  }
  if (tx.body.timeoutHeight > 0n && BigInt(block.height) > tx.body.timeoutHeight) {
    throw SdkErrors.TxTimeoutHeight.wrap(`block height: ${block.height}, timeout height: ${tx.body.timeoutHeight}`);
  }
  const memoLength = Buffer.byteLength(tx.body.memo, "utf8");
  if (BigInt(memoLength) > params.maxMemoCharacters) {
    throw SdkErrors.MemoTooLarge.wrap(`maximum number of characters is ${params.maxMemoCharacters} but received ${memoLength} characters`);
  }
  let sizeBytes = BigInt(txBytes.length);
  if (simulate) sizeBytes += SIMULATE_EXTRA_BYTES_PER_SIGNER * BigInt(tx.signers.length);
  meter.consume(params.txSizeCostPerByte * sizeBytes, "txSize");

  // Work-carrying messages are checked before anything costly: a spammer pays in work, the node
  // only in this check (e.g. one hash for a PoW certificate). That holds only for one such check
  // per tx: copies of one certificate would each be checked before the signature fails, for free.
  // And as nothing pays for a feeless tx's bytes, it is held to the size of one certificate tx.
  const workMessages = workMessageCount(tx);
  const feeless = workMessages === tx.msgs.length;
  if (workMessages > 1) {
    throw SdkErrors.InvalidRequest.wrap(`a tx carries at most one feeless (work-carrying) message, got ${workMessages}`);
  }
  // A certificate that must carry its evidence (a matmul tile's rows and columns) names its own cap.
  const feelessCap = feeless ? (tx.msgs[0]?.handler.maxFeelessTxBytes ?? MAX_FEELESS_TX_BYTES) : 0;
  if (feeless && txBytes.length > feelessCap) {
    throw SdkErrors.TxTooLarge.wrap(`a feeless tx may be at most ${feelessCap} bytes, got ${txBytes.length}`);
  }
  const precheckCtx: Context = { store, gasMeter: meter, events: new EventManager(), block, mode };
  for (const m of tx.msgs) m.handler.precheck?.(precheckCtx, m.msg);

  // Fee: node-local minimum price in CheckTx, then deduction from the payer.
  if ((mode === "check" || mode === "recheck") && deps.minGasPrices.length > 0 && !feeless) {
    const required = deps.minGasPrices.map((p) => ({ denom: p.denom, amount: requiredFee(p, tx.gasLimit) }));
    const satisfied = required.some((r) => amountOf(tx.fee, r.denom) >= r.amount);
    if (!satisfied) {
      throw SdkErrors.InsufficientFee.wrap(
        `insufficient fees; got: ${formatCoins(tx.fee) || "0usoa"} required: ${formatCoins(required)} ` +
          `(minimum gas price ${deps.minGasPrices.map(formatDecCoin).join(",")} x gas ${tx.gasLimit})`,
      );
    }
  }
  const payer = tx.authInfo.fee?.payer || tx.signers[0];
  const payerBytes = decodeAddress(payer, "fee payer");
  if (!deps.auth.hasAccount(store, payerBytes) && !(feeless && tx.fee.length === 0)) {
    throw SdkErrors.UnknownAddress.wrap(`fee payer address: ${payer} does not exist`);
  }
  if (tx.fee.length > 0) {
    deps.bank.sendToModule(store, events, payerBytes, FEE_COLLECTOR, tx.fee);
  } else if (simulate && !feeless && deps.bank.getBalance(state, payerBytes, BASE_DENOM) > 0n) {
    // CosmJS simulates with an empty fee, but the real tx will pay one: do the same writes on
    // this throwaway branch so "fee: auto" estimates the gas the real tx needs.
    deps.bank.sendToModule(store, undefined, payerBytes, FEE_COLLECTOR, [{ denom: BASE_DENOM, amount: 1n }]);
  }
  if (events.recording) events.emit("tx", { fee: formatCoins(tx.fee), fee_payer: payer });

  // Public keys: each signer's key must hash to its address; stored on first use.
  const accounts = tx.signers.map((signer, i) => {
    const address = decodeAddress(signer, "signer");
    // A feeless tx may come from an account the chain has not seen (a new miner's first
    // certificate): it is signed with account_number 0 and sequence 0, and the account is created
    // once the signature holds.
    const account: Account & { isNew?: boolean } = deps.auth.getAccount(store, address) ??
      (feeless ? { address, accountNumber: 0n, sequence: 0n, isNew: true } : undefined) ??
      throwError(SdkErrors.UnknownAddress.wrap(`account ${signer} does not exist`));
    const info = tx.authInfo.signerInfos[i];
    if (info.publicKey) {
      const key = checkedKey(info.publicKey, address, signer, i);
      if (!account.pubKey) {
        account.pubKey = key;
        if (!account.isNew) deps.auth.setAccount(store, account);
      }
    }
    if (!account.pubKey) throw SdkErrors.InvalidPubKey.wrap(`pubkey on account ${signer} is not set`);
    return account;
  });

  if (BigInt(tx.signers.length) > params.txSigLimit) {
    throw SdkErrors.TooManySignatures.wrap(`signatures: ${tx.signers.length}, limit: ${params.txSigLimit}`);
  }

  accounts.forEach((account, i) => {
    meter.consume(params.sigVerifyCostSecp256k1, "ante verify: secp256k1");
    const info = tx.authInfo.signerInfos[i];
    const signer = tx.signers[i];
    if (info.sequence !== account.sequence) {
      throw SdkErrors.WrongSequence.wrap(`account sequence mismatch, expected ${account.sequence}, got ${info.sequence}`);
    }
    if (!simulate && mode !== "recheck") {
      checkSignMode(info, signer);
      const check = signatureCheck(tx, i, account.pubKey!, account.accountNumber, block.chainId, deps.amino);
      if (check.verdict === undefined) {
        check.verdict = verifySecp256k1(check.pubkey, check.signBytes, tx.raw.signatures[i]);
        signatureStats.verifiedInline++;
      } else {
        signatureStats.answeredFromCache++;
      }
      if (!check.verdict) {
        throw SdkErrors.Unauthorized.wrap(
          `signature verification failed; please verify account number (${account.accountNumber}) and chain-id (${block.chainId})`,
        );
      }
    }
    if (events.recording) {
      events.emit("tx", { acc_seq: `${signer}/${account.sequence}` });
      events.emit("tx", { signature: Buffer.from(tx.raw.signatures[i]).toString("base64") });
    }
    if (account.isNew) {
      const created = deps.auth.ensureAccount(store, account.address);
      deps.auth.setAccount(store, { ...created, pubKey: account.pubKey, sequence: 1n });
      return;
    }
    account.sequence += 1n;
    deps.auth.setAccount(store, account);
  });
}


/** The secp256k1 key in a signer info, checked to hash to the signer's address. */
function checkedKey(publicKey: Any, address: Uint8Array, signer: string, index: number): Uint8Array {
  if (publicKey.typeUrl !== SECP256K1_PUBKEY_TYPE_URL) {
    throw SdkErrors.InvalidPubKey.wrap(`unsupported public key type ${publicKey.typeUrl}`);
  }
  let key: Uint8Array;
  try {
    key = PubKey.decode(publicKey.value).key;
  } catch {
    throw SdkErrors.InvalidPubKey.wrap("malformed secp256k1 public key");
  }
  if (key.length !== 33) throw SdkErrors.InvalidPubKey.wrap(`secp256k1 public key must be 33 bytes, got ${key.length}`);
  if (!equalBytes(secp256k1Address(key), address)) {
    throw SdkErrors.InvalidPubKey.wrap(`pubKey does not match signer address ${signer} with signer index: ${index}`);
  }
  return key;
}

function throwError(err: Error): never {
  throw err;
}

/**
 * The signatures a tx will need verified, as far as they can be known ahead of execution (for
 * verifying many txs in parallel before running them in order), and not already checked.
 * Anything malformed or not yet resolvable (e.g. an account created earlier in the same block)
 * is skipped: runTx then verifies it itself and reports the error.
 */
export function collectSignatures(deps: TxPipelineDeps, state: StoreBranch, chainId: string, txBytes: Uint8Array): PendingSignature[] {
  let tx: DecodedTx;
  try {
    tx = decodeOnce(deps, txBytes);
  } catch {
    return [];
  }
  // Txs carrying work (messages with a precheck: PoW certificates) have their signatures checked
  // only after the precheck passed; verifying them ahead would let invalid work cost a signature.
  if (tx.msgs.some((m) => m.handler.precheck !== undefined)) return [];
  // A block's txs mostly passed this node's CheckTx: every signer answered already, so skip the
  // account reads. (Should an account number differ after all, runTx verifies that one inline.)
  if (tx.signatureChecks.size >= tx.signers.length && everyAnswered(tx.signatureChecks)) return [];
  const items: PendingSignature[] = [];
  tx.signers.forEach((signer, i) => {
    const info = tx.authInfo.signerInfos[i];
    const signature = tx.raw.signatures[i];
    const mode = info?.modeInfo?.single?.mode;
    if (!info || !signature || signature.length !== 64 || (mode !== SignMode.SIGN_MODE_DIRECT && mode !== SignMode.SIGN_MODE_LEGACY_AMINO_JSON)) return;
    let address: Uint8Array;
    try {
      address = decodeAddress(signer, "signer");
    } catch {
      return;
    }
    const account = deps.auth.getAccount(state, address);
    let pubkey = account?.pubKey;
    if (!pubkey && info.publicKey?.typeUrl === SECP256K1_PUBKEY_TYPE_URL) {
      try {
        pubkey = PubKey.decode(info.publicKey.value).key;
      } catch {
        return;
      }
    }
    if (!pubkey || pubkey.length !== 33) return;
    let check: SignatureCheck;
    try {
      check = signatureCheck(tx, i, pubkey, account?.accountNumber ?? 0n, chainId, deps.amino);
    } catch {
      return; // not signable in its mode: runTx reports why
    }
    if (check.verdict === undefined) items.push({ pubkey, message: check.signBytes, signature, check });
  });
  return items;
}

function everyAnswered(checks: ReadonlyMap<string, SignatureCheck>): boolean {
  for (const check of checks.values()) if (check.verdict === undefined) return false;
  return true;
}

/** A signature to verify ahead of execution; its verdict goes into the tx's check. */
export interface PendingSignature extends SignatureItem {
  readonly check: SignatureCheck;
}
