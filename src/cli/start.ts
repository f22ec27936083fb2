import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { AbciServer } from "../abci";
import { BlockaiApp } from "../app/app";
import { parseDecCoins } from "../app/coins";
import { createLogger } from "../app/logger";
import { appDataDir, readAppConfig } from "../node/config";
import { cometbftBinary } from "../node/paths";

export interface StartOptions {
  home: string;
  withComet: boolean;
  abciAddress?: string;
}

/**
 * Runs the application: opens the state, serves ABCI (and, with withComet, spawns and supervises
 * `cometbft start` on the same home). Stops cleanly on SIGINT/SIGTERM: CometBFT first, then the
 * ABCI server, then the database, so the last commit is on disk.
 */
export async function startNode(opts: StartOptions): Promise<void> {
  const home = path.resolve(opts.home);
  const config = readAppConfig(home);
  const logger = createLogger(config.log_level, "app");
  const abciLogger = createLogger(config.log_level, "abci");
  const app = await BlockaiApp.open({
    dataDir: appDataDir(home),
    minGasPrices: parseDecCoins(config.minimum_gas_prices),
    logger,
    checkInvariants: config.check_invariants,
  });
  logger.info("state loaded", { height: app.lastHeight, app_hash: Buffer.from(app.lastAppHash).toString("hex") });
  const server = new AbciServer(app, {
    logger: {
      info: (m: string) => abciLogger.info(m),
      // Keep the stack: a handler failure here is a bug to be found from the log.
      error: (m: string, e?: unknown) => abciLogger.error(m, e === undefined ? undefined : { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    },
  });
  const address = opts.abciAddress ?? config.abci_address;
  await server.listen(address);
  logger.info("ABCI server listening", { address });

  let comet: ChildProcess | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (comet && comet.exitCode === null) {
      comet.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          comet?.kill("SIGKILL");
          resolve();
        }, 10_000);
        comet!.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await server.close();
    await app.close();
    logger.info("stopped");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  if (opts.withComet) {
    const logFile = path.join(home, "cometbft.log");
    const out = fs.openSync(logFile, "a");
    comet = spawn(cometbftBinary(), ["start", "--home", home], { stdio: ["ignore", out, out] });
    fs.writeFileSync(path.join(home, "cometbft.pid"), String(comet.pid));
    logger.info("CometBFT started", { pid: comet.pid, log: logFile });
    comet.on("exit", (code, signal) => {
      if (!stopping) {
        logger.error("CometBFT exited; stopping the app", { code, signal, log: logFile });
        void shutdown(1);
      }
    });
  }
}
