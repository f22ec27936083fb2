import { CertificateKind, type Params } from "../../gen/blockai/pow/v1/pow";
import { MAX_TARGET, parseTargetHex, targetToHex } from "./seal";

/** The module's parameters as numbers. */
export interface PowParams {
  anchorWindow: bigint;
  maxCertsPerBlock: bigint;
  targetCertsPerEpoch: bigint;
  minTarget: bigint;
  maxTarget: bigint;
  maxCertsPerMinerPerBlock: bigint;
  /** Kinds accepted, ascending, no duplicates (CertificateKind values). */
  acceptedKinds: CertificateKind[];
  /** Share of the miners' pool paid for matmul work, basis points. */
  matmulRewardShareBps: number;
  /** Tally entries of unclaimable epochs pruned per block at most (0: no pruning). */
  prunePerBlock: bigint;
}

export { CertificateKind };
export const KIND_NAMES: Record<number, string> = { [CertificateKind.CERTIFICATE_KIND_SHA256]: "sha256", [CertificateKind.CERTIFICATE_KIND_MATMUL]: "matmul" };

/** Defaults for a production chain (block ~6 s, epoch 14,400 blocks). */
export const DEFAULT_POW_PARAMS: PowParams = {
  anchorWindow: 32n,
  maxCertsPerBlock: 20n,
  targetCertsPerEpoch: 7_200n,
  minTarget: 1n,
  maxTarget: MAX_TARGET,
  // A tenth of a block's slots: at least ten miners share every full block.
  maxCertsPerMinerPerBlock: 2n,
  acceptedKinds: [CertificateKind.CERTIFICATE_KIND_SHA256, CertificateKind.CERTIFICATE_KIND_MATMUL],
  matmulRewardShareBps: 5000,
  prunePerBlock: 256n,
};
/** Initial matmul target: one tile in 1,024 is a certificate. */
export const DEFAULT_MATMUL_TARGET = (1n << 246n) - 1n;
/** Localnets and test networks: one tile in 64. */
export const LOCALNET_MATMUL_TARGET = (1n << 250n) - 1n;
/** A block's pruning stays a small part of its work whatever governance sets. */
export const MAX_PRUNE_PER_BLOCK = 100_000n;
/** Initial target: 2^232 - 1, i.e. 2^24 (~16.8 million) expected hashes per certificate. */
export const DEFAULT_INITIAL_TARGET = (1n << 232n) - 1n;
/** Localnets and test networks: 2^14 (16,384) expected hashes, a few milliseconds on one core. */
export const LOCALNET_POW_TARGET = (1n << 242n) - 1n;

/** The rules genesis applies to params (and a MsgUpdateParams would): throws naming the field. */
export function validateParams(p: PowParams, where = "pow.params"): void {
  if (p.anchorWindow < 1n) throw new Error(`${where}.anchor_window must be >= 1`);
  if (p.maxCertsPerBlock < 1n) throw new Error(`${where}.max_certs_per_block must be >= 1`);
  if (p.targetCertsPerEpoch < 1n) throw new Error(`${where}.target_certs_per_epoch must be >= 1`);
  if (p.minTarget < 1n) throw new Error(`${where}.min_target must be >= 1`);
  if (p.maxTarget > MAX_TARGET) throw new Error(`${where}.max_target must be < 2^256`);
  if (p.minTarget > p.maxTarget) throw new Error(`${where}.min_target must be <= max_target`);
  if (p.maxCertsPerMinerPerBlock < 1n || p.maxCertsPerMinerPerBlock > p.maxCertsPerBlock) {
    throw new Error(`${where}.max_certs_per_miner_per_block must be in 1..max_certs_per_block`);
  }
  if (p.acceptedKinds.length === 0) throw new Error(`${where}.accepted_kinds must name at least one kind`);
  for (const [i, k] of p.acceptedKinds.entries()) {
    if (KIND_NAMES[k] === undefined) throw new Error(`${where}.accepted_kinds[${i}]: unknown kind ${k}`);
    if (i > 0 && p.acceptedKinds[i - 1] >= k) throw new Error(`${where}.accepted_kinds must be ascending without duplicates`);
  }
  if (!Number.isInteger(p.matmulRewardShareBps) || p.matmulRewardShareBps < 0 || p.matmulRewardShareBps > 10_000) {
    throw new Error(`${where}.matmul_reward_share_bps must be in 0..10000`);
  }
  if (p.prunePerBlock > MAX_PRUNE_PER_BLOCK) throw new Error(`${where}.prune_per_block must be <= ${MAX_PRUNE_PER_BLOCK}`);
}

/** Parses a kind name ("sha256", "matmul", or the enum's name/number); throws naming `where`. */
export function parseKind(value: unknown, where: string): CertificateKind {
  for (const [k, name] of Object.entries(KIND_NAMES)) {
    if (value === name || value === CertificateKind[Number(k)] || value === Number(k)) return Number(k) as CertificateKind;
  }
  throw new Error(`${where}: unknown certificate kind ${JSON.stringify(value)} (sha256 or matmul)`);
}

export function paramsToProto(p: PowParams): Params {
  return {
    anchorWindow: p.anchorWindow,
    maxCertsPerBlock: p.maxCertsPerBlock,
    targetCertsPerEpoch: p.targetCertsPerEpoch,
    minTarget: targetToHex(p.minTarget),
    maxTarget: targetToHex(p.maxTarget),
    maxCertsPerMinerPerBlock: p.maxCertsPerMinerPerBlock,
    acceptedKinds: [...p.acceptedKinds],
    matmulRewardShareBps: p.matmulRewardShareBps,
    prunePerBlock: p.prunePerBlock,
  };
}

export function paramsFromProto(p: Params): PowParams {
  return {
    anchorWindow: p.anchorWindow,
    maxCertsPerBlock: p.maxCertsPerBlock,
    targetCertsPerEpoch: p.targetCertsPerEpoch,
    minTarget: parseTargetHex(p.minTarget, "pow.params.min_target"),
    maxTarget: parseTargetHex(p.maxTarget, "pow.params.max_target"),
    maxCertsPerMinerPerBlock: p.maxCertsPerMinerPerBlock === 0n ? p.maxCertsPerBlock : p.maxCertsPerMinerPerBlock,
    // Params written before matmul certificates existed accept sha256 only.
    acceptedKinds: p.acceptedKinds.length === 0 ? [CertificateKind.CERTIFICATE_KIND_SHA256] : [...p.acceptedKinds],
    matmulRewardShareBps: p.matmulRewardShareBps,
    prunePerBlock: p.prunePerBlock,
  };
}
