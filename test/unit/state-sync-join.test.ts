import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { initHome, readGenesis } from "../../src/node/home";
import { applyJoin, fetchJoinInfo } from "../../src/node/join";
import { getTomlValue } from "../../src/node/toml";

/** `blockai init --join`: what is read from the running chain's RPC and written to the new home. */
describe("joining a running chain by state sync (config)", () => {
  let server: http.Server;
  let url = "";
  const genesis = { chain_id: "blockai-join", genesis_time: "2026-01-01T00:00:00Z", initial_height: "1", consensus_params: {}, validators: [], app_hash: "", app_state: { bank: {} } };
  const hash = "AB".repeat(32);
  const asked: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      asked.push(req.url ?? "");
      const u = new URL(req.url ?? "/", "http://x");
      const result =
        u.pathname === "/genesis"
          ? { genesis }
          : u.pathname === "/status"
            ? { node_info: { id: "a".repeat(40), network: "blockai-join", listen_addr: "tcp://0.0.0.0:26656" }, sync_info: { latest_block_height: "812" } }
            : u.pathname === "/commit"
              ? { signed_header: { commit: { block_id: { hash } } } }
              : undefined;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(result ? { jsonrpc: "2.0", id: -1, result } : { jsonrpc: "2.0", id: -1, error: { message: "no" } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  test("genesis, peers (0.0.0.0 replaced by the RPC host) and a trust root one block below the tip", async () => {
    const info = await fetchJoinInfo([url]);
    expect(info.genesis.chain_id).toBe("blockai-join");
    expect(info.peers).toEqual([`${"a".repeat(40)}@127.0.0.1:26656`]);
    expect(info.trustHeight).toBe(811);
    expect(info.trustHash).toBe(hash);
    expect(asked).toContain("/commit?height=811");

    const home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-join-"));
    try {
      initHome({ home: path.join(home, "n"), moniker: "n", chainId: "blockai-join" });
      applyJoin(path.join(home, "n"), info);
      const toml = fs.readFileSync(path.join(home, "n", "config", "config.toml"), "utf8");
      expect(getTomlValue(toml, "statesync", "enable")).toBe("true");
      // CometBFT wants two RPC servers; the one given is named twice.
      expect(getTomlValue(toml, "statesync", "rpc_servers")).toBe(`${url},${url}`);
      expect(getTomlValue(toml, "statesync", "trust_height")).toBe("811");
      expect(getTomlValue(toml, "statesync", "trust_hash")).toBe(hash);
      expect(getTomlValue(toml, "p2p", "persistent_peers")).toBe(`${"a".repeat(40)}@127.0.0.1:26656`);
      expect(readGenesis(path.join(home, "n")).chain_id).toBe("blockai-join");
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test("no RPC server, or servers of different chains, are refused", async () => {
    await expect(fetchJoinInfo([])).rejects.toThrow(/at least one RPC server/);
    const other = { ...genesis, chain_id: "another" };
    const s2 = http.createServer((req, res) =>
      res.end(JSON.stringify({ result: req.url === "/genesis" ? { genesis: other } : { node_info: { id: "b".repeat(40), network: "another", listen_addr: "tcp://127.0.0.1:1" }, sync_info: { latest_block_height: "5" } } })),
    );
    await new Promise<void>((r) => s2.listen(0, "127.0.0.1", () => r()));
    try {
      await expect(fetchJoinInfo([`http://127.0.0.1:${(s2.address() as { port: number }).port}`, url])).rejects.toThrow(/is on chain blockai-join/);
    } finally {
      await new Promise<void>((r) => s2.close(() => r()));
    }
  });
});
