import {
  Request,
  Response,
  ResponseApplySnapshotChunk_Result,
  ResponseOfferSnapshot_Result,
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import {
  type AbciApplication,
  type AbciLogger,
  type AbciMethod,
  ABCI_METHODS,
  Dispatcher,
  FrameDecoder,
  proposalTxSize,
  requestMethod,
  ResponseBatch,
  trimProposalTxs,
} from "../../src/abci";

/** Stands for "the connection was closed instead of answering". */
const CLOSED = "closed" as const;

const { ACCEPT, REJECT } = ResponseProcessProposal_ProposalStatus;

function quietLogger(): AbciLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => undefined, error: (message) => errors.push(message) };
}

/** Dispatches `request` (a full Request wrapper) and decodes the answer. */
async function call(
  app: AbciApplication,
  request: Request,
  fatals: [unknown, AbciMethod][] = [],
  logger = quietLogger(),
): Promise<Response | typeof CLOSED> {
  const dispatcher = new Dispatcher(app, logger, (err, method) => fatals.push([err, method]));
  const method = requestMethod(request);
  if (method === undefined || method === "flush") throw new Error("not an app request");
  const batch = new ResponseBatch();
  const outcome = await dispatcher.dispatch(method, request[method]!, batch);
  if (outcome === "close") {
    expect(batch.length).toBe(0);
    return CLOSED;
  }
  expect(batch.length).toBe(1); // exactly one response per request
  const [frame] = new FrameDecoder().push(batch.take());
  return Response.decode(frame);
}

/** A minimal valid request for every method. */
const REQUESTS: Record<AbciMethod, Request> = {
  echo: Request.fromPartial({ echo: { message: "hi" } }),
  info: Request.fromPartial({ info: {} }),
  initChain: Request.fromPartial({ initChain: { chainId: "c" } }),
  query: Request.fromPartial({ query: { path: "/x" } }),
  checkTx: Request.fromPartial({ checkTx: { tx: Uint8Array.of(1) } }),
  commit: Request.fromPartial({ commit: {} }),
  listSnapshots: Request.fromPartial({ listSnapshots: {} }),
  offerSnapshot: Request.fromPartial({ offerSnapshot: {} }),
  loadSnapshotChunk: Request.fromPartial({ loadSnapshotChunk: {} }),
  applySnapshotChunk: Request.fromPartial({ applySnapshotChunk: {} }),
  prepareProposal: Request.fromPartial({
    prepareProposal: { maxTxBytes: 1000n, txs: [Uint8Array.of(1), Uint8Array.of(2)] },
  }),
  processProposal: Request.fromPartial({ processProposal: {} }),
  extendVote: Request.fromPartial({ extendVote: {} }),
  verifyVoteExtension: Request.fromPartial({ verifyVoteExtension: {} }),
  finalizeBlock: Request.fromPartial({
    finalizeBlock: { txs: [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)] },
  }),
};

describe("safe defaults of an empty application", () => {
  test.each(ABCI_METHODS)("%s answers with its own response type", async (method) => {
    const response = await call({}, REQUESTS[method]);
    expect(response).not.toBe(CLOSED);
    expect(requestMethod(response as Request)).toBe(method);
    expect((response as Response).exception).toBeUndefined();
  });

  test("values", async () => {
    const r = async (m: AbciMethod): Promise<Response> => (await call({}, REQUESTS[m])) as Response;
    expect((await r("echo")).echo).toEqual({ message: "hi" });
    expect((await r("info")).info?.lastBlockHeight).toBe(0n);
    expect((await r("query")).query).toMatchObject({ code: 1, log: "unknown query" });
    expect((await r("checkTx")).checkTx?.code).toBe(0);
    expect((await r("processProposal")).processProposal?.status).toBe(ACCEPT);
    expect((await r("verifyVoteExtension")).verifyVoteExtension?.status).toBe(
      ResponseVerifyVoteExtension_VerifyStatus.ACCEPT,
    );
    expect((await r("offerSnapshot")).offerSnapshot?.result).toBe(ResponseOfferSnapshot_Result.REJECT);
    expect((await r("applySnapshotChunk")).applySnapshotChunk?.result).toBe(
      ResponseApplySnapshotChunk_Result.ABORT,
    );
    expect((await r("listSnapshots")).listSnapshots?.snapshots).toEqual([]);
    expect((await r("prepareProposal")).prepareProposal?.txs).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
    expect((await r("finalizeBlock")).finalizeBlock?.txResults).toHaveLength(3);
  });
});

describe("handler failures", () => {
  const boom = (): never => {
    throw new Error("boom");
  };
  const rejecting = async (): Promise<never> => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new Error("async boom");
  };
  const failingApp: AbciApplication = {
    echo: boom,
    query: boom,
    checkTx: rejecting,
    listSnapshots: boom,
    offerSnapshot: boom,
    loadSnapshotChunk: boom,
    applySnapshotChunk: rejecting,
    prepareProposal: boom,
    processProposal: rejecting,
    extendVote: boom,
    verifyVoteExtension: boom,
  };

  test("non-consensus methods answer a fallback, never an exception", async () => {
    const r = async (m: AbciMethod): Promise<Response> => {
      const response = await call(failingApp, REQUESTS[m]);
      expect(response).not.toBe(CLOSED);
      expect((response as Response).exception).toBeUndefined();
      return response as Response;
    };
    expect((await r("echo")).echo?.message).toBe("hi");
    expect((await r("query")).query).toMatchObject({ code: 1, codespace: "abci", log: "boom" });
    expect((await r("checkTx")).checkTx).toMatchObject({ code: 1, codespace: "abci", log: "async boom" });
    expect((await r("processProposal")).processProposal?.status).toBe(REJECT);
    expect((await r("verifyVoteExtension")).verifyVoteExtension?.status).toBe(
      ResponseVerifyVoteExtension_VerifyStatus.REJECT,
    );
    expect((await r("prepareProposal")).prepareProposal?.txs).toHaveLength(2);
    expect((await r("extendVote")).extendVote?.voteExtension).toHaveLength(0);
    expect((await r("offerSnapshot")).offerSnapshot?.result).toBe(ResponseOfferSnapshot_Result.REJECT);
    expect((await r("applySnapshotChunk")).applySnapshotChunk?.result).toBe(
      ResponseApplySnapshotChunk_Result.ABORT,
    );
    expect((await r("loadSnapshotChunk")).loadSnapshotChunk?.chunk).toHaveLength(0);
    expect((await r("listSnapshots")).listSnapshots?.snapshots).toEqual([]);
  });

  test.each(["info", "initChain", "finalizeBlock", "commit"] as const)(
    "%s failing calls onFatal and closes instead of answering",
    async (method) => {
      const fatals: [unknown, AbciMethod][] = [];
      const app: AbciApplication = { [method]: rejecting };
      expect(await call(app, REQUESTS[method], fatals)).toBe(CLOSED);
      expect(fatals).toHaveLength(1);
      expect(fatals[0][1]).toBe(method);
      expect((fatals[0][0] as Error).message).toBe("async boom");
    },
  );

  test("a handler returning nothing is a failure, not an empty Response", async () => {
    const app = { checkTx: () => undefined } as unknown as AbciApplication;
    const response = (await call(app, REQUESTS.checkTx)) as Response;
    expect(response.checkTx).toMatchObject({ code: 1, log: "checkTx handler returned no response" });
  });

  test("a partial response from plain JS is completed, not a crash", async () => {
    const app = { checkTx: () => ({ code: 5, gasWanted: 7 }) } as unknown as AbciApplication;
    const response = (await call(app, REQUESTS.checkTx)) as Response;
    expect(response.checkTx).toMatchObject({ code: 5, gasWanted: 7n });
  });
});

describe("response guards", () => {
  test("finalizeBlock with the wrong number of tx_results is fatal", async () => {
    const fatals: [unknown, AbciMethod][] = [];
    const app: AbciApplication = {
      finalizeBlock: () => ({
        txResults: [],
        events: [],
        validatorUpdates: [],
        appHash: new Uint8Array(32),
      }),
    };
    expect(await call(app, REQUESTS.finalizeBlock, fatals)).toBe(CLOSED);
    expect(String(fatals[0][0])).toMatch(/0 tx_results for 3 txs/);
  });

  test("processProposal UNKNOWN becomes REJECT", async () => {
    const logger = quietLogger();
    const app: AbciApplication = { processProposal: () => ({ status: 0 }) };
    const response = (await call(app, REQUESTS.processProposal, [], logger)) as Response;
    expect(response.processProposal?.status).toBe(REJECT);
    expect(logger.errors.join()).toMatch(/REJECT/);
  });

  test("an oversize prepareProposal answer is trimmed and logged", async () => {
    const logger = quietLogger();
    const big = new Uint8Array(600);
    const app: AbciApplication = { prepareProposal: () => ({ txs: [big, big, big] }) };
    const response = (await call(app, REQUESTS.prepareProposal, [], logger)) as Response;
    expect(response.prepareProposal?.txs).toHaveLength(1);
    expect(logger.errors.join()).toMatch(/max_tx_bytes=1000/);
  });

  test("trimProposalTxs counts bytes the way CometBFT validates them", () => {
    const tx = new Uint8Array(200); // 1 tag + 2 length + 200 = 203 bytes in the block
    expect(proposalTxSize(tx)).toBe(203);
    expect(trimProposalTxs([tx, tx, tx], 609n)).toHaveLength(3);
    expect(trimProposalTxs([tx, tx, tx], 608n)).toHaveLength(2);
    expect(trimProposalTxs([tx, new Uint8Array(1), tx], 206n)).toHaveLength(2); // a prefix, in order
    expect(trimProposalTxs([tx], 0n)).toHaveLength(0);
  });
});

describe("ResponseBatch", () => {
  test("frames are uvarint-prefixed and a failed append leaves the batch intact", () => {
    const batch = new ResponseBatch();
    batch.append({ echo: { message: "a".repeat(200) } });
    const broken = { checkTx: { code: 0 } } as unknown as Response; // fields missing: encode throws
    expect(() => batch.append(broken)).toThrow();
    batch.append({ flush: {} });
    expect(batch.length).toBe(2);
    const bytes = batch.take();
    // Response{echo{message}} = 1 tag + 2 len + (1 tag + 2 len + 200) = 206 bytes; uvarint(206) = ce 01
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0xce, 0x01]);
    const frames = new FrameDecoder().push(bytes).map((f) => Response.decode(f));
    expect(frames.map((r) => r.echo?.message.length ?? (r.flush ? "flush" : "?"))).toEqual([200, "flush"]);
    expect(batch.length).toBe(0);
    expect(batch.take()).toHaveLength(0);
  });
});
