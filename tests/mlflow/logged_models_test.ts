import assert from "node:assert/strict";
import { MlflowTransport } from "../../lib/mlflow/transport.ts";
import { ArtifactsApi } from "../../lib/mlflow/artifacts.ts";
import { LoggedModelsApi } from "../../lib/mlflow/logged_models.ts";
import { MlflowClient } from "../../lib/mlflow/client.ts";
import { MlflowApiError } from "../../lib/_internal/errors.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

interface WireRunInfo {
  run_id: string;
  experiment_id: string;
  artifact_uri: string;
}

function setup() {
  const transport = new MlflowTransport({ trackingUri: testMlflowUri() });
  return {
    transport,
    artifacts: new ArtifactsApi(transport),
    loggedModels: new LoggedModelsApi(transport),
  };
}

async function newRun(transport: MlflowTransport): Promise<WireRunInfo> {
  const exp = await transport.post<{ experiment_id: string }>(
    "/api/2.0/mlflow/experiments/create",
    {
      name: uniqueName("logged-models-test"),
    },
  );
  const res = await transport.post<{ run: { info: WireRunInfo } }>("/api/2.0/mlflow/runs/create", {
    experiment_id: exp.experiment_id,
    start_time: Date.now(),
  });
  return res.run.info;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

Deno.test("logged model: create → artifacts → finalize → get → params → tags → link to run, all read back", async () => {
  const { transport, artifacts, loggedModels } = setup();
  const run = await newRun(transport);

  const created = await loggedModels.create({
    experimentId: run.experiment_id,
    name: "loan-agent",
    modelType: "agent",
    sourceRunId: run.run_id,
    params: { temperature: 0.2, model: "gpt-x", greedy: true },
    tags: { "mlflow.model.isExternal": "true", team: "risk" },
  });
  assert.match(created.modelId, /^m-[0-9a-f]{32}$/);
  assert.equal(created.status, "LOGGED_MODEL_PENDING");
  assert.equal(created.experimentId, run.experiment_id);
  assert.equal(created.name, "loan-agent");
  assert.equal(created.modelType, "agent");
  assert.equal(created.sourceRunId, run.run_id);
  assert.deepEqual(created.params, { temperature: "0.2", model: "gpt-x", greedy: "true" });
  assert.equal(created.tags.team, "risk");
  assert.match(
    created.artifactUri,
    new RegExp(`^mlflow-artifacts:/${run.experiment_id}/models/${created.modelId}/artifacts$`),
  );

  // Artifacts go under the model's own artifact URI
  await artifacts.upload(created.artifactUri, "MLmodel", "artifact_path: model\nflavors: {}\n");
  await artifacts.upload(created.artifactUri, "config/agent.json", '{"threshold":0.5}');
  assert.deepEqual((await collect(artifacts.walk(created.artifactUri))).map((f) => f.path).sort(), [
    "MLmodel",
    "config/agent.json",
  ]);

  const ready = await loggedModels.finalize(created.modelId, "LOGGED_MODEL_READY");
  assert.equal(ready.status, "LOGGED_MODEL_READY");

  // 150 more params: two requests (100 + 50)
  const many: Record<string, string> = {};
  for (let i = 0; i < 150; i++) many[`p${String(i).padStart(3, "0")}`] = `v${i}`;
  await loggedModels.logParams(created.modelId, many);
  await loggedModels.setTags(created.modelId, { owner: "ana", team: "credit" });
  await loggedModels.deleteTag(created.modelId, "mlflow.model.isExternal");

  // Link the model to the run as an output (what client.runs.logOutputs sends)
  await transport.post("/api/2.0/mlflow/runs/outputs", {
    run_id: run.run_id,
    models: [{ model_id: created.modelId, step: 3 }],
  });

  const got = await loggedModels.get(created.modelId);
  assert.equal(got.status, "LOGGED_MODEL_READY");
  assert.equal(Object.keys(got.params).length, 153);
  assert.equal(got.params.p149, "v149");
  assert.equal(got.params.temperature, "0.2");
  assert.deepEqual(got.tags, { owner: "ana", team: "credit" });
  assert.ok(got.lastUpdatedTimestamp >= got.creationTimestamp);

  const runRead = await transport.get<
    { run: { outputs?: { model_outputs?: { model_id: string; step: number }[] } } }
  >(
    "/api/2.0/mlflow/runs/get",
    { query: { run_id: run.run_id } },
  );
  assert.deepEqual(runRead.run.outputs?.model_outputs, [{ model_id: created.modelId, step: 3 }]);
});

Deno.test("logged model search filters, orders and pages with max_results sent", async () => {
  const { transport, loggedModels } = setup();
  const run = await newRun(transport);
  const ids: string[] = [];
  for (const name of ["alpha", "beta", "gamma"]) {
    const m = await loggedModels.create({
      experimentId: run.experiment_id,
      name,
      tags: { kind: "agent" },
    });
    ids.push(m.modelId);
  }
  await loggedModels.finalize(ids[0]!, "LOGGED_MODEL_READY");
  await loggedModels.finalize(ids[1]!, "LOGGED_MODEL_UPLOAD_FAILED");

  const all = await collect(loggedModels.search({
    experimentIds: [run.experiment_id],
    orderBy: [{ fieldName: "name", ascending: false }],
    pageSize: 1,
  }));
  assert.deepEqual(all.map((m) => m.name), ["gamma", "beta", "alpha"]);
  const beta = await collect(
    loggedModels.search({ experimentIds: [run.experiment_id], filter: "name = 'beta'" }),
  );
  assert.deepEqual(beta.map((m) => [m.modelId, m.status]), [[
    ids[1],
    "LOGGED_MODEL_UPLOAD_FAILED",
  ]]);
});

Deno.test("a deleted logged model is gone unless allowDeleted is set", async () => {
  const { transport, loggedModels } = setup();
  const run = await newRun(transport);
  const m = await loggedModels.create({ experimentId: run.experiment_id, name: "temp" });
  await loggedModels.delete(m.modelId);
  const err = await loggedModels.get(m.modelId).catch((e) => e);
  assert.ok(err instanceof MlflowApiError);
  assert.equal(err.errorCode, "RESOURCE_DOES_NOT_EXIST");
  assert.equal((await loggedModels.get(m.modelId, { allowDeleted: true })).modelId, m.modelId);
});

Deno.test("logged model calls refuse bad names, statuses and ids before sending", async () => {
  const { loggedModels } = setup();
  await assert.rejects(() => loggedModels.create({ experimentId: "0", name: "a/b" }), /none of/);
  await assert.rejects(() => loggedModels.create({ experimentId: "0", name: "" }), TypeError);
  await assert.rejects(
    () => loggedModels.finalize("m-x", "LOGGED_MODEL_PENDING" as "LOGGED_MODEL_READY"),
    /LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED/,
  );
  await assert.rejects(() => loggedModels.get(""), TypeError);
  await assert.rejects(() => collect(loggedModels.search({ experimentIds: [] })), TypeError);
});

Deno.test("through MlflowClient: a run's logged model is linked, registered and found by alias", async () => {
  using client = new MlflowClient({ trackingUri: testMlflowUri() });
  const exp = await client.experiments.getOrCreate(uniqueName("client-e2e"));
  const run = await client.runs.create({ experimentId: exp.experimentId });
  const model = await client.loggedModels.create({
    experimentId: exp.experimentId,
    name: "agent",
    modelType: "agent",
    sourceRunId: run.info.runId,
  });
  await client.artifacts.upload(
    model.artifactUri,
    "MLmodel",
    "artifact_path: agent\nflavors: {}\n",
  );
  await client.loggedModels.finalize(model.modelId, "LOGGED_MODEL_READY");
  await client.runs.logOutputs(run.info.runId, [{ modelId: model.modelId, step: 0 }]);
  await client.artifacts.logTable(run.info.runId, "eval/results.json", {
    columns: ["id", "ok"],
    data: [[1, true]],
  });

  const name = uniqueName("e2e");
  await client.models.create(name);
  const v = await client.modelVersions.create({
    name,
    source: `models:/${model.modelId}`,
    modelId: model.modelId,
    runId: run.info.runId,
  });
  await client.models.setAlias(name, "champion", v.version);
  assert.equal((await client.models.getByAlias(name, "champion")).modelId, model.modelId);

  const got = await client.runs.get(run.info.runId);
  assert.deepEqual(got.outputs.modelOutputs, [{ modelId: model.modelId, step: 0 }]);
  assert.equal(
    got.data.tags["mlflow.loggedArtifacts"],
    '[{"path": "eval/results.json", "type": "table"}]',
  );
  assert.deepEqual((await client.loggedModels.get(model.modelId)).registrations, [{
    name,
    version: v.version,
  }]);
  await client.models.delete(name);
});
