import assert from "node:assert/strict";
import { DatasetManager } from "../../lib/datasets/manager.ts";
import { runDriftCheck, summarizeDrift } from "../../lib/drift/mod.ts";
import { driftFeatures } from "../../lib/drift/run_drift_check.ts";

const datasets = new DatasetManager({
  basePath: new URL("../../datasets", import.meta.url).pathname,
});

Deno.test("driftFeatures() leaves out the id, the target and personal data, and maps types to kinds", async () => {
  const ds = await datasets.load("baseline_v1");
  const f = driftFeatures(ds.schema);
  const names = f.map((x) => x.name);
  assert.ok(
    !names.includes("request_id") && !names.includes("expected_outcome") &&
      !names.includes("applicant_name"),
  );
  assert.equal(f.find((x) => x.name === "credit_score")!.kind, "numeric");
  assert.equal(f.find((x) => x.name === "loan_purpose")!.kind, "categorical");
});

Deno.test("summarizeDrift() prints a readable verdict with one line per feature for the CLI", async () => {
  const report = runDriftCheck({
    reference: await datasets.load("baseline_v1"),
    current: await datasets.load("current_month"),
  });
  const text = summarizeDrift(report);
  assert.match(
    text,
    /^Data drift: current_month@\S+ \(2000 rows\) vs baseline_v1@\S+ \(2000 rows\)/,
  );
  assert.match(text, /DRIFT DETECTED: 3 of 9 features drifted/);
  assert.match(text, /! annual_income +Wasserstein \(normed\)/);
  assert.match(text, /unseen: /);
});

Deno.test("runDriftCheck() takes prediction outcomes for prediction drift", async () => {
  const reference = await datasets.load("baseline_v1");
  const current = await datasets.load("current_month");
  const report = runDriftCheck({
    reference,
    current,
    predictions: {
      reference: reference.rows.map((r) => r.expected_outcome),
      current: current.rows.map(() => "reject"),
      name: "agent_outcome",
    },
  });
  assert.equal(report.summary.predictionDrift, true);
  assert.equal(report.toMetrics()["drift/agent_outcome/drifted"], 1);
});
