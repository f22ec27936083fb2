import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fromBase64, fromHex } from "@cosmjs/encoding";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { BlockaiApp } from "../../src/app/app";
import { createLogger } from "../../src/app/logger";
import { rpc } from "../../src/node/rpc";

/**
 * Re-executes a chain's blocks, fetched from a node's RPC, in a fresh in-process app with no
 * interruptions, and returns the app hash after each height. Comparing it with the headers of
 * the original chain shows whether the original run (with crashes, restarts, replays) computed
 * exactly the same state.
 */
export async function replayAppHashes(rpcEndpoint: string, genesisFile: string, toHeight: number): Promise<Map<number, string>> {
  const genesis = JSON.parse(fs.readFileSync(genesisFile, "utf8"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-replay-"));
  const app = await BlockaiApp.open({ dataDir: dir, minGasPrices: [], logger: createLogger("none") });
  const hashes = new Map<number, string>();
  try {
    const genesisTime = new Date(genesis.genesis_time);
    app.initChain({
      time: { seconds: BigInt(Math.floor(genesisTime.getTime() / 1000)), nanos: 0 },
      chainId: genesis.chain_id,
      consensusParams: undefined,
      validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(genesis.app_state)),
      initialHeight: BigInt(genesis.initial_height || "1"),
    });
    for (let h = 1; h <= toHeight; h++) {
      const { block, block_id } = await rpc(rpcEndpoint, "block", { height: h });
      const header = block.header;
      const lastCommit = block.last_commit;
      const validators = h > 1 ? (await rpc(rpcEndpoint, "validators", { height: h - 1, per_page: 100 })).validators : [];
      const power = new Map<string, bigint>(validators.map((v: any) => [v.address, BigInt(v.voting_power)]));
      const time = parseRfc3339Nanos(header.time);
      const res = app.executeBlock({
        txs: (block.data.txs ?? []).map((t: string) => fromBase64(t)),
        decidedLastCommit: {
          round: lastCommit?.round ?? 0,
          votes: (lastCommit?.signatures ?? [])
            .filter((s: any) => s.validator_address)
            .map((s: any) => ({
              validator: { address: fromHex(s.validator_address), power: power.get(s.validator_address) ?? 0n },
              blockIdFlag: s.block_id_flag as BlockIDFlag,
            })),
        },
        misbehavior: [],
        hash: fromHex(block_id.hash),
        height: BigInt(h),
        time,
        nextValidatorsHash: fromHex(header.next_validators_hash),
        proposerAddress: fromHex(header.proposer_address),
      });
      await app.commit();
      hashes.set(h, Buffer.from(res.appHash).toString("hex").toUpperCase());
    }
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return hashes;
}

/** CometBFT times are RFC 3339 with nanoseconds; Date keeps only milliseconds. */
export function parseRfc3339Nanos(s: string): { seconds: bigint; nanos: number } {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(s);
  if (!m) throw new Error(`unexpected time format ${s}`);
  const seconds = BigInt(Math.floor(Date.parse(m[1] + "Z") / 1000));
  const nanos = Number((m[2] ?? "").padEnd(9, "0").slice(0, 9));
  return { seconds, nanos };
}
