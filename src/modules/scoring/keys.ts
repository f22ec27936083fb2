/**
 * The scoring module's state layout (under "scoring/"). Part of the protocol: clients may read
 * these keys with Merkle proofs. Epochs, heights and model ids are u64 big-endian so that key
 * order is numeric order; addresses are length-prefixed bytes.
 *
 *   0x00                                      Params
 *   0x01 | len(validator) | validator          scorer address bytes of a validator
 *   0x02 | len(scorer) | scorer                validator operator bytes the scorer signs for
 *   0x03 | epoch | len(validator) | validator  Commitment
 *   0x04 | epoch | len(validator) | validator  Reveal (until the epoch's consensus is computed)
 *   0x05 | reveal_end_height | epoch           0x01: an epoch whose consensus is due at that height
 *   0x06 | epoch                               EpochResult
 *   0x07 | epoch | model_id                    ModelScore
 *   0x08 | epoch | len(validator) | validator  ValidatorAgreement
 *
 * Browser-safe: leaf imports only.
 */
import { concatBytes as concat, u64be } from "../../types/bytes";

export const SCORING_STORE_PREFIX = new TextEncoder().encode("scoring/");

export const PARAMS_KEY = Uint8Array.of(0x00);
export const SCORER_PREFIX = 0x01;
export const SCORER_INDEX_PREFIX = 0x02;
export const COMMITMENT_PREFIX = 0x03;
export const REVEAL_PREFIX = 0x04;
export const DUE_PREFIX = 0x05;
export const EPOCH_RESULT_PREFIX = 0x06;
export const MODEL_SCORE_PREFIX = 0x07;
export const AGREEMENT_PREFIX = 0x08;
/** Value of marker entries (state has no empty values). */
export const MARKER = Uint8Array.of(0x01);

const lp = (address: Uint8Array) => concat(Uint8Array.of(address.length), address);

export const scorerKey = (validator: Uint8Array) => concat(Uint8Array.of(SCORER_PREFIX), lp(validator));
export const scorerIndexKey = (scorer: Uint8Array) => concat(Uint8Array.of(SCORER_INDEX_PREFIX), lp(scorer));
export const commitmentsPrefix = (epoch: bigint) => concat(Uint8Array.of(COMMITMENT_PREFIX), u64be(epoch));
export const commitmentKey = (epoch: bigint, validator: Uint8Array) => concat(commitmentsPrefix(epoch), lp(validator));
export const revealsPrefix = (epoch: bigint) => concat(Uint8Array.of(REVEAL_PREFIX), u64be(epoch));
export const revealKey = (epoch: bigint, validator: Uint8Array) => concat(revealsPrefix(epoch), lp(validator));
export const dueKey = (height: bigint, epoch: bigint) => concat(Uint8Array.of(DUE_PREFIX), u64be(height), u64be(epoch));
export const epochResultKey = (epoch: bigint) => concat(Uint8Array.of(EPOCH_RESULT_PREFIX), u64be(epoch));
export const modelScoresPrefix = (epoch: bigint) => concat(Uint8Array.of(MODEL_SCORE_PREFIX), u64be(epoch));
export const modelScoreKey = (epoch: bigint, modelId: bigint) => concat(modelScoresPrefix(epoch), u64be(modelId));
export const agreementsPrefix = (epoch: bigint) => concat(Uint8Array.of(AGREEMENT_PREFIX), u64be(epoch));
export const agreementKey = (epoch: bigint, validator: Uint8Array) => concat(agreementsPrefix(epoch), lp(validator));

/** The full state key (as committed in the app hash) of a scoring-store key. */
export function scoringStateKey(key: Uint8Array): Uint8Array {
  return concat(SCORING_STORE_PREFIX, key);
}

/** The validator bytes at the end of a `prefix | len | address` key. */
export function trailingAddress(key: Uint8Array, prefixLength: number): Uint8Array {
  const len = key[prefixLength];
  return key.slice(prefixLength + 1, prefixLength + 1 + len);
}

export { u64be, readU64be } from "../../types/bytes";
