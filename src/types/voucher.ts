/**
 * Metering vouchers (protocol, version 1): what a consumer signs off chain to pay a model's
 * provider, and what the provider checks before serving a call and later redeems on chain with
 * MsgClaimUsage. Part of the client SDK: it runs in browsers, so it depends only on @noble/* (never
 * node:crypto, never server code). The chain verifies with exactly these bytes
 * (src/modules/metering).
 *
 * Sign bytes (all integers unsigned big-endian; see docs/models.md):
 *
 *   offset   size  field
 *   0        18    ASCII "blockai/voucher/v1" (domain tag; no length prefix, no terminator)
 *   18       1     L = byte length of chain_id, 1..255
 *   19       L     chain_id, UTF-8 (chain ids are ASCII in practice)
 *   19+L     8     escrow_id          (u64)
 *   27+L     8     cumulative_units   (u64)
 *   35+L     16    cumulative_amount  (u128, in usoa)
 *   total 51+L bytes
 *
 * Signature: ECDSA secp256k1 over SHA-256(sign bytes) with the consumer's account key (the key
 * whose address is the escrow's consumer), 64 bytes r||s, s <= n/2 (low-S; high-S is refused), the
 * same scheme as Cosmos transaction signatures. RFC 6979 nonces make signing deterministic.
 *
 * Domain separation: transaction sign bytes start with 0x0a (a protobuf SignDoc, SIGN_MODE_DIRECT)
 * or 0x7b ('{', an amino JSON StdSignDoc), voucher sign bytes with 0x62 ('b'), so no signature
 * can be replayed as another kind.
 */
import { fromBase64, toBase64, toBech32 } from "@cosmjs/encoding";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";

export const VOUCHER_DOMAIN_TAG = "blockai/voucher/v1";
const TAG_BYTES = new TextEncoder().encode(VOUCHER_DOMAIN_TAG);
export const MAX_U64 = (1n << 64n) - 1n;
export const MAX_VOUCHER_AMOUNT = (1n << 128n) - 1n;

export interface Voucher {
  readonly chainId: string;
  readonly escrowId: bigint;
  readonly cumulativeUnits: bigint;
  /** usoa */
  readonly cumulativeAmount: bigint;
}

/**
 * How a voucher is signed: "raw" over its sign bytes (the default), or "adr036" over the ADR-036
 * amino sign doc wrapping them (what Keplr's signArbitrary signs; see adr036SignBytes).
 */
export type VoucherSignatureKind = "raw" | "adr036";

export interface SignedVoucher {
  readonly voucher: Voucher;
  /** 64 bytes r||s, low-S. */
  readonly signature: Uint8Array;
  /** Absent: "raw". */
  readonly kind?: VoucherSignatureKind;
}

export class VoucherError extends Error {
  override readonly name = "VoucherError";
}

function putUint(out: Uint8Array, offset: number, size: number, value: bigint): void {
  let v = value;
  for (let i = offset + size - 1; i >= offset; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The exact bytes that are hashed and signed. Throws VoucherError for values out of range. */
export function voucherSignBytes(v: Voucher): Uint8Array {
  const chain = new TextEncoder().encode(v.chainId);
  if (chain.length === 0 || chain.length > 255) throw new VoucherError(`chain_id must be 1..255 bytes, got ${chain.length}`);
  if (typeof v.escrowId !== "bigint" || v.escrowId < 1n || v.escrowId > MAX_U64) throw new VoucherError("escrow_id must be a u64 > 0");
  if (typeof v.cumulativeUnits !== "bigint" || v.cumulativeUnits < 0n || v.cumulativeUnits > MAX_U64) {
    throw new VoucherError("cumulative_units must be a u64");
  }
  if (typeof v.cumulativeAmount !== "bigint" || v.cumulativeAmount < 0n || v.cumulativeAmount > MAX_VOUCHER_AMOUNT) {
    throw new VoucherError("cumulative_amount must be a u128");
  }
  const L = chain.length;
  const out = new Uint8Array(51 + L);
  out.set(TAG_BYTES, 0);
  out[18] = L;
  out.set(chain, 19);
  putUint(out, 19 + L, 8, v.escrowId);
  putUint(out, 27 + L, 8, v.cumulativeUnits);
  putUint(out, 35 + L, 16, v.cumulativeAmount);
  return out;
}

/** SHA-256 of the sign bytes: the 32 bytes ECDSA signs. */
export function voucherDigest(v: Voucher): Uint8Array {
  return sha256(voucherSignBytes(v));
}

/** The account address (bech32, prefix soa) of a compressed secp256k1 key: RIPEMD160(SHA256(key)). */
export function addressOfPublicKey(publicKey: Uint8Array, prefix = "soa"): string {
  return toBech32(prefix, ripemd160(sha256(publicKey)));
}

/**
 * The ADR-036 sign bytes of a voucher signed by `signer` (the escrow's consumer, bech32): the
 * amino JSON sign doc of one MsgSignData whose data is the voucher's sign bytes, with empty chain
 * id, zero account number and sequence, no fee, as Keplr's signArbitrary(chainId, signer, data)
 * builds it (keys sorted, no spaces; base64 and bech32 need no JSON escaping). It starts with
 * `{`, never with 0x62 or 0x0a: neither a raw voucher signature nor a transaction signature can
 * be replayed as one, and the voucher's own domain tag is inside the signed data.
 */
export function adr036SignBytes(v: Voucher, signer: string): Uint8Array {
  const data = toBase64(voucherSignBytes(v));
  if (!/^[a-z0-9]+1[02-9ac-hj-np-z]+$/.test(signer)) throw new VoucherError(`signer "${signer}" is not a bech32 address`);
  const doc =
    `{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"",` +
    `"msgs":[{"type":"sign/MsgSignData","value":{"data":"${data}","signer":"${signer}"}}],"sequence":"0"}`;
  return new TextEncoder().encode(doc);
}

/** The bytes a signature of `kind` covers (what is hashed with SHA-256 and signed). */
export function signedBytesOf(v: Voucher, kind: VoucherSignatureKind, consumerPublicKey: Uint8Array): Uint8Array {
  return kind === "adr036" ? adr036SignBytes(v, addressOfPublicKey(consumerPublicKey)) : voucherSignBytes(v);
}

/**
 * Signs the ADR-036 form with a private key (what a wallet does with signArbitrary; for tests and
 * for signers that only sign ADR-036 documents).
 */
export function signVoucherAdr036(v: Voucher, privateKey: Uint8Array): SignedVoucher {
  const bytes = adr036SignBytes(v, addressOfPublicKey(voucherPublicKey(privateKey)));
  const signature = secp256k1.sign(sha256(bytes), privateKey, { prehash: false, lowS: true });
  return { voucher: { ...v }, signature, kind: "adr036" };
}

/** Signs a voucher with the consumer's 32-byte secp256k1 private key (low-S, deterministic). */
export function signVoucher(v: Voucher, privateKey: Uint8Array): SignedVoucher {
  const signature = secp256k1.sign(voucherDigest(v), privateKey, { prehash: false, lowS: true });
  return { voucher: { ...v }, signature };
}

/**
 * True iff `signature` is a valid low-S signature of `voucher` by `publicKey` (33-byte compressed
 * secp256k1, as stored on the consumer's account). Never throws on malformed input.
 */
export function verifyVoucher(voucher: Voucher, signature: Uint8Array, publicKey: Uint8Array, kind: VoucherSignatureKind = "raw"): boolean {
  if (signature.length !== 64 || publicKey.length !== 33) return false;
  let digest: Uint8Array;
  try {
    digest = sha256(signedBytesOf(voucher, kind, publicKey));
  } catch {
    return false;
  }
  try {
    return secp256k1.verify(signature, digest, publicKey, { prehash: false, lowS: true });
  } catch {
    return false;
  }
}

/** The compressed public key of a private key (what the chain stores on the account). */
export function voucherPublicKey(privateKey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(privateKey, true);
}

/** What a provider knows about an escrow when a voucher arrives (from the chain or its own records). */
export interface EscrowView {
  readonly chainId: string;
  readonly escrowId: bigint;
  /** The model the escrow pays for (as the chain has it). */
  readonly modelId: bigint;
  /** The consumer's 33-byte public key. */
  readonly consumerPublicKey: Uint8Array;
  /** Total deposit of the escrow, usoa. */
  readonly deposit: bigint;
  /** Highest cumulative amount already accepted (claimed on chain or held unclaimed), usoa. */
  readonly accepted: bigint;
  /** Units of that voucher. */
  readonly acceptedUnits?: bigint;
  /** The escrow's bound provider (Escrow.provider); "" or absent: unbound. */
  readonly boundProvider?: string;
}

/**
 * Who is about to serve: with it, checkVoucher also enforces provider binding (docs/models.md,
 * "Provider binding"). An escrow bound to another provider never pays this one; an unbound escrow
 * is served only when no other address can claim it (the model has no operators and this is the
 * owner), else the consumer could hand the same cumulative voucher to two operators.
 */
export interface ServingProvider {
  readonly address: string;
  /** True when another address (owner or operator) could also claim an unbound escrow. */
  readonly othersCanClaimUnbound: boolean;
}

export type VoucherCheck = { ok: true; increment: bigint } | { ok: false; reason: string };

/**
 * The checks the chain will make in MsgClaimUsage, done off chain: right chain and escrow, an
 * escrow for `servedModelId` (the model the provider serves: an escrow for another model, the
 * consumer's own for instance, would never pay this provider), valid consumer signature, strictly
 * more than what was accepted before (units not decreasing), within the deposit. A provider serves
 * a call only for a voucher that passes; `increment` is what the voucher adds.
 */
export function checkVoucher(
  signed: SignedVoucher,
  escrow: EscrowView,
  servedModelId: bigint,
  provider?: ServingProvider,
  /** Signature check; a server may pass a native one (same rules: 64 bytes r||s, low-S). */
  verify: (voucher: Voucher, signature: Uint8Array, publicKey: Uint8Array, kind: VoucherSignatureKind) => boolean = verifyVoucher,
): VoucherCheck {
  const v = signed.voucher;
  if (v.chainId !== escrow.chainId) return { ok: false, reason: `voucher is for chain "${v.chainId}", not "${escrow.chainId}"` };
  if (v.escrowId !== escrow.escrowId) return { ok: false, reason: `voucher is for escrow ${v.escrowId}, not ${escrow.escrowId}` };
  if (escrow.modelId !== servedModelId) return { ok: false, reason: `escrow ${escrow.escrowId} pays for model ${escrow.modelId}, not model ${servedModelId}` };
  if (provider) {
    const bound = escrow.boundProvider ?? "";
    if (bound !== "" && bound !== provider.address) return { ok: false, reason: `escrow ${escrow.escrowId} is bound to provider ${bound}, not ${provider.address}` };
    if (bound === "" && provider.othersCanClaimUnbound) {
      return { ok: false, reason: `escrow ${escrow.escrowId} is not bound to a provider and another operator could claim it; open an escrow with provider ${provider.address}` };
    }
  }
  if (!verify(v, signed.signature, escrow.consumerPublicKey, signed.kind ?? "raw")) return { ok: false, reason: "signature does not verify with the consumer's key" };
  if (v.cumulativeAmount <= escrow.accepted) return { ok: false, reason: `cumulative_amount ${v.cumulativeAmount} is not above ${escrow.accepted}` };
  if (escrow.acceptedUnits !== undefined && v.cumulativeUnits < escrow.acceptedUnits) {
    return { ok: false, reason: `cumulative_units ${v.cumulativeUnits} is below ${escrow.acceptedUnits}` };
  }
  if (v.cumulativeAmount > escrow.deposit) return { ok: false, reason: `cumulative_amount ${v.cumulativeAmount} exceeds the deposit ${escrow.deposit}` };
  return { ok: true, increment: v.cumulativeAmount - escrow.accepted };
}

/** True iff two signed vouchers are the same bytes (fields and signature). */
export function equalVouchers(a: SignedVoucher, b: SignedVoucher): boolean {
  const x = a.voucher;
  const y = b.voucher;
  if (x.chainId !== y.chainId || x.escrowId !== y.escrowId || x.cumulativeUnits !== y.cumulativeUnits || x.cumulativeAmount !== y.cumulativeAmount) return false;
  if ((a.kind ?? "raw") !== (b.kind ?? "raw") || a.signature.length !== b.signature.length) return false;
  for (let i = 0; i < a.signature.length; i++) if (a.signature[i] !== b.signature[i]) return false;
  return true;
}

/** The protobuf form (blockai.metering.v1.Voucher): amount as a decimal string. */
export function voucherToProto(v: Voucher): { chainId: string; escrowId: bigint; cumulativeUnits: bigint; cumulativeAmount: string } {
  return { chainId: v.chainId, escrowId: v.escrowId, cumulativeUnits: v.cumulativeUnits, cumulativeAmount: v.cumulativeAmount.toString() };
}

/** From the protobuf form; throws VoucherError if the amount is not a decimal integer. */
export function voucherFromProto(p: { chainId: string; escrowId: bigint; cumulativeUnits: bigint; cumulativeAmount: string }): Voucher {
  if (!/^[0-9]{1,39}$/.test(p.cumulativeAmount)) throw new VoucherError(`cumulative_amount "${p.cumulativeAmount}" is not a decimal integer`);
  return { chainId: p.chainId, escrowId: p.escrowId, cumulativeUnits: p.cumulativeUnits, cumulativeAmount: BigInt(p.cumulativeAmount) };
}

/**
 * The JSON form in which a signed voucher travels from consumer to provider (HTTP header or body,
 * files for the CLI): integers as decimal strings, the signature in base64.
 *   {"chain_id":"blockai-1","escrow_id":"7","cumulative_units":"1000","cumulative_amount":"123456789","signature":"..."}
 */
export interface SignedVoucherJson {
  chain_id: string;
  escrow_id: string;
  cumulative_units: string;
  cumulative_amount: string;
  signature: string;
  /** Absent or "raw": the raw kind; "adr036": the ADR-036 kind. */
  signature_kind?: VoucherSignatureKind;
}

export function signedVoucherToJson(s: SignedVoucher): SignedVoucherJson {
  return {
    chain_id: s.voucher.chainId,
    escrow_id: s.voucher.escrowId.toString(),
    cumulative_units: s.voucher.cumulativeUnits.toString(),
    cumulative_amount: s.voucher.cumulativeAmount.toString(),
    signature: toBase64(s.signature),
    ...(s.kind === "adr036" ? { signature_kind: "adr036" as const } : {}),
  };
}

/** Parses the JSON form; throws VoucherError naming the bad field. */
export function signedVoucherFromJson(value: unknown): SignedVoucher {
  if (typeof value !== "object" || value === null) throw new VoucherError("a signed voucher must be a JSON object");
  const o = value as Record<string, unknown>;
  const int = (field: string, digits: number): bigint => {
    const v = o[field];
    if (typeof v !== "string" || !new RegExp(`^(0|[1-9][0-9]{0,${digits - 1}})$`).test(v)) throw new VoucherError(`${field} must be a decimal integer string`);
    return BigInt(v);
  };
  if (typeof o.chain_id !== "string") throw new VoucherError("chain_id must be a string");
  if (typeof o.signature !== "string") throw new VoucherError("signature must be base64");
  let signature: Uint8Array;
  try {
    signature = fromBase64(o.signature);
  } catch {
    throw new VoucherError("signature must be base64");
  }
  const voucher: Voucher = { chainId: o.chain_id, escrowId: int("escrow_id", 20), cumulativeUnits: int("cumulative_units", 20), cumulativeAmount: int("cumulative_amount", 39) };
  voucherSignBytes(voucher); // range checks
  if (o.signature_kind !== undefined && o.signature_kind !== "raw" && o.signature_kind !== "adr036") throw new VoucherError('signature_kind must be "raw" or "adr036"');
  return o.signature_kind === "adr036" ? { voucher, signature, kind: "adr036" } : { voucher, signature };
}
