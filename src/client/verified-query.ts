import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { equalBytes } from "../types/bytes";
import { decodeProof, PROOF_OP_TYPE, verifyMembership, verifyNonMembership } from "../types/proof";

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
  if (!equalBytes(op.key, key)) throw new ProofError("proof is for another key");
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
 * if it is not there yet. With `height`, the node must answer for exactly that height; with
 * `chainId`, the header must be of that chain.
 *
 * Trust: the header is taken from the same RPC node and its commit signatures are NOT checked,
 * so this protects against a node serving a value that does not match its own chain's headers,
 * not against a node that lies about the headers too. Verifying the header against a trusted
 * validator set (a light client) is the caller's part for now.
 */
export async function queryVerified(
  client: Comet38Client,
  key: Uint8Array,
  options: { height?: number; chainId?: string; waitMs?: number } = {},
): Promise<ProvenValue> {
  const res = await client.abciQuery({ path: STORE_QUERY_PATH, data: key, prove: true, height: options.height });
  if (res.code) throw new Error(`query failed with code ${res.code}: ${res.log ?? ""}`);
  if (!res.height) throw new Error("query returned no height");
  const height = res.height;
  // Height 0 asks for the latest state, as in CometBFT: any height answers it.
  if (options.height !== undefined && options.height !== 0 && height !== options.height) {
    throw new ProofError(`asked for the state at height ${options.height}, the node answered for height ${height}`);
  }
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  let header: { height: number; chainId: string; appHash: Uint8Array } | undefined;
  for (;;) {
    try {
      header = (await client.block(height + 1)).block.header;
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`block ${height + 1} did not appear: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  if (header.height !== height + 1) throw new ProofError(`asked for header ${height + 1}, got header ${header.height}`);
  if (options.chainId !== undefined && header.chainId !== options.chainId) {
    throw new ProofError(`header is of chain "${header.chainId}", not "${options.chainId}"`);
  }
  // An empty value is either an absent key or a key holding zero bytes: the proof says which.
  const value = res.value.length > 0 || provesLeaf(res.proof?.ops ?? []) ? res.value : undefined;
  verifyStateProof(header.appHash, key, value, res.proof?.ops ?? []);
  return { value, height, appHash: header.appHash };
}

/** Whether the (single) proof op ends at a leaf, i.e. claims membership. */
function provesLeaf(ops: ReadonlyArray<{ type: string; data: Uint8Array }>): boolean {
  if (ops.length !== 1 || ops[0].type !== PROOF_OP_TYPE) return false;
  try {
    return decodeProof(ops[0].data).terminal.type === "leaf";
  } catch {
    return false; // verifyStateProof reports the malformed proof
  }
}
