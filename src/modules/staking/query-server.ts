import { RedelegationResponse, bondStatusFromJSON } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { decodeAddress } from "../../types/address";
import { ChainError, SdkErrors } from "../../types/errors";
import { decTruncateInt } from "../../types/dec";
import type { QueryHandler } from "../../framework/module";
import { paginate } from "../../framework/pagination";
import { serveQueries } from "../../framework/query-server";
import { KVStore, PrefixStore } from "../../store/kv";
import type { StakingKeeper } from "./keeper";
import * as K from "./keys";
import { stakingParamsToProto } from "./params";
import { StakingQuery } from "./service";
import {
  BondStatus,
  Delegation,
  Redelegation,
  delegationToProto,
  redToProto,
  tokensFromShares,
  ubdToProto,
  validatorToProto,
  valoperBytes,
} from "./types";

function notFound(what: string): ChainError {
  return SdkErrors.KeyNotFound.wrap(`rpc error: code = NotFound desc = ${what}`);
}

function emptyAddress(value: string, what: string): void {
  if (value === "") throw SdkErrors.InvalidRequest.wrap(`${what} cannot be empty`);
}

/** The cosmos.staking.v1beta1.Query service, served through its table (./service). */
export function stakingQueryHandlers(keeper: StakingKeeper): QueryHandler[] {
  const st = (root: KVStore) => new PrefixStore(root, K.STAKING_STORE_PREFIX);
  const delegationResponse = (root: KVStore, d: Delegation) => {
    const v = keeper.getValidator(root, d.validator);
    const balance = v ? decTruncateInt(tokensFromShares(v, d.shares)) : 0n;
    return { delegation: delegationToProto(d), balance: { denom: keeper.bondDenom(root), amount: balance.toString() } };
  };
  const redelegationResponse = (root: KVStore, r: Redelegation): RedelegationResponse => {
    const dst = keeper.getValidator(root, r.dst);
    const proto = redToProto(r);
    return {
      redelegation: proto,
      entries: proto.entries.map((e, i) => ({
        redelegationEntry: e,
        balance: (dst ? decTruncateInt(tokensFromShares(dst, r.entries[i].sharesDst)) : 0n).toString(),
      })),
    };
  };
  return serveQueries(StakingQuery, {
    Validators(ctx, req) {
      let status: BondStatus | undefined;
      if (req.status !== "") {
        status = bondStatusFromJSON(req.status);
        if (status === BondStatus.UNRECOGNIZED || status === BondStatus.BOND_STATUS_UNSPECIFIED) {
          throw SdkErrors.InvalidRequest.wrap(`invalid validator status ${req.status}`);
        }
      }
      const { items, pagination } = paginate(st(ctx.store), Uint8Array.of(K.VALIDATOR_PREFIX), Uint8Array.of(K.VALIDATOR_PREFIX + 1), req.pagination, (k) => {
        const v = keeper.getValidator(ctx.store, K.readLp(k, 1)[0]);
        return v && (status === undefined || v.status === status) ? validatorToProto(v) : undefined;
      });
      return { validators: items, pagination };
    },
    Validator(ctx, req) {
      emptyAddress(req.validatorAddr, "validator address");
      const v = keeper.getValidator(ctx.store, valoperBytes(req.validatorAddr));
      if (!v) throw notFound(`validator ${req.validatorAddr} not found`);
      return { validator: validatorToProto(v) };
    },
    ValidatorDelegations(ctx, req) {
      emptyAddress(req.validatorAddr, "validator address");
      const op = valoperBytes(req.validatorAddr);
      const prefix = K.delegationsByValPrefix(op);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const d = keeper.getDelegation(ctx.store, K.readLp(k, prefix.length)[0], op);
        return d ? delegationResponse(ctx.store, d) : undefined;
      });
      return { delegationResponses: page.items, pagination: page.pagination };
    },
    ValidatorUnbondingDelegations(ctx, req) {
      emptyAddress(req.validatorAddr, "validator address");
      const op = valoperBytes(req.validatorAddr);
      const prefix = K.ubdsByValPrefix(op);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const u = keeper.getUnbondingDelegation(ctx.store, K.readLp(k, prefix.length)[0], op);
        return u ? ubdToProto(u) : undefined;
      });
      return { unbondingResponses: page.items, pagination: page.pagination };
    },
    Delegation(ctx, req) {
      emptyAddress(req.delegatorAddr, "delegator address");
      emptyAddress(req.validatorAddr, "validator address");
      const d = keeper.getDelegation(ctx.store, decodeAddress(req.delegatorAddr, "delegator address"), valoperBytes(req.validatorAddr));
      if (!d) throw notFound(`delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`);
      return { delegationResponse: delegationResponse(ctx.store, d) };
    },
    UnbondingDelegation(ctx, req) {
      emptyAddress(req.delegatorAddr, "delegator address");
      emptyAddress(req.validatorAddr, "validator address");
      const u = keeper.getUnbondingDelegation(ctx.store, decodeAddress(req.delegatorAddr, "delegator address"), valoperBytes(req.validatorAddr));
      if (!u) throw notFound(`unbonding delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`);
      return { unbond: ubdToProto(u) };
    },
    DelegatorDelegations(ctx, req) {
      emptyAddress(req.delegatorAddr, "delegator address");
      const del = decodeAddress(req.delegatorAddr, "delegator address");
      const prefix = K.delegationsOfDelegatorPrefix(del);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const d = keeper.getDelegation(ctx.store, del, K.readLp(k, prefix.length)[0]);
        return d ? delegationResponse(ctx.store, d) : undefined;
      });
      return { delegationResponses: page.items, pagination: page.pagination };
    },
    DelegatorUnbondingDelegations(ctx, req) {
      emptyAddress(req.delegatorAddr, "delegator address");
      const del = decodeAddress(req.delegatorAddr, "delegator address");
      const prefix = K.ubdsOfDelegatorPrefix(del);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const u = keeper.getUnbondingDelegation(ctx.store, del, K.readLp(k, prefix.length)[0]);
        return u ? ubdToProto(u) : undefined;
      });
      return { unbondingResponses: page.items, pagination: page.pagination };
    },
    Redelegations(ctx, req) {
      const del = req.delegatorAddr ? decodeAddress(req.delegatorAddr, "delegator address") : undefined;
      const src = req.srcValidatorAddr ? valoperBytes(req.srcValidatorAddr, "source validator address") : undefined;
      const dst = req.dstValidatorAddr ? valoperBytes(req.dstValidatorAddr, "destination validator address") : undefined;
      if (del && src && dst) {
        const r = keeper.getRedelegation(ctx.store, del, src, dst);
        if (!r) throw notFound(`redelegation not found for delegator address ${req.delegatorAddr} from validator address ${req.srcValidatorAddr}`);
        return { redelegationResponses: [redelegationResponse(ctx.store, r)], pagination: undefined };
      }
      if (del) {
        const prefix = src ? K.redsOfDelegatorFromSrcPrefix(del, src) : K.redsOfDelegatorPrefix(del);
        const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
          const [, o1] = K.readLp(k, 1);
          const [s, o2] = K.readLp(k, o1);
          const [d] = K.readLp(k, o2);
          const r = keeper.getRedelegation(ctx.store, del, s, d);
          return r && (!dst || Buffer.from(d).equals(Buffer.from(dst))) ? redelegationResponse(ctx.store, r) : undefined;
        });
        return { redelegationResponses: page.items, pagination: page.pagination };
      }
      if (src) {
        const prefix = K.redsBySrcPrefix(src);
        const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
          const [d1, o] = K.readLp(k, prefix.length);
          const [d2] = K.readLp(k, o);
          const r = keeper.getRedelegation(ctx.store, d1, src, d2);
          return r && (!dst || Buffer.from(d2).equals(Buffer.from(dst))) ? redelegationResponse(ctx.store, r) : undefined;
        });
        return { redelegationResponses: page.items, pagination: page.pagination };
      }
      throw SdkErrors.InvalidRequest.wrap("give a delegator address or a source validator address");
    },
    DelegatorValidators(ctx, req) {
      emptyAddress(req.delegatorAddr, "delegator address");
      const del = decodeAddress(req.delegatorAddr, "delegator address");
      const prefix = K.delegationsOfDelegatorPrefix(del);
      const page = paginate(st(ctx.store), prefix, endOf(prefix), req.pagination, (k) => {
        const v = keeper.getValidator(ctx.store, K.readLp(k, prefix.length)[0]);
        return v ? validatorToProto(v) : undefined;
      });
      return { validators: page.items, pagination: page.pagination };
    },
    DelegatorValidator(ctx, req) {
      const del = decodeAddress(req.delegatorAddr, "delegator address");
      const op = valoperBytes(req.validatorAddr);
      if (!keeper.getDelegation(ctx.store, del, op)) throw notFound(`delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`);
      const v = keeper.getValidator(ctx.store, op);
      if (!v) throw notFound(`validator ${req.validatorAddr} not found`);
      return { validator: validatorToProto(v) };
    },
    Pool(ctx) {
      const p = keeper.poolBalances(ctx.store);
      return { pool: { notBondedTokens: p.notBonded.toString(), bondedTokens: p.bonded.toString() } };
    },
    Params: (ctx) => ({ params: stakingParamsToProto(keeper.getParams(ctx.store)) }),
  });
}

function endOf(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i]++;
      return end;
    }
  }
  return undefined;
}
