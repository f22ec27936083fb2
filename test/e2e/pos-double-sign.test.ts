/**
 * Double signing on a real 4-validator CometBFT network: a fifth node runs with a copy of node3's
 * priv_validator_key.json (and a fresh priv_validator_state.json), so node3's key signs
 * conflicting votes at one height. The twin uses a 1 ms propose timeout, so it prevotes nil while
 * node3 prevotes the proposed block: CometBFT turns the conflicting votes into DuplicateVoteEvidence,
 * commits it in a block, and FinalizeBlock delivers it as misbehavior. The validator must be
 * slashed by slash_fraction_double_sign of its stake at the infraction, tombstoned, jailed forever
 * and dropped by CometBFT; its delegators' stakes (and unbonding entries that backed the
 * infraction) shrink by exactly 5%.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, QueryClient, SigningStargateClient, setupSlashingExtension, setupStakingExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { QueryValidatorRequest, QueryValidatorResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { initHome, nodeId } from "../../src/node/home";
import { NetworkLayout, NodeInfo, startNode, stopNode } from "../../src/node/network";
import { rpc, status } from "../../src/node/rpc";
import { setTomlValue } from "../../src/node/toml";
import { TestNetwork } from "../helpers/network";
import { freePorts } from "../helpers/ports";

jest.setTimeout(300_000);

const SOA = 1_000_000n;

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A fifth home that signs with node3's consensus key, peered with the network. */
async function createTwin(layout: NetworkLayout): Promise<NetworkLayout> {
  const [rpcPort, p2pPort, grpcPort] = await freePorts(3);
  const home = path.join(layout.dir, "node3-twin");
  const abci = `unix://${path.resolve(home, "abci.sock")}`;
  initHome({
    home,
    moniker: "node3-twin",
    chainId: layout.chainId,
    rpcAddress: `tcp://127.0.0.1:${rpcPort}`,
    p2pAddress: `tcp://127.0.0.1:${p2pPort}`,
    fastBlocks: true,
    app: { abci_address: abci, grpc_address: `127.0.0.1:${grpcPort}`, minimum_gas_prices: "0.025usoa", check_invariants: true },
  });
  fs.copyFileSync(path.join(layout.nodes[0].home, "config", "genesis.json"), path.join(home, "config", "genesis.json"));
  // Same key as node3; the fresh priv_validator_state.json from `cometbft init` stays (height 0),
  // so the twin's double-sign protection knows nothing of what node3 signed.
  fs.copyFileSync(path.join(layout.nodes[3].home, "config", "priv_validator_key.json"), path.join(home, "config", "priv_validator_key.json"));
  const file = path.join(home, "config", "config.toml");
  let toml = fs.readFileSync(file, "utf8");
  const peers = layout.nodes.map((n) => `${nodeId(n.home)}@${n.p2p}`).join(",");
  toml = setTomlValue(toml, "p2p", "persistent_peers", JSON.stringify(peers));
  // Prevote before any proposal can arrive: nil, while node3 prevotes the block.
  toml = setTomlValue(toml, "consensus", "timeout_propose", '"1ms"');
  toml = setTomlValue(toml, "consensus", "timeout_propose_delta", '"1ms"');
  fs.writeFileSync(file, toml);
  const twin: NodeInfo = { index: layout.nodes.length, moniker: "node3-twin", home, rpc: `http://127.0.0.1:${rpcPort}`, p2p: `127.0.0.1:${p2pPort}`, grpc: `127.0.0.1:${grpcPort}`, abci };
  return { ...layout, nodes: [...layout.nodes, twin] };
}

describe("end to end: double signing (a second node with the same validator key)", () => {
  let net: TestNetwork;
  let comet: Comet38Client;
  let twinLayout: NetworkLayout | undefined;

  beforeAll(async () => {
    net = await TestNetwork.start({ nodes: 4, params: { staking: { unbonding_time: "300s" } } });
    comet = await Comet38Client.connect(net.rpc);
  });

  afterAll(async () => {
    // The twin is not in network.json: stop it by its own pid first.
    if (twinLayout) await stopNode(twinLayout, twinLayout.nodes.length - 1);
    comet?.disconnect();
    await net?.stop();
  });

  test("the evidence reaches FinalizeBlock: slashed 5%, tombstoned, removed; delegations and backing unbonding entries shrink by exactly 5%", async () => {
    const layout = net.layout;
    const consAddress: string = JSON.parse(fs.readFileSync(path.join(layout.nodes[3].home, "config", "priv_validator_key.json"), "utf8")).address;
    const valoper = toBech32("soavaloper", fromBech32(layout.operators[3].address).data);
    const queries = QueryClient.withExtensions(comet, setupStakingExtension, setupSlashingExtension);
    const [alice, bob] = layout.accounts;
    const clientOf = async (mnemonic: string) =>
      SigningStargateClient.connectWithSigner(net.rpc, await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "soa" }), {
        gasPrice: GasPrice.fromString("0.025usoa"),
        broadcastPollIntervalMs: 200,
      });
    const ac = await clientOf(alice.mnemonic);
    const bc = await clientOf(bob.mnemonic);
    try {
      expect((await ac.delegateTokens(alice.address, valoper, { denom: "usoa", amount: String(100n * SOA) }, "auto")).code).toBe(0);
      expect((await bc.delegateTokens(bob.address, valoper, { denom: "usoa", amount: String(40n * SOA) }, "auto")).code).toBe(0);
      const h0 = (await status(net.rpc)).height;
      await until("the new stake in CometBFT's set", 30_000, async () => ((await status(net.rpc)).height >= h0 + 3 ? true : undefined));

      twinLayout = await createTwin(layout);
      const startedAt = (await status(net.rpc)).height;
      await startNode(twinLayout, twinLayout.nodes.length - 1);
      // Bob unbonds part of his stake while the twin comes up: slashed only if it backed the infraction.
      const undelegation = await bc.undelegateTokens(bob.address, valoper, { denom: "usoa", amount: String(20n * SOA) }, "auto");
      expect(undelegation.code).toBe(0);

      // Wait for the evidence to be committed and processed.
      const tombstonedBy = await until("node3's validator to be tombstoned", 120_000, async () => {
        const info = (await queries.slashing.signingInfo(toBech32("soavalcons", Buffer.from(consAddress, "hex")))).valSigningInfo;
        return info.tombstoned ? (await status(net.rpc)).height : undefined;
      });
      // Find the block carrying the evidence.
      let evidenceHeight = 0;
      let evidence: any;
      for (let h = startedAt; h <= tombstonedBy && !evidence; h++) {
        const b = await rpc(net.rpc, "block", { height: h });
        const list = b.block.evidence.evidence as any[];
        if (list.length > 0) {
          evidenceHeight = h;
          evidence = list.find((e) => e.type === "tendermint/DuplicateVoteEvidence")?.value;
        }
      }
      expect(evidence).toBeDefined();
      const infraction = Number(evidence.vote_a.height);
      const power = BigInt(evidence.ValidatorPower ?? evidence.validator_power);
      expect(evidence.vote_a.validator_address).toBe(consAddress);
      expect(evidence.vote_a.block_id.hash).not.toBe(evidence.vote_b.block_id.hash);
      const results = await rpc(net.rpc, "block_results", { height: evidenceHeight });
      const slash = (results.finalize_block_events as any[]).find((e) => e.type === "slash" && e.attributes.some((a: any) => a.key === "reason" && a.value === "double_sign"));
      expect(slash).toBeDefined();
      console.log(
        `twin started at height ${startedAt}; conflicting ${evidence.vote_a.type === 1 ? "prevotes" : "votes"} at height ${infraction} (power ${power}); evidence in block ${evidenceHeight}; Bob's undelegation at ${undelegation.height}`,
      );

      // Stake before the evidence (height E-1) and after.
      const before = QueryValidatorResponse.decode((await queries.queryAbci("/cosmos.staking.v1beta1.Query/Validator", QueryValidatorRequest.encode({ validatorAddr: valoper }).finish(), evidenceHeight - 1)).value).validator;
      const after = (await queries.staking.validator(valoper)).validator;
      const tokensBefore = BigInt(before.tokens);
      const ubdBacked = BigInt(undelegation.height) >= BigInt(infraction) - 1n;
      expect(power * SOA).toBe(tokensBefore + (ubdBacked ? 20n * SOA : 0n)); // the stake that signed at the infraction
      expect(BigInt(after.tokens)).toBe((tokensBefore * 95n) / 100n);
      expect(after.jailed).toBe(true);
      const info = (await queries.slashing.signingInfo(toBech32("soavalcons", Buffer.from(consAddress, "hex")))).valSigningInfo;
      expect(info.jailedUntil.seconds).toBe(253402300799n);
      // Delegators: exactly 95% of their stake.
      const stake = async (who: string) => BigInt((await queries.staking.delegation(who, valoper)).delegationResponse!.balance.amount);
      expect(await stake(alice.address)).toBe(95n * SOA);
      expect(await stake(bob.address)).toBe(19n * SOA);
      expect(await stake(layout.operators[3].address)).toBe(95n * SOA);
      const entry = (await queries.staking.unbondingDelegation(bob.address, valoper)).unbond.entries[0];
      expect(BigInt(entry.initialBalance)).toBe(20n * SOA);
      expect(BigInt(entry.balance)).toBe(ubdBacked ? 19n * SOA : 20n * SOA);

      // CometBFT drops it; the three others continue.
      const removedAt = await until("CometBFT to drop node3", 30_000, async () => {
        const h = (await status(net.rpc)).height;
        const vals = await rpc(net.rpc, "validators", { height: h });
        return (vals.validators as any[]).some((v) => v.address === consAddress) ? undefined : h;
      });
      await until("3 more blocks", 30_000, async () => ((await status(net.rpc)).height >= removedAt + 3 ? true : undefined));
      console.log(`node3 tombstoned by height ${tombstonedBy}, out of CometBFT's set at ${removedAt}; tokens ${before.tokens} -> ${after.tokens}`);
    } finally {
      ac.disconnect();
      bc.disconnect();
    }
  });
});
