import assert from "node:assert/strict";
import { ModelEvaluator } from "../../lib/evaluation/mod.ts";
import { LoanApprovalAgent } from "../../lib/agents/mod.ts";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import { MlflowClient } from "../../lib/mlflow/client.ts";
import { AgentTracker } from "../../lib/tracking/agent_tracker.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const DATASETS = new URL("../../datasets", import.meta.url).pathname;

Deno.test("EvalResult displays in Jupyter as text, HTML and a Vega-Lite confusion matrix", async () => {
  const ds = await new DatasetManager({ basePath: DATASETS }).load("loan_approval_test_set");
  const r = await new ModelEvaluator("loan_approval", new LoanApprovalAgent()).evaluateDataset(ds, {
    logToMlflow: false,
  });
  const display =
    (r as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]!;
  const bundle = display.call(r);
  assert.match(
    String(bundle["text/plain"]),
    /^EvalResult\(loan_approval 1\.0\.0 on loan_approval_test_set@1\.0\.0, FINISHED, accuracy_score=0\.9467/,
  );
  assert.match(
    String(bundle["text/html"]),
    /<td>accuracy_score<\/td><td style="text-align:right">0\.9467<\/td>/,
  );
  const spec = bundle["application/vnd.vegalite.v5+json"] as {
    data: { values: { row: string; column: string; value: number }[] };
  };
  assert.deepEqual(spec.data.values.map((v) => v.value), [749, 22, 42, 387]);
  // the table is MLflow's split format, one row per dataset row
  const t = r.table();
  assert.equal(t.data.length, 1200);
  assert.ok(t.data.every((row) => row.length === t.columns.length));
  assert.deepEqual(t.columns.slice(0, 2), ["id", "applicant_name"]);
  assert.deepEqual(t.columns.slice(-6), [
    "expected",
    "predicted",
    "correct",
    "risk_score",
    "latency_ms",
    "reasons",
  ], "no usage, retries or errors: those columns are left out");
  // toJSON leaves the rows out but counts them
  const j = JSON.parse(JSON.stringify(r));
  assert.equal(j.rowCount, 1200);
  assert.equal(j.rows, undefined);
  assert.equal(j.metrics.example_count, 1200);
});

Deno.test("evaluation_report.html stays small (rows are in the table artifact, not the page) and reads back from MLflow whole", async () => {
  const ds = await new DatasetManager({ basePath: DATASETS }).load("loan_approval_test_set");
  // 3 trials of 1200 rows: 3600 evaluated rows
  const uri = testMlflowUri();
  const storeDir = await Deno.makeTempDir();
  using tracker = new AgentTracker("loan_approval", {
    trackingUri: uri,
    storeDir,
    experimentName: uniqueName("/evalkit-tests/report-size"),
    handleSigint: false,
  });
  const r = await new ModelEvaluator("loan_approval", new LoanApprovalAgent()).evaluateDataset(ds, {
    tracker,
    repeat: 3,
  });
  using client = new MlflowClient({ trackingUri: uri });
  const run = await client.runs.get(r.runId!);
  const page = await client.artifacts.readText(run.info.artifactUri, "evaluation_report.html");
  const bytes = new TextEncoder().encode(page).length;
  assert.ok(bytes < 32_000, `the logged page is ${bytes} bytes`);
  assert.equal(page, r.toHtml());
  assert.match(
    page,
    /All 3600 rows are in the table artifact <code>eval_results_table\.json<\/code>/,
  );
  // a correctly decided applicant is not on the page; the table artifact has every row
  const right = r.rows.find((x) => x.correct === true)!;
  assert.ok(!page.includes(`<td>${right.id}</td>`), "no correct row is listed");
  const table = JSON.parse(
    await client.artifacts.readText(run.info.artifactUri, "eval_results_table.json"),
  );
  assert.equal(table.data.length, 3600);
  // the wrong rows listed are at most REPORT_WRONG_ROWS
  const listed = [...page.matchAll(/<td>LT-\d{6}<\/td>/g)].length;
  assert.ok(listed > 0 && listed <= 20, `${listed} rows listed`);
  await Deno.remove(storeDir, { recursive: true });
});
