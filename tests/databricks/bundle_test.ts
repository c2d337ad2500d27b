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
  } finally {
    await Deno.remove(out, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
});
