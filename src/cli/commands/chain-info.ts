import { ChainEndpoints, chainRegistryAssetList, chainRegistryChain, keplrChainInfo, writeChainInfo } from "../../node/chain-info";
import { UsageError } from "../args";
import type { Command } from "../command";
import { fetchStatus } from "../connect";
import { NODE, nodeUrl } from "../flags";

const FORMATS = ["all", "keplr", "chain", "assetlist"] as const;

export const chainInfoCommand: Command = {
  name: "chain-info",
  summary: "print Keplr's ChainInfo and the chain-registry chain.json and assetlist.json for a node",
  flags: [
    NODE,
    { name: "rest", value: "URL", description: "the node's REST gateway URL (api_address)", default: "http://127.0.0.1:1317" },
    { name: "grpc", value: "HOST:PORT", description: "the node's gRPC address", default: "127.0.0.1:9090" },
    { name: "gas-price", value: "N", description: "lowest gas price in usoa wallets offer (the node's minimum_gas_prices)", default: "0.025" },
    { name: "format", value: FORMATS.join("|"), description: "which document to print (all: one JSON object with the three)", default: "all" },
    { name: "output-dir", value: "DIR", description: "write keplr-chain-info.json, chain.json and assetlist.json into DIR instead" },
  ],
  help: `The chain ID is read from the node (--node). The output of --format keplr is the argument of
window.keplr.experimentalSuggestChain(...); chain.json and assetlist.json follow the
cosmos/chain-registry schemas (apis.rpc, apis.rest, apis.grpc name this node).`,
  async run(ctx) {
    const rpc = nodeUrl(ctx);
    const rest = (ctx.flag("rest") ?? "http://127.0.0.1:1317").replace(/\/$/, "");
    if (!/^https?:\/\/[^\s/]+/.test(rest)) throw new UsageError(`--rest must be an http(s):// URL, got "${rest}"`);
    const grpc = ctx.flag("grpc") ?? "127.0.0.1:9090";
    if (grpc !== "" && !/^[^\s:/]+:[0-9]{1,5}$/.test(grpc)) throw new UsageError(`--grpc must look like 127.0.0.1:9090, got "${grpc}"`);
    const priceText = ctx.flag("gas-price") ?? "0.025";
    if (!/^[0-9]+(\.[0-9]+)?$/.test(priceText)) throw new UsageError(`--gas-price must be a decimal number, got "${priceText}"`);
    const format = (ctx.flag("format") ?? "all") as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
    const status = await fetchStatus(rpc);
    const endpoints: ChainEndpoints = { chainId: status.chain_id, rpc, rest, grpc: grpc || undefined, minGasPrice: Number(priceText) };
    const dir = ctx.flag("output-dir");
    if (dir !== undefined) {
      const files = writeChainInfo(dir, endpoints);
      ctx.io.stdout.write(files.join("\n") + "\n");
      return;
    }
    const docs = { keplr: keplrChainInfo(endpoints), chain: chainRegistryChain(endpoints), assetlist: chainRegistryAssetList(endpoints) };
    const out = format === "all" ? docs : docs[format];
    ctx.io.stdout.write(JSON.stringify(out, null, 2) + "\n");
  },
};
