import assert from "node:assert/strict";
import { MlflowApiError, MlflowClient, MlflowValidationError } from "../../lib/mlflow/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

async function setup() {
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  const experimentId = await client.experiments.create(uniqueName("runs"));
  return { client, experimentId };
}

Deno.test("runs: create, get, update, tags, delete and restore read back", async () => {
  const { client, experimentId } = await setup();
  const run = await client.runs.create({
    experimentId,
    runName: "eval-1",
    startTime: 1_714_000_000_000,
    tags: { suite: "smoke", "mlflow.user": "ci" },
  });
  const runId = run.info.runId;
  assert.match(runId, /^[0-9a-f]{32}$/);
  assert.equal(run.info.status, "RUNNING");
  assert.equal(run.info.startTime, 1_714_000_000_000);
  assert.equal(run.info.endTime, undefined);
  assert.equal(run.info.artifactUri, `mlflow-artifacts:/${experimentId}/${runId}/artifacts`);

  await client.runs.setTag(runId, "stage", "one");
  await client.runs.setTag(runId, "stage", "two"); // tags are overwritable
  await client.runs.deleteTag(runId, "suite");
  const info = await client.runs.update(runId, {
    status: "FINISHED",
    endTime: 1_714_000_005_000,
    runName: "eval-1b",
  });
  assert.equal(info.status, "FINISHED");
  assert.equal(info.endTime, 1_714_000_005_000);
  assert.equal(info.runName, "eval-1b");

  const got = await client.runs.get(runId);
  assert.equal(got.info.runName, "eval-1b");
  assert.equal(got.data.tags.stage, "two");
  assert.equal(got.data.tags.suite, undefined);
  assert.equal(got.data.tags["mlflow.user"], "ci");
  assert.equal(got.data.tags["mlflow.runName"], "eval-1b");

  await client.runs.delete(runId);
  assert.equal((await client.runs.get(runId)).info.lifecycleStage, "deleted");
  const err = await client.runs.logParam(runId, "late", "x").catch((e) => e);
  assert.ok(err instanceof MlflowApiError);
  assert.equal(err.errorCode, "INVALID_PARAMETER_VALUE");
  await client.runs.restore(runId);
  assert.equal((await client.runs.get(runId)).info.lifecycleStage, "active");
});

Deno.test("runs: metrics, params and a batch read back as written", async () => {
  const { client, experimentId } = await setup();
  const runId = (await client.runs.create({ experimentId })).info.runId;
  await client.runs.logMetric(runId, { key: "latency_ms", value: 12.5, timestamp: 1000, step: 1 });
  await client.runs.logParam(runId, "temperature", 0.2);
  const result = await client.runs.logBatch(runId, {
    metrics: [
      { key: "accuracy", value: 0.91, timestamp: 2000, step: 0 },
      { key: "accuracy", value: 0.93, timestamp: 3000, step: 1 },
    ],
    params: { model: "gpt-x", prompt_version: "3" },
    tags: { "mlflow.note.content": "first" },
  });
  assert.deepEqual(result, { requests: 1, metrics: 2, params: 2, tags: 1 });
  const run = await client.runs.get(runId);
  assert.deepEqual(run.data.params, { temperature: "0.2", model: "gpt-x", prompt_version: "3" });
  assert.equal(run.data.tags["mlflow.note.content"], "first");
  const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m]));
  assert.deepEqual(latest.accuracy, { key: "accuracy", value: 0.93, timestamp: 3000, step: 1 });
  assert.deepEqual(latest.latency_ms, { key: "latency_ms", value: 12.5, timestamp: 1000, step: 1 });
  assert.deepEqual(
    (await client.runs.metricHistory(runId, "accuracy")).map((m) => [m.value, m.step]),
    [[0.91, 0], [0.93, 1]],
  );
});

Deno.test("runs: metrics with dataset links are accepted; MLflow 3.17 does not echo the links in run history", async () => {
  const { client, experimentId } = await setup();
  const runId = (await client.runs.create({ experimentId })).info.runId;
  await client.runs.logBatch(runId, {
    metrics: [{
      key: "f1",
      value: 0.8,
      timestamp: 1,
      step: 0,
      datasetName: "golden",
      datasetDigest: "a1b2c3d4",
    }],
  });
  const history = await client.runs.metricHistory(runId, "f1");
  // Pinned server behaviour: the SQL store keeps dataset links for logged-model metrics only.
  assert.deepEqual(history, [{ key: "f1", value: 0.8, timestamp: 1, step: 0 }]);
});

Deno.test("runs.logParam() with another value surfaces MLflow's INVALID_PARAMETER_VALUE", async () => {
  const { client, experimentId } = await setup();
  const runId = (await client.runs.create({ experimentId })).info.runId;
  await client.runs.logParam(runId, "model", "gpt-x");
  await client.runs.logParam(runId, "model", "gpt-x"); // the same value again is a no-op
  const err = await client.runs.logParam(runId, "model", "gpt-y").catch((e) => e);
  assert.ok(err instanceof MlflowApiError, String(err));
  assert.equal(err.status, 400);
  assert.equal(err.errorCode, "INVALID_PARAMETER_VALUE");
  assert.equal(err.endpoint, "/api/2.0/mlflow/runs/log-parameter");
  assert.match(err.message, /Changing param values is not allowed/);
  assert.match(err.message, /gpt-x/);
  const viaBatch = await client.runs.logBatch(runId, { params: { model: "gpt-z" } }).catch((e) =>
    e
  );
  assert.ok(viaBatch instanceof MlflowApiError);
  assert.equal(viaBatch.errorCode, "INVALID_PARAMETER_VALUE");
  assert.equal((await client.runs.get(runId)).data.params.model, "gpt-x");
});

Deno.test("runs.logBatch() refuses invalid data before sending anything", async () => {
  const { client, experimentId } = await setup();
  const runId = (await client.runs.create({ experimentId })).info.runId;
  await assert.rejects(
    () =>
      client.runs.logBatch(runId, {
        metrics: [{ key: "ok", value: 1 }],
        params: { long: "x".repeat(6001) },
      }),
    (err: unknown) =>
      err instanceof MlflowValidationError && err.issues[0]?.code === "value_too_long",
  );
  await assert.rejects(
    () =>
      client.runs.logBatch(runId, { params: [{ key: "a", value: "1" }, { key: "a", value: "1" }] }),
    MlflowValidationError,
  );
  await assert.rejects(
    () => client.runs.setTag(runId, "note", "t".repeat(8001)),
    MlflowValidationError,
  );
  const run = await client.runs.get(runId);
  assert.deepEqual(run.data.metrics, [], "nothing of a refused batch reaches the server");
  assert.deepEqual(run.data.params, {});
});

Deno.test("runs.logBatch({ truncate: true }) stores values cut to MLflow's limits", async () => {
  const { client, experimentId } = await setup();
  const runId = (await client.runs.create({ experimentId })).info.runId;
  await client.runs.logBatch(runId, {
    params: { prompt: "p".repeat(7000) },
    tags: { note: "t".repeat(9000) },
  }, { truncate: true });
  const run = await client.runs.get(runId);
  assert.equal(run.data.params.prompt, "p".repeat(6000));
  assert.equal(run.data.tags.note, "t".repeat(8000));
});

Deno.test("runs.logBatch() splits 250 params and 150 tags into requests the server accepts", async () => {
  const { client, experimentId } = await setup();
  const runId = (await client.runs.create({ experimentId })).info.runId;
  const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, `v${i}`]));
  const tags = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`t${i}`, `w${i}`]));
  const metrics = Array.from(
    { length: 2100 },
    (_, i) => ({ key: "m", value: i, timestamp: 1, step: i }),
  );
  const result = await client.runs.logBatch(runId, { params, tags, metrics });
  assert.equal(result.requests, 3); // [100p+100t+800m], [100p+50t+850m], [50p+450m]
  const run = await client.runs.get(runId);
  assert.deepEqual(run.data.params, params);
  for (const [k, v] of Object.entries(tags)) assert.equal(run.data.tags[k], v);
  assert.equal((await client.runs.metricHistory(runId, "m")).length, 2100);
});

Deno.test("runs.search() filters, orders and pages with a small page size", async () => {
  const { client, experimentId } = await setup();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const run = await client.runs.create({ experimentId, runName: `r${i}` });
    ids.push(run.info.runId);
    await client.runs.logBatch(run.info.runId, {
      metrics: [{ key: "acc", value: i / 10 }],
      params: { i: String(i) },
    });
  }
  const found = [];
  for await (
    const run of client.runs.search({
      experimentIds: [experimentId],
      filter: "metrics.acc >= 0.1",
      orderBy: ["metrics.acc DESC"],
      pageSize: 2,
    })
  ) found.push(run);
  assert.deepEqual(found.map((r) => r.info.runId), ids.slice(1).reverse());
  assert.deepEqual(found.map((r) => r.data.params.i), ["4", "3", "2", "1"]);
  await client.runs.delete(ids[0]!);
  const deleted = [];
  for await (
    const r of client.runs.search({ experimentIds: [experimentId], viewType: "DELETED_ONLY" })
  ) {
    deleted.push(r.info.runId);
  }
  assert.deepEqual(deleted, [ids[0]]);
});

Deno.test("runs.logInputs() records datasets with input tags and logged models", async () => {
  const { client, experimentId } = await setup();
  const runId = (await client.runs.create({ experimentId })).info.runId;
  const model = await client.transport.post<{ model: { info: { model_id: string } } }>(
    "/api/2.0/mlflow/logged-models",
    { experiment_id: experimentId, name: "agent" },
  );
  const modelId = model.model.info.model_id;
  const dataset = {
    name: "loan_approval_test_set",
    digest: "a1b2c3d4",
    sourceType: "local",
    source: JSON.stringify({ uri: "datasets/loan_approval_test_set/v1.jsonl" }),
    schema: JSON.stringify({ mlflow_colspec: [{ type: "long", name: "age", required: true }] }),
    profile: JSON.stringify({ num_rows: 200, num_elements: 2400 }),
  };
  await client.runs.logInputs(runId, {
    datasets: [{ dataset, tags: { "mlflow.data.context": "evaluation" } }],
    models: [{ modelId }],
  });
  await client.runs.logOutputs(runId, [{ modelId, step: 3 }]);
  const run = await client.runs.get(runId);
  assert.deepEqual(run.inputs.datasetInputs, [{
    dataset,
    tags: { "mlflow.data.context": "evaluation" },
  }]);
  assert.deepEqual(run.inputs.modelInputs, [{ modelId }]);
  assert.deepEqual(run.outputs.modelOutputs, [{ modelId, step: 3 }]);
  const byContext = [];
  for await (
    const r of client.runs.search({
      experimentIds: [experimentId],
      filter: "datasets.context = 'evaluation'",
    })
  ) byContext.push(r.info.runId);
  assert.deepEqual(byContext, [runId]);
  await assert.rejects(
    () =>
      client.runs.logInputs(runId, {
        datasets: [{ dataset: { ...dataset, digest: "x".repeat(37) } }],
      }),
    MlflowValidationError,
  );
});
