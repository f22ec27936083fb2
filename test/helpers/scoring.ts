/** Message builders and helpers for the scoring tests. */
import type { Any } from "cosmjs-types/google/protobuf/any";
import { sha256 } from "@noble/hashes/sha2.js";
import { MsgCommitScores, MsgRevealScores, MsgSetScorer } from "../../src/gen/blockai/scoring/v1/tx";
import { computeCommitment, Score } from "../../src/modules/scoring";
import type { Driver } from "./driver";

export function setScorerMsg(validator: string, scorer: string): Any {
  return { typeUrl: "/blockai.scoring.v1.MsgSetScorer", value: MsgSetScorer.encode({ validator, scorer }).finish() };
}

export function commitMsg(scorer: string, epoch: bigint, commitment: Uint8Array): Any {
  return { typeUrl: "/blockai.scoring.v1.MsgCommitScores", value: MsgCommitScores.encode({ scorer, epoch, commitment }).finish() };
}

export function revealMsg(scorer: string, epoch: bigint, salt: Uint8Array, scores: readonly Score[]): Any {
  return { typeUrl: "/blockai.scoring.v1.MsgRevealScores", value: MsgRevealScores.encode({ scorer, epoch, salt, scores: [...scores] }).finish() };
}

/** A deterministic 32-byte salt per label. */
export const saltOf = (label: string) => sha256(new TextEncoder().encode(`salt-${label}`));

export function commitmentFor(d: Driver, epoch: bigint, validator: Uint8Array, salt: Uint8Array, scores: readonly Score[]): Uint8Array {
  return computeCommitment(d.chainId, epoch, validator, salt, scores);
}

/** The epoch the next block belongs to. */
export const currentEpoch = (d: Driver) => d.app.keepers.epochs.current(d.store);

/** Runs empty blocks until the next block belongs to `epoch`. */
export async function untilEpoch(d: Driver, epoch: bigint): Promise<void> {
  while (currentEpoch(d).number < epoch) await d.block();
}
