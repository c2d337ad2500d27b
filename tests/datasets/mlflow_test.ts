import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { DatasetManager, toMlflowDatasetInput } from "../../lib/datasets/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { cli, ROOT } from "./_helpers.ts";

Deno.test("logToMlflow() records the dataset input on a real MLflow run; reading the run back gives it exactly", async () => {
  using client = new MlflowClient({ trackingUri: testMlflowUri() });
  const exp = await client.experiments.getOrCreate(uniqueName("datasets"));
  const runId = (await client.runs.create({ experimentId: exp.experimentId })).info.runId;
  const dm = new DatasetManager({ basePath: join(ROOT, "datasets") });
  const logged = await dm.logToMlflow("loan_approval_test_set", {
    client,
    runId,
    context: "evaluation",
  });
  const run = await client.runs.get(runId);
  assert.equal(run.inputs.datasetInputs.length, 1);
  const back = run.inputs.datasetInputs[0]!;
  assert.deepEqual(back, logged);
  const ds = await dm.load("loan_approval_test_set");
  assert.equal(back.dataset.name, "loan_approval_test_set");
  assert.equal(back.dataset.digest, ds.mlflowDigest);
  assert.match(back.dataset.digest, /^[0-9a-f]{8}$/);
  assert.equal(back.dataset.sourceType, "local");
  assert.deepEqual(JSON.parse(back.dataset.source), {
    uri: pathToFileURL(join(ROOT, "datasets", "loan_approval_test_set", "1.0.0", "data.jsonl"))
      .href,
  });
  const schema = JSON.parse(back.dataset.schema!);
  assert.deepEqual(schema.mlflow_colspec[2], { type: "long", name: "age", required: true });
  assert.deepEqual(schema.mlflow_colspec[3], {
    type: "double",
    name: "annual_income",
    required: true,
  });
  const profile = JSON.parse(back.dataset.profile!);
  assert.equal(profile.num_rows, 1200);
  assert.equal(profile.num_elements, 1200 * 12);
  assert.equal(profile.sha256, ds.digest);
  assert.equal(profile.columns.credit_score.count, 1200);
  assert.ok(profile.columns.credit_score.min >= 300 && profile.columns.credit_score.max <= 850);
  assert.deepEqual(back.tags, {
    "mlflow.data.context": "evaluation",
    "evalkit.dataset.version": "1.0.0",
    "evalkit.dataset.sha256": ds.digest,
  });
  // Filtering runs by the dataset's context finds this run.
  const found: string[] = [];
  for await (
    const r of client.runs.search({
      experimentIds: [exp.experimentId],
      filter: "datasets.context = 'evaluation'",
    })
  ) {
    found.push(r.info.runId);
  }
  assert.deepEqual(found, [runId]);
});

Deno.test("no applicant name reaches MLflow: the profile shows counts but no values of personal data", async () => {
  const dm = new DatasetManager({ basePath: join(ROOT, "datasets") });
  const ds = await dm.load("loan_approval_test_set");
  const input = toMlflowDatasetInput(ds, { context: "evaluation" });
  const text = JSON.stringify(input);
  const names = new Set(ds.rows.map((r) => String(r.applicant_name)));
  for (const name of names) assert.ok(!text.includes(name), `${name} leaked`);
  for (const last of ["Kowalski", "Lovelace", "Okafor"]) assert.ok(!text.includes(last));
  const profile = JSON.parse(input.dataset.profile!);
  assert.equal(profile.columns.applicant_name.top, undefined);
  assert.ok(profile.columns.applicant_name.distinct > 100);
  assert.deepEqual(profile.columns.expected_outcome.top.map((t: [string, number]) => t[0]).sort(), [
    "approve",
    "reject",
  ]);
});

Deno.test("`deno task datasets log` logs a version to a real run and prints the input with --json", async () => {
  using client = new MlflowClient({ trackingUri: testMlflowUri() });
  const exp = await client.experiments.getOrCreate(uniqueName("datasets-cli"));
  const runId = (await client.runs.create({ experimentId: exp.experimentId })).info.runId;
  const r = await cli([
    "log",
    "current_month",
    "--run-id",
    runId,
    "--context",
    "drift-current",
    "--tracking-uri",
    testMlflowUri(),
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  const run = await client.runs.get(runId);
  assert.deepEqual(run.inputs.datasetInputs, [printed.input]);
  assert.equal(run.inputs.datasetInputs[0]!.tags?.["mlflow.data.context"], "drift-current");
  assert.equal(run.inputs.datasetInputs[0]!.tags?.["evalkit.dataset.version"], "2025.10");
});
