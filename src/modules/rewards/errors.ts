import { ErrorKind } from "../../types/errors";

const e = (code: number, description: string) => new ErrorKind("rewards", code, description);

/** The rewards module's codespace; code 1 is left unused as in Cosmos SDK modules. */
export const RewardsErrors = {
  NothingToClaim: e(2, "no rewards to claim"),
  InvalidKind: e(3, "invalid reward kind"),
  ModelNotFound: e(4, "model not found"),
  ModelRetired: e(5, "model is retired"),
  InvalidPayoutAddress: e(6, "invalid payout address"),
  EpochNotFound: e(7, "epoch rewards not found"),
} as const;
