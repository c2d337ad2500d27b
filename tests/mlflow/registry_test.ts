import assert from "node:assert/strict";
import { MlflowTransport } from "../../lib/mlflow/transport.ts";
import { ArtifactsApi } from "../../lib/mlflow/artifacts.ts";
import { ModelVersionsApi, RegisteredModelsApi } from "../../lib/mlflow/registry.ts";
import { LoggedModelsApi } from "../../lib/mlflow/logged_models.ts";
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
    models: new RegisteredModelsApi(transport),
    versions: new ModelVersionsApi(transport),
    loggedModels: new LoggedModelsApi(transport),
  };
}

async function newRun(transport: MlflowTransport): Promise<WireRunInfo> {
  const exp = await transport.post<{ experiment_id: string }>(
    "/api/2.0/mlflow/experiments/create",
    {
      name: uniqueName("registry-test"),
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

Deno.test("registry: create → version from a run's artifacts → alias → getByAlias → stages → tags → rename → delete", async () => {
  const { transport, artifacts, models, versions } = setup();
  const run = await newRun(transport);
  await artifacts.upload(run.artifact_uri, "agent/MLmodel", "artifact_path: agent\nflavors: {}\n");
  await artifacts.upload(run.artifact_uri, "agent/config.json", '{"threshold":0.5}');
  const name = uniqueName("loan-agent");

  const created = await models.create(name, { description: "first", tags: { team: "risk" } });
  assert.equal(created.name, name);
  assert.equal(created.description, "first");
  assert.deepEqual(created.tags, { team: "risk" });
  const dup = await models.create(name).catch((e) => e);
  assert.ok(dup instanceof MlflowApiError);
  assert.equal(dup.errorCode, "RESOURCE_ALREADY_EXISTS");

  const source = `${run.artifact_uri}/agent`;
  const v1 = await versions.create({
    name,
    source,
    runId: run.run_id,
    tags: { stage: "candidate" },
    description: "v1",
  });
  const v2 = await versions.create({ name, source, runId: run.run_id });
  assert.equal(v1.version, "1");
  assert.equal(v2.version, "2");
  assert.equal(v1.source, source);
  assert.equal(v1.runId, run.run_id);
  assert.equal(v1.status, "READY");
  assert.deepEqual(v1.tags, { stage: "candidate" });
  assert.equal(v1.description, "v1");

  const got = await versions.get(name, 1);
  assert.equal(got.source, source);
  assert.equal(got.currentStage, "None");
  const downloadUri = await versions.getDownloadUri(name, "1");
  assert.equal(await artifacts.readText(downloadUri, "config.json"), '{"threshold":0.5}');

  // Aliases
  await models.setAlias(name, "champion", 1);
  await models.setAlias(name, "challenger", "2");
  assert.equal((await models.getByAlias(name, "champion")).version, "1");
  assert.deepEqual((await models.get(name)).aliases, { champion: "1", challenger: "2" });
  await models.setAlias(name, "champion", "2"); // moves it
  const champion = await models.getByAlias(name, "champion");
  assert.equal(champion.version, "2");
  assert.deepEqual(champion.aliases.sort(), ["challenger", "champion"]);
  await models.deleteAlias(name, "challenger");
  assert.deepEqual((await models.get(name)).aliases, { champion: "2" });
  const gone = await models.getByAlias(name, "challenger").catch((e) => e);
  assert.ok(gone instanceof MlflowApiError);
  // MLflow 3.17 answers a missing alias with 400 INVALID_PARAMETER_VALUE (not 404).
  assert.equal(gone.errorCode, "INVALID_PARAMETER_VALUE");
  assert.match(gone.message, /alias challenger not found/);

  // Stages: v1 → Staging → Production; then v2 → Production archives v1
  assert.equal((await versions.transitionStage(name, 1, "Staging")).currentStage, "Staging");
  assert.equal((await versions.transitionStage(name, 1, "Production")).currentStage, "Production");
  const promoted = await versions.transitionStage(name, 2, "Production", {
    archiveExistingVersions: true,
  });
  assert.equal(promoted.currentStage, "Production");
  assert.equal((await versions.get(name, 1)).currentStage, "Archived");
  const latest = (await models.get(name)).latestVersions;
  assert.deepEqual(latest.map((v) => [v.version, v.currentStage]).sort(), [["1", "Archived"], [
    "2",
    "Production",
  ]]);

  // Tags and descriptions, read back
  await models.setTag(name, "owner", "ana");
  await models.deleteTag(name, "team");
  assert.deepEqual((await models.get(name)).tags, { owner: "ana" });
  await versions.setTag(name, 2, "validated", "true");
  await versions.deleteTag(name, 1, "stage");
  assert.deepEqual((await versions.get(name, 2)).tags, { validated: "true" });
  assert.deepEqual((await versions.get(name, 1)).tags, {});
  assert.equal((await models.update(name, { description: "second" })).description, "second");
  assert.equal((await versions.update(name, 2, { description: "better" })).description, "better");
  assert.equal((await models.get(name)).description, "second");

  // Search
  const found = await collect(models.search({ filter: `name = '${name}'` }));
  assert.deepEqual(found.map((m) => m.name), [name]);
  const allVersions = await collect(versions.search({ filter: `name = '${name}'`, pageSize: 1 }));
  assert.deepEqual(allVersions.map((v) => v.version).sort(), ["1", "2"]);
  const byRun = await collect(versions.search({ filter: `run_id = '${run.run_id}'` }));
  assert.equal(byRun.length, 2);

  // Rename: versions and aliases follow
  const newName = `${name}-renamed`;
  assert.equal((await models.rename(name, newName)).name, newName);
  assert.equal((await versions.get(newName, 2)).name, newName);
  assert.equal((await models.getByAlias(newName, "champion")).version, "2");
  const old = await models.get(name).catch((e) => e);
  assert.ok(old instanceof MlflowApiError);
  assert.equal(old.errorCode, "RESOURCE_DOES_NOT_EXIST");

  // Delete a version, then the model
  await versions.delete(newName, 1);
  assert.deepEqual(
    (await collect(versions.search({ filter: `name = '${newName}'` }))).map((v) => v.version),
    ["2"],
  );
  await models.delete(newName);
  const deleted = await models.get(newName).catch((e) => e);
  assert.ok(deleted instanceof MlflowApiError);
  assert.equal(deleted.errorCode, "RESOURCE_DOES_NOT_EXIST");
});

Deno.test("registered model search pages through every match with max_results sent", async () => {
  const { models } = setup();
  const prefix = uniqueName("paged");
  const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
  for (const n of names) await models.create(n);
  try {
    const found = await collect(
      models.search({ filter: `name LIKE '${prefix}-%'`, pageSize: 2, orderBy: ["name DESC"] }),
    );
    assert.deepEqual(found.map((m) => m.name), [...names].reverse());
  } finally {
    for (const n of names) await models.delete(n);
  }
});

Deno.test("a version registered from a logged model carries its model id", async () => {
  const { transport, models, versions, loggedModels } = setup();
  const run = await newRun(transport);
  const lm = await loggedModels.create({
    experimentId: run.experiment_id,
    name: "agent",
    sourceRunId: run.run_id,
  });
  await loggedModels.finalize(lm.modelId, "LOGGED_MODEL_READY");
  const name = uniqueName("from-logged-model");
  await models.create(name);
  const v = await versions.create({
    name,
    source: `models:/${lm.modelId}`,
    modelId: lm.modelId,
    runId: run.run_id,
  });
  assert.equal(v.modelId, lm.modelId);
  assert.equal(v.source, `models:/${lm.modelId}`);
  // The server records the registration on the logged model (tag mlflow.modelVersions).
  const reread = await loggedModels.get(lm.modelId);
  assert.deepEqual(reread.registrations, [{ name, version: v.version }]);
  assert.deepEqual(JSON.parse(reread.tags["mlflow.modelVersions"]!), [{ name, version: 1 }]);
  await models.delete(name);
});

Deno.test("registry calls refuse bad input before sending", async () => {
  const { models, versions } = setup();
  await assert.rejects(() => models.create(""), TypeError);
  await assert.rejects(() => versions.get("m", "latest"), /model version number/);
  await assert.rejects(
    () => versions.transitionStage("m", 1, "Prod" as "Production"),
    /None, Staging/,
  );
  await assert.rejects(() => versions.create({ name: "m", source: "" }), /source/);
  await assert.rejects(() => collect(models.search({ pageSize: 0 })), RangeError);
});
