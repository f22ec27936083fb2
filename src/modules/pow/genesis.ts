import { decodeAddress, encodeAddress } from "../../types/address";
import { arr, obj, optional, str, u64 } from "../../types/genesis-json";
import type { Context } from "../../framework/module";
import type { PowKeeper } from "./keeper";
import { CertificateKind, DEFAULT_INITIAL_TARGET, DEFAULT_MATMUL_TARGET, DEFAULT_POW_PARAMS, type PowParams, parseKind, validateParams } from "./params";
import { parseTargetHex, targetToHex } from "./seal";
import { talliesPrunedBelow } from "./prune";

function hex32(value: unknown, where: string): Uint8Array {
  const s = str(value, where);
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw new Error(`${where}: expected 64 hexadecimal digits`);
  return Buffer.from(s, "hex");
}

function decimal(value: unknown, where: string): bigint {
  const s = str(value, where);
  if (!/^(0|[1-9][0-9]*)$/.test(s) || s.length > 90) throw new Error(`${where}: expected a non-negative decimal integer as a string`);
  return BigInt(s);
}

function readParams(value: unknown): PowParams {
  const p = obj(value ?? {}, "pow.params");
  const d = DEFAULT_POW_PARAMS;
  const params: PowParams = {
    anchorWindow: p.anchor_window === undefined ? d.anchorWindow : u64(p.anchor_window, "pow.params.anchor_window"),
    maxCertsPerBlock: p.max_certs_per_block === undefined ? d.maxCertsPerBlock : u64(p.max_certs_per_block, "pow.params.max_certs_per_block"),
    targetCertsPerEpoch:
      p.target_certs_per_epoch === undefined ? d.targetCertsPerEpoch : u64(p.target_certs_per_epoch, "pow.params.target_certs_per_epoch"),
    minTarget: p.min_target === undefined ? d.minTarget : parseTargetHex(str(p.min_target, "pow.params.min_target"), "pow.params.min_target"),
    maxTarget: p.max_target === undefined ? d.maxTarget : parseTargetHex(str(p.max_target, "pow.params.max_target"), "pow.params.max_target"),
    maxCertsPerMinerPerBlock: 0n,
    acceptedKinds:
      p.accepted_kinds === undefined
        ? [CertificateKind.CERTIFICATE_KIND_SHA256]
        : arr(p.accepted_kinds, "pow.params.accepted_kinds").map((k, i) => parseKind(k, `pow.params.accepted_kinds[${i}]`)),
    matmulRewardShareBps: p.matmul_reward_share_bps === undefined ? 0 : Number(u64(p.matmul_reward_share_bps, "pow.params.matmul_reward_share_bps")),
    prunePerBlock: p.prune_per_block === undefined ? d.prunePerBlock : u64(p.prune_per_block, "pow.params.prune_per_block"),
  };
  // Absent: the default, but never above max_certs_per_block (a genesis that lowers only that).
  params.maxCertsPerMinerPerBlock =
    p.max_certs_per_miner_per_block === undefined
      ? (d.maxCertsPerMinerPerBlock < params.maxCertsPerBlock ? d.maxCertsPerMinerPerBlock : params.maxCertsPerBlock)
      : u64(p.max_certs_per_miner_per_block, "pow.params.max_certs_per_miner_per_block");
  for (const k of Object.keys(p)) {
    if (!["anchor_window", "max_certs_per_block", "target_certs_per_epoch", "min_target", "max_target", "max_certs_per_miner_per_block", "accepted_kinds", "matmul_reward_share_bps", "prune_per_block"].includes(k)) {
      throw new Error(`pow.params.${k}: unknown parameter`);
    }
  }
  validateParams(params);
  return params;
}

function paramsToJson(p: PowParams) {
  return {
    anchor_window: p.anchorWindow.toString(),
    max_certs_per_block: p.maxCertsPerBlock.toString(),
    target_certs_per_epoch: p.targetCertsPerEpoch.toString(),
    min_target: targetToHex(p.minTarget),
    max_target: targetToHex(p.maxTarget),
    max_certs_per_miner_per_block: p.maxCertsPerMinerPerBlock.toString(),
    // The enum's names, as proto JSON writes them (a gov draft reads these params as a message);
    // genesis also takes the short names "sha256" and "matmul".
    accepted_kinds: p.acceptedKinds.map((k) => CertificateKind[k]),
    matmul_reward_share_bps: p.matmulRewardShareBps.toString(),
    prune_per_block: p.prunePerBlock.toString(),
  };
}

export function defaultPowGenesis() {
  return { params: paramsToJson(DEFAULT_POW_PARAMS), target: targetToHex(DEFAULT_INITIAL_TARGET), matmul_target: targetToHex(DEFAULT_MATMUL_TARGET) };
}

export function initPowGenesis(keeper: PowKeeper, ctx: Context, genesis: unknown): void {
  const g = obj(genesis ?? {}, "pow");
  for (const k of Object.keys(g)) {
    if (!["params", "target", "anchors", "used_seals", "work", "last_retarget", "matmul_target", "matmul_work", "last_matmul_retarget"].includes(k)) throw new Error(`pow.${k}: unknown field`);
  }
  const params = readParams(g.params);
  keeper.setParams(ctx.store, params);
  const target = g.target === undefined ? DEFAULT_INITIAL_TARGET : parseTargetHex(str(g.target, "pow.target"), "pow.target");
  if (target < params.minTarget || target > params.maxTarget) throw new Error("pow.target: must be within [params.min_target, params.max_target]");
  keeper.setTarget(ctx.store, target);
  // Absent in a genesis written before matmul certificates: none are accepted until one is set.
  if (g.matmul_target !== undefined) {
    const mm = parseTargetHex(str(g.matmul_target, "pow.matmul_target"), "pow.matmul_target");
    if (mm < params.minTarget || mm > params.maxTarget) throw new Error("pow.matmul_target: must be within [params.min_target, params.max_target]");
    keeper.setMatmulTarget(ctx.store, mm);
  } else if (params.acceptedKinds.includes(CertificateKind.CERTIFICATE_KIND_MATMUL)) {
    throw new Error("pow.matmul_target: required when params.accepted_kinds includes matmul");
  }

  const anchors = arr(g.anchors ?? [], "pow.anchors");
  if (BigInt(anchors.length) > params.anchorWindow) throw new Error(`pow.anchors: more than anchor_window (${params.anchorWindow}) entries`);
  const heights = new Set<bigint>();
  anchors.forEach((a, i) => {
    const o = obj(a, `pow.anchors[${i}]`);
    const height = u64(o.height, `pow.anchors[${i}].height`);
    // Only the anchors a certificate could use at the chain's first height are meaningful.
    const last = BigInt(ctx.block.height); // initial_height - 1
    if (height === 0n || height > last || last - height >= params.anchorWindow) {
      throw new Error(`pow.anchors[${i}].height: ${height} is outside the anchor window before the initial height (${last - params.anchorWindow + 1n}..${last})`);
    }
    if (heights.has(height)) throw new Error(`pow.anchors[${i}].height: duplicate height ${height}`);
    heights.add(height);
    keeper.setAnchor(ctx.store, height, hex32(o.hash, `pow.anchors[${i}].hash`));
  });
  const seals = new Set<string>();
  arr(g.used_seals ?? [], "pow.used_seals").forEach((s, i) => {
    const o = obj(s, `pow.used_seals[${i}]`);
    const anchorHeight = u64(o.anchor_height, `pow.used_seals[${i}].anchor_height`);
    if (!heights.has(anchorHeight)) throw new Error(`pow.used_seals[${i}].anchor_height: no anchor ${anchorHeight} in pow.anchors`);
    const seal = hex32(o.seal, `pow.used_seals[${i}].seal`);
    const id = Buffer.from(seal).toString("hex");
    if (seals.has(id)) throw new Error(`pow.used_seals[${i}].seal: duplicate`);
    seals.add(id);
    keeper.importUsedSeal(ctx.store, anchorHeight, seal);
  });
  for (const kind of ["sha256", "matmul"] as const) {
    const field = kind === "sha256" ? "work" : "matmul_work";
    arr(g[field] ?? [], `pow.${field}`).forEach((w, i) => {
      const where = `pow.${field}[${i}]`;
      const o = obj(w, where);
      const miner = decodeAddress(str(o.miner, `${where}.miner`), `${where}.miner`);
      keeper.importWorkRecord(
        ctx.store,
        {
          epoch: u64(o.epoch, `${where}.epoch`),
          miner,
          modelId: u64(o.model_id, `${where}.model_id`),
          tally: { work: decimal(o.work, `${where}.work`), certificates: u64(o.certificates, `${where}.certificates`) },
        },
        kind,
      );
    });
    const name = kind === "sha256" ? "last_retarget" : "last_matmul_retarget";
    const last = optional(g[name], (v) => obj(v, `pow.${name}`));
    if (last) {
      keeper.importLastRetarget(
        ctx.store,
        {
          epoch: u64(last.epoch, `pow.${name}.epoch`),
          certificates: u64(last.certificates, `pow.${name}.certificates`),
          oldTarget: targetToHex(parseTargetHex(str(last.old_target, `pow.${name}.old_target`), `pow.${name}.old_target`)),
          newTarget: targetToHex(parseTargetHex(str(last.new_target, `pow.${name}.new_target`), `pow.${name}.new_target`)),
        },
        kind,
      );
    }
  }
}

function workToJson(keeper: PowKeeper, ctx: Context, kind: "sha256" | "matmul") {
  // Epochs being pruned are left out: nothing reads them, and part of them may be gone already.
  const below = talliesPrunedBelow(ctx.store);
  return keeper.allWorkRecords(ctx.store, kind).filter((r) => r.epoch >= below).map((r) => ({
    epoch: r.epoch.toString(),
    miner: encodeAddress(r.miner),
    model_id: r.modelId.toString(),
    work: r.tally.work.toString(),
    certificates: r.tally.certificates.toString(),
  }));
}

const retargetToJson = (r: { epoch: bigint; certificates: bigint; oldTarget: string; newTarget: string }) => ({
  epoch: r.epoch.toString(),
  certificates: r.certificates.toString(),
  old_target: r.oldTarget,
  new_target: r.newTarget,
});

export function exportPowGenesis(keeper: PowKeeper, ctx: Context) {
  const last = keeper.lastRetarget(ctx.store);
  const lastMm = keeper.lastRetarget(ctx.store, "matmul");
  const mm = keeper.getMatmulTarget(ctx.store);
  return {
    params: paramsToJson(keeper.getParams(ctx.store)),
    target: targetToHex(keeper.getTarget(ctx.store)),
    anchors: keeper.allAnchors(ctx.store).map((a) => ({ height: a.height.toString(), hash: Buffer.from(a.hash).toString("hex") })),
    used_seals: keeper.allUsedSeals(ctx.store).map((s) => ({ anchor_height: s.anchorHeight.toString(), seal: Buffer.from(s.seal).toString("hex") })),
    work: workToJson(keeper, ctx, "sha256"),
    ...(last ? { last_retarget: retargetToJson(last) } : {}),
    ...(mm === undefined ? {} : { matmul_target: targetToHex(mm) }),
    matmul_work: workToJson(keeper, ctx, "matmul"),
    ...(lastMm ? { last_matmul_retarget: retargetToJson(lastMm) } : {}),
  };
}
