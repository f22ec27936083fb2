import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { decodeProof, PROOF_OP_TYPE, verifyMembership, verifyNonMembership } from "./proof";

/** ABCI query path for raw state reads (see the README's "State and proofs"). */
export const STORE_QUERY_PATH = "/store/state/key";

export interface ProvenValue {
  /** The value, or undefined if the key is absent (proven absent). */
  value: Uint8Array | undefined;
  /** The height whose state was read; the proof is checked against header(height + 1).app_hash. */
  height: number;
  appHash: Uint8Array;
}

export class ProofError extends Error {}

/**
 * Verifies a state read against an app hash: membership if `value` is given, else non-membership.
 * Throws ProofError with the reason when the proof does not hold.
 */
export function verifyStateProof(appHash: Uint8Array, key: Uint8Array, value: Uint8Array | undefined, ops: ReadonlyArray<{ type: string; key: Uint8Array; data: Uint8Array }>): void {
  if (ops.length !== 1) throw new ProofError(`expected exactly one proof op, got ${ops.length}`);
  const op = ops[0];
  if (op.type !== PROOF_OP_TYPE) throw new ProofError(`unexpected proof op type "${op.type}", expected "${PROOF_OP_TYPE}"`);
  if (!Buffer.from(op.key).equals(Buffer.from(key))) throw new ProofError("proof is for another key");
  let proof;
  try {
    proof = decodeProof(op.data);
  } catch (e) {
    throw new ProofError(`malformed proof: ${(e as Error).message}`);
  }
  const ok = value === undefined ? verifyNonMembership(appHash, key, proof) : verifyMembership(appHash, key, value, proof);
  if (!ok) throw new ProofError(value === undefined ? "non-membership proof does not verify against the app hash" : "membership proof does not verify against the app hash");
}

/**
 * Reads a raw state key with a Merkle proof and checks it against the app hash in the header of
 * the next block (the header at H+1 commits to the state after block H). Waits for that block
 * if it is not there yet.
 *
 * Trust: the header is taken from the same RPC node. Verifying the header's commit signatures
 * against a trusted validator set (a light client) is the caller's part for now.
 */
export async function queryVerified(client: Comet38Client, key: Uint8Array, options: { height?: number; waitMs?: number } = {}): Promise<ProvenValue> {
  const res = await client.abciQuery({ path: STORE_QUERY_PATH, data: key, prove: true, height: options.height });
  if (res.code) throw new Error(`query failed with code ${res.code}: ${res.log ?? ""}`);
  if (!res.height) throw new Error("query returned no height");
  const height = res.height;
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  let appHash: Uint8Array | undefined;
  for (;;) {
    try {
      appHash = (await client.block(height + 1)).block.header.appHash;
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`block ${height + 1} did not appear: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const value = res.value.length > 0 ? res.value : undefined;
  verifyStateProof(appHash, key, value, res.proof?.ops ?? []);
  return { value, height, appHash };
}
