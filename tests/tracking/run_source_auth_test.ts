/**
 * Reading runs from an auth-enabled server: a real MLflow started with `--app-name basic-auth`
 * under a path prefix (tests/_helpers/mlflow_auth_server.ts). `deno task report` and
 * `deno task datasets log` open the server through `resolveTrackingTarget`, so the standard
 * MLflow credentials in the environment (username/password, or a token) are sent; before,
 * both built a bare client and got 401. Credentials never show in their output. A `databricks`
 * URI (which a bare client refused) is read through tests/_helpers/databricks_standin.ts, a
 * stand-in for only the Databricks-specific endpoints (OAuth M2M) in front of the suite's real
 * MLflow server.
 */
import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { ADMIN, PASSWORD, startAuthServer, TOKEN } from "../_helpers/mlflow_auth_server.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { runScript, tempHome } from "./_helpers.ts";

Deno.test("report and datasets log read and write runs on a basic-auth server with credentials from the environment", async (t) => {
  await using server = await startAuthServer();
  const home = await tempHome();
  const basic = { MLFLOW_TRACKING_USERNAME: ADMIN, MLFLOW_TRACKING_PASSWORD: PASSWORD };
  const base = { EVALKIT_HOME: home, MLFLOW_TRACKING_URI: server.uri };
  const read = (n: string) => (basic as Record<string, string>)[n];
  using client = MlflowClient.fromUri(server.uri, { read });
  const exp = await client.experiments.getOrCreate(uniqueName("/auth-report"));
  const run = await client.runs.create({ experimentId: exp.experimentId, runName: "auth_eval" });
  const runId = run.info.runId;
  await client.runs.logBatch(runId, { metrics: [{ key: "accuracy_score", value: 0.875 }] });
  await client.artifacts.upload(
    run.info.artifactUri,
    "eval_results_table.json",
    JSON.stringify({
      columns: ["id", "expected", "predicted", "correct"],
      data: [["a", "x", "y", false]],
    }),
  );
  await client.runs.update(runId, { status: "FINISHED", endTime: Date.now() });
  const noSecret = (text: string) => {
    assert.ok(!text.includes(PASSWORD), "the password is printed");
    assert.ok(!text.includes(TOKEN), "the token is printed");
  };

  await t.step("report with MLFLOW_TRACKING_USERNAME/PASSWORD, by id and by prefix", async () => {
    for (const key of [runId, runId.slice(0, 8)]) {
      const out = `${home}/r_${key.length}.html`;
      const r = await runScript(["scripts/report.ts", key, "--out", out], { ...base, ...basic });
      noSecret(r.stdout + r.stderr);
      assert.equal(r.code, 0, r.stderr);
      const html = await Deno.readTextFile(out);
      assert.match(html, /auth_eval/);
      assert.match(html, /0\.875/);
    }
  });

  await t.step("report with MLFLOW_TRACKING_TOKEN (bearer)", async () => {
    const out = `${home}/bearer.html`;
    const r = await runScript(["scripts/report.ts", runId, "--out", out], {
      ...base,
      MLFLOW_TRACKING_TOKEN: TOKEN,
    });
    noSecret(r.stdout + r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await Deno.readTextFile(out), /auth_eval/);
  });

  await t.step("report without credentials fails with the server's 401, not 'No run'", async () => {
    const r = await runScript(["scripts/report.ts", runId, "--out", `${home}/no.html`], base);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /401|UNAUTHENTICATED/);
  });

  await t.step("datasets log adds the dataset input to the server run", async () => {
    const r = await runScript([
      "scripts/datasets.ts",
      "log",
      "loan_approval_test_set",
      "--run-id",
      runId.slice(0, 10),
      "--context",
      "evaluation",
    ], { ...base, ...basic });
    noSecret(r.stdout + r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`to run ${runId}`));
    const inputs = (await client.runs.get(runId)).inputs.datasetInputs;
    assert.deepEqual(inputs.map((i) => i.dataset.name), ["loan_approval_test_set"]);
    assert.equal(inputs[0]!.tags?.["mlflow.data.context"], "evaluation");
  });

  await Deno.remove(home, { recursive: true });
});

Deno.test("datasets log without a server adds the input to the local run, and the next sync sends it; an unknown id exits 2 with a sentence", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const { AgentTracker, readLocalRun, serverRunIdFor, syncStore } = await import(
    "../../lib/tracking/mod.ts"
  );
  const tracker = new AgentTracker("ds_log", { storeDir, localOnly: true, handleSigint: false });
  let localId: string;
  {
    await using run = await tracker.startRun({ purpose: "evaluate" });
    localId = run.localRunId;
  }
  const env = { EVALKIT_HOME: home, MLFLOW_TRACKING_URI: "" };
  const ok = await runScript(
    ["scripts/datasets.ts", "log", "loan_approval_test_set", "--run-id", localId.slice(0, 8)],
    env,
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    new RegExp(`to run ${localId} \\(${localId.slice(0, 8)}\\) in the local store`),
  );
  const local = await readLocalRun(localId, { storeDir });
  assert.deepEqual(local?.inputs.map((i) => i.dataset.name), ["loan_approval_test_set"]);
  assert.equal(local?.inputs[0]?.tags?.["mlflow.data.context"], "evaluation");

  const uri = testMlflowUri();
  using client = MlflowClient.fromUri(uri);
  const report = await syncStore({ client, uri, storeDir, runIds: [localId] });
  assert.equal(report.ok, true, JSON.stringify(report));
  const serverId = await serverRunIdFor(localId, uri, { storeDir });
  const inputs = (await client.runs.get(serverId!)).inputs.datasetInputs;
  assert.deepEqual(inputs.map((i) => i.dataset.name), ["loan_approval_test_set"]);

  // A run its live process still writes (this one holds the writer lock) is refused.
  {
    await using open = await tracker.startRun({ purpose: "live" });
    const busy = await runScript(
      ["scripts/datasets.ts", "log", "loan_approval_test_set", "--run-id", open.localRunId],
      env,
    );
    assert.equal(busy.code, 2, busy.stderr);
    assert.match(busy.stderr, /still being recorded by its live process/);
  }

  const bad = await runScript(
    ["scripts/datasets.ts", "log", "loan_approval_test_set", "--run-id", "0123abcd"],
    env,
  );
  assert.equal(bad.code, 2, bad.stderr);
  assert.doesNotMatch(bad.stderr, /\bat .*\.ts:\d+|unexpected/, "no stack trace");
  assert.match(bad.stderr, /No run '0123abcd' in the local store/);
  await Deno.remove(home, { recursive: true });
});

Deno.test("report reads a run from a databricks URI (OAuth M2M against the Databricks stand-in) and links the workspace's run page", async () => {
  const { startDatabricksStandin } = await import("../_helpers/databricks_standin.ts");
  const { runPageUrl } = await import("../../lib/tracking/mod.ts");
  const id = "sp-evalkit-report";
  const secret = "report-client-secret-" + crypto.randomUUID().slice(0, 8);
  await using standin = await startDatabricksStandin({
    mlflowUri: testMlflowUri(),
    oauthClients: { [id]: secret },
  });
  const env: Record<string, string> = {
    DATABRICKS_HOST: standin.url,
    DATABRICKS_CLIENT_ID: id,
    DATABRICKS_CLIENT_SECRET: secret,
  };
  using client = MlflowClient.fromUri("databricks", { read: (n) => env[n] });
  const exp = await client.experiments.getOrCreate(`/Shared/ai-agents/${uniqueName("dbx")}`);
  const run = await client.runs.create({ experimentId: exp.experimentId, runName: "dbx_eval" });
  await client.runs.logBatch(run.info.runId, {
    metrics: [{ key: "accuracy_score", value: 0.625 }],
  });
  await client.runs.update(run.info.runId, { status: "FINISHED", endTime: Date.now() });
  assert.equal(
    await runPageUrl(run.info.runId, { trackingUri: "databricks", read: (n) => env[n] }),
    `${standin.url.replace(/\/+$/, "")}/ml/experiments/${exp.experimentId}/runs/${run.info.runId}`,
  );

  const home = await tempHome();
  const out = `${home}/dbx.html`;
  const r = await runScript(["scripts/report.ts", run.info.runId.slice(0, 8), "--out", out], {
    ...env,
    EVALKIT_HOME: home,
    MLFLOW_TRACKING_URI: "databricks",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!(r.stdout + r.stderr).includes(secret), "the client secret is printed");
  const html = await Deno.readTextFile(out);
  assert.match(html, /dbx_eval/);
  assert.match(html, /0\.625/);
  await Deno.remove(home, { recursive: true });
});
