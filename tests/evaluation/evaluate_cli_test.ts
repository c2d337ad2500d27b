import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/client.ts";
import { readLocalRun } from "../../lib/tracking/local_store.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SCRIPT = `${ROOT}scripts/evaluate.ts`;

function env(extra: Record<string, string>): Record<string, string> {
  const keep: Record<string, string> = { NO_COLOR: "1", RUST_BACKTRACE: "0" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v) keep[k] = v;
  }
  return { ...keep, ...extra };
}

async function evaluate(args: string[], extra: Record<string, string> = {}) {
  const home = extra.EVALKIT_HOME ?? await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    cwd: ROOT,
    clearEnv: true,
    env: env({ EVALKIT_HOME: home, ...extra }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), home };
}

Deno.test("deno task evaluate with no flags evaluates the built-in agent on the shipped set into the local store", async () => {
  const r = await evaluate([]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /loan_approval 1\.0\.0 on loan_approval_test_set@1\.0\.0 \(1200 rows/);
  assert.match(r.stdout, /\| accuracy_score \| 0\.9467 \|/);
  assert.doesNotMatch(r.stderr, /\[#|rows\/s ETA/, "no progress bar when stderr is not a terminal");
  const id = /run ([0-9a-f]{32})/.exec(r.stderr)?.[1];
  assert.ok(id, r.stderr);
  const run = await readLocalRun(id, { storeDir: `${r.home}/store` });
  assert.equal(run?.status, "FINISHED");
  assert.equal(run?.experimentName, "/Shared/ai-agents/loan_approval");
  assert.deepEqual(run?.artifacts.map((a) => a.path).sort(), [
    "confusion_matrix.svg",
    "eval_results_table.json",
    "evaluation_report.html",
    "evaluation_summary.md",
  ]);
  assert.equal(run?.inputs[0]?.tags?.["mlflow.data.context"], "evaluation");
  await Deno.remove(r.home, { recursive: true });
});

Deno.test("--help prints usage with an example and exits 0", async () => {
  const r = await evaluate(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: deno task evaluate/);
  assert.match(r.stdout, /Example\n {2}deno task evaluate --dataset/);
});

Deno.test("bad usage exits 2 with a readable reason", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--concurrency", "0"], /Expected --concurrency to be an integer >= 1 but found '0'/],
    [["--fail-under", "accuracy_score"], /Expected --fail-under as metric=value/],
    [["--max-regression", "f1_score=0.02"], /need --baseline-run/],
    [["--dataset", "no_such_dataset", "--no-log"], /No dataset named no_such_dataset/],
    [["--target-field", "nope", "--no-log"], /target field 'nope'/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await evaluate(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});

Deno.test("quality gates: exit 0 when they pass, 3 with the failed check when not", async () => {
  const pass = await evaluate([
    "--no-log",
    "--fail-under",
    "accuracy_score=0.9",
    "--max",
    "latency_p99_ms=500",
  ]);
  assert.equal(pass.code, 0, pass.stderr);
  assert.match(pass.stdout, /Quality gate passed \(2 checks\)\./);
  const fail = await evaluate(["--no-log", "--fail-under", "accuracy_score=0.99,f1_score=0.5"]);
  assert.equal(fail.code, 3);
  assert.match(
    fail.stdout,
    /Quality gate FAILED: 1 of 2 checks failed\.\n {2}FAIL accuracy_score = 0\.946667, required >= 0\.99/,
  );
  const json = await evaluate(["--no-log", "--json", "--fail-under", "accuracy_score=0.99"]);
  assert.equal(json.code, 3);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.passed, false);
  assert.equal(doc.gate.failures[0].metric, "accuracy_score");
});

Deno.test("--baseline-run compares with an earlier run on the server; --min-improvement fails without change", async () => {
  const uri = testMlflowUri();
  const experiment = uniqueName("/evalkit-tests/cli");
  const first = await evaluate(["--json", "--experiment", experiment], {
    MLFLOW_TRACKING_URI: uri,
  });
  assert.equal(first.code, 0, first.stderr);
  const baseId = JSON.parse(first.stdout).runId as string;
  const summary = await Deno.makeTempFile({ suffix: ".md" });
  const same = await evaluate(
    [
      "--experiment",
      experiment,
      "--baseline-run",
      baseId,
      "--max-regression",
      "f1_score=0.02",
      "--summary-file",
      summary,
    ],
    { MLFLOW_TRACKING_URI: uri },
  );
  assert.equal(same.code, 0, same.stderr);
  assert.match(
    same.stdout,
    new RegExp(`baseline ${baseId}: 0 rows improved, 0 regressed, 1200 unchanged`),
  );
  const md = await Deno.readTextFile(summary);
  assert.match(
    md,
    /## Evaluation: loan_approval 1\.0\.0 on loan_approval_test_set@1\.0\.0 ✅ passed/,
  );
  assert.match(md, /### Baseline `[0-9a-f]{32}`/);
  const better = await evaluate(
    ["--experiment", experiment, "--baseline-run", baseId, "--min-improvement", "f1_score=0.01"],
    { MLFLOW_TRACKING_URI: uri },
  );
  assert.equal(better.code, 3);
  assert.match(
    better.stdout,
    /FAIL f1_score = 0\.923628, required an improvement of at least 0\.01 over the baseline 0\.923628/,
  );
  await Deno.remove(summary);
});

Deno.test("Ctrl-C mid-run ends the run KILLED on the server with the finished rows logged, exit 130", async () => {
  const uri = testMlflowUri();
  let answered = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    await new Promise((r) => setTimeout(r, 20));
    answered++;
    return Response.json({ outcome: Number(body.credit_score) < 580 ? "reject" : "approve" });
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      SCRIPT,
      "--agent-url",
      `http://127.0.0.1:${server.addr.port}/decide`,
      "--concurrency",
      "2",
      "--experiment",
      uniqueName("/evalkit-tests/sigint"),
    ],
    cwd: ROOT,
    clearEnv: true,
    env: env({ MLFLOW_TRACKING_URI: uri, EVALKIT_HOME: await Deno.makeTempDir() }),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const dec = new TextDecoder();
  let stderr = "";
  const reader = child.stderr.getReader();
  // wait for the run to exist and some rows to be answered (one read pending at a time)
  let pending = reader.read();
  while (!/run [0-9a-f]{32}/.test(stderr) || answered < 30) {
    const tick = new Promise<"tick">((r) => setTimeout(() => r("tick"), 50));
    const got = await Promise.race([pending, tick]);
    if (got === "tick") continue;
    if (got.done) break;
    stderr += dec.decode(got.value);
    pending = reader.read();
  }
  child.kill("SIGINT");
  const [status, stdout] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    (async () => {
      for (;;) {
        const { value, done } = await pending;
        pending = reader.read();
        if (done) break;
        stderr += dec.decode(value);
      }
    })(),
  ]);
  await server.shutdown();
  assert.equal(status.code, 130, stderr);
  assert.match(stderr, /Interrupted: stopping calls, recording partial results/);
  assert.match(String(stdout), /: KILLED/);
  const runId = /run ([0-9a-f]{32})/.exec(stderr)![1]!;
  using client = new MlflowClient({ trackingUri: uri });
  const run = await client.runs.get(runId);
  assert.equal(run.info.status, "KILLED");
  const table = JSON.parse(
    await client.artifacts.readText(run.info.artifactUri, "eval_results_table.json"),
  );
  assert.ok(
    table.data.length >= 30 && table.data.length < 1200,
    `${table.data.length} rows logged`,
  );
  const rowCount = run.data.metrics.find((m) => m.key === "row_count")?.value;
  assert.equal(rowCount, table.data.length);
});

Deno.test("--drift-detection logs the drift report in the same run and exits 4 when the data drifted", async () => {
  const stable = await evaluate(["--drift-detection"]);
  assert.equal(stable.code, 0, stable.stderr);
  assert.match(stable.stdout, /no drift detected/);
  const drifted = await evaluate([
    "--dataset",
    "current_month",
    "--drift-detection",
    "--baseline-dataset",
    "baseline_v1@2025.09",
  ]);
  assert.equal(drifted.code, 4, drifted.stderr);
  assert.match(drifted.stdout, /DRIFT DETECTED: 3 of 9 features drifted/);
  const id = /run ([0-9a-f]{32})/.exec(drifted.stderr)![1]!;
  const run = await readLocalRun(id, { storeDir: `${drifted.home}/store` });
  assert.equal(run?.status, "FINISHED");
  const paths = run!.artifacts.map((a) => a.path);
  assert.ok(
    paths.includes("drift/drift_report.json") && paths.includes("eval_results_table.json"),
    String(paths),
  );
  assert.equal(run!.latestMetrics["drift/detected"], 1);
  assert.ok(run!.latestMetrics.accuracy_score! > 0.5);
  for (const r of [stable, drifted]) await Deno.remove(r.home, { recursive: true });
});

Deno.test("--alert-webhook posts a Slack-compatible alert when drift is found, retrying a failed delivery", async () => {
  const received: { text: string }[] = [];
  let calls = 0;
  await using hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    calls++;
    if (calls === 1) return new Response("busy", { status: 503 }); // first delivery fails
    received.push(await req.json());
    return new Response("ok");
  });
  const url = `http://127.0.0.1:${hook.addr.port}/hooks/T000/B000/secret`;
  const drifted = await evaluate([
    "--dataset",
    "current_month",
    "--drift-detection",
    "--alert-webhook",
    url,
  ]);
  assert.equal(drifted.code, 4, drifted.stderr);
  assert.match(drifted.stderr, /Drift alert delivered \(2 attempt\(s\)\)/);
  assert.equal(received.length, 1);
  assert.match(received[0]!.text, /DRIFT DETECTED/);
  const stable = await evaluate(["--drift-detection"], { EVALKIT_DRIFT_WEBHOOK_URL: url });
  assert.equal(stable.code, 0, stable.stderr);
  assert.equal(received.length, 1, "no alert without drift");
  const bad = await evaluate(["--alert-webhook", url]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--alert-webhook goes with --drift-detection/);
  for (const r of [drifted, stable, bad]) await Deno.remove(r.home, { recursive: true });
});
