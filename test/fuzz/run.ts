/**
 * `make fuzz`: node dist/test/fuzz/run.js [total=1000000] [seed=1]
 * Prints the progress, then one summary line; exits 1 on a crash (with the seed to replay it).
 */
import { runFuzz } from "./fuzz";

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? process.env.FUZZ_TOTAL ?? 1_000_000);
  const seed = Number(process.argv[3] ?? process.env.FUZZ_SEED ?? 1);
  console.log(`fuzz: ${total} generated and mutated txs and ABCI requests, seed ${seed}`);
  const s = await runFuzz({ total, seed, log: (l) => console.log(l) });
  const rate = Math.round((s.txs + s.abciRequests) / s.seconds);
  console.log(
    `fuzz summary: ${s.txs} txs (${s.checkTxAccepted} accepted by CheckTx, ${s.deliveredOk} delivered ok) in ${s.blocks} blocks, ` +
      `${s.abciRequests} ABCI requests over the socket (${s.abciMalformedBatches} damaged batches, ${s.abciClosedConnections} connections closed by the server), ` +
      `${s.seconds.toFixed(0)} s, ${rate}/s, crashes ${s.crashes}`,
  );
}

main().catch((e) => {
  console.error(String((e as Error).stack ?? e));
  // A crash of the app reads "fuzz crash (seed N): ..."; anything else is the harness's own error.
  console.log(/fuzz crash/.test(String(e)) ? "fuzz summary: crashes 1" : "fuzz summary: the harness failed (not an app crash)");
  process.exit(1);
});
