import { BASE_DENOM, checkUsoa } from "../../types/coins";
import { atField } from "../../types/json";
import type { Params } from "../../gen/blockai/registry/v1/registry";
import { LIMITS } from "./validation";

export const DEFAULT_REGISTRY_PARAMS: Params = {
  minModelBond: { denom: BASE_DENOM, amount: "10000000" }, // 10 SOA
  bondReturnDelay: 100_800n, // about 7 days at 6 s blocks
  maxOperators: 10,
};

/** The rules genesis applies to params (and a MsgUpdateParams would): throws naming the field. */
export function validateRegistryParams(p: Params, where = "registry.params"): void {
  atField(`${where}.min_model_bond`, () => checkUsoa(p.minModelBond, "min_model_bond", true));
  if (p.maxOperators > LIMITS.operatorsHardCap) throw new Error(`${where}.max_operators: at most ${LIMITS.operatorsHardCap}`);
}
