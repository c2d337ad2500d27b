/**
 * Every Vega-Lite chart the notebook displays carry compiles with Vega-Lite 5 (what JupyterLab
 * and VS Code use for `application/vnd.vegalite.v5+json`) without warnings, and renders to an
 * SVG with marks through Vega's headless renderer.
 */
import assert from "node:assert/strict";
import * as vl from "vega-lite";
import * as vega from "vega";
import { LoanApprovalAgent } from "../../lib/agents/mod.ts";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import { runDriftCheck } from "../../lib/drift/mod.ts";
import { ModelEvaluator } from "../../lib/evaluation/mod.ts";
import { lineChartSpec } from "../../lib/report/mod.ts";
import { compareRuns, datasetView, evalView, metricsView } from "../../lib/notebook/mod.ts";
import { MetricsCollector } from "../../lib/tracking/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const VEGA = "application/vnd.vegalite.v5+json";

function specOf(value: unknown): Record<string, unknown> {
  const fn = (value as Record<symbol, unknown>)[Symbol.for("Jupyter.display")] as
    | (() => Record<string, unknown>)
    | undefined;
  assert.ok(fn, "no Jupyter display method");
  const spec = fn.call(value)[VEGA] as Record<string, unknown> | undefined;
  assert.ok(spec, "the display bundle has no Vega-Lite chart");
  return spec;
}

/** Compiles and renders a spec; returns the compile warnings and the number of drawn marks. */
async function render(
  spec: Record<string, unknown>,
): Promise<{ warnings: string[]; marks: number }> {
  const warnings: string[] = [];
  const logger = {
    level: (_?: number) => logger,
    warn: (...args: unknown[]) => (warnings.push(args.map(String).join(" ")), logger),
    info: () => logger,
    debug: () => logger,
    error: (...args: unknown[]) => {
      throw new Error(args.map(String).join(" "));
    },
  };
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(spec as any, { logger: logger as any });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    const marks = (svg.match(/<(path|rect|text|line|circle)\b/g) ?? []).length;
    return { warnings, marks };
  } finally {
    view.finalize();
  }
}

Deno.test("every notebook chart compiles with Vega-Lite 5 without warnings and renders marks", async (t) => {
  const dm = new DatasetManager({ basePath: `${ROOT}datasets` });
  const testSet = await dm.load("loan_approval_test_set");
  const small = { ...testSet, rows: testSet.rows.slice(0, 200) };
  const result = await new ModelEvaluator(
    "loan_approval",
    new LoanApprovalAgent({ version: "1.1.0", maxDebtToIncome: 0.5 }),
  ).evaluateDataset(small, { logToMlflow: false });
  const drift = runDriftCheck({
    reference: await dm.load("baseline_v1"),
    current: await dm.load("current_month"),
  });
  const collector = new MetricsCollector("loan_approval", { flushIntervalMs: 0 });
  for (let i = 0; i < 40; i++) {
    collector.recordRequest(i % 8 ? "ok" : "error");
    collector.recordDuration(20 + i * 3);
    if (i % 8) {
      collector.recordDecision(i % 3 ? "approve" : "reject");
      collector.recordRiskScore((i % 10) / 10);
    } else collector.recordError("timeout");
  }
  const summary = collector.getSummary();
  await collector.close();

  const charts: [string, Record<string, unknown>][] = [
    ["EvalResult", specOf(result)],
    ["evalView", specOf(evalView(result))],
    ["DriftReport", specOf(drift)],
    ["metricsView", specOf(metricsView(summary))],
    ["datasetView", specOf(datasetView(testSet))],
    [
      "compareRuns",
      specOf(compareRuns([
        { id: "a", name: "baseline", metrics: { f1_score: 0.8, accuracy_score: 0.9 } },
        { id: "b", name: "candidate", metrics: { f1_score: 0.85, accuracy_score: 0.88 } },
      ])),
    ],
    [
      "lineChartSpec",
      lineChartSpec([
        { x: 0, y: 1, series: "p50" },
        { x: 1, y: 2, series: "p50" },
        { x: 0, y: 3, series: "p95" },
        { x: 1, y: 4, series: "p95" },
      ]),
    ],
  ];
  for (const [name, spec] of charts) {
    await t.step(name, async () => {
      const { warnings, marks } = await render(spec);
      assert.deepEqual(warnings, [], `${name}: Vega-Lite warnings`);
      assert.ok(marks > 5, `${name}: only ${marks} marks rendered`);
    });
  }
});
