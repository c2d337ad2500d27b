import assert from "node:assert/strict";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import type { Dataset } from "../../lib/datasets/mod.ts";
import { LoanApprovalAgent } from "../../lib/agents/mod.ts";
import {
  type Agent,
  AgentError,
  classificationMetrics,
  ModelEvaluator,
} from "../../lib/evaluation/mod.ts";
import { AgentTracker } from "../../lib/tracking/agent_tracker.ts";
import { MlflowClient } from "../../lib/mlflow/client.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const FIXTURE = JSON.parse(
  await Deno.readTextFile(
    new URL("../fixtures/evaluation/evaluation_metrics.json", import.meta.url),
  ),
);
const DATASETS = new URL("../../datasets", import.meta.url).pathname;

async function shipped(): Promise<Dataset> {
  return await new DatasetManager({ basePath: DATASETS }).load("loan_approval_test_set", {
    version: "1.0.0",
  });
}

function close(actual: number | undefined, expected: number, what: string, tol = 1e-12): void {
  assert.ok(actual !== undefined, `${what} is missing`);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} != ${expected}`);
}

Deno.test("evaluateDataset() on the shipped test set gives scikit-learn's numbers", async () => {
  const ds = await shipped();
  const r = await new ModelEvaluator("loan_approval", new LoanApprovalAgent()).evaluateDataset(ds, {
    logToMlflow: false,
    concurrency: 16,
  });
  const f = FIXTURE.shipped;
  assert.deepEqual(
    r.rows.map((x) => x.predicted),
    f.predictions,
    "agent decisions match the Python rules",
  );
  assert.deepEqual(r.rows.map((x) => x.riskScore), f.risk_scores, "risk scores match");
  assert.equal(r.classification.positiveLabel, "reject");
  assert.deepEqual(r.classification.labels, f.labels);
  assert.deepEqual(r.classification.confusionMatrix, f.confusion_matrix);
  for (
    const k of [
      "example_count",
      "accuracy_score",
      "precision_score",
      "recall_score",
      "f1_score",
      "true_positives",
      "false_positives",
      "false_negatives",
      "true_negatives",
      "roc_auc",
      "precision_recall_auc",
      "precision_score_macro",
      "recall_score_macro",
      "f1_score_macro",
      "precision_score_micro",
      "recall_score_micro",
      "f1_score_micro",
      "precision_score_weighted",
      "recall_score_weighted",
      "f1_score_weighted",
    ]
  ) close(r.metrics[k], f[k], k);
  for (const [label, c] of Object.entries(f.per_class as Record<string, Record<string, number>>)) {
    close(r.metrics[`precision_score/${label}`], c.precision!, `precision/${label}`);
    close(r.metrics[`recall_score/${label}`], c.recall!, `recall/${label}`);
    close(r.metrics[`f1_score/${label}`], c.f1!, `f1/${label}`);
    assert.equal(r.metrics[`support/${label}`], c.support);
  }
  assert.equal(r.status, "FINISHED");
  assert.equal(r.errors.total, 0);
  assert.ok(r.metrics.latency_p99_ms! >= r.metrics.latency_p50_ms!);
  assert.ok(r.metrics.throughput_rows_per_s! > 0);
});

Deno.test("classificationMetrics() matches scikit-learn on multiclass, zero-division and absent-label cases", async (t) => {
  for (
    const [name, c] of Object.entries(FIXTURE.multiclass as Record<string, Record<string, unknown>>)
  ) {
    await t.step(name, () => {
      const e = c.expected as Record<string, unknown>;
      const s = classificationMetrics({
        yTrue: c.y_true as string[],
        yPred: c.y_pred as string[],
        ...(c.labels ? { labels: c.labels as string[] } : {}),
      });
      assert.deepEqual(s.labels, e.labels);
      assert.deepEqual(s.confusionMatrix, e.confusion_matrix);
      assert.equal(s.positiveLabel, undefined, "more than two labels: not binary");
      for (
        const k of [
          "accuracy_score",
          "precision_score",
          "recall_score",
          "f1_score",
          "precision_score_macro",
          "recall_score_macro",
          "f1_score_macro",
          "precision_score_micro",
          "f1_score_micro",
          "precision_score_weighted",
          "recall_score_weighted",
          "f1_score_weighted",
        ]
      ) close(s.metrics[k], e[k] as number, `${name}: ${k}`);
      for (
        const [label, pc] of Object.entries(e.per_class as Record<string, Record<string, number>>)
      ) {
        close(s.perClass[label]!.precision, pc.precision!, `${name}: precision/${label}`);
        close(s.perClass[label]!.f1, pc.f1!, `${name}: f1/${label}`);
        assert.equal(s.perClass[label]!.support, pc.support);
      }
    });
  }
});

/** An agent whose failures depend on the row: exercise every error type. */
function flakyAgent(): Agent {
  return {
    name: "flaky",
    version: "0.1.0",
    config: { kind: "test" },
    decide(request, options) {
      const id = String(request.request_id);
      const n = Number(id.replace(/\D/g, ""));
      if (n % 10 === 1) return Promise.reject(new Error("boom"));
      if (n % 10 === 2) return Promise.resolve({ outcome: "" });
      if (n % 10 === 3) {
        return new Promise((_resolve, reject) => {
          options?.signal?.addEventListener("abort", () => reject(options.signal!.reason), {
            once: true,
          });
        });
      }
      return Promise.resolve({
        outcome: n % 2 === 0 ? "approve" : "reject",
        usage: { "gpt-4o-mini": { inputTokens: 1000, outputTokens: 100 } },
      });
    },
  };
}

function smallDataset(n: number): Dataset {
  const rows = Array.from({ length: n }, (_, i) => ({
    request_id: `R${i}`,
    applicant_name: `Person ${i}`,
    x: i,
    expected_outcome: i % 3 === 0 ? "reject" : "approve",
  }));
  return {
    name: "small",
    version: "1.0.0",
    rows,
    schema: {
      columns: [
        { name: "request_id", type: "string", role: "id" },
        { name: "applicant_name", type: "string", personalData: "hash" },
        { name: "x", type: "integer" },
        { name: "expected_outcome", type: "string", role: "target" },
      ],
      target: "expected_outcome",
      id: "request_id",
    },
    digest: "0".repeat(64),
    mlflowDigest: "00000000",
    meta: {} as Dataset["meta"],
  };
}

Deno.test("errored rows are counted by type and kept out of the classification metrics", async () => {
  const ds = smallDataset(100);
  const r = await new ModelEvaluator("flaky", flakyAgent()).evaluateDataset(ds, {
    logToMlflow: false,
    timeoutMs: 50,
    retries: 1,
    backoffMs: 1,
  });
  assert.deepEqual(r.errors.byType, { agent_exception: 10, invalid_output: 10, timeout: 10 });
  assert.equal(r.metrics.error_count, 30);
  assert.equal(r.metrics.error_rate, 0.3);
  assert.equal(r.metrics["errors/timeout"], 10);
  assert.equal(r.metrics.example_count, 70, "only the 70 answered rows are scored");
  const ok = r.rows.filter((x) => x.errorType === null);
  const expected = classificationMetrics({
    yTrue: ok.map((x) => x.expected!),
    yPred: ok.map((x) => x.predicted!),
  });
  assert.equal(r.metrics.accuracy_score, expected.metrics.accuracy_score);
  const timedOut = r.rows.find((x) => x.errorType === "timeout")!;
  assert.equal(timedOut.attempts, 2, "a timeout is retried once");
  assert.equal(
    r.rows.find((x) => x.errorType === "agent_exception")!.attempts,
    1,
    "a plain exception is not retried",
  );
  // tokens and cost: 70 answered calls × (1000 in, 100 out) at gpt-4o-mini's list price
  assert.equal(r.metrics.tokens_total, 70 * 1100);
  close(r.metrics.cost_usd_total, 70 * (1000 * 0.15 + 100 * 0.6) / 1e6, "cost", 1e-15);
  close(
    r.metrics.cost_usd_per_request,
    (70 * (1000 * 0.15 + 100 * 0.6) / 1e6) / 100,
    "cost/request",
    1e-15,
  );
  assert.equal(r.metrics["tokens/gpt-4o-mini/input"], 70_000);
  // personal data hashed in the per-row table
  const t = r.table();
  const nameCol = t.columns.indexOf("applicant_name");
  assert.ok(nameCol >= 0);
  assert.ok(t.data.every((row) => !String(row[nameCol]).startsWith("Person")), "names are hashed");
});

Deno.test("repeat: N gives each metric's mean, standard deviation and t-based 95% CI", async () => {
  let trial = 0;
  let calls = 0;
  const agent: Agent = {
    name: "noisy",
    version: "1",
    config: {},
    decide(request) {
      calls++;
      if (calls % 30 === 1) trial++;
      // trial k gets the first k rows wrong
      const i = Number(String(request.request_id).slice(1));
      const right = i % 3 === 0 ? "reject" : "approve";
      const wrong = right === "approve" ? "reject" : "approve";
      return Promise.resolve({ outcome: i < trial ? wrong : right });
    },
  };
  const r = await new ModelEvaluator("noisy", agent).evaluateDataset(smallDataset(30), {
    logToMlflow: false,
    repeat: 3,
    concurrency: 1,
  });
  const accs = [29 / 30, 28 / 30, 27 / 30];
  assert.deepEqual(r.trials.map((t) => t.accuracy_score), accs);
  const mean = accs.reduce((a, b) => a + b) / 3;
  const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
  close(r.metrics.accuracy_score, mean, "mean");
  close(r.metrics.accuracy_score_std, std, "std");
  const half = 4.302652729749464 * std / Math.sqrt(3); // scipy.stats.t.ppf(0.975, 2)
  close(r.summary!.accuracy_score!.ciLow, mean - half, "ci low", 1e-9);
  close(r.summary!.accuracy_score!.ciHigh, mean + half, "ci high", 1e-9);
  assert.equal(r.rows.length, 90);
  assert.equal(r.table().columns[1], "trial");
});

Deno.test("an evaluation against the real MLflow server is recorded in full and reads back", async () => {
  const uri = testMlflowUri();
  const storeDir = await Deno.makeTempDir();
  const experimentName = uniqueName("/evalkit-tests/evaluate");
  using tracker = new AgentTracker("loan_approval", {
    trackingUri: uri,
    storeDir,
    experimentName,
    handleSigint: false,
  });
  const ds = await shipped();
  const r = await new ModelEvaluator("loan_approval", new LoanApprovalAgent()).evaluateDataset(ds, {
    tracker,
    runName: "shipped-eval",
    tags: { team: "risk" },
    thresholds: { accuracy_score: { threshold: 0.9, greaterIsBetter: true } },
  });
  assert.ok(r.runId && /^[0-9a-f]{32}$/.test(r.runId), `server run id, got ${r.runId}`);
  using client = new MlflowClient({ trackingUri: uri });
  const run = await client.runs.get(r.runId!);
  assert.equal(run.info.status, "FINISHED");
  assert.equal(run.info.runName, "shipped-eval");
  const exp = await client.experiments.getByName(experimentName);
  assert.equal(run.info.experimentId, exp?.experimentId);
  // params
  assert.equal(run.data.params.agent_name, "loan_approval");
  assert.equal(run.data.params.agent_version, "1.0.0");
  assert.equal(run.data.params.dataset_name, "loan_approval_test_set");
  assert.equal(run.data.params.dataset_version, "1.0.0");
  assert.equal(run.data.params.dataset_digest, ds.digest);
  assert.equal(run.data.params.target_field, "expected_outcome");
  assert.equal(run.data.params.concurrency, "8");
  assert.equal(run.data.params["agent_config.minCreditScore"], "580");
  // dataset input
  const input = run.inputs.datasetInputs[0]!;
  assert.equal(input.dataset.name, "loan_approval_test_set");
  assert.equal(input.dataset.digest, ds.mlflowDigest);
  assert.equal(input.tags?.["mlflow.data.context"], "evaluation");
  // metrics, every one
  const server = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
  for (const [k, v] of Object.entries(r.metrics)) {
    if (Number.isFinite(v)) close(server[k], v, `metric ${k}`, Math.abs(v) * 1e-12);
  }
  close(server.accuracy_score, FIXTURE.shipped.accuracy_score, "accuracy");
  // tags
  assert.equal(run.data.tags.team, "risk");
  assert.equal(run.data.tags["evalkit.gate"], "passed");
  assert.deepEqual(JSON.parse(run.data.tags["mlflow.loggedArtifacts"]!), [{
    path: "eval_results_table.json",
    type: "table",
  }]);
  // artifacts
  const files = (await client.artifacts.list(run.info.artifactUri)).map((f) => f.path).sort();
  assert.deepEqual(files, [
    "confusion_matrix.svg",
    "eval_results_table.json",
    "evaluation_report.html",
    "evaluation_summary.md",
  ]);
  const table = JSON.parse(
    await client.artifacts.readText(run.info.artifactUri, "eval_results_table.json"),
  );
  assert.deepEqual(table.columns, r.table().columns);
  assert.equal(table.data.length, 1200);
  const name = table.columns.indexOf("applicant_name");
  assert.ok(
    table.data.every((row: unknown[]) =>
      String(row[name]).length > 0 && !/\s/.test(String(row[name]))
    ),
    "names hashed",
  );
  const svg = await client.artifacts.readText(run.info.artifactUri, "confusion_matrix.svg");
  assert.ok(svg.startsWith("<svg") && svg.includes(">749<") && svg.includes(">387<"));
  const md = await client.artifacts.readText(run.info.artifactUri, "evaluation_summary.md");
  assert.ok(md.includes("| accuracy_score | 0.9467 |"), md.slice(0, 400));
  await Deno.remove(storeDir, { recursive: true });
});

Deno.test("a baseline run gives a per-row diff and the regression gate fails with a readable reason", async () => {
  const uri = testMlflowUri();
  const storeDir = await Deno.makeTempDir();
  const experimentName = uniqueName("/evalkit-tests/baseline");
  using tracker = new AgentTracker("loan_approval", {
    trackingUri: uri,
    storeDir,
    experimentName,
    handleSigint: false,
  });
  const ds = await shipped();
  const base = await new ModelEvaluator("loan_approval", new LoanApprovalAgent()).evaluateDataset(
    ds,
    { tracker },
  );
  // a stricter credit threshold: more rejections, some of them wrong
  const strict = new LoanApprovalAgent({ version: "1.1.0", minCreditScore: 640 });
  const r = await new ModelEvaluator("loan_approval", strict).evaluateDataset(ds, {
    tracker,
    baselineRunId: base.runId!,
    thresholds: { f1_score: { maxRegression: 0.02, greaterIsBetter: true } },
  });
  const diff = r.baseline!.rowDiff!;
  assert.equal(diff.counts.improved + diff.counts.regressed + diff.counts.unchanged, 1200);
  const flips = r.rows.filter((x, i) => x.correct !== base.rows[i]!.correct);
  assert.equal(diff.counts.improved, flips.filter((x) => x.correct).length);
  assert.equal(diff.counts.regressed, flips.filter((x) => !x.correct).length);
  assert.ok(diff.counts.regressed > 0);
  assert.equal(r.baseline!.metrics.f1_score, base.metrics.f1_score);
  assert.equal(r.gate!.passed, false);
  const failure = r.gate!.failures[0]!;
  assert.equal(failure.kind, "max_regression");
  assert.match(
    failure.message,
    /^f1_score = 0\.\d+, required at most 0\.02 worse than the baseline 0\.92\d+/,
  );
  assert.ok(r.toMarkdown().includes("❌ FAILED"));
  using client = new MlflowClient({ trackingUri: uri });
  const run = await client.runs.get(r.runId!);
  assert.equal(run.data.tags["evalkit.gate"], "failed");
  assert.equal(run.data.tags["evalkit.baseline_run_id"], base.runId);
  assert.equal(
    Number(run.data.metrics.find((m) => m.key === "rows_regressed")?.value),
    diff.counts.regressed,
  );
  await Deno.remove(storeDir, { recursive: true });
});

Deno.test("cancelling mid-run ends the run KILLED with the partial results logged", async () => {
  const uri = testMlflowUri();
  const storeDir = await Deno.makeTempDir();
  using tracker = new AgentTracker("slow", {
    trackingUri: uri,
    storeDir,
    experimentName: uniqueName("/evalkit-tests/cancel"),
    handleSigint: false,
  });
  const ctl = new AbortController();
  let done = 0;
  const agent: Agent = {
    name: "slow",
    version: "1",
    config: {},
    decide: (_r, o) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          if (++done === 20) ctl.abort();
          resolve({ outcome: "approve" });
        }, 5);
        o?.signal?.addEventListener("abort", () => {
          clearTimeout(t);
          reject(o.signal!.reason);
        }, { once: true });
      }),
  };
  const r = await new ModelEvaluator("slow", agent).evaluateDataset(smallDataset(500), {
    tracker,
    concurrency: 4,
    signal: ctl.signal,
  });
  assert.equal(r.status, "KILLED");
  assert.ok(r.rows.length >= 19 && r.rows.length < 500, `partial rows: ${r.rows.length}`);
  assert.equal(r.metrics.row_count, r.rows.length);
  using client = new MlflowClient({ trackingUri: uri });
  const run = await client.runs.get(r.runId!);
  assert.equal(run.info.status, "KILLED");
  const table = JSON.parse(
    await client.artifacts.readText(run.info.artifactUri, "eval_results_table.json"),
  );
  assert.equal(table.data.length, r.rows.length, "every finished row is in the logged table");
  await Deno.remove(storeDir, { recursive: true });
});

Deno.test("an AgentError's kind is how the row is counted", async () => {
  const agent: Agent = {
    name: "typed",
    version: "1",
    config: {},
    decide: () => Promise.reject(new AgentError("bad json", { kind: "invalid_output" })),
  };
  const r = await new ModelEvaluator("typed", agent).evaluateDataset(smallDataset(5), {
    logToMlflow: false,
  });
  assert.deepEqual(r.errors.byType, { invalid_output: 5 });
  assert.equal(r.metrics.example_count, 0);
  assert.equal(r.metrics.accuracy_score, undefined, "no scored rows, no accuracy");
});
