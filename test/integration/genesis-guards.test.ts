import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BlockaiApp } from "../../src/app/app";
import { createLogger } from "../../src/app/logger";
import { checkGenesis } from "../../src/node/genesis-check";
import { defaultAppState, type Genesis } from "../../src/node/home";

/** A genesis as `blockai init` writes it: CometBFT's own validator, no staking validator. */
function cometOnlyGenesis(): Genesis {
  const key = crypto.randomBytes(32);
  return {
    genesis_time: "2026-01-01T00:00:00Z",
    chain_id: "guards",
    initial_height: "1",
    consensus_params: { block: { max_bytes: "22020096", max_gas: "-1" } },
    validators: [{ address: "", pub_key: { type: "tendermint/PubKeyEd25519", value: key.toString("base64") }, power: "10", name: "node0" }],
    app_hash: "",
    app_state: defaultAppState(),
  } as Genesis;
}

describe("genesis guards: what would let any user stop or take over the chain is refused at InitChain", () => {
  let dir: string;
  let app: BlockaiApp;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-guards-"));
    app = await BlockaiApp.open({ dataDir: dir, minGasPrices: [], logger: createLogger("none") });
  });
  afterEach(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const request = (over: { validators?: Array<{ pubKey: { ed25519: Uint8Array }; power: bigint }>; maxBytes?: bigint }) => ({
    time: { seconds: 1_767_225_600n, nanos: 0 },
    chainId: "guards",
    consensusParams: over.maxBytes === undefined ? undefined : { block: { maxBytes: over.maxBytes, maxGas: -1n } },
    validators: over.validators ?? [],
    appStateBytes: new TextEncoder().encode(JSON.stringify(defaultAppState())),
    initialHeight: 1n,
  });

  test("CometBFT genesis validators with no bonded staking validator", () => {
    const validators = [{ pubKey: { ed25519: new Uint8Array(crypto.randomBytes(32)) }, power: 10n }];
    expect(() => app.initChain(request({ validators }) as never)).toThrow(/staking genesis has no bonded validators, while CometBFT's genesis lists 1.*blockai genesis add-validator/);
  });

  test("block max_bytes of -1 (no limit) or 0", () => {
    expect(() => app.initChain(request({ maxBytes: -1n }) as never)).toThrow(/max_bytes must be a positive number of bytes, got -1/);
    expect(() => app.initChain(request({ maxBytes: 0n }) as never)).toThrow(/max_bytes must be a positive/);
  });

  test("a chain without validators on either side (in-process, no consensus) still starts", () => {
    expect(app.initChain(request({ maxBytes: 22_020_096n }) as never).validators).toEqual([]);
  });
});

describe("`blockai genesis validate` (checkGenesis) says the same", () => {
  test("a genesis from `blockai init` without add-validator", async () => {
    await expect(checkGenesis(cometOnlyGenesis())).rejects.toThrow(/app_state is invalid: the staking genesis has no bonded validators/);
  });

  test("max_bytes -1", async () => {
    const g = cometOnlyGenesis();
    (g.consensus_params as { block: { max_bytes: string } }).block.max_bytes = "-1";
    await expect(checkGenesis(g)).rejects.toThrow(/consensus_params.block.max_bytes must be an integer >= 1, got "-1"/);
  });
});
