import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/client.ts";
import type { Run } from "../../lib/mlflow/types.ts";
import { DDSketch } from "../../lib/stats/mod.ts";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import {
  parseShard,
  SHARD_STATE_PATH,
  shardOfId,
  type ShardState,
} from "../../lib/evaluation/sharding.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const EVALUATE = `${ROOT}scripts/evaluate.ts`;
const PARENT = `${ROOT}scripts/evaluate_parent.ts`;
const MERGE = `${ROOT}scripts/evaluate_merge.ts`;

function env(extra: Record<string, string>): Record<string, string> {
  const keep: Record<string, string> = { NO_COLOR: "1", RUST_BACKTRACE: "0" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v) keep[k] = v;
  }
  return { ...keep, ...extra };
}

/** Runs one of the CLIs as its own process (as independent shard workers would). */
async function cli(script: string, args: string[], extra: Record<string, string> = {}) {
  const home = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...args],
      cwd: ROOT,
      clearEnv: true,
      env: env({ EVALKIT_HOME: home, MLFLOW_TRACKING_URI: testMlflowUri(), ...extra }),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

function metricsOf(run: Run): Record<string, number> {
  return Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
}

async function tableOf(client: MlflowClient, run: Run) {
  return JSON.parse(
    await client.artifacts.readText(run.info.artifactUri, "eval_results_table.json"),
  ) as { columns: string[]; data: unknown[][] };
}

async function childrenOf(client: MlflowClient, parent: Run): Promise<Run[]> {
  const out: Run[] = [];
  for await (
    const r of client.runs.search({
      experimentIds: [parent.info.experimentId],
      filter: `tags.\`mlflow.parentRunId\` = '${parent.info.runId}'`,
    })
  ) out.push(r);
  return out.sort((a, b) =>
    Number(a.data.tags["evalkit.shard_index"]) - Number(b.data.tags["evalkit.shard_index"])
  );
}

/** Measured figures: they differ between runs, so they are compared with their own bounds. */
const MEASURED = /^(latency_|wall_time_s$|throughput_rows_per_s$)/;

Deno.test("4 shards run as separate processes merge into the parent with exactly the classification metrics of one unsharded run", async () => {
  const experiment = uniqueName("/tmp/evalkit-sharding");
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  try {
    // the unsharded reference run, same dataset and agent
    const single = await cli(EVALUATE, ["--experiment", experiment, "--json"]);
    assert.equal(single.code, 0, single.stderr);
    const singleRun = await client.runs.get(JSON.parse(single.stdout).runId);

    const made = await cli(PARENT, ["--experiment", experiment, "--shards", "4", "--json"]);
    assert.equal(made.code, 0, made.stderr);
    const parentId: string = JSON.parse(made.stdout).runId;

    // shards as independent processes, started in reverse order, all at once
    const shards = await Promise.all(
      [3, 2, 1, 0].map((i) => cli(EVALUATE, ["--shard", `${i}/4`, "--parent-run", parentId])),
    );
    for (const s of shards) assert.equal(s.code, 0, s.stderr);

    const merged = await cli(MERGE, ["--parent", parentId, "--json"]);
    assert.equal(merged.code, 0, merged.stderr);
    const report = JSON.parse(merged.stdout);
    assert.equal(report.shardCount, 4);
    assert.equal(report.rows, 1200);

    const parent = await client.runs.get(parentId);
    assert.equal(parent.info.status, "FINISHED");
    const children = await childrenOf(client, parent);
    assert.deepEqual(children.map((c) => c.data.tags["evalkit.shard"]), [
      "0/4",
      "1/4",
      "2/4",
      "3/4",
    ]);
    for (const c of children) {
      assert.equal(c.info.status, "FINISHED");
      assert.equal(c.info.experimentId, parent.info.experimentId);
    }

    // every dataset row is in exactly one shard, the one its id hashes to
    const dataset = await new DatasetManager({ basePath: `${ROOT}datasets` }).load(
      "loan_approval_test_set",
    );
    const owner = new Int32Array(dataset.rows.length).fill(-1);
    const states: ShardState[] = [];
    for (const c of children) {
      const state: ShardState = JSON.parse(
        await client.artifacts.readText(c.info.artifactUri, SHARD_STATE_PATH),
      );
      states.push(state);
      for (const i of state.rowIndices) {
        assert.equal(owner[i], -1, `row ${i} is in two shards`);
        owner[i] = state.shard.index;
        assert.equal(shardOfId(String(dataset.rows[i]!["request_id"]), 4), state.shard.index);
      }
    }
    assert.ok(owner.every((s) => s >= 0), "every row is in a shard");
    const childRows = children.map((c) => metricsOf(c).row_count!);
    assert.ok(childRows.every((n) => n > 0 && n < 1200), `shard sizes ${childRows}`);
    assert.equal(childRows.reduce((a, b) => a + b, 0), 1200);

    // every metric of the single run, except the measured ones, is equal exactly
    const one = metricsOf(singleRun);
    const got = metricsOf(parent);
    const exact = Object.keys(one).filter((k) => !MEASURED.test(k)).sort();
    for (
      const k of ["accuracy_score", "f1_score", "roc_auc", "precision_recall_auc", "example_count"]
    ) assert.ok(exact.includes(k), `the single run has ${k}`);
    for (const k of exact) assert.equal(got[k], one[k], `${k}: merged ${got[k]}, single ${one[k]}`);
    assert.equal(got.row_count, 1200);
    assert.equal(got.shard_count, 4);
    for (const k of ["latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "latency_max_ms"]) {
      assert.ok(Number.isFinite(got[k]), `${k} is logged`);
    }

    // the merged table has every row once, in dataset order, with the single run's verdicts
    const mergedTable = await tableOf(client, parent);
    const singleTable = await tableOf(client, singleRun);
    assert.deepEqual(mergedTable.columns, singleTable.columns);
    const pick = (t: { columns: string[]; data: unknown[][] }, names: string[]) =>
      t.data.map((r) => names.map((n) => r[t.columns.indexOf(n)]));
    const verdict = ["id", "expected", "predicted", "correct", "risk_score", "reasons"];
    assert.equal(mergedTable.data.length, 1200);
    assert.equal(new Set(pick(mergedTable, ["id"]).flat()).size, 1200);
    assert.deepEqual(pick(mergedTable, verdict), pick(singleTable, verdict));

    // latency quantiles of the merged sketch: within its 1% bound of the exact order
    // statistics of the merged table's latencies (rank ⌊q·(n−1)⌋, the sketch's definition)
    const lat = pick(mergedTable, ["latency_ms", "predicted"])
      .filter(([, p]) => p !== null)
      .map(([l]) => l as number)
      .sort((a, b) => a - b);
    const sketch = DDSketch.fromJSON(
      JSON.parse(await client.artifacts.readText(parent.info.artifactUri, "latency_sketch.json")),
    );
    assert.equal(sketch.count, lat.length);
    const perShard = states.reduce((a, s) => a + s.latency.count, 0);
    assert.equal(perShard, lat.length, "the shard sketches add up to the merged one");
    for (
      const [q, key] of [[0.5, "latency_p50_ms"], [0.95, "latency_p95_ms"], [
        0.99,
        "latency_p99_ms",
      ]] as const
    ) {
      const exactQ = lat[Math.floor(q * (lat.length - 1))]!;
      const est = got[key]!;
      assert.ok(
        Math.abs(est - exactQ) <= 0.01 * exactQ + 1e-12,
        `${key}: sketch ${est}, exact ${exactQ} (relative error ${
          Math.abs(est - exactQ) / exactQ
        })`,
      );
    }
    assert.equal(got.latency_max_ms, lat[lat.length - 1]);

    const artifacts = (await client.artifacts.list(parent.info.artifactUri)).map((a) => a.path);
    for (
      const p of [
        "eval_results_table.json",
        "latency_sketch.json",
        "confusion_matrix.svg",
        "evaluation_summary.md",
        "evaluation_report.html",
      ]
    ) assert.ok(artifacts.includes(p), `parent has ${p} (has ${artifacts})`);
    assert.equal(parent.data.params.dataset_rows, "1200");
    assert.equal(parent.data.params.shard_count, "4");
    assert.equal(parent.inputs.datasetInputs[0]?.dataset.name, "loan_approval_test_set");
  } finally {
    client.close();
  }
});

Deno.test("merge exits 2 naming missing and duplicate shards; a shard group finds its parent by name", async () => {
  const experiment = uniqueName("/tmp/evalkit-sharding");
  const group = uniqueName("nightly");
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  try {
    const made = await cli(PARENT, [
      "--experiment",
      experiment,
      "--shard-group",
      group,
      "--shards",
      "3",
    ]);
    assert.equal(made.code, 0, made.stderr);
    const parentId = made.stdout.trim();
    assert.match(parentId, /^[0-9a-f]{32}$/);
    const again = await cli(PARENT, ["--experiment", experiment, "--shard-group", group]);
    assert.equal(again.stdout.trim(), parentId, "the group's parent is reused");

    const shard = ["--shard", "1/3", "--shard-group", group, "--experiment", experiment];
    const one = await cli(EVALUATE, shard);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stderr, new RegExp(`shard 1/3, \\d+ of 1200 rows, parent ${parentId}`));

    const missing = await cli(MERGE, ["--shard-group", group, "--experiment", experiment]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /missing shards 0\/3, 2\/3/);

    const wrongCount = await cli(EVALUATE, ["--shard", "1/4", "--parent-run", parentId]);
    assert.equal(wrongCount.code, 2);
    assert.match(wrongCount.stderr, /is for 3 shards but --shard says 1\/4/);

    const twice = await cli(EVALUATE, shard);
    assert.equal(twice.code, 0, twice.stderr);
    const dup = await cli(MERGE, ["--parent", parentId, "--json"]);
    assert.equal(dup.code, 2);
    assert.match(
      dup.stderr,
      /missing shards 0\/3, 2\/3; duplicate shard 1\/3 \(runs [0-9a-f]{32}, [0-9a-f]{32}\)/,
    );
    assert.equal(dup.stdout, "", "nothing on stdout when the merge fails");
    assert.equal((await client.runs.get(parentId)).info.status, "RUNNING", "the parent stays open");
  } finally {
    client.close();
  }
});

Deno.test("databricks.yml's sharded job runs as written: parent, the for-each shards, the merge", async () => {
  const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${ROOT}.venv/bin/python`;
  const parsed = await new Deno.Command(python, {
    args: [
      "-c",
      "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
      `${ROOT}databricks.yml`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(parsed.code, 0, new TextDecoder().decode(parsed.stderr));
  const bundle = JSON.parse(new TextDecoder().decode(parsed.stdout));
  assert.ok(bundle.resources.jobs.evalkit_daily_evaluation, "the daily job is still there");
  const job = bundle.resources.jobs.evalkit_sharded_evaluation;
  const [parentTask, shardsTask, mergeTask] = job.tasks;
  assert.deepEqual(job.tasks.map((t: { task_key: string }) => t.task_key), [
    "create_parent_run",
    "evaluate_shards",
    "merge_shards",
  ]);
  assert.deepEqual(shardsTask.depends_on, [{ task_key: "create_parent_run" }]);
  assert.deepEqual(mergeTask.depends_on, [{ task_key: "evaluate_shards" }]);
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(bundle.variables)) {
    vars[k] = String((v as { default: unknown }).default);
  }
  const jobRunId = uniqueName("job-run");
  // what the launcher passes to dist/evaluate.js: the parameters after "--", resolved
  const argsOf = (task: { spark_python_task: { parameters: string[] } }, input?: string) => {
    const p = task.spark_python_task.parameters;
    return p.slice(p.indexOf("--") + 1).map((a) =>
      a.replace(/\$\{var\.(\w+)\}/g, (_, k) => vars[k]!).replaceAll("{{job.run_id}}", jobRunId)
        .replaceAll("{{input}}", input ?? "")
    );
  };
  const inputs: number[] = JSON.parse(vars.shard_inputs!);
  assert.deepEqual(inputs, [...Array(Number(vars.shard_count)).keys()]);
  assert.equal(shardsTask.for_each_task.inputs, "${var.shard_inputs}");

  const parent = await cli(EVALUATE, argsOf(parentTask));
  assert.equal(parent.code, 0, parent.stderr);
  const retried = await cli(EVALUATE, argsOf(parentTask));
  assert.equal(retried.stdout, parent.stdout, "a retried parent task finds the same run");
  const shards = await Promise.all(
    inputs.map((i) => cli(EVALUATE, argsOf(shardsTask.for_each_task.task, String(i)))),
  );
  for (const s of shards) assert.equal(s.code, 0, s.stderr);
  const merged = await cli(EVALUATE, [...argsOf(mergeTask), "--json"]);
  assert.equal(merged.code, 0, merged.stderr);
  const report = JSON.parse(merged.stdout);
  assert.equal(report.parentRunId, parent.stdout.trim());
  assert.equal(report.rows, 1200);
  assert.equal(report.gate.passed, true);
  assert.equal(report.metrics.accuracy_score, 1136 / 1200);
});

Deno.test("empty shards are recorded and merged; rows without an id column keep their dataset positions as ids", async () => {
  const experiment = uniqueName("/tmp/evalkit-sharding");
  const dir = await Deno.makeTempDir({ prefix: "evalkit-datasets-" });
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  try {
    const shipped = await new DatasetManager({ basePath: `${ROOT}datasets` }).load(
      "loan_approval_test_set",
    );
    const { id: _id, ...schema } = shipped.schema;
    await new DatasetManager({ basePath: dir }).save(
      shipped.rows.slice(0, 5).map(({ request_id: _r, ...row }) => row),
      {
        name: "tiny",
        version: "1.0.0",
        schema: { ...schema, columns: schema.columns.filter((c) => c.name !== "request_id") },
      },
    );
    const common = ["--datasets-dir", dir, "--dataset", "tiny", "--experiment", experiment];
    const single = await cli(EVALUATE, [...common, "--json"]);
    assert.equal(single.code, 0, single.stderr);
    const singleRun = await client.runs.get(JSON.parse(single.stdout).runId);

    const made = await cli(PARENT, ["--experiment", experiment, "--shards", "6"]);
    assert.equal(made.code, 0, made.stderr);
    const parentId = made.stdout.trim();
    const shards = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        cli(EVALUATE, [...common, "--shard", `${i}/6`, "--parent-run", parentId])
      ),
    );
    for (const s of shards) assert.equal(s.code, 0, s.stderr);
    const empty = shards.filter((s) =>
      /has no rows of tiny@1\.0\.0: recorded an empty shard run/.test(s.stderr)
    );
    assert.ok(empty.length >= 1, "5 rows in 6 shards leave at least one empty");

    const merged = await cli(MERGE, ["--parent", parentId, "--json"]);
    assert.equal(merged.code, 0, merged.stderr);
    const parent = await client.runs.get(parentId);
    const one = metricsOf(singleRun), got = metricsOf(parent);
    for (const k of Object.keys(one).filter((k) => !MEASURED.test(k))) {
      assert.equal(got[k], one[k], `${k}: merged ${got[k]}, single ${one[k]}`);
    }
    const t = await tableOf(client, parent);
    assert.deepEqual(t.data.map((r) => r[t.columns.indexOf("id")]), ["0", "1", "2", "3", "4"]);
    const st = await tableOf(client, singleRun);
    assert.deepEqual(t.data.map((r) => r.slice(0, 3)), st.data.map((r) => r.slice(0, 3)));
  } finally {
    client.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad shard usage exits 2 with a readable reason", async (t) => {
  const cases: [string, string[], RegExp, Record<string, string>?][] = [
    [
      EVALUATE,
      ["--shard", "4/4", "--parent-run", "x"],
      /shard index i of --shard i\/n in 0\.\.3 but found 4/,
    ],
    [
      EVALUATE,
      ["--shard", "x", "--parent-run", "x"],
      /Expected --shard as i\/n \(e\.g\. 0\/4\) but found 'x'/,
    ],
    [
      EVALUATE,
      ["--shard", "0/0", "--parent-run", "x"],
      /shard count n of --shard i\/n in 1\.\.10000 but found 0/,
    ],
    [EVALUATE, ["--shard", "0/2"], /--shard needs its parent run/],
    [EVALUATE, ["--parent-run", "x"], /go with --shard i\/n/],
    [
      EVALUATE,
      ["--shard", "0/2", "--parent-run", "x", "--fail-under", "accuracy_score=0.9"],
      /cannot be combined with --fail-under/,
    ],
    [
      EVALUATE,
      ["--shard", "0/2", "--parent-run", "0123456789abcdef0123456789abcdef"],
      /Parent run '0123456789abcdef0123456789abcdef' was not found/,
    ],
    [
      EVALUATE,
      ["--shard", "0/2", "--parent-run", "x"],
      /needs an MLflow tracking server: set MLFLOW_TRACKING_URI/,
      { MLFLOW_TRACKING_URI: "" },
    ],
    [MERGE, [], /Expected --parent <run-id>/],
    [
      MERGE,
      ["--parent", "0123456789abcdef0123456789abcdef"],
      /Parent run '0123456789abcdef0123456789abcdef' was not found/,
    ],
    [MERGE, ["--parent", "x"], /needs an MLflow tracking server/, { MLFLOW_TRACKING_URI: "" }],
    [PARENT, ["--shards", "0"], /Expected --shards to be an integer in 1\.\.10000 but found '0'/],
  ];
  for (const [script, args, message, extra] of cases) {
    const name = script.slice(script.lastIndexOf("/") + 1);
    await t.step(`${name} ${args.join(" ")}${extra ? " (no server)" : ""}`, async () => {
      const r = await cli(script, args, extra);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});

Deno.test("--help of evaluate:parent and evaluate:merge prints usage with an example", async () => {
  for (const script of [PARENT, MERGE]) {
    const r = await cli(script, ["--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: deno task evaluate:(parent|merge)/);
    assert.match(r.stdout, /Example\n {2}PARENT=\$\(deno task evaluate:parent --shards 4\)/);
  }
});

Deno.test("parseShard() and shardOfId() partition ids exactly", () => {
  assert.deepEqual(parseShard("2/5"), { index: 2, count: 5 });
  assert.throws(() => parseShard("5/5"), /in 0\.\.4 but found 5/);
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < 10_000; i++) counts[shardOfId(`req-${i}`, 5)]!++;
  assert.equal(counts.reduce((a, b) => a + b, 0), 10_000);
  for (const c of counts) assert.ok(c > 1800 && c < 2200, `balanced: ${counts}`);
  assert.equal(shardOfId("req-1", 5), shardOfId("req-1", 5));
});

Deno.test("a shard with --drift-detection records both its shard state and its drift report in its child run, and the shards still merge", async () => {
  const experiment = uniqueName("/tmp/evalkit-sharding");
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  try {
    const made = await cli(PARENT, ["--experiment", experiment, "--shards", "2"]);
    assert.equal(made.code, 0, made.stderr);
    const parentId = made.stdout.trim();
    const shards = await Promise.all(
      ["0/2", "1/2"].map((s) =>
        cli(EVALUATE, ["--shard", s, "--parent-run", parentId, "--drift-detection"])
      ),
    );
    for (const s of shards) assert.ok(s.code === 0 || s.code === 4, `exit ${s.code}: ${s.stderr}`);
    const children = await childrenOf(client, await client.runs.get(parentId));
    assert.equal(children.length, 2);
    for (const c of children) {
      assert.equal(c.info.status, "FINISHED");
      // both steps logged into the same run: neither replaced the other
      const state: ShardState = JSON.parse(
        await client.artifacts.readText(c.info.artifactUri, SHARD_STATE_PATH),
      );
      assert.equal(state.rowIndices.length, metricsOf(c).row_count);
      const drift = JSON.parse(
        await client.artifacts.readText(c.info.artifactUri, "drift/drift_report.json"),
      );
      assert.ok(Array.isArray(drift.features) && drift.features.length > 0, "a drift report");
      assert.ok(metricsOf(c)["drift/detected"] !== undefined, "the drift metrics");
    }
    const merged = await cli(MERGE, ["--parent", parentId, "--json"]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(JSON.parse(merged.stdout).rows, 1200);
  } finally {
    client.close();
  }
});

Deno.test("sharding from code (a notebook cell): createParentRun → planShard → evaluateShard per shard → mergeShards gives a single run's metrics", async () => {
  const { createParentRun, evaluateShard, mergeShards, ModelEvaluator, parseShard, planShard } =
    await import("../../lib/evaluation/mod.ts");
  const { LoanApprovalAgent } = await import("../../lib/agents/mod.ts");
  const { AgentTracker } = await import("../../lib/tracking/agent_tracker.ts");
  const experimentName = uniqueName("/tmp/evalkit-sharding-lib");
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  const storeDir = await Deno.makeTempDir();
  const tracker = new AgentTracker("loan_approval", {
    trackingUri: testMlflowUri(),
    storeDir,
    experimentName,
  });
  try {
    const dataset = await new DatasetManager({ basePath: `${ROOT}datasets` }).load(
      "loan_approval_test_set",
    );
    const evaluator = new ModelEvaluator("loan_approval", new LoanApprovalAgent());
    const single = await evaluator.evaluateDataset(dataset, { tracker });
    const parent = await createParentRun(client, { experimentName, shards: 3 });
    for (const s of ["2/3", "0/3", "1/3"]) {
      const plan = await planShard(client, parseShard(s), {
        parentRunId: parent.runId,
        defaultExperiment: experimentName,
      });
      const out = await evaluateShard(evaluator, dataset, plan, { tracker });
      assert.ok(out.rows > 0 && out.result?.status === "FINISHED");
    }
    const report = await mergeShards(client, parent.runId, {
      thresholds: { accuracy_score: { threshold: 0.9, greaterIsBetter: true } },
    });
    assert.equal(report.rows, 1200);
    assert.equal(report.passed, true);
    for (const k of Object.keys(single.metrics).filter((k) => !MEASURED.test(k))) {
      assert.equal(report.metrics[k], single.metrics[k], k);
    }
    assert.equal((await client.runs.get(parent.runId)).info.status, "FINISHED");
    // a second merge of a finished parent recomputes the same values
    const again = await mergeShards(client, parent.runId);
    assert.equal(again.metrics.f1_score, report.metrics.f1_score);
  } finally {
    tracker.close();
    client.close();
    await Deno.remove(storeDir, { recursive: true });
  }
});
