/**
 * `deno task report <run-id>`: a self-contained HTML page of a run from the local store and
 * from the MLflow server, rendered by headless Chromium with its SVG charts drawn, no console
 * errors and no network requests; the screenshot is kept under .test-results/report/.
 */
import assert from "node:assert/strict";
import { LoanApprovalAgent } from "../../lib/agents/mod.ts";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import { ModelEvaluator } from "../../lib/evaluation/mod.ts";
import { AgentTracker } from "../../lib/tracking/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { checkPage } from "./_chromium.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const RESULTS = `${ROOT}.test-results/report`;

async function report(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "report", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
}

/** An evaluation run of a relaxed agent (so it has wrong rows) plus a metric with a history. */
async function evaluationRun(tracker: AgentTracker): Promise<string> {
  const testSet = await new DatasetManager({ basePath: `${ROOT}datasets` }).load(
    "loan_approval_test_set",
  );
  const agent = new LoanApprovalAgent({ version: "1.1.0", maxDebtToIncome: 0.5 });
  const result = await new ModelEvaluator("loan_approval", agent).evaluateDataset(
    { ...testSet, rows: testSet.rows.slice(0, 300) },
    { tracker, tags: { test: "run_report_cli" } },
  );
  assert.ok(result.runId);
  // A second run with a metric history, for the line charts.
  const run = await tracker.startRun({ purpose: "train" });
  [0.9, 0.6, 0.45, 0.4].forEach((loss, step) => run.logMetrics({ "train/loss": loss }, { step }));
  [0.7, 0.8, 0.85, 0.86].forEach((acc, step) =>
    run.logMetrics({ "train/accuracy": acc }, { step })
  );
  await run.end();
  return result.runId;
}

function assertSelfContained(html: string) {
  assert.ok(!/<script\b/i.test(html), "the page has a <script>");
  assert.ok(!/\b(src|href)\s*=/i.test(html), "the page references a resource (src/href)");
  assert.ok(!/url\(/i.test(html), "the page references a resource (css url())");
}

Deno.test("deno task report --help prints usage with an example; no run id exits 2", async () => {
  const help = await report(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: deno task report <run-id>/);
  assert.match(help.stdout, /Example:/);
  const none = await report([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Expected one run id but found 0/);
});

Deno.test("deno task report exits 2 naming the run when it is not in the local store", async () => {
  const store = await Deno.makeTempDir({ prefix: "evalkit-report-store-" });
  try {
    const r = await report(["nope", "--store-dir", store]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No run 'nope' in the local store/);
  } finally {
    await Deno.remove(store, { recursive: true });
  }
});

Deno.test("deno task report never prints a password from the tracking URI", async () => {
  const uri = new URL(testMlflowUri());
  uri.username = "alice";
  uri.password = "pa55-w0rd-secret";
  const r = await report(["no-such-run-id", "--tracking-uri", uri.href]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`(No run 'no-such-run-id' on|report failed:)`));
  assert.ok(!r.stderr.includes("pa55-w0rd-secret"), r.stderr);
  assert.ok(!r.stdout.includes("pa55-w0rd-secret"), r.stdout);
});

Deno.test("a local-store evaluation run renders in headless Chromium: charts drawn, no console errors, no requests", async () => {
  const store = await Deno.makeTempDir({ prefix: "evalkit-report-store-" });
  try {
    const tracker = new AgentTracker("loan_approval", { localOnly: true, storeDir: store });
    const runId = await evaluationRun(tracker);
    tracker.close();
    await Deno.mkdir(RESULTS, { recursive: true });
    const out = `${RESULTS}/run_report_local.html`;
    const r = await report([runId, "--store-dir", store, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), out);
    const html = await Deno.readTextFile(out);
    assertSelfContained(html);
    for (const section of ["Overview", "Params", "Metrics", "Confusion matrix", "Latency"]) {
      assert.ok(html.includes(`<h2>${section}</h2>`), `missing section ${section}`);
    }
    assert.match(html, /<h2>Wrong or failed rows \([1-9]\d* of 300\)<\/h2>/);

    const page = await checkPage(out, `${RESULTS}/run_report_local.png`);
    assert.deepEqual(page.errors, [], "console errors, exceptions or failed loads");
    assert.deepEqual(page.requests, [], "the page made network requests");
    // Metrics bar chart, confusion matrix, latency histogram.
    assert.ok(page.svgs.length >= 3, `expected at least 3 charts but found ${page.svgs.length}`);
    for (const [i, svg] of page.svgs.entries()) {
      assert.ok(
        svg.width > 100 && svg.height > 100,
        `chart ${i} rendered ${svg.width}x${svg.height}`,
      );
      assert.ok(svg.shapes >= 5, `chart ${i} draws only ${svg.shapes} shapes`);
    }
    const png = await Deno.stat(`${RESULTS}/run_report_local.png`);
    assert.ok(png.size > 20_000, `screenshot is only ${png.size} bytes`);
  } finally {
    await Deno.remove(store, { recursive: true });
  }
});

Deno.test("a server run with a metric history renders from MLFLOW_TRACKING_URI with line charts", async () => {
  const uri = testMlflowUri();
  const store = await Deno.makeTempDir({ prefix: "evalkit-report-store-" });
  try {
    const tracker = new AgentTracker("loan_approval", {
      trackingUri: uri,
      storeDir: store,
      experimentName: uniqueName("report-cli"),
    });
    const run = await tracker.startRun({ purpose: "train", runName: "history" });
    [0.9, 0.6, 0.45, 0.4].forEach((loss, step) => run.logMetrics({ "train/loss": loss }, { step }));
    [0.7, 0.8, 0.85, 0.86].forEach((a, step) => run.logMetrics({ "train/accuracy": a }, { step }));
    run.logParams({ lr: 0.01 });
    await run.logArtifact("notes.md", "# notes\n");
    const ended = await run.end();
    assert.equal(ended.delivered, true);
    tracker.close();
    await Deno.mkdir(RESULTS, { recursive: true });
    const out = `${RESULTS}/run_report_server.html`;
    const r = await report([run.runId, "--out", out], { MLFLOW_TRACKING_URI: uri });
    assert.equal(r.code, 0, r.stderr);
    const html = await Deno.readTextFile(out);
    assertSelfContained(html);
    assert.ok(html.includes(`<h2>Metric history</h2>`));
    assert.equal((html.match(/<polyline class="line"/g) ?? []).length, 2, "one line per metric");
    assert.ok(html.includes("<td>notes.md</td>"), "the artifact is listed");
    assert.ok(html.includes(uri), "the source is the server");

    const page = await checkPage(out, `${RESULTS}/run_report_server.png`);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.requests, []);
    assert.ok(
      page.svgs.length >= 2,
      `expected the bar chart and a line chart but found ${page.svgs.length}`,
    );
    for (const [i, svg] of page.svgs.entries()) {
      assert.ok(
        svg.width > 100 && svg.height > 50,
        `chart ${i} rendered ${svg.width}x${svg.height}`,
      );
      assert.ok(svg.shapes >= 5, `chart ${i} draws only ${svg.shapes} shapes`);
    }
  } finally {
    await Deno.remove(store, { recursive: true });
  }
});
