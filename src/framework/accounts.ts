/**
 * Module accounts every module may name: the fee collector receives tx fees in the ante handler
 * and is emptied by distribution at the next block's start.
 */
export const FEE_COLLECTOR = "fee_collector";
