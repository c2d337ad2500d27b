import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { application, TOKENS } from "./_fixtures.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Waits for /health; fails at once with the server's output when it exits first. */
async function waitHealthy(
  base: string,
  child: Deno.ChildProcess,
  logs: Promise<string[]>,
): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  for (let i = 0; i < 300; i++) {
    if (exited) throw new Error(`deno task serve exited early:\n${(await logs).join("\n")}`);
    try {
      const res = await fetch(`${base}/health`);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the API did not answer /health within 30 s");
}

Deno.test({
  name:
    "deno task serve: decisions and evaluate_dataset reach the real MLflow server; SIGTERM flushes the metrics",
  async fn() {
    const uri = testMlflowUri();
    const experiment = uniqueName("/Shared/ai-agents/loan_approval-serve");
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const storeDir = await Deno.makeTempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/serve.ts",
        "--port",
        String(port),
        "--flush-interval-ms",
        "200",
        "--quiet",
        "--experiment",
        experiment,
      ],
      env: {
        MLFLOW_TRACKING_URI: uri,
        EVALKIT_API_TOKENS: TOKENS.join(","),
        EVALKIT_HOME: storeDir,
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const logs = Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    const client = new MlflowClient({ trackingUri: uri });
    try {
      await waitHealthy(base, child, logs);
      const auth = { Authorization: `Bearer ${TOKENS[1]}`, "Content-Type": "application/json" };
      const outcomes: string[] = [];
      for (const credit_score of [780, 720, 540]) {
        const res = await fetch(`${base}/api/v1/loan/decision`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify(application({ credit_score, request_id: `r-${credit_score}` })),
        });
        assert.equal(res.status, 200);
        outcomes.push((await res.json()).outcome);
      }
      assert.equal(outcomes[2], "reject");

      const evalRes = await fetch(`${base}/api/v1/loan/evaluate_dataset`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          dataset_name: "loan_approval_test_set",
          target_field: "expected_outcome",
        }),
      });
      const job = await evalRes.json();
      assert.equal(evalRes.status, 200, JSON.stringify(job));
      assert.equal(job.status, "succeeded");
      assert.ok(job.metrics.accuracy_score > 0.8, `accuracy ${job.metrics.accuracy_score}`);
      const evalRun = await client.runs.get(job.run_id);
      assert.equal(evalRun.info.status, "FINISHED");
      const logged = Object.fromEntries(evalRun.data.metrics.map((m) => [m.key, m.value]));
      assert.equal(logged.accuracy_score, job.metrics.accuracy_score);

      const summary = await (await fetch(`${base}/api/v1/metrics/summary`, { headers: auth }))
        .json();
      assert.equal(summary.requests.total, 3);

      child.kill("SIGTERM");
      const status = await child.status;
      assert.equal(status.code, 0, (await logs).join("\n"));

      const exp = await client.experiments.getByName(experiment);
      assert.ok(exp, `experiment ${experiment} exists`);
      const runs = [];
      for await (
        const r of client.runs.search({
          experimentIds: [exp.experimentId],
          filter: "tags.`evalkit.role` = 'serving'",
        })
      ) {
        runs.push(r);
      }
      assert.equal(runs.length, 1);
      const serving = runs[0]!;
      assert.equal(serving.info.status, "FINISHED");
      const totals = await client.runs.metricHistory(serving.info.runId, "requests/total");
      assert.equal(totals.at(-1)?.value, 3, "the counter ends at 3 decisions");
      const windows = await client.runs.metricHistory(serving.info.runId, "requests/window");
      assert.equal(
        windows.reduce((a, m) => a + m.value, 0),
        3,
        "every decision counted once across windows",
      );
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await child.status;
      await logs;
      client[Symbol.dispose]?.();
      await Deno.remove(storeDir, { recursive: true });
    }
  },
});
