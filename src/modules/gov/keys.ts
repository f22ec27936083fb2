/**
 * The gov module's state layout (under the "gov/" prefix). Part of the protocol: clients may build
 * these keys to read a proposal with a Merkle proof. No Node-only imports here.
 *
 *   0x00 | id u64                         Proposal (cosmos.gov.v1.Proposal, protobuf)
 *   0x01 | deposit end ns u64 | id u64    inactive queue: proposals in their deposit period (value 0x01)
 *   0x02 | voting end ns u64 | id u64     active queue: proposals in their voting period (value 0x01)
 *   0x03                                  next proposal id (u64)
 *   0x04                                  Params (cosmos.gov.v1.Params, protobuf)
 *   0x10 | id u64 | len u8 | depositor    deposit (cosmos.gov.v1.Deposit, protobuf)
 *   0x20 | id u64 | len u8 | voter        vote (cosmos.gov.v1.Vote, protobuf)
 * Integers are big-endian so keys sort numerically, queues by time then id (the SDK's order).
 */
import { concatBytes as concat, readU64be, u64be } from "../../types/bytes";

export const GOV_STORE_PREFIX = new TextEncoder().encode("gov/");
export const PROPOSAL_PREFIX = 0x00;
export const INACTIVE_QUEUE_PREFIX = 0x01;
export const ACTIVE_QUEUE_PREFIX = 0x02;
export const NEXT_PROPOSAL_ID_KEY = Uint8Array.of(0x03);
export const PARAMS_KEY = Uint8Array.of(0x04);
export const DEPOSIT_PREFIX = 0x10;
export const VOTE_PREFIX = 0x20;
/** Value of queue entries (state has no empty values). */
export const QUEUE_VALUE = Uint8Array.of(0x01);

export function proposalKey(id: bigint): Uint8Array {
  return concat(Uint8Array.of(PROPOSAL_PREFIX), u64be(id));
}

export function queueKey(prefix: number, timeNs: bigint, id: bigint): Uint8Array {
  return concat(Uint8Array.of(prefix), u64be(timeNs), u64be(id));
}

/** The id of a queue entry's key. */
export function queueEntryId(key: Uint8Array): bigint {
  return readU64be(key, 9);
}

export function depositsPrefix(id: bigint): Uint8Array {
  return concat(Uint8Array.of(DEPOSIT_PREFIX), u64be(id));
}

export function depositKey(id: bigint, depositor: Uint8Array): Uint8Array {
  return concat(depositsPrefix(id), Uint8Array.of(depositor.length), depositor);
}

export function votesPrefix(id: bigint): Uint8Array {
  return concat(Uint8Array.of(VOTE_PREFIX), u64be(id));
}

export function voteKey(id: bigint, voter: Uint8Array): Uint8Array {
  return concat(votesPrefix(id), Uint8Array.of(voter.length), voter);
}

/** The full state key (as committed in the app hash) of a proposal. */
export function proposalStateKey(id: bigint): Uint8Array {
  return concat(GOV_STORE_PREFIX, proposalKey(id));
}
