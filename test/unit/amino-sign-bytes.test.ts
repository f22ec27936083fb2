/**
 * SIGN_MODE_LEGACY_AMINO_JSON sign bytes: for every message the router accepts, the bytes the
 * chain verifies (src/types/amino.ts over the modules' amino tables, from the decoded message)
 * equal the bytes CosmJS itself signs (AminoTypes.toAmino → makeSignDoc → serializeSignDoc from
 * @cosmjs/amino), with CosmJS's own converters for the SDK messages it knows. The message list
 * comes from the app's router: a new message without an amino entry or a sample here fails.
 */
import { makeSignDoc, serializeSignDoc, type StdFee } from "@cosmjs/amino";
import { toUtf8 } from "@cosmjs/encoding";
import { createDefaultAminoConverters } from "@cosmjs/stargate";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { createModules } from "../../src/app/modules";
import { chainAmino } from "../../src/app/app";
import { BLOCKAI_AMINO_NAMES, createBlockaiAminoConverters, createBlockaiAminoTypes, createBlockaiRegistry } from "../../src/client";
import { aminoSignBytes, decFromAtomics, decToAtomics, sortedAminoJson, toAminoMsg } from "../../src/types/amino";
import { TestKey } from "../helpers/keys";
import * as fs from "node:fs";
import * as path from "node:path";

const a = new TestKey("amino-a").address;
const b = new TestKey("amino-b").address;
const gov = "soa10d07y265gmmuvt4z0w9aw880jnsr700jh7kd2q";
const valoper = "soavaloper1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqe2c8kc";
const usoa = (n: number | string) => ({ denom: "usoa", amount: String(n) });
const ascii = (s: string) => new TextEncoder().encode(s);
const digest = Uint8Array.from({ length: 32 }, (_, i) => i);
const duration = (seconds: bigint) => ({ seconds, nanos: 0 });

/** One filled-in value per accepted message (zero values too, to cover omitempty). */
const SAMPLES: Record<string, unknown> = {
  "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade": { authority: gov, plan: { name: "v2 <&>", height: 1000n, info: "{\"binaries\":{}}" } },
  "/cosmos.upgrade.v1beta1.MsgCancelUpgrade": { authority: gov },
  "/cosmos.auth.v1beta1.MsgUpdateParams": { authority: gov, params: { maxMemoCharacters: 256n, txSigLimit: 7n, txSizeCostPerByte: 10n, sigVerifyCostEd25519: 590n, sigVerifyCostSecp256k1: 1000n } },
  "/cosmos.bank.v1beta1.MsgSend": { fromAddress: a, toAddress: b, amount: [usoa(1500), { denom: "uother", amount: "7" }] },
  "/cosmos.bank.v1beta1.MsgMultiSend": { inputs: [{ address: a, coins: [usoa(10)] }], outputs: [{ address: b, coins: [usoa(4)] }, { address: a, coins: [usoa(6)] }] },
  "/cosmos.bank.v1beta1.MsgUpdateParams": { authority: gov, params: { sendEnabled: [], defaultSendEnabled: true } },
  "/blockai.mint.v1.MsgUpdateParams": { authority: gov, params: {} },
  "/blockai.rewards.v1.MsgClaimRewards": { claimant: a, kinds: [1, 2] },
  "/blockai.rewards.v1.MsgSetPayoutAddress": { owner: a, modelId: 3n, payoutAddress: b },
  "/blockai.rewards.v1.MsgUpdateParams": { authority: gov, params: {} },
  "/cosmos.distribution.v1beta1.MsgUpdateParams": {
    authority: gov,
    params: { communityTax: "20000000000000000", baseProposerReward: "0", bonusProposerReward: "0", withdrawAddrEnabled: true },
  },
  "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend": { authority: gov, recipient: b, amount: [usoa(99)] },
  "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress": { delegatorAddress: a, withdrawAddress: b },
  "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward": { delegatorAddress: a, validatorAddress: valoper },
  "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission": { validatorAddress: valoper },
  "/cosmos.distribution.v1beta1.MsgFundCommunityPool": { amount: [usoa(5)], depositor: a },
  "/cosmos.distribution.v1beta1.MsgDepositValidatorRewardsPool": { depositor: a, validatorAddress: valoper, amount: [usoa(5)] },
  "/cosmos.slashing.v1beta1.MsgUnjail": { validatorAddr: valoper },
  "/cosmos.slashing.v1beta1.MsgUpdateParams": {
    authority: gov,
    params: {
      signedBlocksWindow: 100n,
      minSignedPerWindow: ascii("500000000000000000"),
      downtimeJailDuration: duration(600n),
      slashFractionDoubleSign: ascii("50000000000000000"),
      slashFractionDowntime: ascii("10000000000000000"),
    },
  },
  "/cosmos.staking.v1beta1.MsgUpdateParams": {
    authority: gov,
    params: { unbondingTime: duration(1_814_400n), maxValidators: 100, maxEntries: 7, historicalEntries: 0, bondDenom: "usoa", minCommissionRate: "50000000000000000" },
  },
  "/cosmos.staking.v1beta1.MsgCreateValidator": {
    description: { moniker: "node <0>", identity: "", website: "https://x.org/?a=1&b=2", securityContact: "", details: "" },
    commission: { rate: "100000000000000000", maxRate: "200000000000000000", maxChangeRate: "10000000000000000" },
    minSelfDelegation: "1",
    delegatorAddress: "",
    validatorAddress: valoper,
    pubkey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: Ed25519PubKey.encode({ key: digest }).finish() },
    value: usoa(1_000_000),
  },
  "/cosmos.staking.v1beta1.MsgEditValidator": {
    description: { moniker: "renamed", identity: "ID", website: "", securityContact: "sec@x.org", details: "" },
    commissionRate: "120000000000000000",
    minSelfDelegation: "",
    validatorAddress: valoper,
  },
  "/cosmos.staking.v1beta1.MsgDelegate": { delegatorAddress: a, validatorAddress: valoper, amount: usoa(1000) },
  "/cosmos.staking.v1beta1.MsgUndelegate": { delegatorAddress: a, validatorAddress: valoper, amount: usoa(10) },
  "/cosmos.staking.v1beta1.MsgBeginRedelegate": { delegatorAddress: a, validatorSrcAddress: valoper, validatorDstAddress: valoper, amount: usoa(10) },
  "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation": { delegatorAddress: a, validatorAddress: valoper, amount: usoa(10), creationHeight: 12n },
  "/blockai.registry.v1.MsgRegisterModel": {
    owner: a,
    operators: [b],
    name: "llama <3> & co",
    version: "1.0",
    task: "text-generation",
    description: "",
    artifactDigest: digest,
    artifactUri: "https://x.org/w",
    endpoint: "",
    pricePerUnit: usoa(3),
    unit: "token",
    bond: usoa(5000),
    supersedes: 0n,
  },
  "/blockai.registry.v1.MsgUpdateModel": { owner: a, modelId: 1n, description: "", endpoint: "https://x.org/e", operators: { addresses: [] }, artifactDigest: new Uint8Array() },
  "/blockai.registry.v1.MsgSetModelStatus": { sender: a, modelId: 1n, status: 2 },
  "/blockai.registry.v1.MsgUpdateParams": { authority: gov, params: { minModelBond: usoa(5000), bondReturnDelay: 3n, maxOperators: 2 } },
  "/blockai.metering.v1.MsgOpenEscrow": { consumer: a, modelId: 1n, deposit: usoa(100), expiryHeight: 500n },
  "/blockai.metering.v1.MsgTopUpEscrow": { consumer: a, escrowId: 1n, amount: usoa(5), newExpiryHeight: 0n },
  "/blockai.metering.v1.MsgClaimUsage": {
    provider: b,
    voucher: { chainId: "blockai-1", escrowId: 1n, cumulativeUnits: 10n, cumulativeAmount: "30" },
    signature: Uint8Array.from({ length: 64 }, (_, i) => 255 - i),
  },
  "/blockai.metering.v1.MsgCloseEscrow": { sender: a, escrowId: 1n },
  "/blockai.metering.v1.MsgPayForUsage": { consumer: a, modelId: 1n, units: 4n, amount: usoa(12) },
  "/blockai.metering.v1.MsgUpdateParams": { authority: gov, params: {} },
  "/blockai.pow.v1.MsgSubmitWork": { miner: a, modelId: 1n, anchorHeight: 99n, workDigest: digest, nonce: 18446744073709551615n },
  "/blockai.pow.v1.MsgSubmitMatmulWork": {
    miner: a,
    modelId: 1n,
    anchorHeight: 99n,
    matrixIndex: 0,
    inner: 256,
    cols: 256,
    weightsPath: [digest, digest],
    aRoot: digest,
    aRows: 64,
    tileRow: 1,
    tileCol: 2,
    aBlock: Uint8Array.of(1, 255, 128),
    aPath: [digest],
    bBlock: Uint8Array.of(7, 0),
    bPath: [digest, digest, digest],
  },
  "/blockai.pow.v1.MsgUpdateParams": { authority: gov, params: {} },
  "/blockai.scoring.v1.MsgSetScorer": { validator: valoper, scorer: a },
  "/blockai.scoring.v1.MsgCommitScores": { scorer: a, epoch: 2n, commitment: digest },
  "/blockai.scoring.v1.MsgRevealScores": { scorer: a, epoch: 2n, salt: digest, scores: [{ modelId: 1n, scorePpm: 500_000 }, { modelId: 2n, scorePpm: 0 }] },
  "/blockai.scoring.v1.MsgUpdateParams": { authority: gov, params: {} },
  "/blockai.epochs.v1.MsgUpdateParams": { authority: gov, params: {} },
  "/cosmos.gov.v1.MsgSubmitProposal": {
    messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: gov, toAddress: b, amount: [usoa(1)] }).finish() }],
    initialDeposit: [usoa(10_000_000)],
    proposer: a,
    metadata: "ipfs://x",
    title: "Spend <1>",
    summary: "pay b & c",
    expedited: false,
  },
  "/cosmos.gov.v1.MsgDeposit": { proposalId: 1n, depositor: a, amount: [usoa(1)] },
  "/cosmos.gov.v1.MsgVote": { proposalId: 1n, voter: a, option: 1, metadata: "" },
  "/cosmos.gov.v1.MsgVoteWeighted": { proposalId: 1n, voter: a, options: [{ option: 1, weight: "0.700000000000000000" }, { option: 2, weight: "0.300000000000000000" }], metadata: "" },
  "/cosmos.gov.v1.MsgCancelProposal": { proposalId: 1n, proposer: a },
  "/cosmos.gov.v1.MsgUpdateParams": {
    authority: gov,
    params: { minDeposit: [usoa(10)], maxDepositPeriod: duration(172_800n), votingPeriod: duration(60n), quorum: "0.334000000000000000", threshold: "0.5", vetoThreshold: "0.334" },
  },
  "/cosmos.gov.v1beta1.MsgSubmitProposal": {
    content: { typeUrl: "/cosmos.gov.v1beta1.TextProposal", value: TextProposal.encode({ title: "T <x>", description: "D & E" }).finish() },
    initialDeposit: [usoa(10)],
    proposer: a,
  },
  "/cosmos.gov.v1beta1.MsgDeposit": { proposalId: 1n, depositor: a, amount: [usoa(1)] },
  "/cosmos.gov.v1beta1.MsgVote": { proposalId: 1n, voter: a, option: 1 },
  // Weights below 1: CosmJS writes a weight of exactly 1 as "10000000000000000000" (padEnd on "1").
  "/cosmos.gov.v1beta1.MsgVoteWeighted": { proposalId: 1n, voter: a, options: [{ option: 1, weight: "700000000000000000" }, { option: 3, weight: "300000000000000000" }] },
};

const chainModules = createModules().modules;
/** What the chain verifies amino signatures with: the modules' own tables. */
const CHAIN_AMINO = chainAmino(chainModules);
const routed = chainModules.flatMap((m) => (m.msgs ?? []).map((h) => ({ typeUrl: h.typeUrl as string, codec: h.codec })));
const registry = createBlockaiRegistry();
const aminoTypes = createBlockaiAminoTypes();
const cosmjsOwn = createDefaultAminoConverters();
const fee: StdFee = { amount: [usoa(5000)], gas: "200000" };

function chainBytes(typeUrl: string, value: unknown, opts: { memo?: string; fee?: StdFee; timeoutHeight?: bigint } = {}): Uint8Array {
  const handler = routed.find((r) => r.typeUrl === typeUrl)!;
  const decoded = handler.codec.decode(handler.codec.encode((registry.lookupType(typeUrl) as any).fromPartial(value)).finish());
  const f = opts.fee ?? fee;
  return aminoSignBytes({
    chainId: "blockai-1",
    accountNumber: 7n,
    sequence: 3n,
    fee: { amount: f.amount, gas: f.gas, payer: f.payer, granter: f.granter },
    memo: opts.memo ?? "",
    msgs: [toAminoMsg(CHAIN_AMINO(typeUrl)!, decoded, CHAIN_AMINO)],
    timeoutHeight: opts.timeoutHeight ?? 0n,
  });
}

function cosmjsBytes(typeUrl: string, value: unknown, opts: { memo?: string; fee?: StdFee; timeoutHeight?: bigint } = {}): Uint8Array {
  const doc = makeSignDoc([aminoTypes.toAmino({ typeUrl, value })], opts.fee ?? fee, "blockai-1", opts.memo ?? "", 7, 3, opts.timeoutHeight);
  return serializeSignDoc(doc);
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("LEGACY_AMINO_JSON sign bytes", () => {
  test("every message the router accepts has an amino entry, a client converter and a sample", () => {
    expect(routed.length).toBeGreaterThan(50);
    for (const { typeUrl } of routed) {
      expect([typeUrl, CHAIN_AMINO(typeUrl)?.typeUrl]).toEqual([typeUrl, typeUrl]);
      expect([typeUrl, BLOCKAI_AMINO_NAMES[typeUrl]]).toEqual([typeUrl, CHAIN_AMINO(typeUrl)!.aminoType]);
      expect([typeUrl, typeUrl in SAMPLES]).toEqual([typeUrl, true]);
    }
    // Amino names are unique (CosmJS refuses to decode an ambiguous one); BLOCKAI's fit the SDK's
    // limit of 39 characters.
    const names = Object.values(BLOCKAI_AMINO_NAMES);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names.filter((n) => n.startsWith("blockai/"))) expect(n.length).toBeLessThanOrEqual(39);
  });

  test("BLOCKAI's amino names are the amino.name options of proto/blockai/*/v1/tx.proto", () => {
    const root = path.join(__dirname, "../../proto/blockai");
    const fromProto: Record<string, string> = {};
    for (const mod of fs.readdirSync(root)) {
      const file = path.join(root, mod, "v1/tx.proto");
      if (!fs.existsSync(file)) continue;
      for (const m of fs.readFileSync(file, "utf8").matchAll(/^message (\w+) \{\n\s*option \(amino\.name\) = "([^"]+)";/gm)) {
        fromProto[`/blockai.${mod}.v1.${m[1]}`] = m[2];
      }
    }
    const blockai = routed.map((r) => r.typeUrl).filter((t) => t.startsWith("/blockai."));
    expect(Object.keys(fromProto).sort()).toEqual(blockai.sort());
    for (const t of blockai) expect([t, BLOCKAI_AMINO_NAMES[t]]).toEqual([t, fromProto[t]]);
  });

  test.each(routed.map((r) => r.typeUrl))("%s: the chain's sign bytes are CosmJS's, and fromAmino gives the message back", (typeUrl) => {
    const value = SAMPLES[typeUrl];
    expect(text(chainBytes(typeUrl, value))).toBe(text(cosmjsBytes(typeUrl, value)));
    // CosmJS builds the tx body from fromAmino(signed msgs): it must encode to the same message.
    const back = aminoTypes.fromAmino(aminoTypes.toAmino({ typeUrl, value }));
    expect(back.typeUrl).toBe(typeUrl);
    expect(Buffer.from(registry.encode(back)).toString("hex")).toBe(Buffer.from(registry.encode({ typeUrl, value })).toString("hex"));
  });

  test("the SDK messages CosmJS knows are checked against CosmJS's own converters, not ours", () => {
    const own = routed.filter((r) => r.typeUrl in cosmjsOwn).map((r) => r.typeUrl);
    expect(own).toEqual(expect.arrayContaining(["/cosmos.bank.v1beta1.MsgSend", "/cosmos.staking.v1beta1.MsgDelegate", "/cosmos.gov.v1beta1.MsgVote"]));
    const ours = createBlockaiAminoConverters();
    for (const typeUrl of own) expect([typeUrl, typeUrl in ours]).toEqual([typeUrl, false]);
  });

  test("memo, fee payer, timeout height and the escaping of <, >, & as CosmJS serializes them", () => {
    const opts = { memo: "a<b>&c \u2028 é 🎉 \"q\" \\", fee: { amount: [usoa(1), { denom: "uzz", amount: "2" }], gas: "123456", payer: a }, timeoutHeight: 99n };
    const chain = text(chainBytes("/cosmos.bank.v1beta1.MsgSend", SAMPLES["/cosmos.bank.v1beta1.MsgSend"], opts));
    expect(chain).toBe(text(cosmjsBytes("/cosmos.bank.v1beta1.MsgSend", SAMPLES["/cosmos.bank.v1beta1.MsgSend"], opts)));
    expect(chain).toContain('"memo":"a\\u003cb\\u003e\\u0026c');
    expect(chain).toContain('"timeout_height":"99"');
    expect(chain).toContain(`"payer":"${a}"`);
  });

  // Independent vectors, written out by hand from the SDK's rules (not from our encoder).
  test("vectors: BLOCKAI and SDK messages CosmJS has no converter for", () => {
    const msgJson = (typeUrl: string) => JSON.parse(text(chainBytes(typeUrl, SAMPLES[typeUrl]))).msgs[0];
    expect(msgJson("/blockai.registry.v1.MsgRegisterModel")).toEqual({
      type: "blockai/MsgRegisterModel",
      value: {
        owner: a,
        operators: [b],
        name: "llama <3> & co",
        version: "1.0",
        task: "text-generation",
        artifact_digest: Buffer.from(digest).toString("base64"),
        artifact_uri: "https://x.org/w",
        price_per_unit: usoa(3),
        unit: "token",
        bond: usoa(5000),
      },
    });
    expect(msgJson("/cosmos.gov.v1.MsgVote")).toEqual({ type: "cosmos-sdk/v1/MsgVote", value: { proposal_id: "1", voter: a, option: 1 } });
    expect(msgJson("/cosmos.gov.v1.MsgSubmitProposal").value.messages).toEqual([
      { type: "cosmos-sdk/MsgSend", value: { from_address: gov, to_address: b, amount: [usoa(1)] } },
    ]);
    expect(msgJson("/cosmos.slashing.v1beta1.MsgUnjail")).toEqual({ type: "cosmos-sdk/MsgUnjail", value: { address: valoper } });
    expect(msgJson("/cosmos.staking.v1beta1.MsgUpdateParams").value.params).toEqual({
      unbonding_time: "1814400000000000",
      max_validators: 100,
      max_entries: 7,
      bond_denom: "usoa",
      min_commission_rate: "0.050000000000000000",
    });
    expect(msgJson("/cosmos.slashing.v1beta1.MsgUpdateParams").value.params.min_signed_per_window).toBe("0.500000000000000000");
    expect(msgJson("/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade").value.plan).toEqual({ name: "v2 <&>", time: "0001-01-01T00:00:00Z", height: "1000", info: "{\"binaries\":{}}" });
    expect(msgJson("/blockai.registry.v1.MsgUpdateModel").value).toEqual({ owner: a, model_id: "1", description: "", endpoint: "https://x.org/e", operators: {} });
    expect(msgJson("/blockai.pow.v1.MsgSubmitWork").value.nonce).toBe("18446744073709551615");
    expect(msgJson("/blockai.rewards.v1.MsgClaimRewards").value).toEqual({ claimant: a, kinds: [1, 2] });
  });

  test("the whole StdSignDoc, byte for byte", () => {
    const bytes = chainBytes("/cosmos.gov.v1.MsgVote", SAMPLES["/cosmos.gov.v1.MsgVote"], { memo: "x" });
    expect(text(bytes)).toBe(
      `{"account_number":"7","chain_id":"blockai-1","fee":{"amount":[{"amount":"5000","denom":"usoa"}],"gas":"200000"},"memo":"x",` +
        `"msgs":[{"type":"cosmos-sdk/v1/MsgVote","value":{"option":1,"proposal_id":"1","voter":"${a}"}}],"sequence":"3"}`,
    );
    expect(bytes).toEqual(toUtf8(text(bytes)));
  });

  test("LegacyDec atomics and decimals convert without floating point", () => {
    expect(decFromAtomics("0")).toBe("0.000000000000000000");
    expect(decFromAtomics("1")).toBe("0.000000000000000001");
    expect(decFromAtomics("1000000000000000000")).toBe("1.000000000000000000");
    expect(decFromAtomics("123456789012345678901234567890")).toBe("123456789012.345678901234567890");
    expect(decToAtomics("0.05")).toBe("50000000000000000");
    expect(decToAtomics("1.000000000000000000")).toBe("1000000000000000000");
    expect(decToAtomics("0")).toBe("0");
    expect(() => decFromAtomics("1.5")).toThrow();
    expect(() => decToAtomics("0.0000000000000000001")).toThrow();
    expect(sortedAminoJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: "<" } })).toBe('{"a":{"c":"\\u003c","d":[{"y":2,"z":1}]},"b":1}');
  });
});
