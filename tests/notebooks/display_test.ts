/**
 * Rich display for notebooks: dataset statistics match pandas, every view carries text/plain,
 * text/html and a Vega-Lite chart, run comparisons read every run shape, live progress and
 * show() are inert outside the kernel, and no library module imports the notebook entry.
 */
import assert from "node:assert/strict";
import { LoanApprovalAgent } from "../../lib/agents/mod.ts";
import { toDataFrame } from "../../lib/datasets/danfo.ts";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import { ModelEvaluator } from "../../lib/evaluation/mod.ts";
import { describeColumns } from "../../lib/report/mod.ts";
import {
  compareRuns,
  datasetView,
  evalView,
  frameView,
  metricsView,
  notebookProgress,
  show,
} from "../../lib/notebook/mod.ts";
import { MetricsCollector } from "../../lib/tracking/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const VEGA = "application/vnd.vegalite.v5+json";
const DISPLAY = Symbol.for("Jupyter.display");

function bundleOf(value: unknown): Record<string, unknown> {
  const fn = (value as Record<symbol, unknown>)[DISPLAY];
  assert.equal(typeof fn, "function", "the value has no Jupyter display method");
  return (fn as () => Record<string, unknown>).call(value);
}

async function testSet() {
  return await new DatasetManager({ basePath: `${ROOT}datasets` }).load("loan_approval_test_set");
}

interface PandasColumn {
  kind: "numeric" | "categorical";
  count: number;
  unique: number;
  mean?: number;
  std?: number;
  min?: number;
  p25?: number;
  p50?: number;
  p75?: number;
  max?: number;
  freq?: number;
  tops?: string[];
}

Deno.test("describeColumns() gives pandas describe() figures on the shipped test set", async (t) => {
  const fixture = JSON.parse(
    await Deno.readTextFile(`${ROOT}tests/fixtures/report/describe_columns.json`),
  ) as { rows: number; columns: Record<string, PandasColumn> };
  const ds = await testSet();
  assert.equal(ds.rows.length, fixture.rows);
  const stats = describeColumns(ds.rows, Object.keys(fixture.columns));
  for (const s of stats) {
    await t.step(s.name, () => {
      const want = fixture.columns[s.name]!;
      assert.equal(s.kind, want.kind);
      assert.equal(s.count, want.count);
      assert.equal(s.unique, want.unique);
      if (want.kind === "numeric") {
        for (const k of ["mean", "std", "min", "p25", "p50", "p75", "max"] as const) {
          const got = s[k]!, exp = want[k]!;
          assert.ok(
            Math.abs(got - exp) <= 1e-9 * Math.max(1, Math.abs(exp)),
            `${s.name} ${k}: ${got} vs pandas ${exp}`,
          );
        }
      } else {
        assert.equal(s.freq, want.freq);
        assert.ok(want.tops!.includes(s.top!), `${s.name} top ${s.top} not among ${want.tops}`);
      }
    });
  }
});

Deno.test("datasetView() displays schema, head and statistics with charts, personal data masked", async () => {
  const ds = await testSet();
  const view = datasetView(ds, { head: 5 });
  const b = bundleOf(view);
  assert.equal(typeof b["text/plain"], "string");
  const html = String(b["text/html"]);
  for (const caption of ["Schema", "First 5 rows", "Column statistics"]) {
    assert.ok(html.includes(`<caption>${caption}</caption>`), `missing ${caption}`);
  }
  const names = new Set(ds.rows.map((r) => String(r.applicant_name)));
  assert.ok(![...names].some((n) => html.includes(n)), "an applicant name is shown");
  const spec = b[VEGA] as { concat: { title: string }[] };
  assert.equal(spec.concat[0]!.title, "expected_outcome (target)");
  assert.ok(spec.concat.some((c) => c.title === "credit_score"), "no credit_score histogram");
  assert.deepEqual(view.targetCounts, {
    approve: ds.rows.filter((r) => r.expected_outcome === "approve").length,
    reject: ds.rows.filter((r) => r.expected_outcome === "reject").length,
  });
});

Deno.test("evalView() shows the confusion matrix, F1 per class, latency histogram and wrong rows", async () => {
  const ds = await testSet();
  const agent = new LoanApprovalAgent({ version: "1.1.0", maxDebtToIncome: 0.5 });
  const result = await new ModelEvaluator("loan_approval", agent).evaluateDataset(
    { ...ds, rows: ds.rows.slice(0, 200) },
    { logToMlflow: false },
  );
  const wrong = result.rows.filter((r) => r.correct !== true).length;
  assert.ok(wrong > 0, "the relaxed agent should get some rows wrong");
  const b = evalView(result, { maxErrorRows: 5 }).bundle();
  const spec = b[VEGA] as { concat: Record<string, unknown>[] };
  assert.deepEqual(spec.concat.map((c) => c.title), [
    "Confusion matrix",
    "F1 per class",
    "Latency (ms)",
  ]);
  assert.ok(String(b["text/html"]).includes(`Wrong or failed rows: ${wrong} (first 5)`));
  assert.match(String(b["text/plain"]), /^EvalResult\(/);
});

Deno.test("metricsView() charts latency quantiles, decisions, errors and risk scores", async () => {
  const c = new MetricsCollector("loan_approval", { flushIntervalMs: 0 });
  for (let i = 0; i < 50; i++) {
    c.recordRequest(i % 10 === 0 ? "error" : "ok");
    c.recordDuration(10 + i);
    if (i % 10 === 0) c.recordError("timeout");
    else {
      c.recordDecision(i % 3 ? "approve" : "reject");
      c.recordRiskScore((i % 10) / 10);
    }
  }
  const b = metricsView(c.getSummary()).bundle();
  await c.close();
  const spec = b[VEGA] as { concat: { title: string }[] };
  assert.deepEqual(spec.concat.map((x) => x.title), [
    "Latency (ms)",
    "Decisions",
    "Errors by type",
    "Risk score",
  ]);
  assert.ok(String(b["text/html"]).includes("<table"));
});

Deno.test("compareRuns() reads MLflow, local-store and plain runs and charts each metric", () => {
  const cmp = compareRuns([
    {
      info: { runId: "r1", runName: "baseline" },
      data: {
        metrics: [{ key: "f1_score", value: 0.8 }, { key: "x", value: 1 }],
        params: { t: "1" },
      },
    },
    { localRunId: "l2", runName: "local", latestMetrics: { f1_score: 0.85 }, params: { t: "2" } },
    { runId: "r3", metrics: { f1_score: 0.9 } },
  ]);
  assert.deepEqual(cmp.runs.map((r) => r.name), ["baseline", "local", "r3"]);
  assert.deepEqual(cmp.metrics, ["f1_score"], "only metrics every run has");
  assert.deepEqual(cmp.changedParams, ["t"]);
  const row = cmp.table().data[0]!;
  assert.equal(row[0], "f1_score");
  assert.ok(Math.abs((row.at(-1) as number) - 0.1) < 1e-12, "change = last - first");
  const spec = bundleOf(cmp)[VEGA] as { title: string; data: { values: unknown[] } };
  assert.equal(spec.title, "f1_score");
  assert.equal(spec.data.values.length, 3);
  assert.throws(() => compareRuns([]), RangeError);
});

Deno.test("frameView() renders a danfojs describe() with its index", async () => {
  const ds = await testSet();
  const df = await toDataFrame({ ...ds, rows: ds.rows.slice(0, 100) });
  const b = frameView(df.describe()).bundle();
  const md = String(b["text/markdown"]);
  assert.match(md, /^\| {2}\| age \| annual_income \|/);
  assert.match(md, /\n\| count \| 100 \| 100 \|/);
  assert.ok(String(b["text/html"]).includes("<td>mean</td>"));
});

Deno.test("notebookProgress() and show() do nothing outside the Jupyter kernel", async () => {
  const progress = notebookProgress({ label: "x" });
  assert.equal(progress.live, false);
  progress({ done: 1, total: 2, errors: 0, rowsPerSecond: 1, elapsedMs: 1 });
  await progress.settled();
  assert.equal(await show("text", { a: 1 }), undefined);
});

Deno.test("no library module imports the notebook entry point (the only code touching Deno.jupyter)", async () => {
  const entries = [`${ROOT}mod.ts`];
  for await (const e of Deno.readDir(`${ROOT}lib`)) {
    if (!e.isDirectory || e.name === "notebook") continue; // the entry itself
    try {
      await Deno.stat(`${ROOT}lib/${e.name}/mod.ts`);
      entries.push(`${ROOT}lib/${e.name}/mod.ts`);
    } catch {
      // no mod.ts
    }
  }
  const specifiers: string[] = [];
  for (const entry of entries) {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
      modules: { specifier: string }[];
    };
    specifiers.push(...graph.modules.map((m) => m.specifier));
  }
  assert.ok(specifiers.some((s) => s.endsWith("/lib/report/mod.ts")), "graph not read");
  const bad = specifiers.filter((s) =>
    /\/lib\/notebook\//.test(s) ||
    /\/lib\/report\/(eval_view|metrics_view|frame_view|find_runs)\.ts$/.test(s)
  );
  assert.deepEqual([...new Set(bad)], []);
});
