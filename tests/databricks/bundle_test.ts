/**
 * The job artifact: `scripts/build.ts` bundles `scripts/evaluate.ts`, and the bundle runs an
 * evaluation end to end against the real MLflow server (as the Databricks job does with
 * `deno run -A dist/evaluate.js`).
 */
import assert from "node:assert/strict";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function deno(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

async function mlflow<T>(path: string, query: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${testMlflowUri()}${path}?${new URLSearchParams(query)}`);
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body as T;
}

Deno.test("deno task build bundles evaluate.ts, and the bundle records an evaluation in the real MLflow server", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "evalkit-build-" });
  const home = await Deno.makeTempDir({ prefix: "evalkit-home-" });
  try {
    await t.step("the build writes dist/evaluate.js and says why it did not compile", async () => {
      const build = await deno(["run", "-A", "scripts/build.ts", "--out-dir", out, "--json"], {
        DENORT_BIN: "/nonexistent/denort",
      });
      assert.equal(build.code, 0, build.stderr);
      const info = JSON.parse(build.stdout);
      assert.equal(info.bundle.path, `${out}/evaluate.js`);
      assert.ok(info.bundle.bytes > 10_000);
      assert.match(info.bundle.sha256, /^[0-9a-f]{64}$/);
      assert.equal(info.compiled, undefined);
      assert.match(
        info.compileSkipped,
        /DENORT_BIN is set to '\/nonexistent\/denort', which does not exist/,
      );
      assert.match(build.stderr, /skipped deno compile: DENORT_BIN is set to/);
      const text = await Deno.readTextFile(`${out}/evaluate.js`);
      assert.ok(!/from\s+["']\.\.?\/lib\//.test(text), "the bundle has no relative imports left");
    });

    await t.step(
      "the bundle evaluates the built-in agent with the drift check and logs the run",
      async () => {
        const experiment = `/Shared/ai-agents/${uniqueName("bundle-e2e")}`;
        const runName = uniqueName("loan_approval_evaluate");
        const res = await deno(
          [
            "run",
            "-A",
            `${out}/evaluate.js`,
            "--experiment",
            experiment,
            "--run-name",
            runName,
            "--drift-detection",
            "--json",
          ],
          { MLFLOW_TRACKING_URI: testMlflowUri(), EVALKIT_HOME: home },
        );
        assert.ok(
          res.code === 0 || res.code === 4,
          `exit ${res.code} (0 ok, 4 drift):\n${res.stderr.slice(-3000)}`,
        );
        const { experiment: exp } = await mlflow<{ experiment: { experiment_id: string } }>(
          "/api/2.0/mlflow/experiments/get-by-name",
          { experiment_name: experiment },
        );
        const search = await fetch(`${testMlflowUri()}/api/2.0/mlflow/runs/search`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ experiment_ids: [exp.experiment_id], max_results: 10 }),
        });
        const { runs } = await search.json() as {
          runs: {
            info: { run_name: string; status: string };
            data: { metrics?: { key: string; value: number }[] };
          }[];
        };
        const run = runs.find((r) => r.info.run_name === runName);
        assert.ok(run, `run ${runName} not found in ${experiment}`);
        assert.equal(run.info.status, "FINISHED");
        const keys = new Set((run.data.metrics ?? []).map((m) => m.key));
        assert.ok(keys.has("accuracy_score"), `metrics: ${[...keys].join(", ")}`);
        assert.ok(
          [...keys].some((k) => /drift/i.test(k)),
          `no drift metric among: ${[...keys].join(", ")}`,
        );
      },
    );

    await t.step(
      "the cluster launcher runs the bundle with MLflow settings and passes its exit code on",
      async () => {
        const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${ROOT}.venv/bin/python`;
        const experiment = `/Shared/ai-agents/${uniqueName("launcher")}`;
        const run = async (extra: string[]) => {
          const out2 = await new Deno.Command(python, {
            args: [
              "deploy/databricks/run_evaluation.py",
              "--root",
              ROOT,
              "--bundle",
              `${out}/evaluate.js`,
              "--",
              "--experiment",
              experiment,
              ...extra,
            ],
            cwd: ROOT,
            env: {
              EVALKIT_DENO_BIN: Deno.execPath(), // skip `npm install deno` in the test
              MLFLOW_TRACKING_URI: testMlflowUri(),
              DATABRICKS_HOST: "http://127.0.0.1:9", // set, so the launcher does not ask Spark
              DATABRICKS_TOKEN: "unused-by-an-http-tracking-uri",
              EVALKIT_HOME: home,
            },
            stdout: "piped",
            stderr: "piped",
          }).output();
          return { code: out2.code, stderr: new TextDecoder().decode(out2.stderr) };
        };
        const ok = await run([]);
        assert.equal(ok.code, 0, ok.stderr.slice(-3000));
        assert.match(ok.stderr, /running: .* run -A .*evaluate\.js --experiment/);
        // An impossible gate fails the task with exit 3, which Databricks reports as a failure.
        const gated = await run(["--fail-under", "accuracy_score=1.01"]);
        assert.equal(gated.code, 3, gated.stderr.slice(-3000));
      },
    );

    await t.step(
      "databricks.yml schedules the evaluation daily with the drift check and failure e-mails",
      async () => {
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
        const job = bundle.resources.jobs.evalkit_daily_evaluation;
        assert.equal(job.schedule.quartz_cron_expression, "0 0 6 * * ?");
        assert.deepEqual(job.email_notifications.on_failure, ["${var.alert_email}"]);
        const task = job.tasks[0];
        assert.equal(task.spark_python_task.python_file, "deploy/databricks/run_evaluation.py");
        const params: string[] = task.spark_python_task.parameters;
        assert.ok(params.includes("--drift-detection"));
        assert.equal(params[params.indexOf("--baseline-dataset") + 1], "${var.baseline_dataset}");
        assert.ok(bundle.sync.include.includes("dist/evaluate.js"));
        await Deno.stat(`${ROOT}${task.spark_python_task.python_file}`);
        for (
          const v of [
            "alert_email",
            "baseline_dataset",
            "dataset",
            "agent",
            "secret_scope",
            "deno_version",
          ]
        ) {
          assert.ok(bundle.variables[v], `variable ${v} is declared`);
        }
      },
    );
  } finally {
    await Deno.remove(out, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
});
