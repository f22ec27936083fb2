import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CheckTxType,
  ExecTxResult,
  ResponseCheckTx,
  ResponseFinalizeBlock,
} from "cosmjs-types/tendermint/abci/types";
import { decodeAddress } from "../../src/app/address";
import { BlockaiApp } from "../../src/app/app";
import { parseDecCoins } from "../../src/app/coins";
import { createLogger } from "../../src/app/logger";
import { defaultAppState } from "../../src/node/home";
import { TestKey } from "./keys";

export interface DriverOptions {
  accounts?: number;
  balance?: bigint;
  minGasPrices?: string;
  chainId?: string;
  dir?: string;
  /** Extra genesis edits. */
  appState?: (state: Record<string, any>) => void;
}

/**
 * Drives a BlockaiApp in-process the way CometBFT does (InitChain, CheckTx, FinalizeBlock,
 * Commit), with no network, and checks every invariant after every block.
 */
export class Driver {
  height = 0;
  timeSeconds = 1_700_000_000n;
  readonly keys: TestKey[];

  private constructor(
    public app: BlockaiApp,
    readonly dir: string,
    readonly chainId: string,
    keys: TestKey[],
    private readonly options: DriverOptions,
  ) {
    this.keys = keys;
  }

  static async create(options: DriverOptions = {}): Promise<Driver> {
    const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "blockai-driver-"));
    const chainId = options.chainId ?? "blockai-test";
    const keys = Array.from({ length: options.accounts ?? 4 }, (_, i) => new TestKey(i));
    const app = await BlockaiApp.open({
      dataDir: path.join(dir, "state"),
      minGasPrices: parseDecCoins(options.minGasPrices ?? "0.025usoa"),
      logger: createLogger("none"),
    });
    const driver = new Driver(app, dir, chainId, keys, options);
    if (app.lastHeight === 0) {
      const appState = defaultAppState() as Record<string, any>;
      appState.bank.balances = keys.map((k) => ({ address: k.address, coins: [{ denom: "usoa", amount: String(options.balance ?? 10n ** 12n) }] }));
      options.appState?.(appState);
      try {
        app.initChain({
        time: { seconds: driver.timeSeconds, nanos: 0 },
        chainId,
        consensusParams: undefined,
        validators: [],
        appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
        initialHeight: 1n,
        });
      } catch (e) {
        await app.close();
        if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    } else {
      driver.height = app.lastHeight;
    }
    return driver;
  }

  /** Closes and reopens the app on the same database (a clean restart). */
  async restart(): Promise<void> {
    await this.app.close();
    this.app = await BlockaiApp.open({
      dataDir: path.join(this.dir, "state"),
      minGasPrices: parseDecCoins(this.options.minGasPrices ?? "0.025usoa"),
      logger: createLogger("none"),
    });
  }

  checkTx(tx: Uint8Array, recheck = false): ResponseCheckTx {
    return this.app.checkTx({ tx, type: recheck ? CheckTxType.RECHECK : CheckTxType.NEW });
  }

  /** FinalizeBlock + Commit of one block; fails the test if an invariant breaks. */
  async block(txs: Uint8Array[] = []): Promise<{ results: ExecTxResult[]; response: ResponseFinalizeBlock }> {
    this.height++;
    this.timeSeconds += 1n;
    const response = this.app.finalizeBlock({
      txs,
      decidedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(32).fill(this.height & 0xff),
      height: BigInt(this.height),
      time: { seconds: this.timeSeconds, nanos: 0 },
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    });
    if (response.txResults.length !== txs.length) throw new Error("FinalizeBlock returned a wrong number of results");
    await this.app.commit();
    const broken = this.app.checkInvariants();
    if (broken.length > 0) throw new Error(`invariant broken after height ${this.height}: ${broken.join("; ")}`);
    return { results: response.txResults, response };
  }

  balance(address: string, denom = "usoa"): bigint {
    return this.app.keepers.bank.getBalance(this.app.committedStore()!, decodeAddress(address), denom);
  }

  account(address: string) {
    return this.app.keepers.auth.getAccount(this.app.committedStore()!, decodeAddress(address));
  }

  async close(): Promise<void> {
    await this.app.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
