import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chainRegistryAssetList, chainRegistryChain, keplrChainInfo, writeChainInfo } from "../../src/node/chain-info";
import { defaultBankGenesis } from "../../src/modules/bank";

const endpoints = { chainId: "blockai-local", rpc: "http://127.0.0.1:26657", rest: "http://127.0.0.1:1317", grpc: "127.0.0.1:9090" };

describe("chain metadata for wallets and registries", () => {
  test("Keplr ChainInfo: endpoints, bech32 prefixes, SOA with 6 decimals as stake and fee currency", () => {
    const info = keplrChainInfo(endpoints);
    expect(info).toMatchObject({ chainId: "blockai-local", rpc: endpoints.rpc, rest: endpoints.rest, bip44: { coinType: 118 } });
    expect(info.bech32Config).toEqual({
      bech32PrefixAccAddr: "soa",
      bech32PrefixAccPub: "soapub",
      bech32PrefixValAddr: "soavaloper",
      bech32PrefixValPub: "soavaloperpub",
      bech32PrefixConsAddr: "soavalcons",
      bech32PrefixConsPub: "soavalconspub",
    });
    expect(info.stakeCurrency).toEqual({ coinDenom: "SOA", coinMinimalDenom: "usoa", coinDecimals: 6 });
    expect(info.feeCurrencies[0].gasPriceStep.low).toBe(0.025);
    expect(info.feeCurrencies[0].gasPriceStep.average).toBeGreaterThan(0.025);
  });

  test("chain-registry chain.json and assetlist.json agree with the genesis denom metadata", () => {
    const chain = chainRegistryChain(endpoints);
    expect(chain).toMatchObject({ chain_name: "blockailocal", chain_id: "blockai-local", bech32_prefix: "soa", slip44: 118, staking: { staking_tokens: [{ denom: "usoa" }] } });
    expect(chain.apis).toEqual({ rpc: [{ address: endpoints.rpc, provider: "local node" }], rest: [{ address: endpoints.rest, provider: "local node" }], grpc: [{ address: endpoints.grpc, provider: "local node" }] });
    const asset = chainRegistryAssetList(endpoints).assets[0];
    const metadata = defaultBankGenesis().denom_metadata[0];
    expect(asset.base).toBe(metadata.base);
    expect(asset.display).toBe(metadata.display);
    expect(asset.denom_units).toEqual(metadata.denom_units.map((u) => ({ denom: u.denom, exponent: u.exponent })));
  });

  test("writeChainInfo writes the three files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chain-info-"));
    try {
      const files = writeChainInfo(dir, endpoints);
      expect(files.map((f) => path.basename(f))).toEqual(["keplr-chain-info.json", "chain.json", "assetlist.json"]);
      expect(JSON.parse(fs.readFileSync(files[0], "utf8")).chainId).toBe("blockai-local");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
