/**
 * The MLflow client over a Databricks target: tracking calls go through the workspace URL
 * (stand-in) to the real MLflow server, and `dbfs:` artifact URIs are served by the
 * Databricks artifact repository plugged into the client's ArtifactsApi.
 */
import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/client.ts";
import { databricksTarget } from "../../lib/mlflow/databricks/mod.ts";
import { startDatabricksStandin } from "../_helpers/databricks_standin.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const CLIENT_ID = "sp-evalkit";
const SECRET = "dose-client-secret-123456";

Deno.test("MlflowClient on a Databricks target (OAuth M2M) logs a run and its dbfs: artifacts", async () => {
  await using standin = await startDatabricksStandin({
    mlflowUri: testMlflowUri(),
    oauthClients: { [CLIENT_ID]: SECRET },
  });
  const target = databricksTarget("databricks", {
    env: {
      DATABRICKS_HOST: standin.url,
      DATABRICKS_CLIENT_ID: CLIENT_ID,
      DATABRICKS_CLIENT_SECRET: SECRET,
    },
  });
  using client = new MlflowClient({ transport: target.transport });
  client.artifacts.register("dbfs", target.artifactRepositoryFactory);

  const name = `/Shared/ai-agents/${uniqueName("client")}`;
  target.validateExperimentName(name);
  const experiment = await client.experiments.getOrCreate(name);
  const run = await client.runs.create({
    experimentId: experiment.experimentId,
    runName: "loan_approval_evaluate",
  });
  assert.match(run.info.artifactUri, /^dbfs:\/databricks\/mlflow-tracking\//);
  await client.runs.logBatch(run.info.runId, {
    metrics: [{ key: "accuracy_score", value: 0.9 }],
    params: { agent: "loan_approval" },
  });
  await client.artifacts.upload(
    run.info.artifactUri,
    "eval/summary.json",
    '{"accuracy_score":0.9}',
  );
  assert.equal(
    await client.artifacts.readText(run.info.artifactUri, "eval/summary.json"),
    '{"accuracy_score":0.9}',
  );
  const listed = await client.artifacts.list(run.info.artifactUri, "eval");
  assert.deepEqual(listed.map((f) => f.path), ["eval/summary.json"]);
  await client.runs.update(run.info.runId, { status: "FINISHED", endTime: Date.now() });

  // Read back from the real MLflow server directly.
  const res = await fetch(`${testMlflowUri()}/api/2.0/mlflow/runs/get?run_id=${run.info.runId}`);
  const body = await res.json();
  assert.equal(body.run.info.status, "FINISHED");
  assert.deepEqual(body.run.data.metrics.map((m: { key: string }) => m.key), ["accuracy_score"]);
  assert.equal(standin.stats.tokensIssued, 1);
  assert.ok(standin.stats.filesPut >= 1);
});

Deno.test("MlflowClient.fromEnv() with MLFLOW_TRACKING_URI=databricks reaches the workspace, dbfs: artifacts and workspace-path rule included", async () => {
  await using standin = await startDatabricksStandin({
    mlflowUri: testMlflowUri(),
    oauthClients: { [CLIENT_ID]: SECRET },
  });
  using client = MlflowClient.fromEnv({
    env: {
      MLFLOW_TRACKING_URI: "databricks",
      DATABRICKS_HOST: standin.url,
      DATABRICKS_CLIENT_ID: CLIENT_ID,
      DATABRICKS_CLIENT_SECRET: SECRET,
    },
  });
  await assert.rejects(client.experiments.create(uniqueName("not-a-workspace-path")), TypeError);
  const experiment = await client.experiments.getOrCreate(`/Shared/ai-agents/${uniqueName("env")}`);
  const run = await client.runs.create({ experimentId: experiment.experimentId });
  assert.match(run.info.artifactUri, /^dbfs:\//);
  await client.artifacts.upload(run.info.artifactUri, "notes.txt", "from fromEnv");
  assert.equal(await client.artifacts.readText(run.info.artifactUri, "notes.txt"), "from fromEnv");
  assert.ok(client.unityCatalog, "the registry defaults to Unity Catalog on Databricks");
  assert.equal(standin.stats.tokensIssued, 1);
});
