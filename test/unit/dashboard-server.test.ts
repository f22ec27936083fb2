import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { DashboardServer, parseListenAddress } from "../../src/node/dashboard-server";

/** A stand-in for CometBFT's RPC that echoes what reached it. */
async function echoServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe("the dashboard's HTTP server (blockai start, dashboard_address)", () => {
  let dir: string;
  let rpc: Awaited<ReturnType<typeof echoServer>>;
  let dash: DashboardServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-dash-"));
    fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>t</title>");
    fs.writeFileSync(path.join(dir, "app.js"), "console.log(1)");
    fs.writeFileSync(path.join(os.tmpdir(), "blockai-dash-secret.txt"), "secret");
    rpc = await echoServer();
    dash = await DashboardServer.start({ address: "127.0.0.1:0", rpcUrl: rpc.url, staticDir: dir });
  });
  afterAll(async () => {
    await dash?.close();
    await rpc?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(os.tmpdir(), "blockai-dash-secret.txt"), { force: true });
  });

  test("serves the built app with content types", async () => {
    const index = await fetch(dash.url);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/text\/html/);
    const js = await fetch(dash.url + "app.js");
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(await js.text()).toBe("console.log(1)");
    expect((await fetch(dash.url + "missing.js")).status).toBe(404);
  });

  test("never serves a file outside its folder", async () => {
    for (const p of ["../blockai-dash-secret.txt", "%2e%2e/blockai-dash-secret.txt", "..%2fblockai-dash-secret.txt"]) {
      const r = await fetch(dash.url + p);
      expect({ p, status: r.status }).toEqual({ p, status: 404 });
    }
  });

  test("proxies JSON-RPC POSTs and GET paths to CometBFT under /rpc, nothing else", async () => {
    const post = await fetch(dash.url + "rpc", { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"method":"status"}' });
    expect(await post.json()).toEqual({ method: "POST", url: "/", body: '{"jsonrpc":"2.0","id":1,"method":"status"}' });
    const get = await fetch(dash.url + "rpc/block?height=5");
    expect(await get.json()).toEqual({ method: "GET", url: "/block?height=5", body: "" });
    expect((await fetch(dash.url + "rpc", { method: "DELETE" })).status).toBe(405);
    expect((await fetch(dash.url + "index.html", { method: "POST" })).status).toBe(405);
  });

  test("an unreachable RPC is a 502, a bad address or a missing build an error naming it", async () => {
    const down = await DashboardServer.start({ address: "127.0.0.1:0", rpcUrl: "http://127.0.0.1:1", staticDir: dir });
    try {
      expect((await fetch(down.url + "rpc", { method: "POST", body: "{}" })).status).toBe(502);
    } finally {
      await down.close();
    }
    expect(() => parseListenAddress("localhost")).toThrow(/dashboard_address "localhost" is not host:port/);
    expect(parseListenAddress("tcp://0.0.0.0:26680")).toEqual({ host: "0.0.0.0", port: 26680 });
    await expect(DashboardServer.start({ address: "127.0.0.1:0", rpcUrl: rpc.url, staticDir: path.join(dir, "nope") })).rejects.toThrow(/make build/);
  });
});
