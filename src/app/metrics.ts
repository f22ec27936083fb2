/**
 * Prometheus metrics of the app (text exposition format 0.0.4), without a client library.
 *
 * Observation only: the timings come from the process clock and nothing here is ever read by
 * consensus code, so the state machine stays deterministic whether metrics are on or off.
 */

import { signatureStats } from "./tx";

type Labels = Readonly<Record<string, string>>;

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${labels[k].replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  value(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [labels, v] of this.values) lines.push(`${this.name}${labels} ${v}`);
    return lines.join("\n");
  }
}

export class Gauge implements Metric {
  private current = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  set(v: number): void {
    this.current = v;
  }

  value(): number {
    return this.current;
  }

  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.current}`].join("\n");
  }
}

export class Histogram implements Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]) this.counts[i]++;
  }

  get observations(): number {
    return this.count;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join("\n");
  }
}

/** A counter kept elsewhere (a hot path's plain number), read when the metrics are scraped. */
export class ReadCounter implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => ReadonlyArray<readonly [Labels, number]>,
  ) {}

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [labels, v] of this.read()) lines.push(`${this.name}${labelText(labels)} ${v}`);
    return lines.join("\n");
  }
}

const BLOCK_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const CHECKTX_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

/** The app's metrics; BlockaiApp updates them when given one (AppOptions.metrics). */
export class AppMetrics {
  readonly blockHeight = new Gauge("blockai_block_height", "Height of the last committed block.");
  readonly blockExecution = new Histogram("blockai_block_execution_seconds", "FinalizeBlock execution time (hooks, every tx, app hash), seconds.", BLOCK_BUCKETS);
  readonly txs = new Counter("blockai_txs_total", "Transactions executed in blocks, by result code, codespace and module of the first message.");
  readonly checkTx = new Histogram("blockai_checktx_seconds", "CheckTx latency (new txs and rechecks), seconds.", CHECKTX_BUCKETS);
  readonly checkTxResults = new Counter("blockai_checktx_total", "CheckTx answers, by kind (new, recheck) and result code.");
  readonly rechecks = new Counter("blockai_mempool_rechecks_total", "Mempool txs CometBFT re-checked after a block.");
  readonly appHash = new Histogram("blockai_app_hash_seconds", "Time to compute a block's app hash (Merkle tree update), seconds.", BLOCK_BUCKETS);
  readonly dbCommit = new Histogram("blockai_leveldb_commit_seconds", "Time to write a block's state changes to LevelDB (Commit), seconds.", BLOCK_BUCKETS);
  readonly stateKeys = new Gauge("blockai_state_keys", "Keys in the committed state.");
  readonly stateWrites = new Counter("blockai_state_writes_total", "State keys written or deleted by committed blocks.");

  readonly signatureChecks = new ReadCounter(
    "blockai_signature_checks_total",
    "Signature checks in CheckTx and blocks, by how they were answered: cache (verdict already known for these exact bytes, from CheckTx or the verification threads) or verified (on the main thread).",
    () => [
      [{ result: "cache" }, signatureStats.answeredFromCache],
      [{ result: "verified" }, signatureStats.verifiedInline],
    ],
  );

  private readonly all: Metric[] = [this.blockHeight, this.blockExecution, this.txs, this.checkTx, this.checkTxResults, this.rechecks, this.appHash, this.dbCommit, this.stateKeys, this.stateWrites, this.signatureChecks];

  render(): string {
    return this.all.map((m) => m.render()).join("\n") + "\n";
  }
}

/** Seconds since `start` (a performance.now() value). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
