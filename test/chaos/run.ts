import { formatSummary, PERTURBATIONS, runChaos, type Perturbation } from "./chaos";

/**
 * `make chaos`: DURATION (seconds, default 600), NODES (default 4), SEED (default: the time),
 * MIN_PERTURBATIONS (default 0), KINDS (comma-separated perturbation kinds, default all). Exits
 * 1 when any end check fails.
 */
async function main(): Promise<void> {
  const durationS = Number(process.env.DURATION ?? 600);
  const nodes = Number(process.env.NODES ?? 4);
  const seed = Number(process.env.SEED ?? Math.floor(Date.now() / 1000));
  const kinds = process.env.KINDS ? (process.env.KINDS.split(",") as Perturbation[]) : undefined;
  if (kinds?.some((k) => !PERTURBATIONS.includes(k))) throw new Error(`KINDS must be among ${PERTURBATIONS.join(",")}`);
  if (!(durationS > 0) || !Number.isInteger(nodes) || nodes < 4 || !Number.isFinite(seed)) {
    throw new Error("DURATION must be > 0 seconds, NODES an integer >= 4 (one validator down must leave 2/3), SEED a number");
  }
  const summary = await runChaos({
    durationMs: durationS * 1000,
    nodes,
    seed,
    minPerturbations: Number(process.env.MIN_PERTURBATIONS ?? 0),
    keepData: process.env.KEEP_CHAOS_DATA === "1",
    kinds,
  });
  console.log(formatSummary(summary));
  if (summary.failures.length > 0 || summary.mismatches > 0 || summary.lostCommitted > 0) process.exit(1);
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
