/**
 * Module accounts every module may name: the fee collector receives tx fees in the ante handler
 * and is emptied by distribution at the next block's start.
 */
export const FEE_COLLECTOR = "fee_collector";
/**
 * The gov module account: it holds proposal deposits, and it is the authority, the only signer of
 * every module's MsgUpdateParams (they run when a proposal passes).
 */
export const GOV_MODULE_ACCOUNT = "gov";
