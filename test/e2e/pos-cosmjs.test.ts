/**
 * Proof of stake with unmodified CosmJS 0.39 against a real CometBFT v0.38 network:
 * delegateTokens changes the validator's voting power in CometBFT; undelegateTokens pays back
 * after unbonding_time (block time) and not a block before; withdrawRewards pays what the
 * distribution query reports. Queries go through CosmJS's staking/distribution/slashing extensions.
 */
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import {
  GasPrice,
  QueryClient,
  SigningStargateClient,
  setupBankExtension,
  setupDistributionExtension,
  setupSlashingExtension,
  setupStakingExtension,
} from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryDelegationRewardsRequest, QueryDelegationRewardsResponse } from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { rpc } from "../../src/node/rpc";
import { TestNetwork } from "../helpers/network";

jest.setTimeout(240_000);

const SOA = 1_000_000n;
const UNBONDING_SECONDS = 8n;

function setupQueries(comet: Comet38Client) {
  return QueryClient.withExtensions(comet, setupBankExtension, setupStakingExtension, setupDistributionExtension, setupSlashingExtension);
}

async function cometPower(endpoint: string, height: number, consAddressHex: string): Promise<bigint> {
  const r = await rpc(endpoint, "validators", { height, per_page: 100 });
  const v = (r.validators as Array<{ address: string; voting_power: string }>).find((x) => x.address === consAddressHex);
  return v ? BigInt(v.voting_power) : 0n;
}

async function waitHeight(comet: Comet38Client, height: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await comet.status()).syncInfo.latestBlockHeight < height) {
    if (Date.now() > deadline) throw new Error(`height ${height} not reached`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("end to end: staking and distribution with unmodified CosmJS", () => {
  let net: TestNetwork;
  let comet: Comet38Client;
  let queries: ReturnType<typeof setupQueries>;
  let client: SigningStargateClient;
  let delegator: string;
  let valoper: string;
  let consHex: string;

  beforeAll(async () => {
    // No emission: the withdrawal test needs blocks without txs to allocate nothing (fees only).
    net = await TestNetwork.start({ nodes: 1, params: { staking: { unbonding_time: `${UNBONDING_SECONDS}s` }, mint: { initial_block_reward: "0" } } });
    comet = await Comet38Client.connect(net.rpc);
    queries = setupQueries(comet);
    const account = net.layout.accounts[0];
    delegator = account.address;
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(account.mnemonic, { prefix: "soa" });
    client = await SigningStargateClient.connectWithSigner(net.rpc, wallet, {
      gasPrice: GasPrice.fromString("0.025usoa"),
      broadcastPollIntervalMs: 200,
      broadcastTimeoutMs: 30_000,
    });
    valoper = toBech32("soavaloper", fromBech32(net.layout.operators[0].address).data);
    const v = await rpc(net.rpc, "validators", {});
    consHex = v.validators[0].address;
  });

  afterAll(async () => {
    client?.disconnect();
    comet?.disconnect();
    await net?.stop();
  });

  test("the genesis validator as the staking extension reports it", async () => {
    const { validators } = await queries.staking.validators("BOND_STATUS_BONDED");
    expect(validators).toHaveLength(1);
    expect(validators[0].operatorAddress).toBe(valoper);
    expect(validators[0].tokens).toBe(String(100n * SOA));
    expect(validators[0].commission.commissionRates.rate).toBe("100000000000000000");
    const params = await queries.staking.params();
    expect(params.params.unbondingTime?.seconds).toBe(UNBONDING_SECONDS);
    expect(params.params.bondDenom).toBe("usoa");
    const pool = await queries.staking.pool();
    expect(pool.pool.bondedTokens).toBe(String(100n * SOA));
    const slashing = await queries.slashing.params();
    expect(slashing.params.signedBlocksWindow).toBe(20n);
    const signing = await queries.slashing.signingInfos();
    expect(signing.info).toHaveLength(1);
    expect(await cometPower(net.rpc, (await comet.status()).syncInfo.latestBlockHeight, consHex)).toBe(100n);
  });

  test("delegateTokens: CometBFT's voting power of the validator changes within 3 blocks", async () => {
    const started = Date.now();
    const result = await client.delegateTokens(delegator, valoper, { denom: "usoa", amount: String(5n * SOA) }, "auto");
    expect(result.code).toBe(0);
    const h = result.height;
    await waitHeight(comet, h + 2);
    expect(await cometPower(net.rpc, h, consHex)).toBe(100n);
    expect(await cometPower(net.rpc, h + 2, consHex)).toBe(105n);
    const power = [];
    for (let i = 0; i <= 3; i++) power.push(await cometPower(net.rpc, h + i, consHex));
    console.log(`delegate at height ${h}: CometBFT power at h..h+3 = ${power.join(", ")} (${Date.now() - started} ms from broadcast to h+2)`);
    const { delegationResponse } = await queries.staking.delegation(delegator, valoper);
    expect(delegationResponse?.balance).toEqual({ denom: "usoa", amount: String(5n * SOA) });
    const delegations = await queries.staking.delegatorDelegations(delegator);
    expect(delegations.delegationResponses).toHaveLength(1);
    const vds = await queries.staking.validatorDelegations(valoper);
    expect(vds.delegationResponses).toHaveLength(2);
  });

  test("withdrawRewards pays a positive amount equal to the DelegationRewards query one block before", async () => {
    // Generate some fees, then let two empty blocks pass so the withdrawal's block allocates nothing new.
    for (let i = 0; i < 3; i++) expect((await client.sendTokens(delegator, net.layout.accounts[1].address, [{ denom: "usoa", amount: "1" }], "auto")).code).toBe(0);
    await waitHeight(comet, (await comet.status()).syncInfo.latestBlockHeight + 2);
    const viaExtension = await queries.distribution.delegationRewards(delegator, valoper);
    expect(BigInt(viaExtension.rewards[0].amount)).toBeGreaterThan(0n);
    const before = BigInt((await queries.bank.balance(delegator, "usoa")).amount);
    const result = await client.withdrawRewards(delegator, valoper, "auto");
    expect(result.code).toBe(0);
    const h = result.height;
    const previous = await comet.block(h - 1);
    expect(previous.block.txs).toHaveLength(0); // so block h's begin block allocated nothing
    const atPrevious = QueryDelegationRewardsResponse.decode(
      await queries.queryAbci(
        "/cosmos.distribution.v1beta1.Query/DelegationRewards",
        QueryDelegationRewardsRequest.encode({ delegatorAddress: delegator, validatorAddress: valoper }).finish(),
        h - 1,
      ).then((r) => r.value),
    );
    const expected = BigInt(atPrevious.rewards[0].amount) / 10n ** 18n;
    const tx = await client.getTx(result.transactionHash);
    const fee = BigInt(tx!.tx.length > 0 ? (await feeOf(result.transactionHash)) : 0n);
    const after = BigInt((await queries.bank.balance(delegator, "usoa")).amount);
    const paid = after - before + fee;
    console.log(`withdrawRewards at height ${h}: paid ${paid} usoa; DelegationRewards at ${h - 1}: ${atPrevious.rewards[0].amount} (x10^-18)`);
    expect(paid).toBeGreaterThan(0n);
    expect(paid).toBe(expected);
    const withdrawEvent = result.events.find((e) => e.type === "withdraw_rewards");
    expect(withdrawEvent?.attributes.find((a) => a.key === "amount")?.value).toBe(`${paid}usoa`);
    const outstanding = await queries.distribution.validatorOutstandingRewards(valoper);
    expect(outstanding.rewards?.rewards.length).toBeGreaterThan(0);
    const commission = await queries.distribution.validatorCommission(valoper);
    expect(BigInt(commission.commission?.commission[0].amount ?? "0")).toBeGreaterThan(0n);
    const pool = await queries.distribution.communityPool();
    expect(BigInt(pool.pool[0].amount)).toBeGreaterThan(0n);
  });

  test("undelegateTokens: the tokens come back after unbonding_time by block time, and not a block before", async () => {
    const before = BigInt((await queries.bank.balance(delegator, "usoa")).amount);
    const result = await client.undelegateTokens(delegator, valoper, { denom: "usoa", amount: String(2n * SOA) }, "auto");
    expect(result.code).toBe(0);
    const unbond = result.events.find((e) => e.type === "unbond")!;
    const completion = Date.parse(unbond.attributes.find((a) => a.key === "completion_time")!.value);
    const h = result.height;
    await waitHeight(comet, h + 1);
    const afterTx = BigInt((await balanceAt(queries, delegator, h)).amount);
    // The delegation's rewards were paid by the undelegation (a hook withdraws before the stake changes).
    expect(afterTx).toBeGreaterThan(before - 100_000n);
    const { unbond: ubd } = await queries.staking.unbondingDelegation(delegator, valoper);
    expect(ubd.entries).toHaveLength(1);
    expect(BigInt(ubd.entries[0].balance)).toBe(2n * SOA);
    const blockTime = async (height: number) => (await comet.block(height)).block.header.time.getTime();
    expect(completion - (await blockTime(h))).toBe(Number(UNBONDING_SECONDS) * 1000);
    // Find the first block whose balance includes the 2 SOA.
    let paidAt = 0;
    const deadline = Date.now() + 60_000;
    for (let height = h + 1; paidAt === 0; height++) {
      await waitHeight(comet, height + 1); // CometBFT may report a height a moment before the app committed it
      const balance = BigInt((await balanceAt(queries, delegator, height)).amount);
      if (balance === afterTx + 2n * SOA) paidAt = height;
      else expect(balance).toBe(afterTx);
      if (Date.now() > deadline) throw new Error("the undelegated tokens never came back");
    }
    const timeAt = await blockTime(paidAt);
    const timeBefore = await blockTime(paidAt - 1);
    console.log(
      `undelegate at height ${h}; completion ${new Date(completion).toISOString()}; paid at height ${paidAt} (block time ${new Date(timeAt).toISOString()}); block ${paidAt - 1} at ${new Date(timeBefore).toISOString()} still locked`,
    );
    expect(timeAt).toBeGreaterThanOrEqual(completion);
    expect(timeBefore).toBeLessThan(completion);
    const ubds = await queries.staking.delegatorUnbondingDelegations(delegator);
    expect(ubds.unbondingResponses).toHaveLength(0);
  });

  async function feeOf(hash: string): Promise<bigint> {
    const { AuthInfo, TxRaw } = await import("cosmjs-types/cosmos/tx/v1beta1/tx");
    const tx = await client.getTx(hash);
    return BigInt(AuthInfo.decode(TxRaw.decode(tx!.tx).authInfoBytes).fee!.amount[0].amount);
  }
});

async function balanceAt(queries: QueryClient, address: string, height: number) {
  const res = await queries.queryAbci("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "usoa" }).finish(), height);
  return QueryBalanceResponse.decode(res.value).balance!;
}
