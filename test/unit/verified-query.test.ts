import type { Comet38Client } from "@cosmjs/tendermint-rpc";
import { encodeProof, PROOF_OP_TYPE } from "../../src/types/proof";
import { ProofError, queryVerified } from "../../src/client/verified-query";
import { MerkleTree } from "../../src/store/smt";

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * An RPC node serving one state version at `height` (header `height + 1` carries its root), which
 * can be told to misbehave: answer for another height, or serve a header of another height/chain.
 */
function node(height: number, lie: { answerHeight?: number; headerHeight?: number; chainId?: string } = {}): Comet38Client {
  return {
    abciQuery: async ({ data }: { data: Uint8Array }) => ({
      code: 0,
      height: lie.answerHeight ?? height,
      value: values.get(Buffer.from(data).toString()) ?? new Uint8Array(),
      proof: { ops: [{ type: PROOF_OP_TYPE, key: data, data: encodeProof(tree.prove(data)) }] },
    }),
    block: async () => ({ block: { header: { height: lie.headerHeight ?? height + 1, chainId: lie.chainId ?? "blockai-1", appHash: tree.root() } } }),
  } as unknown as Comet38Client;
}

const values = new Map([
  ["present", enc("42")],
  ["empty-value", new Uint8Array()],
  ["other", enc("x")],
]);
const tree = MerkleTree.fromEntries([...values].map(([k, v]) => [enc(k), v] as const));

describe("queryVerified", () => {
  test("a present key, an absent key, and a key holding zero bytes (told apart by the proof)", async () => {
    expect(await queryVerified(node(7), enc("present"))).toMatchObject({ value: enc("42"), height: 7 });
    expect((await queryVerified(node(7), enc("absent"))).value).toBeUndefined();
    expect((await queryVerified(node(7), enc("empty-value"))).value).toEqual(new Uint8Array());
  });

  test("a node answering for another height than asked is refused", async () => {
    await expect(queryVerified(node(7, { answerHeight: 5 }), enc("present"), { height: 7 })).rejects.toThrow(ProofError);
    await expect(queryVerified(node(7, { answerHeight: 5 }), enc("present"), { height: 7 })).rejects.toThrow(/asked for the state at height 7, the node answered for height 5/);
    expect((await queryVerified(node(7), enc("present"), { height: 7 })).height).toBe(7);
    // Height 0 asks for the latest state: whatever height the node answers for.
    expect((await queryVerified(node(7), enc("present"), { height: 0 })).height).toBe(7);
  });

  test("a header of another height, or of another chain when the chain id is given, is refused", async () => {
    await expect(queryVerified(node(7, { headerHeight: 9 }), enc("present"))).rejects.toThrow(/asked for header 8, got header 9/);
    await expect(queryVerified(node(7, { chainId: "evil-1" }), enc("present"), { chainId: "blockai-1" })).rejects.toThrow(/chain "evil-1", not "blockai-1"/);
  });
});
