import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { BlockaiApp } from "../app/app";
import { createLogger } from "../app/logger";
import type { Genesis } from "./home";

/** CometBFT's limit (types/genesis.go MaxChainIDLen). */
const MAX_CHAIN_ID_LENGTH = 50;

export interface GenesisSummary {
  chain_id: string;
  initial_height: string;
  genesis_time: string;
  validators: number;
  total_power: string;
  accounts: number;
  /** The app hash InitChain returns: the state root of the genesis. */
  app_hash: string;
}

/** The app_state loads but neither the genesis nor the app (staking) names a validator. */
export class NoValidatorsError extends Error {
  constructor() {
    super("no validators: the genesis lists none and the app_state yields none");
  }
}

export interface GenesisCheck {
  summary: GenesisSummary;
  /** The validator set InitChain answered with (the staking module's bonded set), if any. */
  appValidators: ValidatorUpdate[];
}

/** CometBFT's genesis `validators` entry for a validator update (ed25519 keys). */
export function cometValidator(v: ValidatorUpdate, name = ""): Genesis["validators"][number] {
  const key = Buffer.from(v.pubKey.ed25519 ?? new Uint8Array());
  return {
    address: crypto.createHash("sha256").update(key).digest().subarray(0, 20).toString("hex").toUpperCase(),
    pub_key: { type: "tendermint/PubKeyEd25519", value: key.toString("base64") },
    power: v.power.toString(),
    name,
  };
}

/** RFC 3339 with up to nanoseconds, as CometBFT writes genesis_time. */
export function parseGenesisTime(text: unknown): { seconds: bigint; nanos: number } {
  if (typeof text !== "string") throw new Error("genesis_time must be an RFC 3339 string");
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new Error(`genesis_time "${text}" is not an RFC 3339 time`);
  return { seconds: BigInt(ms / 1000), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

function intString(v: unknown, what: string, min: bigint): bigint {
  if (typeof v !== "string" && typeof v !== "number") throw new Error(`${what} must be an integer string`);
  const s = String(v);
  if (!/^-?[0-9]+$/.test(s) || BigInt(s) < min) throw new Error(`${what} must be an integer >= ${min}, got "${s}"`);
  return BigInt(s);
}

/** CometBFT's genesis validators: ed25519 keys, positive power, address = SHA-256(key)[:20]. */
function checkValidators(genesis: Genesis): ValidatorUpdate[] {
  if (!Array.isArray(genesis.validators)) throw new Error("validators must be a list");
  const seen = new Set<string>();
  return genesis.validators.map((v, i) => {
    const where = `validators[${i}]${v?.name ? ` (${v.name})` : ""}`;
    if (v?.pub_key?.type !== "tendermint/PubKeyEd25519") throw new Error(`${where}: pub_key.type must be tendermint/PubKeyEd25519`);
    const key = Buffer.from(String(v.pub_key.value), "base64");
    if (key.length !== 32) throw new Error(`${where}: pub_key.value must be 32 bytes of base64`);
    if (seen.has(v.pub_key.value)) throw new Error(`${where}: the same consensus key appears twice`);
    seen.add(v.pub_key.value);
    const power = intString(v.power, `${where}.power`, 1n);
    const address = crypto.createHash("sha256").update(key).digest().subarray(0, 20).toString("hex").toUpperCase();
    if (v.address && v.address.toUpperCase() !== address) throw new Error(`${where}: address ${v.address} does not match its key (expected ${address})`);
    return { pubKey: { ed25519: new Uint8Array(key) }, power };
  });
}

/**
 * Checks a genesis the way the chain will use it: CometBFT's own rules (chain ID, time, height,
 * validators), then the app_state by opening a BlockaiApp on a scratch directory and running
 * InitChain and an empty first block with every invariant checked. Module validation is thereby
 * the modules' own initGenesis, never a copy of it.
 */
export async function checkGenesis(genesis: Genesis): Promise<GenesisCheck> {
  if (typeof genesis !== "object" || genesis === null || Array.isArray(genesis)) throw new Error("the genesis must be a JSON object");
  if (typeof genesis.chain_id !== "string" || genesis.chain_id.trim() === "") throw new Error("chain_id is missing");
  if (genesis.chain_id.length > MAX_CHAIN_ID_LENGTH) throw new Error(`chain_id is longer than ${MAX_CHAIN_ID_LENGTH} characters`);
  const time = parseGenesisTime(genesis.genesis_time);
  const initialHeight = genesis.initial_height === undefined ? 1n : intString(genesis.initial_height, "initial_height", 0n) || 1n;
  const validators = checkValidators(genesis);
  if (typeof genesis.app_state !== "object" || genesis.app_state === null || Array.isArray(genesis.app_state)) throw new Error("app_state must be a JSON object");
  const block = (genesis.consensus_params as { block?: { max_bytes?: string; max_gas?: string } } | undefined)?.block;
  // -1 (CometBFT's "no limit") is refused by InitChain: see BlockaiApp.initChain.
  const maxBytes = block?.max_bytes === undefined ? 22_020_096n : intString(block.max_bytes, "consensus_params.block.max_bytes", 1n);
  const maxGas = block?.max_gas === undefined ? -1n : intString(block.max_gas, "consensus_params.block.max_gas", -1n);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-genesis-check-"));
  const app = await BlockaiApp.open({ dataDir: path.join(dir, "state"), minGasPrices: [], logger: createLogger("none"), checkInvariants: true });
  try {
    let initValidators: ValidatorUpdate[];
    let appValidators: ValidatorUpdate[];
    let appHash: Uint8Array;
    try {
      const res = app.initChain({
        time,
        chainId: genesis.chain_id,
        consensusParams: { block: { maxBytes, maxGas } },
        validators,
        appStateBytes: new TextEncoder().encode(JSON.stringify(genesis.app_state)),
        initialHeight,
      });
      appValidators = res.validators;
      initValidators = res.validators.length > 0 ? res.validators : validators;
      appHash = res.appHash;
      const proposer = genesis.validators[0]?.address ? Buffer.from(genesis.validators[0].address, "hex") : new Uint8Array(20);
      app.finalizeBlock({
        txs: [],
        decidedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        height: initialHeight,
        time,
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(proposer),
      });
    } catch (e) {
      throw new Error(`app_state is invalid: ${(e as Error).message}`);
    }
    if (initValidators.length === 0) throw new NoValidatorsError();
    await app.commit();
    const balances = (genesis.app_state.bank?.balances ?? []) as unknown[];
    const summary: GenesisSummary = {
      chain_id: genesis.chain_id,
      initial_height: initialHeight.toString(),
      genesis_time: String(genesis.genesis_time),
      validators: initValidators.length,
      total_power: initValidators.reduce((a, v) => a + v.power, 0n).toString(),
      accounts: balances.length,
      app_hash: Buffer.from(appHash).toString("hex").toUpperCase(),
    };
    return { summary, appValidators };
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
