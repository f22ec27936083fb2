import * as fs from "node:fs";
import * as path from "node:path";
import { parseDecCoins } from "../../types/coins";
import { createLogger } from "../../app/logger";
import { appDataDir, readAppConfig } from "../../node/config";
import { genesisPath, initHome, nodeId, readGenesis, writeGenesis } from "../../node/home";
import { UsageError } from "../args";
import type { Command } from "../command";
import { HOME, OUTPUT, homeDir } from "../flags";
import { keyValues, toJson } from "../output";
import { loadGenesis } from "./genesis";

/** Where `blockai init --prometheus` puts the metrics (CometBFT's usual port, and the next one). */
const COMET_PROMETHEUS_ADDRESS = "127.0.0.1:26660";
const APP_PROMETHEUS_ADDRESS = "127.0.0.1:26661";

const LADDR_RE = /^tcp:\/\/[^\s:/]+:[0-9]{1,5}$/;
const HOSTPORT_RE = /^[^\s:/]+:[0-9]{1,5}$/;

const init: Command = {
  name: "init",
  summary: "create a node home: CometBFT config and keys, genesis, and the app's config",
  usage: "MONIKER",
  nargs: [1, 1],
  flags: [
    HOME,
    { name: "chain-id", value: "ID", description: "chain ID of the new genesis (required)" },
    { name: "rpc-laddr", value: "tcp://HOST:PORT", description: "CometBFT RPC listen address", default: "tcp://127.0.0.1:26657" },
    { name: "p2p-laddr", value: "tcp://HOST:PORT", description: "CometBFT P2P listen address", default: "tcp://0.0.0.0:26656" },
    { name: "grpc-address", value: "HOST:PORT", description: 'gRPC query server address ("" disables)', default: "127.0.0.1:9090" },
    { name: "api-address", value: "HOST:PORT", description: 'REST gateway address ("" disables)', default: "127.0.0.1:1317" },
    { name: "minimum-gas-prices", value: "PRICE", description: "this node's minimum fee per gas for CheckTx", default: "0.025usoa" },
    { name: "fast-blocks", description: "sub-second block times (local test networks only)" },
    { name: "prometheus", description: "Prometheus metrics: the app's at 127.0.0.1:26661/metrics, CometBFT's at 127.0.0.1:26660/metrics" },
    {
      name: "join",
      value: "RPC[,RPC]",
      description: "join a running chain by state sync: its genesis, peers and a light-client trust height/hash are read from these CometBFT RPC URLs (docs/state-sync.md)",
    },
    { name: "snapshot-interval", value: "BLOCKS", description: "take a state-sync snapshot every BLOCKS blocks (0 = none)", default: "0" },
    OUTPUT,
  ],
  async run(ctx) {
    const moniker = ctx.args[0];
    const joinRpcs = ctx.flag("join")?.split(",").map((s) => s.trim()).filter(Boolean);
    if (joinRpcs !== undefined) {
      if (joinRpcs.length === 0) throw new UsageError("--join needs at least one RPC URL, e.g. --join http://127.0.0.1:26657");
      for (const u of joinRpcs) if (!/^https?:\/\/[^\s/]+(:[0-9]{1,5})?\/?$/.test(u)) throw new UsageError(`--join: "${u}" is not an RPC URL like http://127.0.0.1:26657`);
    }
    const snapshotInterval = Number(ctx.flag("snapshot-interval") ?? "0");
    if (!Number.isSafeInteger(snapshotInterval) || snapshotInterval < 0) throw new UsageError(`--snapshot-interval must be a whole number of blocks >= 0, got "${ctx.flag("snapshot-interval")}"`);
    const { fetchJoinInfo, applyJoin } = await import("../../node/join");
    const join = joinRpcs ? await fetchJoinInfo(joinRpcs) : undefined;
    const chainId = ctx.flag("chain-id") ?? join?.genesis.chain_id;
    if (!chainId) throw new UsageError('missing required flag --chain-id (e.g. --chain-id blockai-local)');
    if (join && chainId !== join.genesis.chain_id) throw new UsageError(`--chain-id ${chainId} differs from the joined chain's ${join.genesis.chain_id}`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/.test(chainId)) throw new UsageError(`invalid --chain-id "${chainId}": 1-50 letters, digits, ".", "_" or "-"`);
    const rpc = ctx.flag("rpc-laddr");
    const p2p = ctx.flag("p2p-laddr");
    const grpcAddress = ctx.flag("grpc-address");
    const apiAddress = ctx.flag("api-address") ?? "127.0.0.1:1317";
    if (apiAddress !== "" && !HOSTPORT_RE.test(apiAddress)) throw new UsageError(`--api-address must look like 127.0.0.1:1317 (or "" to disable), got "${apiAddress}"`);
    const prices = ctx.flag("minimum-gas-prices");
    if (rpc !== undefined && !LADDR_RE.test(rpc)) throw new UsageError(`--rpc-laddr must look like tcp://127.0.0.1:26657, got "${rpc}"`);
    if (p2p !== undefined && !LADDR_RE.test(p2p)) throw new UsageError(`--p2p-laddr must look like tcp://0.0.0.0:26656, got "${p2p}"`);
    if (grpcAddress !== undefined && grpcAddress !== "" && !HOSTPORT_RE.test(grpcAddress)) throw new UsageError(`--grpc-address must look like 127.0.0.1:9090 (or "" to disable), got "${grpcAddress}"`);
    if (prices !== undefined) {
      try {
        parseDecCoins(prices);
      } catch (e) {
        throw new UsageError(`--minimum-gas-prices: ${(e as Error).message}`);
      }
    }
    const home = homeDir(ctx);
    initHome({
      home,
      moniker,
      chainId,
      rpcAddress: rpc,
      p2pAddress: p2p,
      fastBlocks: ctx.bool("fast-blocks"),
      cometPrometheusAddress: ctx.bool("prometheus") ? COMET_PROMETHEUS_ADDRESS : undefined,
      app: {
        ...(grpcAddress !== undefined ? { grpc_address: grpcAddress } : {}),
        api_enable: apiAddress !== "",
        ...(apiAddress !== "" ? { api_address: apiAddress } : {}),
        ...(prices !== undefined ? { minimum_gas_prices: prices } : {}),
        ...(ctx.bool("prometheus") ? { prometheus_address: APP_PROMETHEUS_ADDRESS } : {}),
        snapshot_interval: snapshotInterval,
      },
    });
    if (join) {
      applyJoin(home, join);
    } else {
      // `cometbft init` makes the node a validator with an arbitrary power of 10 and no operator;
      // here validators are added with "genesis add-validator", bonded by a funded operator.
      const genesis = readGenesis(home);
      genesis.validators = [];
      writeGenesis(home, genesis);
    }
    const key = JSON.parse(fs.readFileSync(path.join(home, "config", "priv_validator_key.json"), "utf8")) as { address: string; pub_key: unknown };
    const id = nodeId(home);
    ctx.print(
      keyValues([
        ["moniker", moniker],
        ["chain id", chainId],
        ["home", home],
        ["node id", id],
        ["consensus address", key.address],
        ...(join ? ([["state sync", `trust height ${join.trustHeight}, hash ${join.trustHash}, peers ${join.peers.join(",")}`]] as Array<[string, string]>) : []),
      ]) +
        (join
          ? `\nNext: blockai start --with-comet (CometBFT restores a snapshot of the chain, then follows it).\n`
          : `\nNext: create a key (blockai keys add NAME), fund it (blockai genesis add-account NAME COINS),\n` +
            `make this node a validator (blockai genesis add-validator NAME 100SOA), then blockai start --with-comet.\n`),
      { moniker, chain_id: chainId, home, node_id: id, consensus_address: key.address, consensus_pubkey: key.pub_key },
    );
  },
};

const start: Command = {
  name: "start",
  summary: "run the node: the ABCI app, gRPC and REST servers (and CometBFT with --with-comet)",
  flags: [
    HOME,
    { name: "with-comet", description: "also start and supervise CometBFT from the same home (one command runs a validator)" },
    { name: "abci", value: "ADDRESS", description: "ABCI listen address", default: "abci_address in config/app.json" },
    { name: "api.enable", value: "true|false", description: "serve the REST gateway at api_address", default: "api_enable in config/app.json" },
  ],
  async run(ctx) {
    const { startNode } = await import("../start");
    const api = ctx.flag("api.enable");
    if (api !== undefined && api !== "true" && api !== "false") throw new UsageError(`--api.enable must be true or false, got "${api}"`);
    await startNode({ home: homeDir(ctx), withComet: ctx.bool("with-comet"), abciAddress: ctx.flag("abci"), apiEnable: api === undefined ? undefined : api === "true" });
    return "running";
  },
};

const exportCmd: Command = {
  name: "export",
  summary: "print the state at the last committed height as a genesis JSON (node must be stopped)",
  flags: [HOME, { name: "output-document", value: "FILE", description: "write to FILE instead of stdout" }],
  help: `The state database is locked while "blockai start" runs: stop the node first. The result has
initial_height = last height + 1 and can start a new chain (genesis validate checks it).`,
  async run(ctx) {
    const home = homeDir(ctx);
    const config = readAppConfig(home);
    const genesis = loadGenesis(genesisPath(home));
    if (!fs.existsSync(appDataDir(home))) throw new Error(`no state in ${appDataDir(home)}: this node has never run`);
    const { openAppState } = await import("../start");
    const app = await openAppState(home, config, createLogger("none"));
    try {
      if (app.lastHeight === 0) throw new Error("no block has been committed yet: the state is still config/genesis.json");
      const exported = {
        genesis_time: genesis.genesis_time,
        chain_id: app.chain || genesis.chain_id,
        initial_height: String(app.lastHeight + 1),
        consensus_params: genesis.consensus_params,
        validators: genesis.validators,
        app_hash: "",
        app_state: app.exportGenesis(),
      };
      // CometBFT's validator list must be the set the app starts with: the staking module's
      // bonded validators when it has any (InitChain on a scratch copy answers with them). This
      // also checks that the exported state loads; if not, say so rather than fail the export.
      const { checkGenesis, cometValidator, NoValidatorsError } = await import("../../node/genesis-check");
      try {
        const { appValidators } = await checkGenesis({ ...exported, validators: [] });
        const names = new Map(genesis.validators.map((v) => [v.pub_key.value, v.name]));
        exported.validators = appValidators.map((v) => cometValidator(v, names.get(Buffer.from(v.pubKey.ed25519 ?? []).toString("base64"))));
      } catch (e) {
        if (!(e instanceof NoValidatorsError)) ctx.io.stderr.write(`warning: the exported state does not pass "blockai genesis validate": ${(e as Error).message}\n`);
      }
      const text = toJson(exported);
      const file = ctx.flag("output-document");
      if (file) {
        fs.writeFileSync(file, text);
        ctx.io.stderr.write(`exported height ${app.lastHeight} to ${file}\n`);
      } else {
        ctx.io.stdout.write(text);
      }
    } finally {
      await app.close();
    }
  },
};

export const nodeCommands: Command[] = [init, start, exportCmd];
