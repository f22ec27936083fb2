import { fromBech32, toBech32 } from "@cosmjs/encoding";
import type { ValidatorSigningInfo } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { SlashingQuery } from "../../modules/slashing/service";
import { VALIDATOR_CONSENSUS_PREFIX } from "../../types/address";
import { UsageError } from "../args";
import type { Command, ModuleCli } from "../command";
import { queryNode } from "../connect";
import { QUERY_FLAGS } from "../flags";
import { keyValues, table } from "../output";
import { fromArg, signAndBroadcast, txOptions } from "../txflow";
import { POS_TX_FLAGS, decText, operatorOf } from "./staking";

function infoJson(i: ValidatorSigningInfo) {
  return {
    address: i.address,
    start_height: String(i.startHeight),
    index_offset: String(i.indexOffset),
    jailed_until: new Date(Number(i.jailedUntil.seconds) * 1000).toISOString(),
    tombstoned: i.tombstoned,
    missed_blocks_counter: String(i.missedBlocksCounter),
  };
}

/** A soavalcons1... address, or CometBFT's hex validator address. */
function consArg(text: string): string {
  if (/^[0-9A-Fa-f]{40}$/.test(text)) return toBech32(VALIDATOR_CONSENSUS_PREFIX, Buffer.from(text, "hex"));
  try {
    if (fromBech32(text, 90).prefix === VALIDATOR_CONSENSUS_PREFIX) return text;
  } catch {
    /* below */
  }
  throw new UsageError(`"${text}" is not a ${VALIDATOR_CONSENSUS_PREFIX}1... address or a hex validator address`);
}

const unjail: Command = {
  name: "unjail",
  summary: "bring the --from key's jailed validator back (after its jail time; never after double signing)",
  flags: POS_TX_FLAGS,
  async run(ctx) {
    txOptions(ctx);
    return signAndBroadcast(ctx, {
      from: fromArg(ctx),
      msgs: (sender) => [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: MsgUnjail.fromPartial({ validatorAddr: operatorOf(sender) }) }],
      summary: [["unjail", "the validator operated by this key"]],
    });
  },
};

const signingInfo: Command = {
  name: "signing-info",
  summary: "a validator's liveness record (missed blocks, jail, tombstone)",
  usage: "CONSENSUS_ADDRESS",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const cons = consArg(ctx.args[0]);
    const r = await queryNode(ctx, SlashingQuery.SigningInfo, { consAddress: cons });
    const j = infoJson(r.valSigningInfo);
    ctx.print(keyValues(Object.entries(j).map(([k, v]) => [k.replace(/_/g, " "), String(v)])), j);
  },
};

const signingInfos: Command = {
  name: "signing-infos",
  summary: "every validator's liveness record",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const r = await queryNode(ctx, SlashingQuery.SigningInfos, { pagination: { key: new Uint8Array(), offset: 0n, limit: 1000n, countTotal: false, reverse: false } });
    const list = r.info.map(infoJson);
    ctx.print(table(list.map((i) => [i.address, i.missed_blocks_counter, i.tombstoned ? "tombstoned" : i.jailed_until]), ["ADDRESS", "MISSED", "JAILED UNTIL"]), { signing_infos: list });
  },
};

const params: Command = {
  name: "params",
  summary: "slashing parameters",
  flags: QUERY_FLAGS,
  async run(ctx) {
    const p = (await queryNode(ctx, SlashingQuery.Params, {})).params;
    const dec = (b: Uint8Array) => decText(new TextDecoder().decode(b));
    const j = {
      signed_blocks_window: String(p.signedBlocksWindow),
      min_signed_per_window: dec(p.minSignedPerWindow),
      downtime_jail_duration: `${p.downtimeJailDuration.seconds}s`,
      slash_fraction_double_sign: dec(p.slashFractionDoubleSign),
      slash_fraction_downtime: dec(p.slashFractionDowntime),
    };
    ctx.print(keyValues(Object.entries(j).map(([k, v]) => [k.replace(/_/g, " "), v])), j);
  },
};

export const slashingCli: ModuleCli = {
  name: "slashing",
  summary: "validator liveness, jail and unjail",
  tx: [unjail],
  query: [signingInfo, signingInfos, params],
  // MsgUnjail is not in CosmJS's default registry.
  types: [["/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail]],
};
