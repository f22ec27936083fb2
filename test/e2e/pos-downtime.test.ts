/**
 * Liveness on a real 4-validator CometBFT network: a stopped validator misses blocks, is slashed
 * (slash_fraction_downtime) and jailed after the signed-blocks window, CometBFT drops it from the
 * validator set, the other three keep producing blocks; after a restart, MsgUnjail (CosmJS, the
 * operator's key) brings it back into CometBFT's set.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing";
import { GasPrice, QueryClient, SigningStargateClient, defaultRegistryTypes, setupSlashingExtension, setupStakingExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { startNode, stopNode } from "../../src/node/network";
import { rpc, status } from "../../src/node/rpc";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(300_000);

const SOA = 1_000_000n;
const JAIL_SECONDS = 8;

async function cometValidators(endpoint: string, height?: number): Promise<Map<string, bigint>> {
  const r = await rpc(endpoint, "validators", height ? { height, per_page: 100 } : { per_page: 100 });
  return new Map((r.validators as Array<{ address: string; voting_power: string }>).map((v) => [v.address, BigInt(v.voting_power)]));
}

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("end to end: downtime slashing and unjail on a 4-validator network", () => {
  let net: TestNetwork;
  let comet: Comet38Client;

  beforeAll(async () => {
    net = await TestNetwork.start({
      nodes: 4,
      params: { slashing: { signed_blocks_window: "20", min_signed_per_window: "0.5", downtime_jail_duration: `${JAIL_SECONDS}s` } },
    });
    comet = await Comet38Client.connect(net.rpc);
  });

  afterAll(async () => {
    comet?.disconnect();
    await net?.stop();
  });

  test("stopped validator: jailed and slashed 1% after the window, dropped by CometBFT, chain continues; restarted + MsgUnjail: back in the set", async () => {
    const layout = net.layout;
    const node3 = layout.nodes[3];
    const consAddress: string = JSON.parse(fs.readFileSync(path.join(node3.home, "config", "priv_validator_key.json"), "utf8")).address;
    const operator = layout.operators[3];
    const valoper = toBech32("soavaloper", fromBech32(operator.address).data);
    const queries = QueryClient.withExtensions(comet, setupStakingExtension, setupSlashingExtension);
    expect((await cometValidators(net.rpc)).get(consAddress)).toBe(100n);

    const stoppedAt = (await status(net.rpc)).height;
    const t0 = Date.now();
    await stopNode(layout, 3);

    // Jailed and slashed once more than 10 of the last 20 blocks are missed (and past the first window).
    const jailedAt = await until("the validator to be jailed", 120_000, async () => {
      const { validator } = await queries.staking.validator(valoper);
      return validator.jailed ? (await status(net.rpc)).height : undefined;
    });
    const { validator } = await queries.staking.validator(valoper);
    expect(validator.tokens).toBe(String(99n * SOA)); // slash_fraction_downtime 1% of 100 SOA
    const info = (await queries.slashing.signingInfo(toBech32("soavalcons", Buffer.from(consAddress, "hex")))).valSigningInfo;
    expect(info.tombstoned).toBe(false);
    expect(info.missedBlocksCounter).toBe(0n);
    // CometBFT removes it (the power-0 update applies two blocks later).
    const removedAt = await until("CometBFT to drop the validator", 30_000, async () => {
      const h = (await status(net.rpc)).height;
      return (await cometValidators(net.rpc, h)).has(consAddress) ? undefined : h;
    });
    const vals = await cometValidators(net.rpc, removedAt);
    expect([...vals.values()]).toEqual([100n, 100n, 100n]);
    // The chain keeps going with 3 of 4.
    await until("3 more blocks", 30_000, async () => ((await status(net.rpc)).height >= removedAt + 3 ? true : undefined));
    console.log(`node3 stopped at height ${stoppedAt}; jailed by height ${jailedAt}; out of CometBFT's set at ${removedAt} (${Date.now() - t0} ms after the stop)`);

    // Restart and catch up.
    await startNode(layout, 3);
    await until("node3 to catch up", 120_000, async () => {
      const [a, b] = await Promise.all([status(net.rpc), status(node3.rpc)]);
      return !b.catchingUp && b.height >= a.height - 1 ? true : undefined;
    });
    // Unjail once jailed_until has passed (block time).
    const jailedUntil = Number(info.jailedUntil.seconds) * 1000;
    await until("the jail time to pass", 60_000, async () => ((await comet.block()).block.header.time.getTime() > jailedUntil ? true : undefined));
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(operator.mnemonic, { prefix: "soa" });
    const registry = new Registry([...defaultRegistryTypes, ["/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail]]);
    const client = await SigningStargateClient.connectWithSigner(net.rpc, wallet, { registry, gasPrice: GasPrice.fromString("0.025usoa"), broadcastPollIntervalMs: 200 });
    try {
      const result = await client.signAndBroadcast(operator.address, [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: MsgUnjail.fromPartial({ validatorAddr: valoper }) }], "auto");
      expect(result.code).toBe(0);
      const back = await until("CometBFT to include the validator again", 30_000, async () => {
        const h = (await status(net.rpc)).height;
        return (await cometValidators(net.rpc, h)).get(consAddress) === 99n ? h : undefined;
      });
      expect(back - result.height).toBeLessThanOrEqual(3);
      console.log(`unjailed at height ${result.height}; back in CometBFT's set (power 99) at ${back}`);
      // It signs again: no new misses pile up.
      await until("5 more blocks", 30_000, async () => ((await status(net.rpc)).height >= back + 5 ? true : undefined));
      const after = (await queries.slashing.signingInfo(toBech32("soavalcons", Buffer.from(consAddress, "hex")))).valSigningInfo;
      expect(after.missedBlocksCounter).toBeLessThanOrEqual(2n);
      expect((await queries.staking.validator(valoper)).validator.jailed).toBe(false);
    } finally {
      client.disconnect();
    }
  });
});
