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
  assert.ok(!/\bsrc\s*=/i.test(html), "the page references a resource (src)");
  assert.ok(!/<link\b/i.test(html), "the page references a resource (<link>)");
  assert.ok(!/url\(/i.test(html), "the page references a resource (css url())");
  // Links (to the run's stored files, never loaded by the page) are the only hrefs.
  const hrefs = [...html.matchAll(/<(\w+)[^>]*\bhref="([^"]*)"/gi)];
  for (const [, tag, href] of hrefs) {
    assert.equal(tag!.toLowerCase(), "a", `href on <${tag}>`);
    assert.match(
      href!,
      /^file:\/\/.*\/runs\/[0-9a-f]+\/artifacts\/|\/get-artifact\?path=|#\/experiments\//,
    );
  }
}

/** The page's h2 headings in order. */
function headings(html: string): string[] {
  return [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]!);
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
    const h = headings(html);
    assert.equal(h[0], "Verdict", `the page leads with the verdict: ${h}`);
    assert.match(h[1]!, /^Wrong or failed rows \([1-9]\d* of 300\)$/);
    const order = ["Confusion matrix", "Latency", h.find((x) => x.startsWith("Metrics (")), "Run"];
    for (const [i, section] of order.entries()) {
      assert.ok(section && h.includes(section), `missing section ${section} in ${h}`);
      if (i > 0) assert.ok(h.indexOf(section) > h.indexOf(order[i - 1]!), `${section} order: ${h}`);
    }
    assert.equal(h.at(-1), "Params", "params last");
    // The verdict: status, wrong rows, the headline metrics, links to the stored pages.
    const verdict = html.slice(html.indexOf("<h2>Verdict</h2>"), html.indexOf(`<h2>${h[1]}`));
    assert.match(verdict, /FINISHED/);
    assert.match(verdict, /[1-9]\d* of 300 rows wrong/);
    for (const m of ["accuracy_score", "f1_score", "latency_p95_ms"]) {
      assert.ok(verdict.includes(`<td>${m}</td>`), m);
    }
    assert.match(
      verdict,
      /<a href="file:\/\/[^"]*\/artifacts\/evaluation_report\.html">evaluation_report\.html<\/a>/,
    );
    const linked = verdict.match(/href="file:\/\/([^"]*evaluation_report\.html)"/)![1]!;
    assert.ok(
      (await Deno.stat(decodeURIComponent(linked))).isFile,
      "the link points at the stored page",
    );
    // Wrong rows: id, expected, predicted and reasons first.
    const wrong = html.slice(html.indexOf(`<h2>${h[1]}`));
    const header = [...wrong.slice(0, wrong.indexOf("</thead>")).matchAll(/<th>([^<]*)<\/th>/g)]
      .map((m) => m[1]);
    assert.deepEqual(header.slice(0, 4), ["id", "expected", "predicted", "reasons"]);

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
      assert.deepEqual(svg.cut, [], `chart ${i} has text cut off`);
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
    assert.match(
      html,
      /<a href="[^"]*\/get-artifact\?path=notes\.md&amp;run_uuid=[0-9a-f]+">notes\.md<\/a>/,
    );
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

Deno.test("a drift run's report says drift detected first, with the drift section and every metric", async () => {
  const home = await Deno.makeTempDir({ prefix: "evalkit-report-drift-" });
  try {
    const ev = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "evaluate:drift"],
      cwd: ROOT,
      env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "", EVALKIT_HOME: home },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const evOut = new TextDecoder().decode(ev.stdout) + new TextDecoder().decode(ev.stderr);
    assert.equal(ev.code, 4, evOut);
    const runId = evOut.match(/run ([0-9a-f]{32})/)![1]!;
    await Deno.mkdir(RESULTS, { recursive: true });
    const out = `${RESULTS}/run_report_drift.html`;
    const r = await report([runId, "--store-dir", `${home}/store`, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const html = await Deno.readTextFile(out);
    assertSelfContained(html);
    const h = headings(html);
    assert.deepEqual(h.slice(0, 2), ["Verdict", "Drift detected"], `${h}`);
    const verdict = html.slice(0, html.indexOf("<h2>Drift detected</h2>"));
    assert.match(verdict, /drift detected/);
    assert.match(verdict, />drift\/drift_report\.html<\/a>/);
    const drift = html.slice(
      html.indexOf("<h2>Drift detected</h2>"),
      html.indexOf(`<h2>${h[2]}</h2>`),
    );
    assert.match(
      drift,
      /3 of 9 features drifted \(credit_score, annual_income, loan_purpose\)|3 of 9 features drifted \([a-z_, ]+\)/,
    );
    // Drifted features first in the table.
    const rows = [...drift.matchAll(/<tr><td>([^<]+)<\/td><td>(yes|no)<\/td>/g)].map((
      m,
    ) => [m[1], m[2]]);
    assert.deepEqual(rows.slice(0, 3).map((x) => x[1]), ["yes", "yes", "yes"]);
    assert.deepEqual(rows.slice(0, 3).map((x) => x[0]).sort(), [
      "annual_income",
      "credit_score",
      "loan_purpose",
    ]);
    assert.equal(rows.length, 10, "9 features and the target");
    assert.ok((drift.match(/<svg /g) ?? []).length >= 10, "a distribution chart per feature");
    // Every metric reachable, grouped: quality keeps precision, recall and ROC AUC next to drift.
    for (
      const m of ["precision_score", "recall_score", "roc_auc", "drift/age/psi", "drift/share"]
    ) {
      assert.ok(html.includes(`<td>${m}</td>`), `metric ${m} is listed`);
    }
    for (const g of ["quality", "latency", "cost", "errors", "drift"]) {
      assert.match(html, new RegExp(`<h3>${g} \\(\\d+\\)</h3>`), `group ${g}`);
    }
    const page = await checkPage(out, `${RESULTS}/run_report_drift.png`);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.requests, []);
    for (const [i, svg] of page.svgs.entries()) assert.deepEqual(svg.cut, [], `chart ${i} cut`);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
