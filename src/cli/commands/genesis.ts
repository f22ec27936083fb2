import * as fs from "node:fs";
import * as path from "node:path";
import { BASE_DENOM, amountOf } from "../../types/coins";
import { POWER_REDUCTION, addGenesisValidator } from "../../node/genesis-validators";
import { Genesis, addGenesisAccount, genesisPath, writeGenesis } from "../../node/home";
import { getTomlValue } from "../../node/toml";
import { parseCoinArg, parseCoinsArg } from "../amount";
import type { Command, CommandContext } from "../command";
import { HOME, KEYRING_BACKEND, OUTPUT, homeDir } from "../flags";
import { openKeyring } from "../keys-context";
import { formatCoinHuman, formatCoinsHuman, keyValues } from "../output";
import { checkAddressArg, looksLikeAddress } from "../validate";

export function loadGenesis(file: string): Genesis {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: create the home with "blockai init" first`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Genesis;
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

type Balances = Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>;

function genesisBalances(genesis: Genesis): Balances {
  const bank = genesis.app_state?.bank as { balances?: Balances } | undefined;
  if (!bank || !Array.isArray(bank.balances)) throw new Error("the genesis has no app_state.bank.balances (was it made by \"blockai init\"?)");
  return bank.balances;
}

function balanceOf(genesis: Genesis, address: string, denom: string): bigint {
  const entry = genesisBalances(genesis).find((b) => b.address === address);
  return entry ? amountOf(entry.coins.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })), denom) : 0n;
}

/** ADDRESS|KEYNAME: an address as is, or the address of a key in the keyring (no password needed). */
function resolveAccount(ctx: CommandContext, text: string): { address: string; key?: string } {
  if (looksLikeAddress(text)) return { address: checkAddressArg(text) };
  const keyring = openKeyring(ctx);
  const key = keyring.find(text);
  if (!key) throw new Error(`"${text}" is neither a soa1... address nor a key in the ${keyring.backend} keyring (${keyring.dir})`);
  return { address: key.address, key: key.name };
}

const addAccount: Command = {
  name: "add-account",
  summary: "fund an account in the genesis (adds to an existing balance)",
  usage: "ADDRESS|KEY COINS",
  nargs: [2, 2],
  flags: [HOME, KEYRING_BACKEND, OUTPUT],
  help: "COINS: e.g. 1000000000usoa, 1000SOA, or 1000SOA,5foo.",
  async run(ctx) {
    const home = homeDir(ctx);
    const genesis = loadGenesis(genesisPath(home));
    const { address, key } = resolveAccount(ctx, ctx.args[0]);
    const coins = parseCoinsArg(ctx.args[1], "coins");
    genesisBalances(genesis);
    addGenesisAccount(genesis, address, coins);
    writeGenesis(home, genesis);
    const balance = genesisBalances(genesis).find((b) => b.address === address)!.coins;
    ctx.print(
      keyValues([
        ["account", key ? `${address} (key ${key})` : address],
        ["added", formatCoinsHuman(coins)],
        ["balance", formatCoinsHuman(balance)],
      ]),
      { address, added: coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() })), balance },
    );
  },
};

const addValidator: Command = {
  name: "add-validator",
  summary: "make this node a genesis validator, operated and self-delegated by a key of the keyring",
  usage: "OPERATOR_KEY SELF_DELEGATION",
  nargs: [2, 2],
  flags: [HOME, KEYRING_BACKEND, { name: "moniker", value: "NAME", description: "validator name", default: "the node's moniker" }, OUTPUT],
  help: `Uses the node's consensus key (config/priv_validator_key.json). The operator must already be
funded in the genesis with at least SELF_DELEGATION (usoa or SOA, >= 1 SOA = 1 unit of voting power).`,
  async run(ctx) {
    const home = homeDir(ctx);
    const genesis = loadGenesis(genesisPath(home));
    const operator = openKeyring(ctx).get(ctx.args[0]);
    const amount = parseCoinArg(ctx.args[1], "self-delegation");
    if (amount.denom !== BASE_DENOM) throw new Error(`the self-delegation must be in ${BASE_DENOM} or SOA, got ${amount.denom}`);
    if (amount.amount < POWER_REDUCTION) throw new Error(`the self-delegation ${formatCoinHuman(amount)} is below 1 SOA, the least that gives voting power`);
    const funded = balanceOf(genesis, operator.address, BASE_DENOM);
    if (funded < amount.amount) {
      throw new Error(
        `operator ${operator.address} (key ${operator.name}) has ${formatCoinHuman({ denom: BASE_DENOM, amount: funded })} in the genesis, ` +
          `less than the self-delegation ${formatCoinHuman(amount)}; fund it first: blockai genesis add-account ${operator.name} ${amount.amount}${BASE_DENOM} --home ${home}`,
      );
    }
    const keyFile = path.join(home, "config", "priv_validator_key.json");
    if (!fs.existsSync(keyFile)) throw new Error(`${keyFile} not found: is ${home} a node home?`);
    const key = JSON.parse(fs.readFileSync(keyFile, "utf8")) as { address: string; pub_key: { type: string; value: string } };
    const moniker = ctx.flag("moniker") ?? getTomlValue(fs.readFileSync(path.join(home, "config", "config.toml"), "utf8"), "", "moniker") ?? "validator";
    addGenesisValidator(genesis, { moniker, consensusAddress: key.address, consensusPubKey: key.pub_key, operatorAddress: operator.address, selfDelegation: amount.amount });
    writeGenesis(home, genesis);
    const power = (amount.amount / POWER_REDUCTION).toString();
    ctx.print(
      keyValues([
        ["validator", moniker],
        ["operator", `${operator.address} (key ${operator.name})`],
        ["consensus address", key.address],
        ["self-delegation", formatCoinHuman(amount)],
        ["voting power", power],
      ]),
      { moniker, operator_address: operator.address, consensus_address: key.address, consensus_pubkey: key.pub_key, self_delegation: { denom: BASE_DENOM, amount: amount.amount.toString() }, power },
    );
  },
};

const validate: Command = {
  name: "validate",
  summary: "check a genesis file: CometBFT's rules, then load its app_state into a scratch app",
  usage: "[GENESIS_FILE]",
  nargs: [0, 1],
  flags: [HOME, OUTPUT],
  async run(ctx) {
    const file = ctx.args[0] ? path.resolve(ctx.args[0]) : genesisPath(homeDir(ctx));
    const genesis = loadGenesis(file);
    // Loaded on use: it brings the whole app (every module, LevelDB).
    const { checkGenesis } = await import("../../node/genesis-check");
    let summary;
    try {
      summary = (await checkGenesis(genesis)).summary;
    } catch (e) {
      throw new Error(`${file} is not a valid genesis: ${(e as Error).message}`);
    }
    ctx.print(
      `${file} is valid\n` +
        keyValues([
          ["chain id", summary.chain_id],
          ["initial height", summary.initial_height],
          ["genesis time", summary.genesis_time],
          ["validators", `${summary.validators} (total power ${summary.total_power})`],
          ["funded accounts", String(summary.accounts)],
          ["genesis app hash", summary.app_hash],
        ]),
      { valid: true, file, ...summary },
    );
  },
};

export const genesisCommand: Command = {
  name: "genesis",
  summary: "build and check the genesis file (config/genesis.json)",
  subcommands: [addAccount, addValidator, validate],
};
