import assert from "node:assert/strict";
import type { MlflowApiError } from "../../lib/_internal/errors.ts";
import { databricksTarget, type ModelSignature } from "../../lib/mlflow/databricks/mod.ts";
import { startDatabricksStandin } from "../_helpers/databricks_standin.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const PAT = "dapi-standin-0123456789abcdef";
const SIGNATURE: ModelSignature = {
  inputs: [
    { name: "credit_score", type: "long" },
    { name: "annual_income", type: "double" },
    { name: "loan_purpose", type: "string", required: false },
  ],
  outputs: [{ name: "outcome", type: "string" }, { name: "risk_score", type: "double" }],
};

async function mlflowGet(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${testMlflowUri()}${path}`);
  return { status: res.status, body: await res.json() };
}

Deno.test("Unity Catalog: register a three-level model with a signature, alias it, read it back", async () => {
  await using standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
  const target = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: standin.url, DATABRICKS_TOKEN: PAT },
  });
  const registry = target.registry!;
  const name = `main.ai_agents.${uniqueName("loan_approval").replaceAll("-", "_")}`;

  const { experiment_id } = await target.transport.post<{ experiment_id: string }>(
    "/api/2.0/mlflow/experiments/create",
    {
      name: `/Shared/ai-agents/${uniqueName("uc")}`,
    },
  );
  const { run } = await target.transport.post<
    { run: { info: { run_id: string; artifact_uri: string } } }
  >(
    "/api/2.0/mlflow/runs/create",
    { experiment_id },
  );

  const model = await registry.getOrCreateModel(name, {
    description: "loan agent",
    tags: { team: "risk" },
  });
  assert.equal(model.name, name);
  assert.equal((await registry.getOrCreateModel(name)).name, name, "a second getOrCreate finds it");

  const version = await registry.createModelVersion({
    name,
    source: `${run.info.artifact_uri}/model`,
    runId: run.info.run_id,
    signature: SIGNATURE,
    files: { "agent_config.json": JSON.stringify({ threshold: 0.5 }) },
    tags: { dataset_digest: "abc123" },
  });
  assert.equal(version.version, "1");
  assert.equal(version.status, "READY");
  assert.match(version.storageLocation ?? "", /versions\/1$/);
  const [c, s, m] = name.split(".");
  const mlmodel = new TextDecoder().decode(standin.files.get(`/Models/${c}/${s}/${m}/1/MLmodel`));
  assert.match(
    mlmodel,
    /^signature:\n {2}inputs: '\[\{"type":"long","name":"credit_score","required":true\}/m,
  );
  assert.match(mlmodel, /outputs: '\[\{"type":"string","name":"outcome","required":true\}/);
  assert.ok(standin.files.has(`/Models/${c}/${s}/${m}/1/agent_config.json`));
  const order = standin.log.filter((l) => /model-versions|\/Models\//.test(l)).map((l) =>
    l.replace(/^\w+ /, "")
  );
  assert.deepEqual(order, [
    "/api/2.0/mlflow/unity-catalog/model-versions/create",
    `/api/2.0/fs/files/Models/${c}/${s}/${m}/1/MLmodel`,
    `/api/2.0/fs/files/Models/${c}/${s}/${m}/1/agent_config.json`,
    "/api/2.0/mlflow/unity-catalog/model-versions/finalize",
  ]);

  await registry.setAlias(name, "champion", version.version);
  const champion = await registry.getByAlias(name, "champion");
  assert.equal(champion.version, "1");
  assert.deepEqual(champion.tags, { dataset_digest: "abc123" });

  // The registration and alias are stored in the real MLflow registry behind the stand-in.
  const real = await mlflowGet(
    `/api/2.0/mlflow/registered-models/alias?name=${name}&alias=champion`,
  );
  assert.equal(real.status, 200);
  assert.equal((real.body.model_version as { run_id: string }).run_id, run.info.run_id);

  const versions = [];
  for await (const v of registry.searchModelVersions({ filter: `name='${name}'` })) {
    versions.push(v.version);
  }
  assert.deepEqual(versions, ["1"]);

  await registry.deleteAlias(name, "champion");
  // MLflow 3.x answers 400 INVALID_PARAMETER_VALUE (not 404) for an unknown alias.
  await assert.rejects(
    registry.getByAlias(name, "champion"),
    (err: MlflowApiError) => err.status === 400 && /alias champion not found/.test(err.message),
  );
  await registry.deleteModel(name);
  assert.equal((await mlflowGet(`/api/2.0/mlflow/registered-models/get?name=${name}`)).status, 404);
});

Deno.test("Unity Catalog: names, signatures, aliases and stages are refused before any request", async (t) => {
  await using standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
  const target = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: standin.url, DATABRICKS_TOKEN: PAT },
  });
  const registry = target.registry!;
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      "one-level name",
      () => registry.createModel("loan_approval"),
      /specify all three levels, e\.g\. 'main\.ai_agents\.loan_approval'/,
    ],
    [
      "two-level name",
      () => registry.getModel("main.loan"),
      /three levels 'catalog\.schema\.model'/,
    ],
    ["four-level name", () => registry.createModel("a.b.c.d"), /three levels/],
    [
      "no signature",
      // deno-lint-ignore no-explicit-any
      () => registry.createModelVersion({ name: "main.s.m", source: "models:/m-1" } as any),
      /requires a model signature with inputs and outputs/,
    ],
    [
      "signature without outputs",
      () =>
        registry.createModelVersion({
          name: "main.s.m",
          source: "x",
          signature: { inputs: SIGNATURE.inputs, outputs: [] },
        }),
      /signature\.outputs is empty/,
    ],
    [
      "unknown column type",
      () =>
        registry.createModelVersion({
          name: "main.s.m",
          source: "x",
          signature: {
            inputs: [{ name: "a", type: "int64" as unknown as "long" }],
            outputs: SIGNATURE.outputs,
          },
        }),
      /signature\.inputs\[0\]\.type to be one of/,
    ],
    ["reserved alias", () => registry.setAlias("main.s.m", "latest", "1"), /not 'latest'/],
    [
      "stage transition",
      () => registry.transitionStage("main.s.m", "1", "Production"),
      /no model stages; use aliases/,
    ],
    [
      "latest versions by stage",
      () => registry.getLatestVersions("main.s.m", ["Production"]),
      /use aliases/,
    ],
  ];
  for (const [label, call, re] of cases) {
    await t.step(label, async () => {
      await assert.rejects(
        call(),
        (err: Error) => err instanceof TypeError && re.test(err.message),
      );
    });
  }
  assert.equal(standin.stats.ucCalls, 0, "nothing reached the registry");
});

Deno.test("the stand-in's Unity Catalog endpoints refuse two-level names and versions without a signed MLmodel", async () => {
  await using standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
  const target = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: standin.url, DATABRICKS_TOKEN: PAT },
  });
  await assert.rejects(
    target.transport.post("/api/2.0/mlflow/unity-catalog/registered-models/create", {
      name: "main.loan",
    }),
    (err: MlflowApiError) => err.status === 400 && /specify all three levels/.test(err.message),
  );
  const name = `main.ai_agents.${uniqueName("raw").replaceAll("-", "_")}`;
  await target.transport.post("/api/2.0/mlflow/unity-catalog/registered-models/create", { name });
  const created = await target.transport.post<
    { model_version: { version: string; status: string } }
  >(
    "/api/2.0/mlflow/unity-catalog/model-versions/create",
    { name, source: "dbfs:/databricks/mlflow-tracking/0/none/artifacts/model" },
  );
  assert.equal(created.model_version.status, "PENDING_REGISTRATION");
  await assert.rejects(
    target.transport.post("/api/2.0/mlflow/unity-catalog/model-versions/finalize", {
      name,
      version: created.model_version.version,
    }),
    (err: MlflowApiError) => err.status === 400 && /signature/.test(err.message),
  );
  await target.transport.delete("/api/2.0/mlflow/unity-catalog/registered-models/delete", { name });
});
