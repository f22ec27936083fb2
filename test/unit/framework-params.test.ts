import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { encodeAddress, moduleAddress } from "../../src/types/address";
import { ChainError } from "../../src/types/errors";
import { EventManager } from "../../src/framework/events";
import { GasMeter } from "../../src/framework/gas";
import type { Context } from "../../src/framework/module";
import { updateParamsHandler } from "../../src/framework/params";
import type { KVStore } from "../../src/store/kv";

/** A message {authority = 1, limit = 2 (uint64)} with its own tiny codec. */
interface MsgSetLimit {
  authority: string;
  limit: bigint;
}
const codec = {
  encode(m: MsgSetLimit) {
    const w = new BinaryWriter();
    if (m.authority !== "") w.uint32(10).string(m.authority);
    if (m.limit !== 0n) w.uint32(16).uint64(m.limit);
    return w;
  },
  decode(bytes: Uint8Array): MsgSetLimit {
    const r = new BinaryReader(bytes);
    const m: MsgSetLimit = { authority: "", limit: 0n };
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) m.authority = r.string();
      else if (tag >>> 3 === 2) m.limit = r.uint64();
      else r.skipType(tag & 7);
    }
    return m;
  },
};

const AUTHORITY = encodeAddress(moduleAddress("gov"));
const OTHER = encodeAddress(moduleAddress("someone"));

function memoryContext(): Context & { stored: Map<string, bigint> } {
  const map = new Map<string, Uint8Array>();
  const store: KVStore = {
    get: (k) => map.get(Buffer.from(k).toString("hex")),
    has: (k) => map.has(Buffer.from(k).toString("hex")),
    set: (k, v) => void map.set(Buffer.from(k).toString("hex"), v),
    delete: (k) => void map.delete(Buffer.from(k).toString("hex")),
    range: () => [],
  };
  const stored = new Map<string, bigint>();
  return {
    store,
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    block: { height: 1, timeNs: 0n, chainId: "t", proposerAddress: new Uint8Array(), hash: new Uint8Array() },
    mode: "deliver",
    stored,
  };
}

/** A module whose limit must be 1..100 (genesis validation) and never below what it holds (state). */
function handler(held = 10n) {
  return updateParamsHandler<MsgSetLimit, bigint>({
    typeUrl: "/test.v1.MsgUpdateParams",
    codec,
    authority: AUTHORITY,
    read(m) {
      if (m.limit < 1n || m.limit > 100n) throw new Error(`params.limit: must be between 1 and 100, got ${m.limit}`);
      return m.limit;
    },
    checkState(_ctx, limit) {
      if (limit < held) throw new Error(`params.limit: ${limit} is below the ${held} entries already held`);
    },
    set: (ctx, limit) => void (ctx as ReturnType<typeof memoryContext>).stored.set("limit", limit),
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChainError) return `${e.codespace}/${e.code}: ${e.message}`;
    throw e;
  }
  return "ok";
}

describe("updateParamsHandler", () => {
  test("the authority is the only signer; the response is <typeUrl>Response", () => {
    const h = handler();
    expect(h.signers({ authority: AUTHORITY, limit: 5n })).toEqual([AUTHORITY]);
    const ctx = memoryContext();
    expect(h.execute(ctx, { authority: AUTHORITY, limit: 50n })).toEqual({ typeUrl: "/test.v1.MsgUpdateParamsResponse", value: new Uint8Array() });
    expect(ctx.stored.get("limit")).toBe(50n);
  });

  test("stateless validation is the genesis validation, refused as sdk/18 naming the field; a bad authority address is sdk/7", () => {
    const h = handler();
    expect(codeOf(() => h.validateBasic({ authority: AUTHORITY, limit: 0n }))).toMatch(/^sdk\/18: params\.limit: must be between 1 and 100, got 0/);
    expect(codeOf(() => h.validateBasic({ authority: "soa1nope", limit: 5n }))).toMatch(/^sdk\/7: /);
    expect(codeOf(() => h.validateBasic({ authority: AUTHORITY, limit: 100n }))).toBe("ok");
  });

  test("anyone but the authority is refused with gov/13 and nothing is written", () => {
    const ctx = memoryContext();
    expect(codeOf(() => handler().execute(ctx, { authority: OTHER, limit: 50n }))).toMatch(/^gov\/13: invalid authority; expected soa1.*, got soa1/);
    expect(ctx.stored.size).toBe(0);
  });

  test("an invariant-breaking change is refused at submission (checkProposalMsg) and again at execution", () => {
    const h = handler(20n);
    const ctx = memoryContext();
    expect(codeOf(() => h.checkProposalMsg!(ctx, { authority: AUTHORITY, limit: 15n }))).toMatch(/^sdk\/18: params\.limit: 15 is below the 20 entries already held/);
    expect(codeOf(() => h.execute(ctx, { authority: AUTHORITY, limit: 15n }))).toMatch(/^sdk\/18: /);
    expect(ctx.stored.size).toBe(0);
    expect(codeOf(() => h.checkProposalMsg!(ctx, { authority: AUTHORITY, limit: 25n }))).toBe("ok");
    // Invalid params are refused before the state check.
    expect(codeOf(() => h.execute(ctx, { authority: AUTHORITY, limit: 1000n }))).toMatch(/must be between 1 and 100/);
  });

  test("round-trips through its codec (as a proposal's Any carries it)", () => {
    const h = handler();
    const bytes = h.codec.encode({ authority: AUTHORITY, limit: 42n }).finish();
    expect(h.codec.decode(bytes)).toEqual({ authority: AUTHORITY, limit: 42n });
  });
});
