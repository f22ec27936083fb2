import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createNetwork, NetworkLayout, NetworkOptions, startNetwork, stopNetwork, waitForHeight } from "../../src/node/network";
import { freePorts } from "./ports";

/**
 * A real network for end-to-end tests: CometBFT v0.38 + the app per validator on 127.0.0.1,
 * in a temp dir, on ports the OS reports free. Always `stop()` it (every pid is stopped).
 */
export class TestNetwork {
  private constructor(readonly layout: NetworkLayout) {}

  /** `dashboard`: node0 serves the dashboard (dist/dashboard) on a free port. */
  static async start(opts: Partial<Omit<NetworkOptions, "dir" | "ports">> & { nodes?: number; dashboard?: boolean } = {}): Promise<TestNetwork> {
    const { dashboard, ...networkOpts } = opts;
    const nodes = opts.nodes ?? 1;
    const ports = await freePorts(nodes * 4 + 1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-e2e-"));
    const layout = await createNetwork({
      chainId: "blockai-e2e",
      accounts: 5,
      checkInvariants: true,
      // The last node of a multi-node network reads its state from LevelDB through a 1 MiB
      // cache; the others hold it in memory. Every e2e test thus checks the modes agree.
      stateCacheMb: (i) => (nodes > 1 && i === nodes - 1 ? 1 : 0),
      ...networkOpts,
      nodes,
      dir,
      ports: (i) => ({ rpc: ports[4 * i], p2p: ports[4 * i + 1], grpc: ports[4 * i + 2], api: ports[4 * i + 3], ...(dashboard && i === 0 ? { dashboard: ports[4 * nodes] } : {}) }),
    });
    const net = new TestNetwork(layout);
    try {
      await startNetwork(layout);
      await waitForHeight(layout, 2, 60_000);
    } catch (e) {
      await net.stop(true);
      throw e;
    }
    return net;
  }

  get rpc(): string {
    return this.layout.nodes[0].rpc;
  }

  get home(): string {
    return this.layout.nodes[0].home;
  }

  /** Stops every process by pid; removes the data unless keepData or a failure needs the logs. */
  async stop(keepData = false): Promise<void> {
    await stopNetwork(this.layout.dir);
    if (!keepData && !process.env.KEEP_E2E_DATA) fs.rmSync(this.layout.dir, { recursive: true, force: true });
    else console.log(`e2e data kept in ${this.layout.dir}`);
  }
}
