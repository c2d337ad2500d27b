import assert from "node:assert/strict";
import { LoanApprovalAgent } from "../../lib/agents/mod.ts";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import { ModelEvaluator } from "../../lib/evaluation/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const datasets = new DatasetManager({ basePath: `${ROOT}datasets` });
const quiet = { evaluate: { logToMlflow: false, concurrency: 32 } };

Deno.test("detectDrift() evaluates both datasets and flags exactly the metrics that degraded beyond the threshold", async () => {
  const evaluator = new ModelEvaluator("loan_approval", new LoanApprovalAgent());
  const baseline = await datasets.load("baseline_v1");
  const current = await datasets.load("current_month");
  const r = await evaluator.detectDrift({
    baselineDataset: baseline,
    currentDataset: current,
    ...quiet,
  });
  assert.ok(r.evaluations.baseline && r.evaluations.current, "both sides were evaluated");
  assert.equal(r.threshold, 0.05);
  assert.ok(Object.keys(r.metricDeltas).includes("accuracy_score"));
  for (const [k, d] of Object.entries(r.metricDeltas)) {
    assert.equal(d.baseline, r.evaluations.baseline.metrics[k]);
    assert.equal(d.current, r.evaluations.current.metrics[k]);
  }
  // The same comparison at a threshold just below the largest degradation must flag it.
  const worst = Math.max(...Object.values(r.metricDeltas).map((d) => d.degradation));
  const strict = await evaluator.detectDrift({
    baselineDataset: r.evaluations.baseline,
    currentDataset: r.evaluations.current,
    threshold: worst / 2,
  });
  assert.deepEqual(strict.evaluations, {}, "finished results are reused, not re-evaluated");
  assert.equal(strict.hasDrift, worst > 0);
  assert.equal(r.hasDrift, worst > 0.05);
});

Deno.test("detectDrift() flags a worse agent version against the baseline at the default 5%", async () => {
  const dataset = await datasets.load("loan_approval_test_set");
  const good = await new ModelEvaluator("loan_approval", new LoanApprovalAgent())
    .evaluateDataset(dataset, quiet.evaluate);
  // A careless version that approves nearly everyone.
  const careless = new LoanApprovalAgent({
    version: "9.9.9-careless",
    minCreditScore: 300,
    maxDebtToIncome: 5,
    maxLoanToIncome: 50,
  });
  const r = await new ModelEvaluator("loan_approval", careless).detectDrift({
    baselineDataset: good,
    currentDataset: dataset,
    ...quiet,
  });
  assert.equal(r.hasDrift, true);
  assert.ok(r.driftedMetrics.includes("accuracy_score"), String(r.driftedMetrics));
  const acc = r.metricDeltas.accuracy_score!;
  assert.ok(acc.current < acc.baseline * 0.95, `${acc.current} vs ${acc.baseline}`);
  const same = await new ModelEvaluator("loan_approval", new LoanApprovalAgent()).detectDrift({
    baselineDataset: good,
    currentDataset: dataset,
    ...quiet,
  });
  assert.equal(same.hasDrift, false, "the same agent on the same data does not drift");
});
