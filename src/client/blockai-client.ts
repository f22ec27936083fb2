/**
 * BlockaiClient: a typed client for BLOCKAI's registry and metering over CosmJS. Transactions go
 * through an unmodified SigningStargateClient whose Registry holds every BLOCKAI message; queries
 * are ABCI queries decoded with the generated protobuf codecs. Browser-safe: no Node-only imports
 * and no server code (only protocol codecs from src/gen).
 */
import { Bip39, EnglishMnemonic, Slip10, Slip10Curve, stringToPath } from "@cosmjs/crypto";
import type { EncodeObject, OfflineSigner } from "@cosmjs/proto-signing";
import {
  BroadcastTxError,
  calculateFee,
  GasPrice,
  SigningStargateClient,
  type DeliverTxResponse,
  type SigningStargateClientOptions,
  type StdFee,
} from "@cosmjs/stargate";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { connectComet, type CometClient } from "@cosmjs/tendermint-rpc";
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import type { EpochInfo } from "../gen/blockai/epochs/v1/epochs";
import { Escrow, EscrowStatus, Params as MeteringParams, SignatureKind, UsageRecord } from "../gen/blockai/metering/v1/metering";
import { MsgClaimUsage, MsgClaimUsageResponse, MsgCloseEscrow, MsgCloseEscrowResponse, MsgOpenEscrow, MsgOpenEscrowResponse, MsgPayForUsage, MsgPayForUsageResponse, MsgTopUpEscrow } from "../gen/blockai/metering/v1/tx";
import type { PageRequest, PageResponse } from "../gen/cosmos/base/query/v1beta1/pagination";
import { Model, ModelStatus, Params as RegistryParams } from "../gen/blockai/registry/v1/registry";
import { MsgRegisterModel, MsgRegisterModelResponse, MsgSetModelStatus, MsgUpdateModel } from "../gen/blockai/registry/v1/tx";
import { AuthQuery } from "../modules/auth/service";
import { BankQuery } from "../modules/bank/service";
import { EpochsQuery } from "../modules/epochs/service";
import { MeteringQuery } from "../modules/metering/service";
import { RegistryQuery } from "../modules/registry/service";
import { defineQueryService, type QueryMethod, type RequestOf, type ResponseOf } from "../types/service";
import { createBlockaiRegistry } from "./registry";
import { checkVoucher, voucherToProto, type ServingProvider, type SignedVoucher, type VoucherCheck } from "../types/voucher";

export { Escrow, EscrowStatus, Model, ModelStatus, UsageRecord };
export type { EpochInfo, MeteringParams, RegistryParams };

export const BASE_DENOM = "usoa";

/**
 * True when an address other than `provider` may claim an unbound escrow of `model` (its owner or
 * any operator besides `provider`): such an escrow could pay two servers for one voucher.
 */
export function unboundClaimableByOthers(model: { owner: string; operators: readonly string[] }, provider: string): boolean {
  return [model.owner, ...model.operators].some((a) => a !== provider);
}
/** CosmJS's default: the simulated gas times 1.4. */
export const DEFAULT_GAS_MULTIPLIER = 1.4;
/**
 * The Cosmos SDK's transaction service, of which the chain serves Simulate as an ABCI query (no
 * module owns it, so its table lives with its only client-side caller).
 */
export const TxService = defineQueryService("cosmos.tx.v1beta1.Service", { Simulate: [SimulateRequest, SimulateResponse] });

const usoa = (amount: bigint) => ({ denom: BASE_DENOM, amount: amount.toString() });
/** ts-proto types bytes fields as Buffer (env=node); any Uint8Array encodes the same. */
const bytes = (b: Uint8Array) => b as unknown as Buffer;

// ---- messages ---------------------------------------------------------------------------------

export interface RegisterModelFields {
  name: string;
  version: string;
  task: string;
  description?: string;
  /** 32-byte SHA-256 of the weights or image. */
  artifactDigest: Uint8Array;
  artifactUri?: string;
  endpoint?: string;
  /** usoa per unit */
  pricePerUnit: bigint;
  unit: string;
  /** usoa locked as the model's bond (>= min_model_bond) */
  bond: bigint;
  operators?: string[];
  /** Id of the model version this one replaces (same owner). */
  supersedes?: bigint;
  /** Optional 32-byte Merkle root over the artifact's int8 matrices (matmul certificates). */
  weightsRoot?: Uint8Array;
}

export interface UpdateModelFields {
  name?: string;
  version?: string;
  task?: string;
  description?: string;
  artifactUri?: string;
  endpoint?: string;
  pricePerUnit?: bigint;
  unit?: string;
  /** Replaces the operator list (an empty array removes every operator). */
  operators?: string[];
  /** Immutable: only the model's own digest (or nothing) is accepted. */
  artifactDigest?: Uint8Array;
}

/** Builders of every BLOCKAI message as a CosmJS EncodeObject. */
export const BlockaiMsgs = {
  registerModel(owner: string, f: RegisterModelFields): EncodeObject {
    const value: MsgRegisterModel = {
      owner,
      operators: f.operators ?? [],
      name: f.name,
      version: f.version,
      task: f.task,
      description: f.description ?? "",
      artifactDigest: bytes(f.artifactDigest),
      artifactUri: f.artifactUri ?? "",
      endpoint: f.endpoint ?? "",
      pricePerUnit: usoa(f.pricePerUnit),
      unit: f.unit,
      bond: usoa(f.bond),
      supersedes: f.supersedes ?? 0n,
      weightsRoot: bytes(f.weightsRoot ?? new Uint8Array()),
    };
    return { typeUrl: "/blockai.registry.v1.MsgRegisterModel", value };
  },
  updateModel(owner: string, modelId: bigint, f: UpdateModelFields): EncodeObject {
    const value: MsgUpdateModel = {
      owner,
      modelId,
      name: f.name,
      version: f.version,
      task: f.task,
      description: f.description,
      artifactUri: f.artifactUri,
      endpoint: f.endpoint,
      pricePerUnit: f.pricePerUnit === undefined ? undefined : usoa(f.pricePerUnit),
      unit: f.unit,
      operators: f.operators === undefined ? undefined : { addresses: f.operators },
      artifactDigest: bytes(f.artifactDigest ?? new Uint8Array()),
    };
    return { typeUrl: "/blockai.registry.v1.MsgUpdateModel", value };
  },
  setModelStatus(sender: string, modelId: bigint, status: ModelStatus): EncodeObject {
    const value: MsgSetModelStatus = { sender, modelId, status };
    return { typeUrl: "/blockai.registry.v1.MsgSetModelStatus", value };
  },
  /** `provider` (owner or operator of the model) binds the escrow to it; "" leaves it unbound. */
  openEscrow(consumer: string, modelId: bigint, deposit: bigint, expiryHeight: bigint, provider = ""): EncodeObject {
    const value: MsgOpenEscrow = { consumer, modelId, deposit: usoa(deposit), expiryHeight, provider };
    return { typeUrl: "/blockai.metering.v1.MsgOpenEscrow", value };
  },
  topUpEscrow(consumer: string, escrowId: bigint, amount: bigint, newExpiryHeight = 0n): EncodeObject {
    const value: MsgTopUpEscrow = { consumer, escrowId, amount: usoa(amount), newExpiryHeight };
    return { typeUrl: "/blockai.metering.v1.MsgTopUpEscrow", value };
  },
  claimUsage(provider: string, signed: SignedVoucher): EncodeObject {
    const signatureKind = signed.kind === "adr036" ? SignatureKind.SIGNATURE_KIND_ADR036 : SignatureKind.SIGNATURE_KIND_UNSPECIFIED;
    const value: MsgClaimUsage = { provider, voucher: voucherToProto(signed.voucher), signature: bytes(signed.signature), signatureKind };
    return { typeUrl: "/blockai.metering.v1.MsgClaimUsage", value };
  },
  closeEscrow(sender: string, escrowId: bigint): EncodeObject {
    const value: MsgCloseEscrow = { sender, escrowId };
    return { typeUrl: "/blockai.metering.v1.MsgCloseEscrow", value };
  },
  payForUsage(consumer: string, modelId: bigint, units: bigint, amount: bigint): EncodeObject {
    const value: MsgPayForUsage = { consumer, modelId, units, amount: usoa(amount) };
    return { typeUrl: "/blockai.metering.v1.MsgPayForUsage", value };
  },
  /** kinds: 1 miner, 2 model; empty = every kind. */
  claimRewards(claimant: string, kinds: number[] = []): EncodeObject {
    return { typeUrl: "/blockai.rewards.v1.MsgClaimRewards", value: { claimant, kinds } };
  },
  setPayoutAddress(owner: string, modelId: bigint, payoutAddress: string): EncodeObject {
    return { typeUrl: "/blockai.rewards.v1.MsgSetPayoutAddress", value: { owner, modelId, payoutAddress } };
  },
} as const;

// ---- errors -----------------------------------------------------------------------------------

/** A transaction refused in CheckTx or failed in its block; code and codespace as the chain sent them. */
export class BlockaiTxError extends Error {
  override readonly name = "BlockaiTxError";
  constructor(
    readonly code: number,
    readonly codespace: string,
    readonly log: string,
    readonly transactionHash?: string,
    readonly height?: number,
  ) {
    super(`tx failed: ${codespace}/${code}: ${log}`);
  }
}

/** A query answered with an error code. */
export class BlockaiQueryError extends Error {
  override readonly name = "BlockaiQueryError";
  constructor(
    readonly path: string,
    readonly code: number,
    readonly codespace: string,
    readonly log: string,
  ) {
    super(`query ${path} failed: ${codespace}/${code}: ${log}`);
  }
}

// ---- keys -------------------------------------------------------------------------------------

/**
 * The secp256k1 private key of a mnemonic's account (Cosmos HD path m/44'/118'/0'/0/0 by
 * default): the key a consumer signs vouchers with. CosmJS wallets do not sign arbitrary bytes.
 */
export async function privateKeyFromMnemonic(mnemonic: string, hdPath = "m/44'/118'/0'/0/0"): Promise<Uint8Array> {
  const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(mnemonic));
  return Slip10.derivePath(Slip10Curve.Secp256k1, seed, stringToPath(hdPath)).privkey;
}

// ---- the client -------------------------------------------------------------------------------

export type Fee = StdFee | "auto" | number;

export interface ModelsFilter {
  owner?: string;
  status?: ModelStatus;
  task?: string;
  pagination?: Partial<PageRequest>;
}

type Builtin = Date | Function | Uint8Array | string | number | boolean | bigint | undefined;
/** A request as the codecs' fromPartial takes it: any field, at any depth, may be left out. */
export type DeepPartial<T> = T extends Builtin
  ? T
  : T extends ReadonlyArray<infer U>
    ? Array<DeepPartial<U>>
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : Partial<T>;

export interface QueryOptions {
  /** Read the state at this height (0 or absent: the latest). */
  height?: number;
}

/** An error as the chain reports it: codespace and code. */
export interface ErrorCode {
  codespace: string;
  code: number;
}

// The "not found" answers the typed getters turn into undefined (the Cosmos SDK's and the modules' codes).
const ACCOUNT_NOT_FOUND: ErrorCode = { codespace: "sdk", code: 22 };
const MODEL_NOT_FOUND: ErrorCode = { codespace: "registry", code: 2 };
const ESCROW_NOT_FOUND: ErrorCode = { codespace: "metering", code: 2 };

const page = (p: Partial<PageRequest> | undefined): PageRequest | undefined =>
  p ? { key: bytes(p.key ?? new Uint8Array()), offset: p.offset ?? 0n, limit: p.limit ?? 0n, countTotal: p.countTotal ?? false, reverse: p.reverse ?? false } : undefined;

export class BlockaiClient {
  private readonly registry = createBlockaiRegistry();

  private constructor(
    readonly comet: CometClient,
    private readonly signingClient: SigningStargateClient | undefined,
    private readonly signer?: OfflineSigner,
    private readonly gasPrice?: GasPrice,
  ) {}

  /**
   * A client that signs with `signer` (e.g. DirectSecp256k1HdWallet with prefix "soa"). With a
   * static `gasPrice`, fee "auto" (or a multiplier) is estimated by this client's own simulation,
   * so a transaction bound to fail throws a BlockaiTxError with the chain's code and codespace.
   */
  static async connectWithSigner(endpoint: string, signer: OfflineSigner, options: SigningStargateClientOptions = {}): Promise<BlockaiClient> {
    const comet = await connectComet(endpoint);
    const registry = createBlockaiRegistry();
    const signing = SigningStargateClient.createWithSigner(comet, signer, { registry, ...options });
    return new BlockaiClient(comet, signing, signer, options.gasPrice instanceof GasPrice ? options.gasPrice : undefined);
  }

  /** A query-only client. */
  static async connect(endpoint: string): Promise<BlockaiClient> {
    return new BlockaiClient(await connectComet(endpoint), undefined);
  }

  /**
   * A query-only client over a connection the caller opened (e.g. a Comet38Client, skipping
   * connect's version probe); disconnect() closes it.
   */
  static fromComet(comet: CometClient): BlockaiClient {
    return new BlockaiClient(comet, undefined);
  }

  /** The underlying CosmJS client (bank sends, getTx, searchTx, ...). */
  get stargate(): SigningStargateClient {
    if (!this.signingClient) throw new Error("this BlockaiClient was connected without a signer");
    return this.signingClient;
  }

  disconnect(): void {
    this.comet.disconnect();
  }

  async getChainId(): Promise<string> {
    return (await this.comet.status()).nodeInfo.network;
  }

  async getHeight(): Promise<number> {
    return (await this.comet.status()).syncInfo.latestBlockHeight;
  }

  async getBalance(address: string): Promise<bigint> {
    const res = await this.query(BankQuery.Balance, { address, denom: BASE_DENOM });
    return BigInt(res.balance?.amount ?? "0");
  }

  /** The 33-byte secp256k1 public key stored on an account (set by its first signed tx), if any. */
  async getAccountPubkey(address: string): Promise<Uint8Array | undefined> {
    const raw = (await this.queryOptional(AuthQuery.Account, { address }, ACCOUNT_NOT_FOUND))?.account;
    if (!raw) return undefined;
    const base = raw.typeUrl === "/cosmos.auth.v1beta1.ModuleAccount" ? ModuleAccount.decode(raw.value).baseAccount : BaseAccount.decode(raw.value);
    if (!base?.pubKey || base.pubKey.typeUrl !== "/cosmos.crypto.secp256k1.PubKey") return undefined;
    return PubKey.decode(base.pubKey.value).key;
  }

  // ---- transactions ---------------------------------------------------------------------------

  /**
   * Gas a transaction would use, by the chain's Simulate. Throws BlockaiTxError with the chain's
   * code and codespace if the transaction would fail.
   */
  async simulate(signerAddress: string, msgs: readonly EncodeObject[], memo = ""): Promise<bigint> {
    const account = (await this.signer?.getAccounts())?.find((a) => a.address === signerAddress);
    if (!account) throw new Error(`signer ${signerAddress} is not an account of this client's signer`);
    const { sequence } = await this.stargate.getSequence(signerAddress);
    const tx = Tx.fromPartial({
      body: { messages: msgs.map((m) => this.registry.encodeAsAny(m)), memo },
      authInfo: {
        fee: {},
        signerInfos: [{ publicKey: { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: account.pubkey }).finish() }, sequence: BigInt(sequence), modeInfo: { single: { mode: SignMode.SIGN_MODE_UNSPECIFIED } } }],
      },
      signatures: [new Uint8Array()],
    });
    const { path, request, response } = TxService.Simulate;
    const res = await this.comet.abciQuery({ path, data: request.encode(request.fromPartial({ txBytes: Tx.encode(tx).finish() })).finish() });
    // A refused simulation is the tx's failure, not the query's: the caller gets the tx error.
    if (res.code) throw new BlockaiTxError(res.code, res.codespace, res.log ?? "");
    return response.decode(res.value).gasInfo?.gasUsed ?? 0n;
  }

  /** Signs and broadcasts; throws BlockaiTxError when simulation or CheckTx refuses it or it fails in the block. */
  async signAndBroadcast(signer: string, msgs: readonly EncodeObject[], fee: Fee = "auto", memo = ""): Promise<DeliverTxResponse> {
    let res: DeliverTxResponse;
    let stdFee: Fee = fee;
    if (typeof fee !== "object" && this.gasPrice) {
      const multiplier = typeof fee === "number" ? fee : DEFAULT_GAS_MULTIPLIER;
      const gas = await this.simulate(signer, msgs, memo);
      stdFee = calculateFee(Math.round(Number(gas) * multiplier), this.gasPrice);
    }
    try {
      res = await this.stargate.signAndBroadcast(signer, [...msgs], stdFee, memo);
    } catch (e) {
      if (e instanceof BroadcastTxError) throw new BlockaiTxError(e.code, e.codespace, e.log ?? e.message);
      throw e;
    }
    if (res.code !== 0) {
      throw new BlockaiTxError(res.code, (res as { codespace?: string }).codespace ?? "", res.rawLog ?? "", res.transactionHash, res.height);
    }
    return res;
  }

  private response<T>(res: DeliverTxResponse, index: number, decode: (b: Uint8Array) => T): T {
    const r = res.msgResponses[index];
    if (!r) throw new Error(`transaction ${res.transactionHash} has no response for message ${index}`);
    return decode(r.value);
  }

  async registerModel(owner: string, fields: RegisterModelFields, fee: Fee = "auto", memo = ""): Promise<{ modelId: bigint; tx: DeliverTxResponse }> {
    const tx = await this.signAndBroadcast(owner, [BlockaiMsgs.registerModel(owner, fields)], fee, memo);
    return { modelId: this.response(tx, 0, MsgRegisterModelResponse.decode).modelId, tx };
  }

  async updateModel(owner: string, modelId: bigint, fields: UpdateModelFields, fee: Fee = "auto", memo = ""): Promise<DeliverTxResponse> {
    return this.signAndBroadcast(owner, [BlockaiMsgs.updateModel(owner, modelId, fields)], fee, memo);
  }

  async setModelStatus(sender: string, modelId: bigint, status: ModelStatus, fee: Fee = "auto", memo = ""): Promise<DeliverTxResponse> {
    return this.signAndBroadcast(sender, [BlockaiMsgs.setModelStatus(sender, modelId, status)], fee, memo);
  }

  async openEscrow(
    consumer: string,
    modelId: bigint,
    deposit: bigint,
    expiryHeight: bigint,
    fee: Fee = "auto",
    memo = "",
    provider = "",
  ): Promise<{ escrowId: bigint; tx: DeliverTxResponse }> {
    const tx = await this.signAndBroadcast(consumer, [BlockaiMsgs.openEscrow(consumer, modelId, deposit, expiryHeight, provider)], fee, memo);
    return { escrowId: this.response(tx, 0, MsgOpenEscrowResponse.decode).escrowId, tx };
  }

  async topUpEscrow(consumer: string, escrowId: bigint, amount: bigint, newExpiryHeight = 0n, fee: Fee = "auto", memo = ""): Promise<DeliverTxResponse> {
    return this.signAndBroadcast(consumer, [BlockaiMsgs.topUpEscrow(consumer, escrowId, amount, newExpiryHeight)], fee, memo);
  }

  async claimUsage(
    provider: string,
    voucher: SignedVoucher,
    fee: Fee = "auto",
    memo = "",
  ): Promise<{ paid: bigint; protocolFee: bigint; units: bigint; epoch: bigint; tx: DeliverTxResponse }> {
    const tx = await this.signAndBroadcast(provider, [BlockaiMsgs.claimUsage(provider, voucher)], fee, memo);
    const r = this.response(tx, 0, MsgClaimUsageResponse.decode);
    return { paid: BigInt(r.paid?.amount ?? "0"), protocolFee: BigInt(r.protocolFee?.amount ?? "0"), units: r.units, epoch: r.epoch, tx };
  }

  async closeEscrow(sender: string, escrowId: bigint, fee: Fee = "auto", memo = ""): Promise<{ refunded: bigint; tx: DeliverTxResponse }> {
    const tx = await this.signAndBroadcast(sender, [BlockaiMsgs.closeEscrow(sender, escrowId)], fee, memo);
    return { refunded: BigInt(this.response(tx, 0, MsgCloseEscrowResponse.decode).refunded?.amount ?? "0"), tx };
  }

  async payForUsage(consumer: string, modelId: bigint, units: bigint, amount: bigint, fee: Fee = "auto", memo = ""): Promise<{ protocolFee: bigint; epoch: bigint; tx: DeliverTxResponse }> {
    const tx = await this.signAndBroadcast(consumer, [BlockaiMsgs.payForUsage(consumer, modelId, units, amount)], fee, memo);
    const r = this.response(tx, 0, MsgPayForUsageResponse.decode);
    return { protocolFee: BigInt(r.protocolFee?.amount ?? "0"), epoch: r.epoch, tx };
  }

  // ---- queries --------------------------------------------------------------------------------

  /** An ABCI query of a gRPC-style path; throws BlockaiQueryError on a non-zero code. */
  async abci(path: string, request: Uint8Array, height?: number): Promise<Uint8Array> {
    return (await this.abciAt(path, request, height)).value;
  }

  private async abciAt(path: string, request: Uint8Array, height: number | undefined): Promise<{ value: Uint8Array; height: number }> {
    // Height 0 is "the latest state", as in CometBFT; an explicit 0 would be sent as a height.
    const res = await this.comet.abciQuery({ path, data: request, height: height || undefined });
    if (res.code) throw new BlockaiQueryError(path, res.code, res.codespace, res.log ?? "");
    return { value: res.value, height: res.height ?? 0 };
  }

  /**
   * One method of a query service table (e.g. `RegistryQuery.Model`, `BankQuery.Balance`): the
   * request is filled in with the codec's defaults, the response decoded. Throws
   * BlockaiQueryError when the chain answers with an error code.
   */
  async query<M extends QueryMethod>(method: M, request: DeepPartial<RequestOf<M>> = {} as DeepPartial<RequestOf<M>>, options: QueryOptions = {}): Promise<ResponseOf<M>> {
    return (await this.queryAt(method, request, options)).response;
  }

  /** As query, with the height whose state answered (to read further pages at the same height). */
  async queryAt<M extends QueryMethod>(method: M, request: DeepPartial<RequestOf<M>> = {} as DeepPartial<RequestOf<M>>, options: QueryOptions = {}): Promise<{ response: ResponseOf<M>; height: number }> {
    const res = await this.abciAt(method.path, method.request.encode(method.request.fromPartial(request)).finish(), options.height);
    return { response: method.response.decode(res.value), height: res.height };
  }

  /** As query, but undefined when the chain answers with the error `notFound` (codespace and code). */
  async queryOptional<M extends QueryMethod>(method: M, request: DeepPartial<RequestOf<M>>, notFound: ErrorCode, options: QueryOptions = {}): Promise<ResponseOf<M> | undefined> {
    try {
      return await this.query(method, request, options);
    } catch (e) {
      if (e instanceof BlockaiQueryError && e.codespace === notFound.codespace && e.code === notFound.code) return undefined;
      throw e;
    }
  }

  async getModel(modelId: bigint): Promise<Model | undefined> {
    return (await this.queryOptional(RegistryQuery.Model, { modelId }, MODEL_NOT_FOUND))?.model;
  }

  async getModels(filter: ModelsFilter = {}): Promise<{ models: Model[]; pagination?: PageResponse }> {
    const res = await this.query(RegistryQuery.Models, {
      owner: filter.owner ?? "",
      status: filter.status ?? ModelStatus.MODEL_STATUS_UNSPECIFIED,
      task: filter.task ?? "",
      pagination: page(filter.pagination),
    });
    return { models: res.models, pagination: res.pagination };
  }

  async getRegistryParams(): Promise<RegistryParams> {
    return (await this.query(RegistryQuery.Params, {})).params!;
  }

  async getEscrow(escrowId: bigint): Promise<Escrow | undefined> {
    return (await this.queryOptional(MeteringQuery.Escrow, { escrowId }, ESCROW_NOT_FOUND))?.escrow;
  }

  async getEscrowsByConsumer(consumer: string, pagination?: Partial<PageRequest>): Promise<{ escrows: Escrow[]; pagination?: PageResponse }> {
    const res = await this.query(MeteringQuery.EscrowsByConsumer, { consumer, pagination: page(pagination) });
    return { escrows: res.escrows, pagination: res.pagination };
  }

  async getEscrowsByModel(modelId: bigint, pagination?: Partial<PageRequest>): Promise<{ escrows: Escrow[]; pagination?: PageResponse }> {
    const res = await this.query(MeteringQuery.EscrowsByModel, { modelId, pagination: page(pagination) });
    return { escrows: res.escrows, pagination: res.pagination };
  }

  /** Usage of a model in an epoch (a zero record if none). */
  async getModelUsage(modelId: bigint, epoch: bigint): Promise<UsageRecord> {
    return (await this.query(MeteringQuery.ModelUsage, { modelId, epoch })).usage!;
  }

  async getMeteringParams(): Promise<MeteringParams> {
    return (await this.query(MeteringQuery.Params, {})).params!;
  }

  /** Protocol fees pending in the metering_fees account and swept to the community pool so far (usoa). */
  async getProtocolFees(): Promise<{ pending: bigint; swept: bigint }> {
    const res = await this.query(MeteringQuery.ProtocolFees, {});
    return { pending: BigInt(res.pending?.amount ?? "0"), swept: BigInt(res.swept?.amount ?? "0") };
  }

  async getCurrentEpoch(): Promise<EpochInfo> {
    return (await this.query(EpochsQuery.CurrentEpoch, {})).epoch!;
  }

  /**
   * A provider's check of a voucher for a call to `modelId` against the escrow as the chain has
   * it now (chain id, model, consumer key, deposit, already claimed) plus what the provider itself
   * already accepted but has not claimed yet. Signature checking is local (verifyVoucher).
   */
  async checkVoucher(
    signed: SignedVoucher,
    modelId: bigint,
    acceptedUnclaimed?: { amount: bigint; units: bigint },
    /** The serving provider's address: enforces provider binding (see ServingProvider). */
    provider?: string,
  ): Promise<VoucherCheck> {
    const escrow = await this.getEscrow(signed.voucher.escrowId);
    if (!escrow) return { ok: false, reason: `escrow ${signed.voucher.escrowId} does not exist` };
    if (escrow.status === EscrowStatus.ESCROW_STATUS_CLOSED) return { ok: false, reason: `escrow ${escrow.id} is closed` };
    let serving: ServingProvider | undefined;
    if (provider !== undefined) {
      const model = await this.getModel(modelId);
      if (!model) return { ok: false, reason: `model ${modelId} does not exist` };
      serving = { address: provider, othersCanClaimUnbound: unboundClaimableByOthers(model, provider) };
    }
    const key = await this.getAccountPubkey(escrow.consumer);
    if (!key) return { ok: false, reason: `consumer ${escrow.consumer} has no public key on chain` };
    const claimed = BigInt(escrow.claimed?.amount ?? "0");
    const accepted = acceptedUnclaimed && acceptedUnclaimed.amount > claimed ? acceptedUnclaimed : { amount: claimed, units: escrow.claimedUnits };
    return checkVoucher(
      signed,
      {
        chainId: await this.getChainId(),
        escrowId: escrow.id,
        modelId: escrow.modelId,
        consumerPublicKey: key,
        deposit: BigInt(escrow.deposit?.amount ?? "0"),
        accepted: accepted.amount,
        // Never below what the chain has claimed: the chain refuses a voucher with fewer units.
        acceptedUnits: accepted.units > escrow.claimedUnits ? accepted.units : escrow.claimedUnits,
        boundProvider: escrow.provider,
      },
      modelId,
      serving,
    );
  }
}
