import { Registry, type GeneratedType, type OfflineDirectSigner } from "@cosmjs/proto-signing";
import { SigningStargateClient, StargateClient, defaultRegistryTypes } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { Params } from "../gen/blockai/pow/v1/pow";
import { MsgSubmitMatmulWork, MsgSubmitWork } from "../gen/blockai/pow/v1/tx";
import type { QueryMethod, RequestOf, ResponseOf } from "../types/service";
import { MSG_SUBMIT_MATMUL_WORK_TYPE_URL, MSG_SUBMIT_WORK_TYPE_URL, PowQuery, type PowParams, paramsFromProto, parseTargetHex } from "../modules/pow";

/** The message types the miner signs (CosmJS registry entries). */
export const POW_TYPES: ReadonlyArray<readonly [string, GeneratedType]> = [
  [MSG_SUBMIT_WORK_TYPE_URL, MsgSubmitWork as GeneratedType],
  [MSG_SUBMIT_MATMUL_WORK_TYPE_URL, MsgSubmitMatmulWork as GeneratedType],
];

export interface TargetInfo {
  target: bigint;
  epoch: bigint;
  epochCertificates: bigint;
  /** The matmul target; undefined when the chain has none (matmul certificates not accepted). */
  matmulTarget?: bigint;
}

export type BroadcastResult = { ok: true; hash: string } | { ok: false; code: number; codespace: string; log: string };
export interface TxOutcome {
  code: number;
  codespace: string;
  log: string;
  height: number;
}

/** What the miner needs from a node; CometMinerChain talks to CometBFT, tests may use a Driver. */
export interface MinerChain {
  chainId(): Promise<string>;
  latestHeight(): Promise<number>;
  /** The hash the chain records for a block (CometBFT's block_id.hash). */
  blockHash(height: number): Promise<Uint8Array>;
  params(): Promise<PowParams>;
  target(): Promise<TargetInfo>;
  /** undefined when the chain has no such account yet. */
  account(address: string): Promise<{ accountNumber: bigint; sequence: bigint } | undefined>;
  /** Broadcasts and returns CheckTx's verdict. */
  broadcast(tx: Uint8Array): Promise<BroadcastResult>;
  /** The tx's result once it is in a block, else undefined. */
  txOutcome(hash: string): Promise<TxOutcome | undefined>;
  minerWork(address: string, epoch: bigint): Promise<{ work: bigint; certificates: bigint }>;
}

/** Queries the pow module through ABCI, by a method of its query table (PowQuery). */
export async function powQuery<M extends QueryMethod>(comet: Comet38Client, method: M, request: Partial<RequestOf<M>>): Promise<ResponseOf<M>> {
  const res = await comet.abciQuery({ path: method.path, data: method.request.encode(method.request.fromPartial(request)).finish() });
  if (res.code !== 0) throw new Error(`pow query ${method.name} failed: ${res.log} (code ${res.codespace}/${res.code})`);
  return method.response.decode(res.value);
}

export class CometMinerChain implements MinerChain {
  private constructor(
    private readonly comet: Comet38Client,
    private readonly stargate: StargateClient,
  ) {}

  static async connect(rpc: string): Promise<CometMinerChain> {
    const comet = await Comet38Client.connect(rpc);
    return new CometMinerChain(comet, StargateClient.create(comet));
  }

  disconnect(): void {
    this.stargate.disconnect();
  }

  async chainId(): Promise<string> {
    return this.stargate.getChainId();
  }

  async latestHeight(): Promise<number> {
    return (await this.comet.status()).syncInfo.latestBlockHeight;
  }

  async blockHash(height: number): Promise<Uint8Array> {
    return (await this.comet.block(height)).blockId.hash;
  }

  async params(): Promise<PowParams> {
    const r = await powQuery(this.comet, PowQuery.Params, {});
    return paramsFromProto(r.params ?? Params.fromPartial({}));
  }

  async target(): Promise<TargetInfo> {
    const r = await powQuery(this.comet, PowQuery.Target, {});
    return {
      target: parseTargetHex(r.target, "target"),
      epoch: r.epoch,
      epochCertificates: r.epochCertificates,
      matmulTarget: r.matmulTarget ? parseTargetHex(r.matmulTarget, "matmul_target") : undefined,
    };
  }

  async anchor(height: bigint): Promise<{ height: bigint; hash: Uint8Array }> {
    return powQuery(this.comet, PowQuery.Anchor, { height });
  }

  async account(address: string): Promise<{ accountNumber: bigint; sequence: bigint } | undefined> {
    const a = await this.stargate.getAccount(address);
    return a ? { accountNumber: BigInt(a.accountNumber), sequence: BigInt(a.sequence) } : undefined;
  }

  async broadcast(tx: Uint8Array): Promise<BroadcastResult> {
    const r = await this.comet.broadcastTxSync({ tx });
    if (r.code !== 0) return { ok: false, code: r.code, codespace: r.codespace ?? "", log: r.log ?? "" };
    return { ok: true, hash: Buffer.from(r.hash).toString("hex").toUpperCase() };
  }

  async txOutcome(hash: string): Promise<TxOutcome | undefined> {
    const r = await this.comet.txSearch({ query: `tx.hash='${hash}'` });
    const t = r.txs[0];
    if (!t) return undefined;
    return { code: t.result.code, codespace: t.result.codespace ?? "", log: t.result.log ?? "", height: t.height };
  }

  async minerWork(address: string, epoch: bigint): Promise<{ work: bigint; certificates: bigint }> {
    const r = await powQuery(this.comet, PowQuery.MinerWork, { miner: address, epoch });
    return { work: BigInt(r.total?.work || "0"), certificates: r.total?.certificates ?? 0n };
  }
}

/** Signs certificate transactions offline with explicit signer data (no account query). */
export class CertificateSigner {
  private constructor(
    private readonly client: SigningStargateClient,
    readonly address: string,
  ) {}

  static async create(signer: OfflineDirectSigner, extraTypes: ReadonlyArray<readonly [string, GeneratedType]> = []): Promise<CertificateSigner> {
    const [account] = await signer.getAccounts();
    const registry = new Registry([...defaultRegistryTypes, ...[...POW_TYPES, ...extraTypes].map(([url, type]) => [url, type] as [string, GeneratedType])]);
    const client = await SigningStargateClient.offline(signer, { registry });
    return new CertificateSigner(client, account.address);
  }

  /**
   * A feeless tx carrying one certificate: fee {amount: [], gas}. A miner whose account does not
   * exist yet signs with account number 0 and sequence 0.
   */
  async sign(
    msg: Omit<MsgSubmitWork, "miner">,
    signerData: { accountNumber: bigint; sequence: bigint; chainId: string },
    gas: bigint,
  ): Promise<Uint8Array> {
    const value: MsgSubmitWork = { ...msg, miner: this.address };
    return this.signOne(MSG_SUBMIT_WORK_TYPE_URL, value, signerData, gas);
  }

  /** A feeless tx carrying one matmul certificate (its `miner` must be this signer). */
  async signMatmul(msg: MsgSubmitMatmulWork, signerData: { accountNumber: bigint; sequence: bigint; chainId: string }, gas: bigint): Promise<Uint8Array> {
    if (msg.miner !== this.address) throw new Error(`the certificate's miner ${msg.miner} is not the signer ${this.address}`);
    return this.signOne(MSG_SUBMIT_MATMUL_WORK_TYPE_URL, msg, signerData, gas);
  }

  private async signOne(typeUrl: string, value: unknown, signerData: { accountNumber: bigint; sequence: bigint; chainId: string }, gas: bigint): Promise<Uint8Array> {
    const raw = await this.client.sign(
      this.address,
      [{ typeUrl, value }],
      { amount: [], gas: gas.toString() },
      "",
      { accountNumber: signerData.accountNumber, sequence: Number(signerData.sequence), chainId: signerData.chainId },
    );
    return TxRaw.encode(raw).finish();
  }
}
