import type { EncodeObject } from "@cosmjs/proto-signing";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { moduleAddress, encodeAddress } from "../../src/types/address";
import { BlockaiMsgs, createBlockaiRegistry, ModelStatus, type RegisterModelFields } from "../../src/client";
import { QueryModelRequest, QueryModelResponse, QueryModelsRequest, QueryModelsResponse } from "../../src/gen/blockai/registry/v1/query";
import { MsgRegisterModelResponse } from "../../src/gen/blockai/registry/v1/tx";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { REGISTRY_BOND_ACCOUNT } from "../../src/modules/registry";
import { EventManager } from "../../src/framework/events";
import { GasMeter } from "../../src/framework/gas";
import { MAX_PAGE_OFFSET } from "../../src/framework/pagination";
import { Driver } from "../helpers/driver";
import { msgSend, signTx, TestKey } from "../helpers/keys";

const registry = createBlockaiRegistry();
const FEE = 10_000n;
const BOND_ACCOUNT = encodeAddress(moduleAddress(REGISTRY_BOND_ACCOUNT));
const digest = (n: number) => new Uint8Array(32).fill(n);

function fields(over: Partial<RegisterModelFields> = {}): RegisterModelFields {
  return {
    name: "Llama Tiny",
    version: "1.0.0",
    task: "text-generation",
    description: "a small model\nfor tests",
    artifactDigest: digest(7),
    artifactUri: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
    endpoint: "https://models.example.org/llama-tiny",
    pricePerUnit: 100n,
    unit: "call",
    bond: 5_000n,
    ...over,
  };
}

async function send(d: Driver, key: TestKey, msgs: EncodeObject[]): Promise<ExecTxResult> {
  const acc = d.account(key.address)!;
  const tx = signTx({
    key,
    msgs: msgs.map((m) => registry.encodeAsAny(m)),
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
    chainId: d.chainId,
    fee: [{ denom: "usoa", amount: FEE.toString() }],
    gas: 400_000n,
  });
  const { results } = await d.block([tx]);
  return results[0];
}

function query<T>(d: Driver, path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T {
  const res = d.app.query({ path: `/blockai.registry.v1.Query/${path}`, data, height: 0n, prove: false });
  if (res.code !== 0) throw Object.assign(new Error(res.log), { code: res.code, codespace: res.codespace });
  return decode(res.value);
}

/** The genesis sections of some modules (other modules' exports are not this test's subject). */
function exportSections(d: Driver, names: string[]): Record<string, any> {
  const store = d.app.committedStore()!;
  const ctx = { store, gasMeter: new GasMeter(undefined), events: new EventManager(), block: { height: d.height, timeNs: 0n, chainId: d.chainId, proposerAddress: new Uint8Array(), hash: new Uint8Array() }, mode: "genesis" as const };
  const out: Record<string, unknown> = {};
  for (const m of d.app.modules) if (names.includes(m.name) && m.exportGenesis) out[m.name] = m.exportGenesis(ctx);
  return JSON.parse(JSON.stringify(out));
}

const model = (d: Driver, id: bigint) => d.app.keepers.registry.getModel(d.app.committedStore()!, id);

describe("registry module (in-process, invariants checked after every block)", () => {
  let d: Driver;
  let owner: TestKey;
  let operator: TestKey;
  let other: TestKey;

  beforeEach(async () => {
    d = await Driver.create({
      accounts: 4,
      appState: (s) => {
        s.registry = { params: { min_model_bond: { denom: "usoa", amount: "5000" }, bond_return_delay: "3", max_operators: 2 } };
      },
    });
    [owner, operator, other] = d.keys;
    await d.block();
  });
  afterEach(async () => d.close());

  async function register(over: Partial<RegisterModelFields> = {}, key = owner): Promise<bigint> {
    const r = await send(d, key, [BlockaiMsgs.registerModel(key.address, fields(over))]);
    expect(r.log).toBe("");
    expect(r.code).toBe(0);
    return MsgRegisterModelResponse.decode(TxMsgData.decode(r.data).msgResponses[0].value).modelId;
  }

  test("register: sequential ids, every field stored, bond locked in the registry account", async () => {
    const before = d.balance(owner.address);
    const id1 = await register({ operators: [operator.address] });
    const id2 = await register({ artifactDigest: digest(8), supersedes: id1, version: "1.1.0" });
    expect([id1, id2]).toEqual([1n, 2n]);
    expect(d.balance(owner.address)).toBe(before - 2n * (5_000n + FEE));
    expect(d.balance(BOND_ACCOUNT)).toBe(10_000n);
    const m = model(d, 1n)!;
    expect(m).toMatchObject({
      id: 1n,
      owner: owner.address,
      operators: [operator.address],
      name: "Llama Tiny",
      version: "1.0.0",
      task: "text-generation",
      unit: "call",
      status: ModelStatus.MODEL_STATUS_ACTIVE,
      pricePerUnit: { denom: "usoa", amount: "100" },
      bond: { denom: "usoa", amount: "5000" },
      createdHeight: 2n,
      updatedHeight: 2n,
      supersedes: 0n,
      bondReturned: false,
    });
    expect(Buffer.from(m.artifactDigest)).toEqual(Buffer.from(digest(7)));
    expect(model(d, 2n)!.supersedes).toBe(1n);
    const viaQuery = query(d, "Model", QueryModelRequest.encode({ modelId: 2n }).finish(), QueryModelResponse.decode).model!;
    expect(viaQuery.version).toBe("1.1.0");
    expect(() => query(d, "Model", QueryModelRequest.encode({ modelId: 9n }).finish(), QueryModelResponse.decode)).toThrow(
      expect.objectContaining({ code: 2, codespace: "registry" }),
    );
  });

  describe("bad registrations fail with a clear code and move nothing but the fee", () => {
    // Stateless failures (ValidateBasic) are refused before the fee is charged, as in the SDK;
    // stateful ones fail inside the block after the ante handler took the fee.
    const stateful = new Set(["bond under min_model_bond", "more operators than max_operators", "bond beyond the balance", "supersedes an unknown model"]);
    const cases: Array<[string, () => EncodeObject, string, number]> = [
      ["bond under min_model_bond", () => BlockaiMsgs.registerModel(owner.address, fields({ bond: 4_999n })), "registry", 6],
      ["artifact digest of 31 bytes", () => BlockaiMsgs.registerModel(owner.address, fields({ artifactDigest: new Uint8Array(31) })), "registry", 4],
      ["artifact digest of 33 bytes", () => BlockaiMsgs.registerModel(owner.address, fields({ artifactDigest: new Uint8Array(33) })), "registry", 4],
      ["no artifact digest", () => BlockaiMsgs.registerModel(owner.address, fields({ artifactDigest: new Uint8Array() })), "registry", 4],
      ["name too long", () => BlockaiMsgs.registerModel(owner.address, fields({ name: "x".repeat(129) })), "registry", 3],
      ["empty name", () => BlockaiMsgs.registerModel(owner.address, fields({ name: "" })), "registry", 3],
      ["description too long", () => BlockaiMsgs.registerModel(owner.address, fields({ description: "d".repeat(2049) })), "registry", 3],
      ["control characters in the name", () => BlockaiMsgs.registerModel(owner.address, fields({ name: "a\u0007b" })), "registry", 3],
      ["task with spaces", () => BlockaiMsgs.registerModel(owner.address, fields({ task: "Text Generation" })), "registry", 3],
      ["unit with spaces", () => BlockaiMsgs.registerModel(owner.address, fields({ unit: "per call" })), "registry", 3],
      ["artifact URI without a scheme", () => BlockaiMsgs.registerModel(owner.address, fields({ artifactUri: "models/llama" })), "registry", 3],
      ["URI with a space", () => BlockaiMsgs.registerModel(owner.address, fields({ artifactUri: "https://x.org/a b" })), "registry", 3],
      ["URI too long", () => BlockaiMsgs.registerModel(owner.address, fields({ artifactUri: "https://x.org/" + "a".repeat(500) })), "registry", 3],
      ["endpoint with an unsupported scheme", () => BlockaiMsgs.registerModel(owner.address, fields({ endpoint: "ftp://x.org/m" })), "registry", 3],
      ["duplicate operators", () => BlockaiMsgs.registerModel(owner.address, fields({ operators: [operator.address, operator.address] })), "registry", 9],
      ["owner listed as operator", () => BlockaiMsgs.registerModel(owner.address, fields({ operators: [owner.address] })), "registry", 9],
      ["more operators than max_operators", () => BlockaiMsgs.registerModel(owner.address, fields({ operators: [operator.address, other.address, d.keys[3].address] })), "registry", 9],
      ["invalid operator address", () => BlockaiMsgs.registerModel(owner.address, fields({ operators: ["soa1notanaddress"] })), "sdk", 7],
      ["operator with another prefix", () => BlockaiMsgs.registerModel(owner.address, fields({ operators: ["cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"] })), "sdk", 7],
      ["bond in another denom", () => ({ ...BlockaiMsgs.registerModel(owner.address, fields()), value: { ...(BlockaiMsgs.registerModel(owner.address, fields()).value as object), bond: { denom: "uatom", amount: "5000" } } }), "sdk", 10],
      ["bond beyond the balance", () => BlockaiMsgs.registerModel(owner.address, fields({ bond: 10n ** 15n })), "sdk", 5],
      ["supersedes an unknown model", () => BlockaiMsgs.registerModel(owner.address, fields({ supersedes: 42n })), "registry", 2],
    ];
    test.each(cases)("%s", async (name, msg, codespace, code) => {
      const before = { owner: d.balance(owner.address), bond: d.balance(BOND_ACCOUNT) };
      const r = await send(d, owner, [msg()]);
      expect({ code: r.code, codespace: r.codespace }).toEqual({ code, codespace });
      expect(r.log.length).toBeGreaterThan(0);
      expect(d.balance(owner.address)).toBe(before.owner - (stateful.has(name) ? FEE : 0n));
      expect(d.balance(BOND_ACCOUNT)).toBe(before.bond);
      expect(d.app.keepers.registry.getNextModelId(d.app.committedStore()!)).toBe(1n);
    });

    test("superseding another owner's model is unauthorized (sdk/4)", async () => {
      const id = await register();
      const r = await send(d, other, [BlockaiMsgs.registerModel(other.address, fields({ supersedes: id }))]);
      expect([r.codespace, r.code]).toEqual(["sdk", 4]);
    });
  });

  test("update: owner changes fields and indexes follow; digest immutable; non-owner refused", async () => {
    const id = await register();
    const before = model(d, id)!;
    let r = await send(d, owner, [BlockaiMsgs.updateModel(owner.address, id, { task: "summarization", pricePerUnit: 250n, operators: [operator.address], description: "" })]);
    expect(r.code).toBe(0);
    const after = model(d, id)!;
    expect(after).toMatchObject({ task: "summarization", pricePerUnit: { denom: "usoa", amount: "250" }, operators: [operator.address], description: "", name: before.name });
    expect(after.updatedHeight).toBeGreaterThan(before.updatedHeight);
    expect(Buffer.from(after.artifactDigest)).toEqual(Buffer.from(before.artifactDigest));
    const byTask = (task: string) =>
      query(d, "Models", QueryModelsRequest.encode({ owner: "", status: 0, task, pagination: undefined }).finish(), QueryModelsResponse.decode).models.map((m) => m.id);
    expect(byTask("summarization")).toEqual([id]);
    expect(byTask("text-generation")).toEqual([]);

    // Re-sending the same digest is accepted (nothing changes); another digest is refused.
    r = await send(d, owner, [BlockaiMsgs.updateModel(owner.address, id, { artifactDigest: digest(7), version: "1.0.1" })]);
    expect(r.code).toBe(0);
    const snapshot = model(d, id)!;
    const ownerBalance = d.balance(owner.address);
    r = await send(d, owner, [BlockaiMsgs.updateModel(owner.address, id, { artifactDigest: digest(9) })]);
    expect([r.codespace, r.code]).toEqual(["registry", 5]);
    r = await send(d, owner, [BlockaiMsgs.updateModel(owner.address, id, { artifactDigest: digest(9), name: "renamed" })]);
    expect([r.codespace, r.code]).toEqual(["registry", 5]);
    // An operator or a stranger cannot update.
    r = await send(d, operator, [BlockaiMsgs.updateModel(operator.address, id, { name: "hijacked" })]);
    expect([r.codespace, r.code]).toEqual(["sdk", 4]);
    r = await send(d, other, [BlockaiMsgs.updateModel(other.address, id, { endpoint: "https://evil.example" })]);
    expect([r.codespace, r.code]).toEqual(["sdk", 4]);
    r = await send(d, owner, [BlockaiMsgs.updateModel(owner.address, 99n, { name: "x" })]);
    expect([r.codespace, r.code]).toEqual(["registry", 2]);
    r = await send(d, owner, [BlockaiMsgs.updateModel(owner.address, id, {})]);
    expect([r.codespace, r.code]).toEqual(["registry", 3]);
    r = await send(d, owner, [BlockaiMsgs.updateModel(owner.address, id, { endpoint: "not a uri" })]);
    expect([r.codespace, r.code]).toEqual(["registry", 3]);
    expect(model(d, id)).toEqual(snapshot);
    // The owner paid the fee of its three failures that got past ValidateBasic, nothing else.
    expect(d.balance(owner.address)).toBe(ownerBalance - 3n * FEE);
  });

  test("status: operators pause and resume, only the owner retires; the bond returns after bond_return_delay at end of block", async () => {
    const id = await register({ operators: [operator.address] });
    let r = await send(d, operator, [BlockaiMsgs.setModelStatus(operator.address, id, ModelStatus.MODEL_STATUS_PAUSED)]);
    expect(r.code).toBe(0);
    expect(model(d, id)!.status).toBe(ModelStatus.MODEL_STATUS_PAUSED);
    r = await send(d, operator, [BlockaiMsgs.setModelStatus(operator.address, id, ModelStatus.MODEL_STATUS_PAUSED)]);
    expect([r.codespace, r.code]).toEqual(["registry", 7]);
    r = await send(d, other, [BlockaiMsgs.setModelStatus(other.address, id, ModelStatus.MODEL_STATUS_ACTIVE)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 4]);
    r = await send(d, owner, [BlockaiMsgs.setModelStatus(owner.address, id, ModelStatus.MODEL_STATUS_ACTIVE)]);
    expect(r.code).toBe(0);
    r = await send(d, owner, [BlockaiMsgs.setModelStatus(owner.address, id, ModelStatus.MODEL_STATUS_UNSPECIFIED)]);
    expect([r.codespace, r.code]).toEqual(["registry", 7]);
    r = await send(d, operator, [BlockaiMsgs.setModelStatus(operator.address, id, ModelStatus.MODEL_STATUS_RETIRED)]);
    expect([r.codespace, r.code]).toEqual(["sdk", 4]);

    const ownerBefore = d.balance(owner.address);
    r = await send(d, owner, [BlockaiMsgs.setModelStatus(owner.address, id, ModelStatus.MODEL_STATUS_RETIRED)]);
    expect(r.code).toBe(0);
    const retiredAt = BigInt(d.height);
    expect(model(d, id)).toMatchObject({ status: ModelStatus.MODEL_STATUS_RETIRED, retiredHeight: retiredAt, bondReleaseHeight: retiredAt + 3n, bondReturned: false });
    expect(d.balance(owner.address)).toBe(ownerBefore - FEE);
    // Retired is final: no status change, no update.
    r = await send(d, owner, [BlockaiMsgs.setModelStatus(owner.address, id, ModelStatus.MODEL_STATUS_ACTIVE)]);
    expect([r.codespace, r.code]).toEqual(["registry", 8]);
    r = await send(d, owner, [BlockaiMsgs.updateModel(owner.address, id, { name: "again" })]);
    expect([r.codespace, r.code]).toEqual(["registry", 8]);
    // Heights retiredAt+1 and +2 passed above; the bond comes back at the end of retiredAt+3.
    expect(BigInt(d.height)).toBe(retiredAt + 2n);
    expect(d.balance(BOND_ACCOUNT)).toBe(5_000n);
    const { response } = await d.block();
    expect(d.balance(BOND_ACCOUNT)).toBe(0n);
    expect(d.balance(owner.address)).toBe(ownerBefore - 3n * FEE + 5_000n);
    expect(model(d, id)!.bondReturned).toBe(true);
    expect(response.events.map((e) => e.type)).toContain("return_model_bond");
    await d.block();
    expect(d.balance(owner.address)).toBe(ownerBefore - 3n * FEE + 5_000n);
  });

  test("Models query: filters by owner, status and task through indexes, paginated with next_key, offset and totals", async () => {
    const mine: bigint[] = [];
    for (let i = 0; i < 5; i++) mine.push(await register({ artifactDigest: digest(i), task: i % 2 === 0 ? "text-generation" : "embedding" }));
    const theirs = await register({ task: "embedding" }, other);
    await send(d, owner, [BlockaiMsgs.setModelStatus(owner.address, mine[1], ModelStatus.MODEL_STATUS_PAUSED)]);
    const models = (req: Partial<QueryModelsRequest>) =>
      query(d, "Models", QueryModelsRequest.encode({ owner: "", status: 0, task: "", pagination: undefined, ...req }).finish(), QueryModelsResponse.decode);
    expect(models({}).models.map((m) => m.id)).toEqual([...mine, theirs]);
    expect(models({ owner: owner.address }).models.map((m) => m.id)).toEqual(mine);
    expect(models({ owner: other.address }).models.map((m) => m.id)).toEqual([theirs]);
    expect(models({ task: "embedding" }).models.map((m) => m.id)).toEqual([mine[1], mine[3], theirs]);
    expect(models({ status: ModelStatus.MODEL_STATUS_PAUSED }).models.map((m) => m.id)).toEqual([mine[1]]);
    expect(models({ owner: owner.address, task: "embedding", status: ModelStatus.MODEL_STATUS_ACTIVE }).models.map((m) => m.id)).toEqual([mine[3]]);

    // Pages of 2 over the owner's models, following next_key, with the total counted.
    const seen: bigint[] = [];
    let key: Uint8Array = new Uint8Array();
    let pages = 0;
    for (;;) {
      const res = models({ owner: owner.address, pagination: { key: Buffer.from(key), offset: 0n, limit: 2n, countTotal: pages === 0, reverse: false } });
      if (pages === 0) expect(res.pagination!.total).toBe(5n);
      seen.push(...res.models.map((m) => m.id));
      pages++;
      key = res.pagination!.nextKey;
      if (key.length === 0) break;
    }
    expect(seen).toEqual(mine);
    expect(pages).toBe(3);
    // Filtered pages: a combined filter still fills pages and continues correctly.
    const p1 = models({ task: "text-generation", pagination: { key: Buffer.alloc(0), offset: 0n, limit: 2n, countTotal: true, reverse: false } });
    expect(p1.models.map((m) => m.id)).toEqual([mine[0], mine[2]]);
    expect(p1.pagination!.total).toBe(3n);
    const p2 = models({ task: "text-generation", pagination: { key: p1.pagination!.nextKey, offset: 0n, limit: 2n, countTotal: false, reverse: false } });
    expect(p2.models.map((m) => m.id)).toEqual([mine[4]]);
    expect(p2.pagination!.nextKey.length).toBe(0);
    const off = models({ pagination: { key: Buffer.alloc(0), offset: 4n, limit: 10n, countTotal: false, reverse: true } });
    expect(off.models.map((m) => m.id)).toEqual([mine[1], mine[0]]);
    expect(() => models({ owner: "soa1bad" })).toThrow(expect.objectContaining({ codespace: "sdk", code: 7 }));
  });

  test("Models: an offset above MAX_PAGE_OFFSET (100,000) is sdk/18 invalid request, filtered or not; 100,000 itself is served", async () => {
    const ids = [await register(), await register({ artifactDigest: digest(1) })];
    const models = (offset: bigint, who: string) =>
      query(d, "Models", QueryModelsRequest.encode({ owner: who, status: 0, task: "", pagination: { key: Buffer.alloc(0), offset, limit: 0n, countTotal: true, reverse: false } }).finish(), QueryModelsResponse.decode);
    expect(MAX_PAGE_OFFSET).toBe(100_000n);
    // Over the model records, and over the owner index.
    for (const who of ["", owner.address]) {
      expect(() => models(100_001n, who)).toThrow(expect.objectContaining({ codespace: "sdk", code: 18 }));
      expect(() => models(1n << 63n, who)).toThrow(/offset 9223372036854775808 is above 100000/);
      const atCap = models(100_000n, who);
      expect(atCap.models).toEqual([]);
      expect(atCap.pagination!.total).toBe(2n);
      expect(models(1n, who).models.map((m) => m.id)).toEqual(ids.slice(1));
    }
  });

  test("module accounts of the registry cannot receive MsgSend (bond accounting stays exact)", async () => {
    await register();
    const acc = d.account(owner.address)!;
    const tx = signTx({ key: owner, msgs: [msgSend(owner.address, BOND_ACCOUNT, 1n)], accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: d.chainId });
    const { results } = await d.block([tx]);
    expect([results[0].codespace, results[0].code]).toEqual(["sdk", 4]);
  });

  test("genesis: export then import reproduces the registry (models, indexes, queue, next id); a bad genesis names the field", async () => {
    const id = await register({ operators: [operator.address] });
    await register({ artifactDigest: digest(3) });
    await send(d, owner, [BlockaiMsgs.setModelStatus(owner.address, id, ModelStatus.MODEL_STATUS_RETIRED)]);
    const exported = exportSections(d, ["auth", "bank", "registry", "epochs"]);
    // auth's genesis import takes base accounts only; module accounts are recreated on first use.
    exported.auth.accounts = exported.auth.accounts.filter((a: { "@type": string }) => a["@type"] === "/cosmos.auth.v1beta1.BaseAccount");
    // Only the accounts this test is about (other modules' accounts belong to their own sections).
    const keep = new Set([...d.keys.map((k) => k.address), BOND_ACCOUNT]);
    exported.bank.balances = exported.bank.balances.filter((b: { address: string }) => keep.has(b.address));
    exported.bank.supply = [];
    const d2 = await Driver.create({ accounts: 4, appState: (s) => Object.assign(s, exported) });
    try {
      await d2.block();
      expect(exportSections(d2, ["registry"]).registry).toEqual(exported.registry);
      // The retired model's bond is still queued in the new chain and is returned there.
      for (let i = 0; i < 6; i++) await d2.block();
      expect(d2.app.keepers.registry.getModel(d2.app.committedStore()!, id)!.bondReturned).toBe(true);
    } finally {
      await d2.close();
    }
    const bad = JSON.parse(JSON.stringify(exported));
    bad.registry.models[1].artifact_digest = Buffer.alloc(5).toString("base64");
    await expect(Driver.create({ accounts: 4, appState: (s) => Object.assign(s, bad) })).rejects.toThrow(/registry\.models\[1\]\.artifact_digest/);
    const bad2 = JSON.parse(JSON.stringify(exported));
    bad2.registry.models[0].bond.amount = "1";
    await expect(Driver.create({ accounts: 4, appState: (s) => Object.assign(s, bad2) })).rejects.toThrow(/registry module account balance/);
  });
});
