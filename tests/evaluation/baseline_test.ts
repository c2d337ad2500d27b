import assert from "node:assert/strict";
import { AgentTracker } from "../../lib/tracking/mod.ts";
import { loadBaseline } from "../../lib/evaluation/mod.ts";

async function localRun(storeDir: string, table?: string): Promise<string> {
  const tracker = new AgentTracker("baseline_agent", { localOnly: true, storeDir });
  const run = await tracker.startRun({ purpose: "evaluate" });
  await run.logMetrics({ accuracy_score: 0.9 });
  if (table !== undefined) await run.logArtifact("eval_results_table.json", table);
  await run.end("FINISHED");
  return run.localRunId;
}

Deno.test("loadBaseline() reads a run without a table as a metrics-only baseline", async () => {
  const storeDir = await Deno.makeTempDir();
  try {
    const id = await localRun(storeDir);
    const b = await loadBaseline(id, { storeDir });
    assert.equal(b.metrics.accuracy_score, 0.9);
    assert.equal(b.rows, undefined);
  } finally {
    await Deno.remove(storeDir, { recursive: true });
  }
});

Deno.test("loadBaseline() names a corrupt table instead of silently dropping the per-row diff", async () => {
  const storeDir = await Deno.makeTempDir();
  try {
    const id = await localRun(storeDir, "{not json");
    await assert.rejects(
      loadBaseline(id, { storeDir }),
      (err: Error) =>
        err instanceof TypeError &&
        /baseline table .*eval_results_table\.json is not a valid/.test(err.message),
    );
  } finally {
    await Deno.remove(storeDir, { recursive: true });
  }
});
