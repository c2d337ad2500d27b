/**
 * `EvalSummary`: the one place evaluation metrics are named. A metric planted there (in a copy
 * of the tree) must show in a single run and in a merged sharded run without touching the
 * merge; merging states is exact; a single run keeps exact latency quantiles.
 */
import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/client.ts";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import { EvalSummary, HEADLINE_METRICS, type SummaryRow } from "../../lib/evaluation/summary.ts";
import { sortedQuantile } from "../../lib/stats/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

function row(expected: string, predicted: string | null, latencyMs: number, riskScore = 0.5) {
  return {
    expected,
    predicted,
    riskScore,
    latencyMs,
    errorType: predicted === null ? "timeout" : null,
  } satisfies SummaryRow;
}

function summaryOf(rows: SummaryRow[], model = "m"): EvalSummary {
  return EvalSummary.fromRows({
    rows,
    usages: rows.map(() => ({ [model]: { inputTokens: 10, outputTokens: 2 } })),
    prices: { m: { inputPerMillion: 1e6, outputPerMillion: 0 } },
    retries: 1,
    rateLimited: 0,
    wallMs: 100,
  });
}

Deno.test("EvalSummary.merge() of shard states equals the summary of all rows, except latency quantiles (sketch, within 1%)", () => {
  const a = [
    row("approve", "approve", 10.25),
    row("reject", "approve", 20),
    row("reject", null, 5),
  ];
  const b = [row("reject", "reject", 30), row("approve", "approve", 41.5, 0.2)];
  const whole = summaryOf([...a, ...b]).toMetrics();
  const merged = EvalSummary.merge(
    [
      EvalSummary.fromState(summaryOf(a).toState(), { startMs: 1000, endMs: 1100 }),
      EvalSummary.fromState(summaryOf(b).toState(), { startMs: 1050, endMs: 1300 }),
    ],
    { rows: [...a, ...b], shardCount: 2 },
  ).toMetrics();
  for (const k of Object.keys(whole)) {
    // measured figures differ by construction; each part reported one retry
    if (/^(latency_|wall_time_s|throughput|retry_count)/.test(k)) continue;
    assert.equal(merged[k], whole[k], k);
  }
  assert.equal(merged.shard_count, 2);
  assert.equal(merged.wall_time_s, 0.3, "the merge's wall time spans its parts");
  assert.equal(merged["errors/timeout"], 1);
  assert.equal(merged["tokens/m/input"], 50);
  assert.equal(merged["cost_usd/m"], 50);
  assert.equal(merged.retry_count, 2);
  // the sketch's quantile is, within 1%, the order statistic at rank ⌊q·(n−1)⌋
  const lat = [...a, ...b].filter((r) => r.predicted !== null).map((r) => r.latencyMs)
    .sort((x, y) => x - y);
  for (const [q, k] of [[0.5, "latency_p50_ms"], [0.95, "latency_p95_ms"]] as const) {
    const exact = lat[Math.floor(q * (lat.length - 1))]!;
    assert.ok(Math.abs(merged[k]! - exact) <= 0.01 * exact, `${k} ${merged[k]} ${exact}`);
  }
  assert.equal(merged.latency_max_ms, whole.latency_max_ms);
});

Deno.test("a single run's latency quantiles are exact (NumPy's linear rule); the merge's come from the sketch", () => {
  const lat = Array.from({ length: 101 }, (_, i) => 1 + (i * 37) % 101 + i / 1000);
  const s = summaryOf(lat.map((l) => row("approve", "approve", l)));
  const sorted = Float64Array.from(lat).sort();
  const m = s.toMetrics();
  assert.equal(m.latency_p95_ms, sortedQuantile(sorted, 0.95));
  assert.equal(m.latency_max_ms, sorted[100]);
  const merged = EvalSummary.merge([EvalSummary.fromState(s.toState())]).toMetrics();
  assert.equal(merged.latency_p95_ms, s.sketch.quantile(0.95));
  assert.notEqual(merged.latency_p95_ms, m.latency_p95_ms, "the sketch is not exact");
});

Deno.test("EvalSummary.merge() refuses rows that disagree with the summed confusion matrix", () => {
  const a = [row("approve", "approve", 1)];
  assert.throws(
    () => EvalSummary.merge([summaryOf(a)], { rows: [row("approve", "reject", 1)] }),
    (e: Error) => e instanceof RangeError && /disagrees with the rows'/.test(e.message),
  );
});

Deno.test("HEADLINE_METRICS are named by toMetrics() (no name listed that no summary makes)", () => {
  const m = summaryOf([row("approve", "approve", 1, 0.9), row("reject", "reject", 2, 0.1)])
    .toMetrics();
  for (const k of HEADLINE_METRICS) assert.ok(k in m, `${k} is made by toMetrics()`);
});

/** Runs a CLI of a tree (the repository or a patched copy) as its own process. */
async function cli(root: string, script: string, args: string[], home: string) {
  const keep: Record<string, string> = { NO_COLOR: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v) keep[k] = v;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/${script}`, ...args],
    cwd: root,
    clearEnv: true,
    env: { ...keep, EVALKIT_HOME: home, MLFLOW_TRACKING_URI: testMlflowUri() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const r = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  assert.equal(r.code, 0, `${script} ${args.join(" ")}: ${r.stderr}`);
  return r;
}

/** A single run and a 2-shard merged run of the same 40 rows, by the CLIs of `root`. */
async function singleAndMerged(root: string, datasets: string, home: string) {
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  try {
    const experiment = uniqueName("/tmp/evalkit-summary");
    const common = ["--datasets-dir", datasets, "--dataset", "small", "--experiment", experiment];
    const single = await cli(root, "evaluate.ts", [...common, "--json"], home);
    const parent = await cli(root, "evaluate_parent.ts", ["--experiment", experiment], home);
    const parentId = parent.stdout.trim();
    await Promise.all(
      ["0/2", "1/2"].map((s) =>
        cli(root, "evaluate.ts", [...common, "--shard", s, "--parent-run", parentId], home)
      ),
    );
    await cli(root, "evaluate_merge.ts", ["--parent", parentId], home);
    const metrics = async (id: string) =>
      Object.fromEntries((await client.runs.get(id)).data.metrics.map((m) => [m.key, m.value]));
    return {
      single: await metrics(JSON.parse(single.stdout).runId),
      merged: await metrics(parentId),
    };
  } finally {
    client.close();
  }
}

Deno.test("a metric added in EvalSummary.toMetrics() alone shows in a single run and in a merged sharded run", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "evalkit-planted-" });
  try {
    const shipped = await new DatasetManager({ basePath: `${ROOT}datasets` })
      .load("loan_approval_test_set");
    await new DatasetManager({ basePath: `${tmp}/datasets` }).save(shipped.rows.slice(0, 40), {
      name: "small",
      version: "1.0.0",
      schema: shipped.schema,
    });
    // the copy gets one new metric, written in the one place metrics are named
    const tree = `${tmp}/tree/`;
    await Deno.mkdir(tree);
    for (const part of ["lib", "scripts", "deno.json", "deno.lock"]) {
      const cp = await new Deno.Command("cp", { args: ["-r", `${ROOT}${part}`, tree] }).output();
      assert.equal(cp.code, 0, `cp ${part}`);
    }
    const path = `${tree}lib/evaluation/summary.ts`;
    const anchor = "    if (this.shardCount !== undefined) out.shard_count = this.shardCount;\n";
    const text = await Deno.readTextFile(path);
    assert.ok(text.includes(anchor), "the anchor line is in summary.ts");
    await Deno.writeTextFile(
      path,
      text.replace(anchor, `    out.planted_rows_twice = c.rows * 2;\n${anchor}`),
    );
    const planted = await singleAndMerged(tree, `${tmp}/datasets`, tmp);
    assert.equal(planted.single.planted_rows_twice, 80, "in the single run");
    assert.equal(planted.merged.planted_rows_twice, 80, "in the merged run");
    // control: the tree as it is has no such metric, so the patch is what made it appear
    const control = await singleAndMerged(ROOT, `${tmp}/datasets`, tmp);
    assert.equal(control.single.planted_rows_twice, undefined);
    assert.equal(control.merged.planted_rows_twice, undefined);
    // and the merged run names every metric of the single run
    for (const k of Object.keys(planted.single)) {
      assert.ok(k in planted.merged, `${k} is in the merged run`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
