import { MsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Io } from "../../src/cli/command";
import { UPDATE_PARAMS_TYPES, draftProposal, readProposalFile, weightedOptionsArg } from "../../src/cli/modules/gov";
import { createModules } from "../../src/app/modules";
import { ScriptedPrompter } from "../../src/cli/prompt";
import { buildRegistry } from "../../src/cli/root";
import { run } from "../../src/cli/run";
import { DEFAULT_GOV_PARAMS } from "../../src/modules/gov";
import { paramsFromProto } from "../../src/modules/gov/params";
import { DEFAULT_STAKING_PARAMS } from "../../src/modules/staking";
import { stakingParamsFromMsg } from "../../src/modules/staking/params";
import { DEFAULT_SLASHING_PARAMS, slashingParamsFromMsg } from "../../src/modules/slashing/params";
import { DEFAULT_DISTRIBUTION_PARAMS, distributionParamsFromMsg } from "../../src/modules/distribution/params";

function capture() {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    prompter: new ScriptedPrompter([]),
    env: {},
  };
  return { io, out: () => out, err: () => err };
}

describe("blockai tx gov", () => {
  test("draft-proposal prints a gov MsgUpdateParams file that submit-proposal reads back into the same (valid) params", async () => {
    const c = capture();
    expect(await run(["tx", "gov", "draft-proposal", "--module", "gov"], c.io)).toBe(0);
    expect(c.err()).toBe("");
    const file = JSON.parse(c.out());
    expect(file.messages[0]["@type"]).toBe("/cosmos.gov.v1.MsgUpdateParams");
    expect(file.messages[0].params.voting_period).toBe("172800s");
    const p = readProposalFile(c.out(), buildRegistry());
    expect(p.deposit).toEqual([{ denom: "usoa", amount: 10_000_000n }]);
    const msg = p.messages[0].value as MsgUpdateParams;
    expect(msg.authority).toBe(file.messages[0].authority);
    expect(paramsFromProto(msg.params!)).toEqual(DEFAULT_GOV_PARAMS);
    // The bytes CosmJS signs decode to the same message.
    const registry = buildRegistry();
    expect(MsgUpdateParams.decode(registry.encode(p.messages[0]))).toEqual(msg);
  });

  test.each([
    ["staking", "/cosmos.staking.v1beta1.MsgUpdateParams"],
    ["slashing", "/cosmos.slashing.v1beta1.MsgUpdateParams"],
    ["distribution", "/cosmos.distribution.v1beta1.MsgUpdateParams"],
  ])("the %s draft reads back into the module's default params (decimals converted to LegacyDec)", async (module, typeUrl) => {
    const { draft, routed } = await draftProposal(module);
    expect(routed).toBe(true);
    const registry = buildRegistry();
    const msg = readProposalFile(JSON.stringify(draft), registry).messages[0];
    expect(msg.typeUrl).toBe(typeUrl);
    const decoded = (registry.lookupType(typeUrl) as { decode(b: Uint8Array): { params: unknown } }).decode(registry.encode(msg));
    const readers: Record<string, [(p: any) => unknown, unknown]> = {
      staking: [stakingParamsFromMsg, DEFAULT_STAKING_PARAMS],
      slashing: [slashingParamsFromMsg, DEFAULT_SLASHING_PARAMS],
      distribution: [distributionParamsFromMsg, DEFAULT_DISTRIBUTION_PARAMS],
    };
    const [read, defaults] = readers[module];
    expect(read(decoded.params)).toEqual(defaults);
  });

  test.each(["auth", "bank", "epochs", "registry", "metering", "pow", "scoring", "mint", "rewards"])(
    "the %s draft is routed and reads back into a MsgUpdateParams the chain accepts (the genesis defaults)",
    async (module) => {
      const { draft, routed } = await draftProposal(module);
      expect(routed).toBe(true);
      const registry = buildRegistry();
      const msg = readProposalFile(JSON.stringify(draft), registry).messages[0];
      expect(msg.typeUrl).toBe(UPDATE_PARAMS_TYPES[module]);
      const handler = createModules().modules.flatMap((m) => m.msgs ?? []).find((h) => h.typeUrl === msg.typeUrl)!;
      const decoded = handler.codec.decode(registry.encode(msg));
      expect(() => handler.validateBasic?.(decoded)).not.toThrow();
      const defaults = (createModules().modules.find((m) => m.name === module)!.defaultGenesis!() as { params: Record<string, unknown> }).params;
      expect(Object.keys((draft.messages as Array<{ params: object }>)[0].params)).toEqual(Object.keys(defaults));
    },
  );

  test("draft-proposal knows every module with parameters; an unknown module is a usage error", async () => {
    const withParams = createModules()
      .modules.filter((m) => (m.defaultGenesis?.() as { params?: unknown } | undefined)?.params !== undefined)
      .map((m) => m.name);
    expect(Object.keys(UPDATE_PARAMS_TYPES).sort()).toEqual([...withParams].sort());
    const c = capture();
    expect(await run(["tx", "gov", "draft-proposal", "--module", "pow"], c.io)).toBe(0);
    expect(c.err()).toBe("");
    await expect(run(["tx", "gov", "draft-proposal", "--module", "nope"], capture().io)).rejects.toThrow(/--module must be one of auth, bank/);
    await expect(run(["tx", "gov", "draft-proposal"], capture().io)).rejects.toThrow(/needs --module NAME/);
  });

  test("proposal files: unknown fields, message types and bad deposits are refused with the reason", () => {
    const r = buildRegistry();
    expect(() => readProposalFile("{", r)).toThrow(/not JSON/);
    expect(() => readProposalFile(JSON.stringify({ title: "t", summary: "s", extra: 1 }), r)).toThrow(/unknown field "extra"/);
    expect(() => readProposalFile(JSON.stringify({ title: "t", summary: "s", messages: [{ "@type": "/x.y.MsgZ" }] }), r)).toThrow(/unknown message type \/x\.y\.MsgZ/);
    expect(() => readProposalFile(JSON.stringify({ title: "t", summary: "s", messages: [{}] }), r)).toThrow(/needs "@type"/);
    expect(() => readProposalFile(JSON.stringify({ title: "t", summary: "s", deposit: "-1usoa" }), r)).toThrow(/negative/);
    expect(() => readProposalFile(JSON.stringify({ summary: "s" }), r)).toThrow(/"title" must be a string/);
    const text = readProposalFile(JSON.stringify({ title: "t", summary: "s", deposit: "1.5SOA" }), r);
    expect(text).toMatchObject({ messages: [], deposit: [{ denom: "usoa", amount: 1_500_000n }], expedited: false });
    const send = readProposalFile(JSON.stringify({ title: "t", summary: "s", messages: [{ "@type": "/cosmos.bank.v1beta1.MsgSend", from_address: "a", to_address: "b", amount: [{ denom: "usoa", amount: "5" }] }] }), r);
    expect(send.messages[0].value).toEqual({ fromAddress: "a", toAddress: "b", amount: [{ denom: "usoa", amount: "5" }] });
  });

  test("weighted-vote options", () => {
    expect(weightedOptionsArg("yes=0.6,no_with_veto=0.4")).toEqual([
      { option: VoteOption.VOTE_OPTION_YES, weight: "0.6" },
      { option: VoteOption.VOTE_OPTION_NO_WITH_VETO, weight: "0.4" },
    ]);
    expect(() => weightedOptionsArg("yes:1")).toThrow(/OPTION=WEIGHT/);
    expect(() => weightedOptionsArg("maybe=1")).toThrow(/not a vote option/);
  });

  test("help lists the gov commands", async () => {
    const c = capture();
    expect(await run(["tx", "gov", "--help"], c.io)).toBe(0);
    for (const name of ["submit-proposal", "deposit", "vote", "weighted-vote", "cancel-proposal", "draft-proposal"]) expect(c.out()).toContain(name);
    const q = capture();
    expect(await run(["query", "gov", "--help"], q.io)).toBe(0);
    for (const name of ["proposals", "proposal", "votes", "tally", "params"]) expect(q.out()).toContain(name);
  });
});
