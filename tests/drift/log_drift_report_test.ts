import assert from "node:assert/strict";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { AgentTracker } from "../../lib/tracking/mod.ts";
import { detectDataDrift, DriftReport, logDriftReport } from "../../lib/drift/mod.ts";

Deno.test("logDriftReport() writes drift metrics and the JSON/HTML report into the run on a real MLflow server", async () => {
  const uri = testMlflowUri();
  const storeDir = await Deno.makeTempDir({ prefix: "evalkit-drift-" });
  try {
    const base = Array.from({ length: 200 }, (_, i) => i);
    const report = detectDataDrift(
      {
        annual_income: base.map((v) => 1000 * v),
        loan_purpose: base.map((i) => ["car", "home"][i % 2]),
      },
      {
        annual_income: base.map((v) => 1000 * v + 40000),
        loan_purpose: base.map((i) => ["car", "home"][i % 2]),
      },
    );
    const tracker = new AgentTracker("drift_test", {
      trackingUri: uri,
      storeDir,
      experimentName: uniqueName("drift"),
      handleSigint: false,
    });
    const run = await tracker.startRun({ purpose: "evaluate" });
    const paths = await logDriftReport(run, report);
    const end = await run.end("FINISHED");
    assert.equal(end.delivered, true);
    using client = new MlflowClient({ trackingUri: uri });
    const got = await client.runs.get(run.serverRunId ?? run.runId);
    const metrics = Object.fromEntries(got.data.metrics.map((m) => [m.key, m.value]));
    assert.equal(metrics["drift/share"], 0.5);
    assert.equal(metrics["drift/annual_income/drifted"], 1);
    assert.equal(metrics["drift/loan_purpose/drifted"], 0);
    assert.ok(
      Math.abs(
        metrics["drift/annual_income/ks_statistic"]! - report.features[0]!.statistics.ks!.statistic,
      ) < 1e-12,
    );
    const json = await client.artifacts.readText(got.info.artifactUri, paths.json);
    assert.deepEqual(DriftReport.fromJSON(json).summary, report.summary);
    const html = await client.artifacts.readText(got.info.artifactUri, paths.html);
    assert.match(html, /Data drift report/);
  } finally {
    await Deno.remove(storeDir, { recursive: true });
  }
});
