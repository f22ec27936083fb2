/**
 * REST gateway benchmark: GET /cosmos/bank/v1beta1/balances/{address}/by_denom?denom=usoa served
 * over HTTP by one process (one core: Node runs the server on one thread). Not a jest test:
 * compile with tsc and run (under the shared heavy-job lock)
 *   node dist/test/bench/rest.bench.js [seconds]
 *
 * The load comes from a separate process (keep-alive connections, 16 requests in flight), so the
 * server's thread is the only work in this process. Throughput is reported per second of the
 * server process's CPU time (user + system), which on a shared machine is steadier than wall
 * time; the baselines, measured in the same run on the same state, are the same query through
 * BlockaiApp.query (what ABCI Query and gRPC call) and through the gateway's router without HTTP.
 * Numbers are printed, never asserted.
 */
import { spawn } from "node:child_process";
import { QueryBalanceRequest } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { appHandlers } from "../../src/grpc/handlers";
import { protoRoot } from "../../src/grpc/protos";
import { RestGateway, RestServer } from "../../src/grpc/rest";
import { Driver } from "../helpers/driver";

const SECONDS = Number(process.argv[2] ?? "5");
const IN_FLIGHT = 16;

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

/** Calls per CPU-second of `fn` run for about `seconds`. */
async function perCpuSecond(seconds: number, fn: () => unknown): Promise<number> {
  const start = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) await fn();
    n += 200;
  }
  return n / cpuSeconds(start);
}

const LOAD = `
const http = require("node:http");
const [port, path, seconds, inFlight] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(inFlight) });
let done = 0, failed = 0;
const end = Date.now() + Number(seconds) * 1000;
function one() {
  if (Date.now() >= end) return Promise.resolve();
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port: Number(port), path, agent }, (res) => {
      res.resume();
      res.on("end", () => { if (res.statusCode === 200) done++; else failed++; resolve(); });
    });
    req.on("error", () => { failed++; resolve(); });
  }).then(one);
}
Promise.all(Array.from({ length: Number(inFlight) }, one)).then(() => {
  process.stdout.write(JSON.stringify({ done, failed }));
  agent.destroy();
});
`;

async function main(): Promise<void> {
  const d = await Driver.create({ accounts: 2, validators: 1 });
  await d.block();
  const address = d.keys[0].address;
  const handlers = appHandlers(d.app);
  const gateway = new RestGateway(protoRoot(), handlers);
  const path = `/cosmos/bank/v1beta1/balances/${address}/by_denom?denom=usoa`;
  const url = new URL(path, "http://x");

  const request = QueryBalanceRequest.encode({ address, denom: "usoa" }).finish();
  const abci = () => d.app.query({ path: "/cosmos.bank.v1beta1.Query/Balance", data: request, height: 0n, prove: false });
  const routed = () => gateway.serve("GET", url.pathname, url.searchParams, undefined, undefined);
  const check = await routed();
  if (check.status !== 200) throw new Error(`unexpected answer ${JSON.stringify(check)}`);

  // Warm up, then measure the baselines.
  await perCpuSecond(0.5, abci);
  await perCpuSecond(0.5, routed);
  const abciRate = await perCpuSecond(SECONDS / 2, abci);
  const routedRate = await perCpuSecond(SECONDS / 2, routed);

  const server = await RestServer.start(gateway, { address: "127.0.0.1:0" });
  const start = process.cpuUsage();
  const t0 = performance.now();
  const result = await new Promise<{ done: number; failed: number }>((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", LOAD, String(server.port), path, String(SECONDS), String(IN_FLIGHT)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited with ${code}`))));
  });
  const wallS = (performance.now() - t0) / 1000;
  const serverCpu = cpuSeconds(start);
  await server.close();
  await d.close();

  const httpRate = result.done / serverCpu;
  console.log(`REST balance query, ${SECONDS} s, ${IN_FLIGHT} in flight, ${result.done} answered, ${result.failed} failed`);
  console.log(`  over HTTP:              ${Math.round(httpRate)} req per server CPU-second (${Math.round(result.done / wallS)} req/s wall, server CPU ${(serverCpu / wallS).toFixed(2)} cores)`);
  console.log(`  router without HTTP:    ${Math.round(routedRate)} /CPU-s`);
  console.log(`  BlockaiApp.query (ABCI/gRPC path): ${Math.round(abciRate)} /CPU-s`);
  console.log(`  HTTP / ABCI query: ${(httpRate / abciRate).toFixed(3)} x; router / ABCI query: ${(routedRate / abciRate).toFixed(3)} x`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
